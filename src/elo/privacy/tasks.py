"""Background work of the privacy app: a retention run started from a page or the API."""

from __future__ import annotations

from django_tasks import task


@task()
def carry_out_retention_run(run_id: int, actor_id: int | None) -> int:
    """Anonymizes what a started retention run selected; returns how many records."""
    from elo.privacy import retention

    run = retention.carry_out(run_id, actor_id)
    return run.anonymized if run is not None else 0
