"""The delivery engine: outbox events become deliveries, deliveries become signed POSTs.

`on_event` (an outbox subscriber) creates one Delivery per enabled subscription whose event
types and conditions match, and queues a task per delivery. `attempt` claims a due delivery
(a conditional UPDATE, so two workers never send it at once), POSTs it, stores the Attempt
and either finishes the delivery or schedules the next try with backoff. `deliver_due` is the
safety sweep that re-queues due deliveries whose task was lost.
"""

from __future__ import annotations

import json
import logging
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from elo.core import conditions
from elo.core.models import OutboxEvent
from elo.webhooks import http, signing
from elo.webhooks.models import Attempt, Delivery, DeliveryStatus, Subscription

logger = logging.getLogger(__name__)

# The wait after each failed attempt: 8 attempts over about 27.5 hours.
RETRY_DELAYS = (
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=10),
)
MAX_ATTEMPTS = len(RETRY_DELAYS) + 1
# A subscription whose every attempt failed for this long is disabled.
DISABLE_AFTER = timedelta(days=5)
TIMEOUT_SECONDS = 10.0
# While an attempt runs, its delivery is hidden from the sweep for this long.
LEASE = timedelta(seconds=TIMEOUT_SECONDS + 50)
# The sweep leaves a due delivery this long to its own queued task first.
SWEEP_GRACE = timedelta(minutes=1)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def body_of(delivery: Delivery) -> bytes:
    """The JSON body: the same bytes on every attempt of the delivery."""
    document = {
        "type": delivery.event_name,
        "timestamp": _iso(delivery.occurred_at),
        "data": delivery.payload,
    }
    return json.dumps(
        document, cls=DjangoJSONEncoder, separators=(",", ":"), ensure_ascii=False
    ).encode()


def _matches(subscription: Subscription, event: OutboxEvent) -> bool:
    if not subscription.subscribes_to(event.name):
        return False
    if not subscription.conditions:
        return True
    try:
        return conditions.evaluate(subscription.conditions, event.payload).matched
    except conditions.ConditionError:
        logger.warning("webhook %s: conditions are malformed", subscription.pk)
        return False


def on_event(event: OutboxEvent) -> None:
    """Outbox subscriber for every event. Idempotent: a re-delivered event finds its
    deliveries already there (unique per subscription and event)."""
    candidates = Subscription.objects.filter(enabled=True).only("id", "event_types", "conditions")
    matched = [subscription for subscription in candidates if _matches(subscription, event)]
    if not matched:
        return
    now = timezone.now()
    Delivery.objects.bulk_create(
        [
            Delivery(
                subscription=subscription,
                event_id=event.pk,
                event_name=event.name,
                payload=event.payload,
                occurred_at=event.created_at,
                message_id=signing.new_message_id(),
                next_attempt_at=now,
            )
            for subscription in matched
        ],
        ignore_conflicts=True,
    )
    due = list(
        Delivery.objects.filter(
            event_id=event.pk,
            subscription__in=matched,
            status=DeliveryStatus.PENDING,
            attempts=0,
        ).values_list("pk", flat=True)
    )
    transaction.on_commit(lambda: _enqueue_all(due))


def _enqueue_all(delivery_ids: list[int]) -> None:
    from elo.webhooks.tasks import enqueue_delivery

    for delivery_id in delivery_ids:
        enqueue_delivery(delivery_id)


def _claim(delivery_id: int) -> bool:
    now = timezone.now()
    return bool(
        Delivery.objects.filter(
            pk=delivery_id, status=DeliveryStatus.PENDING, next_attempt_at__lte=now
        ).update(next_attempt_at=now + LEASE)
    )


def attempt(delivery_id: int) -> str:
    """Sends the delivery once if it is due; returns what happened (for logs and tests)."""
    if not _claim(delivery_id):
        return "not due"
    delivery = Delivery.objects.select_related("subscription").get(pk=delivery_id)
    subscription = delivery.subscription
    if not subscription.enabled:
        Delivery.objects.filter(pk=delivery_id).update(
            status=DeliveryStatus.FAILED, next_attempt_at=None, finished_at=timezone.now()
        )
        return "subscription disabled"
    body = body_of(delivery)
    started = timezone.now()
    headers = signing.headers(
        subscription.signing_secrets(started),
        delivery.message_id,
        int(started.timestamp()),
        body,
    )
    result: dict[str, Any] = {"status_code": None, "duration_ms": 0, "excerpt": "", "error": ""}
    clock = datetime.now(UTC)
    try:
        response = http.post(subscription.url, body, headers, timeout=TIMEOUT_SECONDS)
    except http.WebhookHTTPError as error:
        result["error"] = error.message[:500]
        result["duration_ms"] = int((datetime.now(UTC) - clock).total_seconds() * 1000)
    else:
        result["status_code"] = response.status
        result["duration_ms"] = response.duration_ms
        result["excerpt"] = response.excerpt
        if not 200 <= response.status < 300:
            result["error"] = _("The receiver answered HTTP %(status)s.") % {
                "status": response.status
            }
    return _record(delivery_id, started, result)


def _record(delivery_id: int, started: datetime, result: dict[str, Any]) -> str:
    status_code = result["status_code"]
    succeeded = status_code is not None and 200 <= status_code < 300
    now = timezone.now()
    with transaction.atomic():
        delivery = Delivery.objects.select_for_update().get(pk=delivery_id)
        number = delivery.attempts + 1
        Attempt.objects.create(
            delivery=delivery,
            number=number,
            started_at=started,
            status_code=status_code,
            duration_ms=max(0, result["duration_ms"]),
            response_excerpt=result["excerpt"],
            error=result["error"],
        )
        delivery.attempts = number
        if succeeded or number >= MAX_ATTEMPTS:
            delivery.status = DeliveryStatus.SUCCEEDED if succeeded else DeliveryStatus.FAILED
            delivery.next_attempt_at = None
            delivery.finished_at = now
        else:
            delivery.next_attempt_at = now + RETRY_DELAYS[number - 1]
        delivery.save(update_fields=["attempts", "status", "next_attempt_at", "finished_at"])
        _track_health(delivery.subscription_id, succeeded, started)
        if delivery.status == DeliveryStatus.PENDING:
            retry_at = delivery.next_attempt_at
            transaction.on_commit(lambda: _enqueue_later(delivery_id, retry_at))
    if succeeded:
        return "succeeded"
    return "failed" if delivery.status == DeliveryStatus.FAILED else "retrying"


def _enqueue_later(delivery_id: int, run_after: datetime | None) -> None:
    from elo.webhooks.tasks import enqueue_delivery

    enqueue_delivery(delivery_id, run_after=run_after)


def _track_health(subscription_id: int, succeeded: bool, started: datetime) -> None:
    """Clears `failing_since` on success; disables a subscription failing for too long."""
    from elo.webhooks.services import subscription_disable

    subscriptions = Subscription.objects.filter(pk=subscription_id)
    if succeeded:
        subscriptions.filter(failing_since__isnull=False).update(failing_since=None)
        return
    subscriptions.filter(failing_since__isnull=True).update(failing_since=started)
    subscription = subscriptions.first()
    if subscription is None or not subscription.enabled or subscription.failing_since is None:
        return
    if timezone.now() - subscription.failing_since >= DISABLE_AFTER:
        with translation.override(settings.LANGUAGE_CODE):  # stored: the site's language
            reason = _("Every delivery failed since %(since)s.") % {
                "since": _iso(subscription.failing_since)
            }
        subscription_disable(actor=None, subscription=subscription, reason=reason)


def deliver_due(*, limit: int = 500) -> int:
    """Re-queues pending deliveries that are overdue (their task was lost, a worker died
    mid-attempt, or the task backend cannot defer); returns how many."""
    from elo.webhooks.tasks import enqueue_delivery

    overdue = timezone.now() - SWEEP_GRACE
    due = list(
        Delivery.objects.filter(status=DeliveryStatus.PENDING, next_attempt_at__lte=overdue)
        .order_by("next_attempt_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    for delivery_id in due:
        enqueue_delivery(delivery_id)
    return len(due)
