"""Domain events: written to the outbox inside the service's transaction, delivered after commit.

Apps register handlers in `AppConfig.ready()` with `subscribe("sales.deal.*", handler)`.
A handler gets the `OutboxEvent`; it must be idempotent, since a failed delivery is retried.
"""

from __future__ import annotations

import fnmatch
import logging
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

from django.db import transaction
from django.utils import timezone

from elo.core import bulk, context
from elo.core.audit import jsonable
from elo.core.models import OutboxEvent

logger = logging.getLogger(__name__)

Handler = Callable[[OutboxEvent], None]
MAX_ATTEMPTS = 8

_subscribers: list[tuple[str, Handler]] = []


def subscribe(pattern: str, handler: Handler) -> None:
    """Registers `handler` for events whose name matches the shell-style `pattern`."""
    if (pattern, handler) not in _subscribers:
        _subscribers.append((pattern, handler))


def unsubscribe(pattern: str, handler: Handler) -> None:
    if (pattern, handler) in _subscribers:
        _subscribers.remove((pattern, handler))


def handlers_for(name: str) -> list[Handler]:
    return [handler for pattern, handler in _subscribers if fnmatch.fnmatchcase(name, pattern)]


def _schedule_delivery() -> None:
    from elo.core.tasks import deliver_outbox

    try:
        deliver_outbox.enqueue()
    except Exception:  # the worker also polls, so a failed enqueue only delays delivery
        logger.exception("could not enqueue outbox delivery")


def emit(name: str, payload: Mapping[str, Any]) -> OutboxEvent:
    """Writes the event in the current transaction; delivery is queued for after commit."""
    event = OutboxEvent.objects.create(
        name=name,
        payload=jsonable(dict(payload)),
        request_id=context.request_id(),
        cause=context.current_cause(),
    )
    transaction.on_commit(_schedule_delivery)
    return event


def emit_many(name: str, payloads: list[Mapping[str, Any]]) -> None:
    """One event per payload, written in one statement (imports emit thousands at once)."""
    if not payloads:
        return
    request = context.request_id()
    cause = context.current_cause()
    now = timezone.now()
    bulk.insert_values(
        OutboxEvent,
        [
            "name",
            "payload",
            "created_at",
            "available_at",
            "attempts",
            "last_error",
            "request_id",
            "cause",
        ],
        ((name, jsonable(dict(p)), now, now, 0, "", request, cause) for p in payloads),
    )
    transaction.on_commit(_schedule_delivery)


def _claim(limit: int) -> list[OutboxEvent]:
    pending = OutboxEvent.objects.filter(
        delivered_at__isnull=True, failed_at__isnull=True, available_at__lte=timezone.now()
    ).order_by("id")
    if transaction.get_connection().features.has_select_for_update_skip_locked:
        pending = pending.select_for_update(skip_locked=True)
    return list(pending[:limit])


def deliver_pending(limit: int = 500) -> int:
    """Delivers due events to their handlers; returns how many were handled."""
    handled = 0
    with transaction.atomic():
        events = _claim(limit)
        for event in events:
            try:
                with transaction.atomic():
                    for handler in handlers_for(event.name):
                        handler(event)
            except Exception as error:
                event.attempts += 1
                event.last_error = f"{type(error).__name__}: {error}"[:2000]
                if event.attempts >= MAX_ATTEMPTS:
                    event.failed_at = timezone.now()
                else:
                    event.available_at = timezone.now() + timedelta(seconds=2**event.attempts)
                logger.warning("event %s delivery failed: %s", event.pk, event.last_error)
            else:
                event.attempts += 1
                event.delivered_at = timezone.now()
                handled += 1
            event.save(
                update_fields=[
                    "attempts",
                    "last_error",
                    "failed_at",
                    "available_at",
                    "delivered_at",
                ]
            )
    return handled
