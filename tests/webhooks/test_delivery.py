"""Delivery end to end through a real receiver on 127.0.0.1: signatures, retries, disabling."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
import time_machine
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from elo.core import events
from elo.core.models import AuditEntry, OutboxEvent
from elo.webhooks import delivery, services
from elo.webhooks.models import Attempt, Delivery, DeliveryStatus, Subscription
from tests.webhooks.conftest import Reply

START = "2026-03-02 09:00:00+00:00"


@pytest.fixture
def subscribe(admin: Any, receiver: Any) -> Any:
    def make(**data: Any) -> Subscription:
        data.setdefault("url", receiver.url())
        data.setdefault("event_types", ["contacts.person.*"])
        return services.subscription_create(actor=admin, **data)

    return make


@pytest.fixture
def emit(django_capture_on_commit_callbacks: Any) -> Any:
    """Emits an event and runs everything that follows its commit: outbox, delivery task."""

    def send(name: str = "contacts.person.created", payload: Any = None) -> OutboxEvent:
        with django_capture_on_commit_callbacks(execute=True):
            event = events.emit(name, payload if payload is not None else {"id": 41})
        return event

    return send


@pytest.fixture
def run_due(django_capture_on_commit_callbacks: Any) -> Any:
    def run() -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return delivery.deliver_due()

    return run


def _headers(request: Any) -> dict[str, str]:
    return {
        key: request.headers[key]
        for key in ("webhook-id", "webhook-timestamp", "webhook-signature")
    }


def test_signature_verifies_with_the_standard_webhooks_library(
    subscribe: Any, emit: Any, receiver: Any
) -> None:
    subscription = subscribe()
    with time_machine.travel(START, tick=False):
        event = emit("contacts.person.created", {"id": 41, "name": "Ana Ávila"})
    [request] = receiver.requests
    with time_machine.travel(START, tick=False):
        document = Webhook(subscription.secret).verify(request.body, _headers(request))
    assert document == {
        "type": "contacts.person.created",
        "timestamp": "2026-03-02T09:00:00Z",
        "data": {"id": 41, "name": "Ana Ávila"},
    }
    assert request.headers["content-type"] == "application/json"
    stored = Delivery.objects.get()
    assert request.headers["webhook-id"] == stored.message_id
    assert request.headers["webhook-timestamp"] == str(int(stored.created_at.timestamp()))
    assert (stored.event_id, stored.status, stored.attempts) == (
        event.pk,
        DeliveryStatus.SUCCEEDED,
        1,
    )
    [attempt] = stored.attempt_set.all()
    assert (attempt.status_code, attempt.response_excerpt, attempt.error) == (200, "ok", "")
    with pytest.raises(WebhookVerificationError):
        Webhook("whsec_" + "QUJD" * 8).verify(request.body, _headers(request))


def test_receiver_failing_three_times_gets_the_event_acknowledged_once(
    subscribe: Any, emit: Any, run_due: Any, receiver: Any
) -> None:
    receiver.replies = [Reply(500), Reply(503, body=b"busy"), Reply(404)]
    with time_machine.travel(START, tick=False) as clock:
        subscribe()
        emit()
        stored = Delivery.objects.get()
        assert stored.status == DeliveryStatus.PENDING
        for delay in delivery.RETRY_DELAYS[:3]:
            assert run_due() == 0  # not due yet
            clock.shift(delay + delivery.SWEEP_GRACE)
            assert run_due() == 1
        clock.shift(timedelta(days=3))
        assert run_due() == 0
    assert [r.headers["webhook-id"] for r in receiver.requests] == [stored.message_id] * 4
    assert len(receiver.acknowledged) == 1
    stored.refresh_from_db()
    assert (stored.status, stored.attempts, stored.next_attempt_at) == (
        DeliveryStatus.SUCCEEDED,
        4,
        None,
    )
    attempts = list(stored.attempt_set.values_list("number", "status_code", "error"))
    assert attempts == [
        (1, 500, "The receiver answered HTTP 500."),
        (2, 503, "The receiver answered HTTP 503."),
        (3, 404, "The receiver answered HTTP 404."),
        (4, 200, ""),
    ]
    assert Subscription.objects.get().failing_since is None


def test_retries_span_more_than_a_day_then_the_delivery_fails(
    subscribe: Any, emit: Any, run_due: Any, receiver: Any
) -> None:
    receiver.default = Reply(500)
    with time_machine.travel(START, tick=False) as clock:
        subscribe()
        emit()
        for delay in delivery.RETRY_DELAYS:
            clock.shift(delay + delivery.SWEEP_GRACE)
            run_due()
        clock.shift(timedelta(days=1))
        assert run_due() == 0
    assert sum(delivery.RETRY_DELAYS, timedelta()) >= timedelta(hours=24)
    stored = Delivery.objects.get()
    assert (stored.status, stored.attempts) == (DeliveryStatus.FAILED, delivery.MAX_ATTEMPTS)
    assert len(receiver.requests) == delivery.MAX_ATTEMPTS
    assert stored.finished_at is not None


def test_redelivered_event_from_the_outbox_is_not_duplicated(
    subscribe: Any, emit: Any, receiver: Any, django_capture_on_commit_callbacks: Any
) -> None:
    subscribe()
    event = emit()
    with django_capture_on_commit_callbacks(execute=True):
        delivery.on_event(event)
    assert Delivery.objects.count() == 1
    assert len(receiver.requests) == 1


def test_only_matching_event_types_and_conditions_are_delivered(
    subscribe: Any, emit: Any, receiver: Any
) -> None:
    subscribe(
        event_types=["contacts.person.*"],
        conditions={"field": "country", "op": "eq", "value": "BR"},
    )
    emit("contacts.person.created", {"id": 1, "country": "PT"})
    emit("contacts.organization.created", {"id": 2, "country": "BR"})
    emit("contacts.person.updated", {"id": 3, "country": "br"})
    assert [json.loads(r.body)["data"]["id"] for r in receiver.requests] == [3]
    assert Delivery.objects.count() == 1


def test_disabled_subscription_gets_nothing(
    admin: Any, subscribe: Any, emit: Any, receiver: Any
) -> None:
    subscription = subscribe()
    services.subscription_disable(actor=admin, subscription=subscription)
    emit()
    assert receiver.requests == []
    assert not Delivery.objects.exists()


def test_subscription_failing_too_long_is_disabled_and_its_owner_emailed(
    admin: Any, subscribe: Any, emit: Any, run_due: Any, receiver: Any, smtp: Any
) -> None:
    receiver.default = Reply(502)
    with time_machine.travel(START, tick=False) as clock:
        subscription = subscribe(description="Analytics warehouse")
        emit()
        clock.shift(delivery.DISABLE_AFTER - timedelta(minutes=1))
        emit(payload={"id": 42})
        assert Subscription.objects.get().enabled is True
        clock.shift(timedelta(minutes=2))
        emit(payload={"id": 43})
    subscription.refresh_from_db()
    assert subscription.enabled is False
    assert subscription.disabled_reason == "Every delivery failed since 2026-03-02T09:00:00Z."
    assert subscription.version == 2
    [message] = smtp.messages
    assert message["To"] == admin.email
    assert message["Subject"] == "Webhook disabled: Analytics warehouse"
    body = message.get_content()
    assert receiver.url() in body
    assert "Every delivery failed since 2026-03-02T09:00:00Z." in body
    event = OutboxEvent.objects.get(name="webhooks.subscription.disabled")
    assert event.payload == {
        "id": subscription.pk,
        "url": receiver.url(),
        "reason": "Every delivery failed since 2026-03-02T09:00:00Z.",
        "automatic": True,
        "failing_since": "2026-03-02T09:00:00+00:00",
        "owner": admin.pk,
    }
    entry = AuditEntry.objects.get(action="webhooks.subscription.disabled")
    assert entry.actor_kind == "system"
    # Pending retries stop: the next due attempt sends nothing.
    with time_machine.travel(START, tick=False) as clock:
        clock.shift(timedelta(days=7))
        sent = len(receiver.requests)
        run_due()
    assert len(receiver.requests) == sent
    assert not Delivery.objects.filter(status=DeliveryStatus.PENDING).exists()


def test_success_clears_the_failing_streak(subscribe: Any, emit: Any, receiver: Any) -> None:
    receiver.replies = [Reply(500)]
    with time_machine.travel(START, tick=False):
        subscription = subscribe()
        emit()
        subscription.refresh_from_db()
        assert subscription.failing_since is not None
        emit(payload={"id": 2})
    subscription.refresh_from_db()
    assert subscription.failing_since is None


def test_both_secrets_sign_during_rotation_grace(
    admin: Any, subscribe: Any, emit: Any, receiver: Any
) -> None:
    with time_machine.travel(START, tick=False) as clock:
        subscription = subscribe()
        old_secret = subscription.secret
        rotated = services.secret_rotate(
            actor=admin, subscription=subscription, grace=timedelta(hours=24)
        )
        assert rotated.secret != old_secret
        emit()
        request = receiver.requests[-1]
        assert len(request.headers["webhook-signature"].split(" ")) == 2
        for secret in (rotated.secret, old_secret):
            Webhook(secret).verify(request.body, _headers(request))
        clock.shift(timedelta(hours=25))
        emit(payload={"id": 2})
        request = receiver.requests[-1]
        assert len(request.headers["webhook-signature"].split(" ")) == 1
        Webhook(rotated.secret).verify(request.body, _headers(request))
        with pytest.raises(WebhookVerificationError):
            Webhook(old_secret).verify(request.body, _headers(request))


def test_redeliver_makes_a_new_attempt_now(
    admin: Any, subscribe: Any, emit: Any, receiver: Any, django_capture_on_commit_callbacks: Any
) -> None:
    subscribe()
    emit()
    stored = Delivery.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        services.delivery_redeliver(actor=admin, delivery=stored)
    stored.refresh_from_db()
    assert (stored.status, stored.attempts) == (DeliveryStatus.SUCCEEDED, 2)
    assert len(receiver.requests) == 2
    assert receiver.requests[0].headers["webhook-id"] == receiver.requests[1].headers["webhook-id"]
    assert AuditEntry.objects.filter(action="webhooks.delivery.redelivered").count() == 1


def test_destination_refused_at_delivery_time_is_a_failed_attempt(
    admin: Any, emit: Any, receiver: Any, settings: Any
) -> None:
    settings.ELO_WEBHOOK_ALLOWED_HOSTS = []
    services.subscription_create(
        actor=admin,
        url=f"http://localhost:{receiver.port}/hook",
        event_types=["contacts.person.created"],
    )
    emit()
    assert receiver.requests == []
    attempt = Attempt.objects.get()
    assert attempt.status_code is None
    assert "loopback" in attempt.error
    assert Delivery.objects.get().status == DeliveryStatus.PENDING


def test_slow_receiver_is_a_timed_out_attempt(
    subscribe: Any, emit: Any, receiver: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(delivery, "TIMEOUT_SECONDS", 0.3)
    receiver.replies = [Reply(delay=1.5)]
    subscribe()
    emit()
    attempt = Attempt.objects.get()
    assert attempt.status_code is None
    assert attempt.error == "No answer within 0.3 s."


def test_oversized_response_is_stored_as_an_excerpt(
    subscribe: Any, emit: Any, receiver: Any
) -> None:
    receiver.replies = [Reply(body=b"y" * (3 * 1024 * 1024))]
    subscribe()
    emit()
    attempt = Attempt.objects.get()
    assert attempt.status_code == 200
    assert attempt.response_excerpt == "y" * 1024


def test_a_claimed_delivery_is_not_sent_twice(subscribe: Any, receiver: Any) -> None:
    subscription = subscribe()
    stored = Delivery.objects.create(
        subscription=subscription,
        event_id=1,
        event_name="contacts.person.created",
        message_id="msg_test",
        next_attempt_at=None,
    )
    assert delivery.attempt(stored.pk) == "not due"
    Delivery.objects.filter(pk=stored.pk).update(next_attempt_at=stored.created_at)
    assert delivery._claim(stored.pk) is True
    assert delivery.attempt(stored.pk) == "not due"
    assert receiver.requests == []


def test_on_the_database_queue_a_retry_is_a_deferred_task(
    subscribe: Any, receiver: Any, settings: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    receiver.replies = [Reply(500)]
    subscribe()
    event = events.emit("contacts.person.created", {"id": 5})
    with django_capture_on_commit_callbacks(execute=True):
        delivery.on_event(event)
    stored = Delivery.objects.get()
    [queued] = DBTaskResult.objects.filter(task_path="elo.webhooks.tasks.deliver")
    assert queued.args_kwargs == {"args": [stored.pk], "kwargs": {}}
    with django_capture_on_commit_callbacks(execute=True):
        assert delivery.attempt(stored.pk) == "retrying"
    stored.refresh_from_db()
    retry = DBTaskResult.objects.filter(task_path="elo.webhooks.tasks.deliver").exclude(
        pk=queued.pk
    )
    assert [task.run_after for task in retry] == [stored.next_attempt_at]
    assert stored.next_attempt_at is not None


def test_the_sweep_is_scheduled_every_minute() -> None:
    from elo.core import schedule

    job = schedule.registered()["webhooks.deliver_due"]
    assert job.spec == "every 1m"
    assert job.func is delivery.deliver_due


def test_a_delivery_whose_worker_died_mid_attempt_is_sent_by_the_sweep(
    subscribe: Any, receiver: Any, run_due: Any
) -> None:
    with time_machine.travel(START, tick=False) as clock:
        subscription = subscribe()
        stored = Delivery.objects.create(
            subscription=subscription,
            event_id=9,
            event_name="contacts.person.created",
            message_id="msg_lost",
            next_attempt_at=subscription.created_at,
        )
        assert delivery._claim(stored.pk)  # the worker claimed it, then died
        assert run_due() == 0
        clock.shift(delivery.LEASE + delivery.SWEEP_GRACE)
        assert run_due() == 1
    assert [r.headers["webhook-id"] for r in receiver.requests] == ["msg_lost"]
    stored.refresh_from_db()
    assert stored.status == DeliveryStatus.SUCCEEDED
