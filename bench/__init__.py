"""The standard CRM benchmark workload (../shared/bench/workload.md) run against Elo."""
