from __future__ import annotations

from django_tasks import task

from elo.automation import engine


@task()
def resume_runs() -> int:
    """Carries on the workflow runs whose wait or retry is due."""
    return engine.resume_due()


@task()
def fire_due_workflows() -> int:
    """Starts the runs of date and schedule triggers that are due."""
    return engine.fire_due()
