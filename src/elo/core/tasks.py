from __future__ import annotations

from django_tasks import task

from elo.core import events


@task()
def deliver_outbox() -> int:
    """Hands due outbox events to their subscribers."""
    return events.deliver_pending()
