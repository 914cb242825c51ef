"""Workflow rules: triggers (events, dates, schedules), conditions and actions, with every run
recorded."""
