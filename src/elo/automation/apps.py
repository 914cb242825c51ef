from __future__ import annotations

from django.apps import AppConfig


class AutomationConfig(AppConfig):
    name = "elo.automation"
    label = "automation"
    verbose_name = "Automation"

    def ready(self) -> None:
        from elo.automation import engine
        from elo.core import events, schedule

        events.subscribe("*", engine.on_event)
        # Each minute: start due date/schedule occurrences (each once, see Occurrence) and
        # carry on runs whose wait or retry is due.
        schedule.register("automation.fire_due", "every 1m", engine.fire_due)
        schedule.register("automation.resume_due", "every 1m", engine.resume_due)
