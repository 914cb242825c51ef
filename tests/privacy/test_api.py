"""/api/v1/consent-purposes and /api/v1/consents."""

from __future__ import annotations

from typing import Any

import pytest

from elo.privacy import services
from elo.privacy.models import ConsentEvent, ConsentPurpose

GRANT = {
    "purpose": "marketing",
    "channel": "email",
    "action": "granted",
    "basis": "consent",
    "source": "form",
    "text": "Yes, email me offers.",
    "submission_id": "wf-1",
    "ip_address": "203.0.113.5",
    "user_agent": "Safari",
}


def test_purposes_list_and_admin_changes(api: Any, admin: Any, rep: Any) -> None:
    listed = api(rep).get("/api/v1/consent-purposes")
    assert listed.status_code == 200
    assert {"marketing", "profiling", "third_party_sharing"} <= {
        item["key"] for item in listed.json()["items"]
    }
    refused = api(rep).post("/api/v1/consent-purposes", {"key": "x", "name": "X"})
    assert refused.status_code == 403
    assert refused["Content-Type"] == "application/problem+json"
    created = api(admin).post("/api/v1/consent-purposes", {"key": "surveys", "name": "Surveys"})
    assert created.status_code == 201 and created.json()["consent_required"] is True
    pk = created.json()["id"]
    patched = api(admin).patch(f"/api/v1/consent-purposes/{pk}", {"active": False})
    assert patched.status_code == 200 and patched.json()["active"] is False
    assert api(admin).patch("/api/v1/consent-purposes/99999", {"active": True}).status_code == 404


def test_purpose_validation_is_problem_json(api: Any, admin: Any) -> None:
    reply = api(admin).post("/api/v1/consent-purposes", {"key": "Bad Key!", "name": ""})
    assert reply.status_code == 422
    assert reply["Content-Type"] == "application/problem+json"
    fields = {error["field"] for error in reply.json()["errors"]}
    assert fields == {"key", "name"}


def test_record_and_read_consents(api: Any, rep: Any, make_person: Any) -> None:
    person = make_person()
    reply = api(rep).post("/api/v1/consents", {"person": person.pk, **GRANT})
    assert reply.status_code == 201, reply.json()
    body = reply.json()
    assert (body["action"], body["source"], body["ip_address"]) == (
        "granted",
        "form",
        "203.0.113.5",
    )
    api(rep).post(
        "/api/v1/consents", {**GRANT, "person": person.pk, "action": "withdrawn", "text": ""}
    )
    read = api(rep).get(f"/api/v1/consents?person={person.pk}").json()
    cell = next(c for c in read["matrix"] if (c["purpose"], c["channel"]) == ("marketing", "email"))
    assert (cell["state"], cell["allowed"]) == ("withdrawn", False)
    sms = next(c for c in read["matrix"] if (c["purpose"], c["channel"]) == ("marketing", "sms"))
    assert (sms["state"], sms["allowed"], sms["event"]) == ("unknown", False, None)
    api(rep).post("/api/v1/consents", {**GRANT, "person": person.pk, "channel": "sms"})
    read = api(rep).get(f"/api/v1/consents?person={person.pk}").json()
    sms = next(c for c in read["matrix"] if (c["purpose"], c["channel"]) == ("marketing", "sms"))
    assert (sms["state"], sms["allowed"], sms["source"]) == ("granted", True, "form")
    assert [item["action"] for item in read["items"]] == ["granted", "withdrawn", "granted"]


def test_ledger_is_cursor_paged(api: Any, rep: Any, make_person: Any) -> None:
    person = make_person()
    for channel in ("email", "sms", "phone"):
        services.consent_record(
            actor=rep, person=person, purpose="marketing", channel=channel, action="withdrawn"
        )
    first = api(rep).get(f"/api/v1/consents?person={person.pk}&limit=2").json()
    assert len(first["items"]) == 2 and first["next"]
    second = api(rep).get(first["next"].split("testserver", 1)[1]).json()
    assert [item["channel"] for item in second["items"]] == ["email"]
    assert second["next"] is None


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"channel": "fax"}, "channel"),
        ({"basis": "whim"}, "basis"),
        ({"text": ""}, "text"),
        ({"purpose": "unknown"}, "purpose"),
    ],
    ids=["channel", "basis", "text", "purpose"],
)
def test_record_validation_is_problem_json(
    api: Any, rep: Any, make_person: Any, changes: dict[str, Any], field: str
) -> None:
    person = make_person()
    reply = api(rep).post("/api/v1/consents", {"person": person.pk, **GRANT, **changes})
    assert reply.status_code == 422
    assert reply["Content-Type"] == "application/problem+json"
    assert [error["field"] for error in reply.json()["errors"]] == [field]
    assert not ConsentEvent.objects.exists()


@pytest.mark.parametrize(
    ("persona", "read", "write"),
    [
        ("anonymous", 401, 401),
        ("outsider", 404, 404),
        ("reader", 200, 403),
        ("rep", 200, 201),
    ],
)
def test_permission_matrix(
    api: Any, request: Any, make_person: Any, persona: str, read: int, write: int
) -> None:
    person = make_person()
    user = None if persona == "anonymous" else request.getfixturevalue(persona)
    client = api(user)
    assert client.get(f"/api/v1/consents?person={person.pk}").status_code == read
    assert client.post("/api/v1/consents", {"person": person.pk, **GRANT}).status_code == write
    assert ConsentEvent.objects.count() == (1 if write == 201 else 0)


def test_consents_list_query_count(
    api: Any, rep: Any, make_person: Any, django_assert_max_num_queries: Any
) -> None:
    person = make_person()
    client = api(rep)
    for channel in ("email", "sms"):
        services.consent_record(
            actor=rep, person=person, purpose="marketing", channel=channel, action="withdrawn"
        )
    client.get(f"/api/v1/consents?person={person.pk}")
    with django_assert_max_num_queries(10) as captured:
        client.get(f"/api/v1/consents?person={person.pk}")
    counted = len(captured.captured_queries)
    for channel in ("phone", "post", "whatsapp"):
        services.consent_record(
            actor=rep, person=person, purpose="profiling", channel=channel, action="withdrawn"
        )
    with django_assert_max_num_queries(counted):
        assert client.get(f"/api/v1/consents?person={person.pk}").status_code == 200
    assert ConsentPurpose.objects.count() == 3


def test_api_grant_can_ask_for_email_confirmation(
    api: Any, rep: Any, make_person: Any, django_capture_on_commit_callbacks: Any
) -> None:
    from django.core import mail

    person = make_person(emails=["maria@example.com"])
    with django_capture_on_commit_callbacks(execute=True):
        reply = api(rep).post(
            "/api/v1/consents", {"person": person.pk, **GRANT, "confirm_by_email": True}
        )
    assert reply.status_code == 201 and reply.json()["action"] == "pending"
    assert [m.to for m in mail.outbox] == [["maria@example.com"]]
    assert "http://testserver/privacy/c/" in mail.outbox[0].body
    refused = api(rep).post(
        "/api/v1/consents",
        {"person": person.pk, **GRANT, "source": "agent", "confirm_by_email": True},
    )
    assert refused.status_code == 422
    assert [e["field"] for e in refused.json()["errors"]] == ["confirm_by_email"]
