"""The consent ledger: append-only, the latest event wins, and `consent_allows`."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from elo.core.models import AuditEntry, OutboxEvent
from elo.privacy import selectors, services
from elo.privacy.models import AppendOnlyError, ConsentEvent, ConsentPurpose

TEXT = "Yes, send me news and offers by email."


def grant(actor: Any, person: Any, purpose: str = "marketing", channel: str = "email", **kw: Any):
    kw.setdefault("text", TEXT)
    return services.consent_record(
        actor=actor, person=person, purpose=purpose, channel=channel, action="granted", **kw
    )


def withdraw(actor: Any, person: Any, purpose: str = "marketing", channel: str = "email"):
    return services.consent_record(
        actor=actor, person=person, purpose=purpose, channel=channel, action="withdrawn"
    )


def test_default_purposes_are_seeded(db: Any) -> None:
    keys = set(ConsentPurpose.objects.values_list("key", flat=True))
    assert {"marketing", "profiling", "third_party_sharing"} <= keys


def test_grant_is_recorded_with_proof_audit_and_event(rep: Any, make_person: Any) -> None:
    person = make_person()
    event = grant(
        rep,
        person,
        source="form",
        submission_id="sub-77",
        ip_address="203.0.113.9",
        user_agent="Firefox",
    )
    assert (event.action, event.basis, event.source, event.text) == (
        "granted",
        "consent",
        "form",
        TEXT,
    )
    assert (event.submission_id, event.ip_address, event.user_agent) == (
        "sub-77",
        "203.0.113.9",
        "Firefox",
    )
    assert event.actor_user_id == rep.pk
    entry = AuditEntry.objects.get(action="privacy.consent.granted")
    assert entry.object_id == str(person.pk) and entry.changes["text"] == TEXT
    emitted = OutboxEvent.objects.get(name="privacy.consent.granted")
    assert emitted.payload == {
        "id": event.pk,
        "person": person.pk,
        "purpose": "marketing",
        "channel": "email",
        "basis": "consent",
        "source": "form",
    }


def test_latest_event_wins_per_purpose_and_channel(rep: Any, make_person: Any) -> None:
    person = make_person()
    grant(rep, person, channel="email")
    grant(rep, person, channel="sms")
    withdraw(rep, person, channel="email")
    grant(rep, person, purpose="profiling", channel="email")
    rows = {row.purpose.key: row for row in selectors.consent_matrix(person)}
    states = {cell.channel: cell.state for cell in rows["marketing"].cells}
    assert states == {
        "email": "withdrawn",
        "sms": "granted",
        "phone": "unknown",
        "whatsapp": "unknown",
        "post": "unknown",
    }
    assert rows["profiling"].cells[0].state == "granted"
    assert not selectors.consent_allows(person.pk, "marketing", "email")
    assert selectors.consent_allows(person.pk, "marketing", "sms")
    grant(rep, person, channel="email")
    assert selectors.consent_allows(person.pk, "marketing", "email")
    assert ConsentEvent.objects.filter(person=person).count() == 5


def test_unknown_is_not_allowed_for_consent_purposes(admin: Any, make_person: Any) -> None:
    person = make_person()
    assert not selectors.consent_allows(person.pk, "marketing", "email")
    assert not selectors.consent_allows(person.pk, "no_such_purpose", "email")
    assert not selectors.consent_allows(person.pk, "marketing", "pigeon")
    services.purpose_create(
        actor=admin,
        data={"key": "service_news", "name": "Service news", "consent_required": False},
    )
    assert selectors.consent_allows(person.pk, "service_news", "email")
    withdraw(admin, person, purpose="service_news")
    assert not selectors.consent_allows(person.pk, "service_news", "email")


def test_inactive_purpose_never_allows(admin: Any, rep: Any, make_person: Any) -> None:
    person = make_person()
    grant(rep, person)
    purpose = ConsentPurpose.objects.get(key="marketing")
    services.purpose_update(actor=admin, purpose=purpose, data={"active": False})
    assert not selectors.consent_allows(person.pk, "marketing", "email")


def test_events_cannot_be_updated_or_deleted(rep: Any, make_person: Any) -> None:
    event = grant(rep, make_person())
    event.text = "something else"
    with pytest.raises(AppendOnlyError):
        event.save()
    with pytest.raises(AppendOnlyError):
        event.delete()
    with pytest.raises(AppendOnlyError):
        ConsentEvent.objects.filter(pk=event.pk).update(text="x")
    with pytest.raises(AppendOnlyError):
        ConsentEvent.objects.filter(pk=event.pk).delete()
    assert ConsentEvent.objects.get(pk=event.pk).text == TEXT


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"purpose": "nope"}, "purpose"),
        ({"channel": "pigeon"}, "channel"),
        ({"action": "maybe"}, "action"),
        ({"basis": "whim"}, "basis"),
        ({"source": "rumour"}, "source"),
        ({"text": ""}, "text"),
        ({"ip_address": "not-an-ip"}, "ip_address"),
        ({"confirm_by_email": True, "channel": "sms", "source": "form"}, "confirm_by_email"),
    ],
    ids=["purpose", "channel", "action", "basis", "source", "text", "ip", "double-opt-in-sms"],
)
def test_invalid_input_is_refused_and_nothing_written(
    rep: Any, make_person: Any, changes: dict[str, Any], field: str
) -> None:
    person = make_person()
    data: dict[str, Any] = {
        "purpose": "marketing",
        "channel": "email",
        "action": "granted",
        "text": TEXT,
        **changes,
    }
    with pytest.raises(ValidationError) as caught:
        services.consent_record(actor=rep, person=person, **data)
    assert field in caught.value.message_dict
    assert not ConsentEvent.objects.exists()
    assert not OutboxEvent.objects.filter(name__startswith="privacy.").exists()


def test_recording_needs_contacts_change(reader: Any, make_person: Any) -> None:
    person = make_person()
    with pytest.raises(PermissionDenied):
        grant(reader, person)
    assert not ConsentEvent.objects.exists()


def test_purposes_are_managed_by_admins(admin: Any, rep: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.purpose_create(actor=rep, data={"key": "x", "name": "X"})
    purpose = services.purpose_create(
        actor=admin, data={"key": "surveys", "name": "Surveys", "description": "Feedback"}
    )
    assert AuditEntry.objects.filter(action="privacy.purpose.created").count() == 1
    with pytest.raises(ValidationError) as caught:
        services.purpose_create(actor=admin, data={"key": "surveys", "name": "Again"})
    assert "key" in caught.value.message_dict
    updated = services.purpose_update(actor=admin, purpose=purpose, data={"name": "Polls"})
    assert (updated.name, updated.version) == ("Polls", 2)
    assert OutboxEvent.objects.get(name="privacy.purpose.updated").payload["changed"] == ["name"]


def test_matrix_takes_two_queries(
    rep: Any, make_person: Any, django_assert_num_queries: Any
) -> None:
    person = make_person()
    for channel in ("email", "sms", "phone"):
        grant(rep, person, channel=channel)
        grant(rep, person, purpose="profiling", channel=channel)
    with django_assert_num_queries(2):
        rows = selectors.consent_matrix(person)
        [cell.event.actor_user for row in rows for cell in row.cells if cell.event]
