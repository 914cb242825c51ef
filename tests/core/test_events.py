"""The outbox: events are written with the change and delivered after commit, with retries."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.db import transaction

from elo.contacts.services import person_create
from elo.core import events
from elo.core.models import OutboxEvent


@pytest.fixture
def received() -> Any:
    seen: list[tuple[str, dict[str, Any]]] = []

    def handler(event: OutboxEvent) -> None:
        seen.append((event.name, event.payload))

    events.subscribe("contacts.person.*", handler)
    yield seen
    events.unsubscribe("contacts.person.*", handler)


@pytest.mark.django_db(transaction=True)
def test_event_is_delivered_after_commit(rep: Any, received: Any) -> None:
    with transaction.atomic():
        person = person_create(actor=rep, data={"given_name": "Ana"})
        assert received == []
    assert received == [("contacts.person.created", {"id": person.pk})]
    event = OutboxEvent.objects.get(name="contacts.person.created")
    assert event.delivered_at is not None and event.attempts == 1


@pytest.mark.django_db(transaction=True)
def test_rolled_back_change_leaves_no_event(rep: Any, received: Any) -> None:
    with pytest.raises(RuntimeError), transaction.atomic():
        person_create(actor=rep, data={"given_name": "Ana"})
        raise RuntimeError("crash after the write")
    assert received == []
    assert not OutboxEvent.objects.filter(name__startswith="contacts.").exists()


@pytest.mark.django_db
def test_failing_handler_is_retried_with_backoff_then_given_up() -> None:
    calls: list[int] = []

    def flaky(event: OutboxEvent) -> None:
        calls.append(event.pk)
        if len(calls) < 3:
            raise ValueError("receiver down")

    events.subscribe("test.flaky", flaky)
    try:
        with time_machine.travel("2026-01-01 12:00:00+00:00", tick=False) as clock:
            event = events.emit("test.flaky", {"n": 1})
            assert events.deliver_pending() == 0
            event.refresh_from_db()
            assert event.attempts == 1 and event.delivered_at is None
            assert "receiver down" in event.last_error
            assert events.deliver_pending() == 0  # not due yet: backoff
            clock.shift(3)
            assert events.deliver_pending() == 0
            clock.shift(5)
            assert events.deliver_pending() == 1
        event.refresh_from_db()
        assert event.delivered_at is not None and len(calls) == 3
    finally:
        events.unsubscribe("test.flaky", flaky)


@pytest.mark.django_db
def test_event_gives_up_after_max_attempts() -> None:
    def broken(event: OutboxEvent) -> None:
        raise ValueError("always")

    events.subscribe("test.broken", broken)
    try:
        with time_machine.travel("2026-01-01 12:00:00+00:00", tick=False) as clock:
            event = events.emit("test.broken", {})
            for _ in range(events.MAX_ATTEMPTS):
                events.deliver_pending()
                clock.shift(10_000)
        event.refresh_from_db()
        assert event.failed_at is not None and event.attempts == events.MAX_ATTEMPTS
    finally:
        events.unsubscribe("test.broken", broken)
