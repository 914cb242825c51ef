"""Webhook services: permission, validation, audit entries and events, nothing on refusal."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from elo.core.errors import PreconditionFailed
from elo.core.models import AuditEntry, OutboxEvent
from elo.webhooks import selectors, services, signing
from elo.webhooks.event_types import EVENT_TYPES
from elo.webhooks.models import Subscription


def _create(actor: Any, **data: Any) -> Subscription:
    data.setdefault("url", "https://hooks.example.com/elo")
    data.setdefault("event_types", ["contacts.person.*"])
    return services.subscription_create(actor=actor, **data)


@pytest.mark.parametrize("persona", ["manager", "rep", "outsider"])
def test_only_settings_managers_subscribe(request: pytest.FixtureRequest, persona: str) -> None:
    with pytest.raises(PermissionDenied):
        _create(request.getfixturevalue(persona))
    assert not Subscription.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="webhooks.").exists()


def test_create_records_audit_and_event_without_the_secret(admin: Any) -> None:
    subscription = _create(admin, description=" Sync ")
    assert subscription.owner == admin
    assert subscription.secret.startswith(signing.PREFIX)
    assert len(signing._key(subscription.secret)) == 32
    entry = AuditEntry.objects.get(action="webhooks.subscription.created")
    assert entry.object_id == str(subscription.pk)
    assert entry.changes["url"] == [None, "https://hooks.example.com/elo"]
    assert "secret" not in entry.changes
    assert OutboxEvent.objects.filter(name="webhooks.subscription.created").count() == 1


def test_update_writes_only_changes(admin: Any) -> None:
    subscription = _create(admin)
    services.subscription_update(
        actor=admin,
        subscription=subscription,
        data={"description": "New", "url": subscription.url, "secret": "whsec_ignored"},
        expected_version=1,
    )
    subscription.refresh_from_db()
    assert (subscription.description, subscription.version) == ("New", 2)
    assert subscription.secret != "whsec_ignored"
    entry = AuditEntry.objects.get(action="webhooks.subscription.updated")
    assert entry.changes == {"description": ["", "New"]}
    event = OutboxEvent.objects.get(name="webhooks.subscription.updated")
    assert event.payload["changed"] == ["description"]
    with pytest.raises(PreconditionFailed):
        services.subscription_update(
            actor=admin, subscription=subscription, data={"description": "X"}, expected_version=1
        )


def test_refused_update_changes_nothing(admin: Any) -> None:
    subscription = _create(admin)
    with pytest.raises(ValidationError) as caught:
        services.subscription_update(
            actor=admin,
            subscription=subscription,
            data={"url": "file:///etc/passwd", "conditions": {"op": "eq"}},
        )
    assert set(caught.value.error_dict) == {"url", "conditions"}
    subscription.refresh_from_db()
    assert subscription.version == 1
    assert not AuditEntry.objects.filter(action="webhooks.subscription.updated").exists()


@pytest.mark.parametrize(
    "patterns",
    [
        ["*"],
        ["webhooks.*"],
        ["*.disabled"],
        ["webhooks.subscription.disabled"],
        ["sales.deal.won", "contacts.*"],
    ],
)
def test_event_patterns_accepted(admin: Any, patterns: list[str]) -> None:
    assert _create(admin, event_types=patterns).event_types == patterns


@pytest.mark.parametrize(
    "patterns",
    [
        ["webhooks.subscription.exploded"],
        ["nosuchapp.*"],
        ["*.exploded"],
        ["sales..deal"],
        ["SALES.*"],
        ["sales.deal won"],
        [],
    ],
)
def test_event_patterns_refused(admin: Any, patterns: list[str]) -> None:
    with pytest.raises(ValidationError) as caught:
        _create(admin, event_types=patterns)
    assert list(caught.value.error_dict) == ["event_types"]


def test_catalogue_lists_this_apps_events() -> None:
    catalogue = selectors.event_types()
    for name, entry in EVENT_TYPES.items():
        assert catalogue[name] == entry
        assert entry["description"] and isinstance(entry["example"], dict)


def test_rotation_keeps_the_old_secret_for_the_grace_period(admin: Any) -> None:
    with time_machine.travel("2026-05-01 10:00:00+00:00", tick=False) as clock:
        subscription = _create(admin)
        old = subscription.secret
        rotated = services.secret_rotate(
            actor=admin, subscription=subscription, grace=timedelta(hours=1)
        )
        assert rotated.signing_secrets() == [rotated.secret, old]
        clock.shift(timedelta(hours=1, seconds=1))
        assert rotated.signing_secrets() == [rotated.secret]
    entry = AuditEntry.objects.get(action="webhooks.subscription.secret_rotated")
    assert old not in str(entry.changes) and rotated.secret not in str(entry.changes)
    with pytest.raises(ValidationError):
        services.secret_rotate(actor=admin, subscription=rotated, grace=timedelta(days=30))


def test_admin_disable_sends_no_email(
    admin: Any, smtp: Any, django_capture_on_commit_callbacks: Any
) -> None:
    subscription = _create(admin)
    with django_capture_on_commit_callbacks(execute=True):
        services.subscription_disable(actor=admin, subscription=subscription)
    event = OutboxEvent.objects.get(name="webhooks.subscription.disabled")
    assert event.payload["automatic"] is False
    assert smtp.messages == []
