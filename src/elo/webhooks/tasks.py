"""Background work of webhooks: one task per delivery attempt, and the periodic sweep."""

from __future__ import annotations

import logging
from datetime import datetime

from django_tasks import task

from elo.webhooks import delivery

logger = logging.getLogger(__name__)


@task()
def deliver(delivery_id: int) -> str:
    """Attempts one delivery if it is still due (a duplicate task finds it claimed)."""
    return delivery.attempt(delivery_id)


@task()
def deliver_due() -> int:
    return delivery.deliver_due()


def enqueue_delivery(delivery_id: int, *, run_after: datetime | None = None) -> None:
    """Queues an attempt; a backend that cannot defer leaves retries to the sweep. A failed
    enqueue only delays the delivery: the sweep re-queues it."""
    try:
        if run_after is None:
            deliver.enqueue(delivery_id)
        elif deliver.get_backend().supports_defer:
            deliver.using(run_after=run_after).enqueue(delivery_id)
    except Exception:
        logger.exception("could not enqueue webhook delivery %s", delivery_id)
