"""Data subject requests: deadlines per law, status transitions, the access bundle."""

from __future__ import annotations

import csv
import datetime
import io
import json
import zipfile
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from elo.activities import services as activity_services
from elo.billing import services as billing_services
from elo.core.models import AuditEntry, OutboxEvent
from elo.privacy import services
from elo.privacy.bundle import bundle_for
from elo.privacy.models import SubjectRequest
from elo.sales.services import quotes
from elo.sales.services.deals import deal_create

pytestmark = pytest.mark.django_db

GRANT = {
    "purpose": "marketing",
    "channel": "email",
    "action": "granted",
    "text": "Yes, email me offers.",
}


@pytest.fixture
def ana(make_person: Any) -> Any:
    return make_person(
        given_name="Ana", family_name="Lima", emails=["ana@cliente.com.br", "ana@casa.pt"],
    )  # fmt: skip


def _request(admin: Any, person: Any, kind: str = "access", law: str = "lgpd") -> SubjectRequest:
    return services.request_create(actor=admin, person=person, kind=kind, law=law)


def _verified(admin: Any, person: Any, kind: str = "access") -> SubjectRequest:
    request = _request(admin, person, kind)
    return services.request_verify_identity(
        actor=admin, request=request, identity_check="ID card seen, matches the email on file"
    )


def test_create_sets_deadline_per_law_audits_and_emits(admin: Any, ana: Any) -> None:
    received = timezone.make_aware(datetime.datetime(2026, 1, 31, 10, 0))
    lgpd = services.request_create(
        actor=admin, person=ana, kind="access", law="lgpd", received_at=received
    )
    gdpr = services.request_create(
        actor=admin, person=ana, kind="portability", law="gdpr", received_at=received
    )
    assert lgpd.due_at == received + datetime.timedelta(days=15)
    assert gdpr.due_at == timezone.make_aware(datetime.datetime(2026, 2, 28, 10, 0))
    assert (lgpd.status, lgpd.version) == ("open", 1)
    entry = AuditEntry.objects.get(action="privacy.request.created", object_id=str(lgpd.pk))
    assert entry.changes["kind"] == "access" and entry.changes["law"] == "lgpd"
    event = OutboxEvent.objects.filter(name="privacy.request.created").order_by("id").first()
    assert event is not None and event.payload["person"] == ana.pk


def test_deadlines_come_from_the_environment(
    admin: Any, ana: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("ELO_PRIVACY_DEADLINE_DAYS_LGPD", "10")
    monkeypatch.setenv("ELO_PRIVACY_DEADLINE_DAYS_GDPR", "30")
    received = timezone.now()
    assert services.request_due_at("lgpd", received) == received + datetime.timedelta(days=10)
    assert services.request_due_at("gdpr", received) == received + datetime.timedelta(days=30)
    monkeypatch.setenv("ELO_PRIVACY_DEADLINE_DAYS_LGPD", "nonsense")
    assert services.request_due_at("lgpd", received) == received + datetime.timedelta(days=15)


def test_create_validates_and_writes_nothing_on_refusal(admin: Any, rep: Any, ana: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        services.request_create(actor=admin, person=ana, kind="delete-all", law="ccpa")
    assert set(caught.value.error_dict) == {"kind", "law"}
    with pytest.raises(PermissionDenied):
        _request(rep, ana)
    assert not SubjectRequest.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="privacy.request").exists()


def test_status_transitions(admin: Any, ana: Any) -> None:
    request = _request(admin, ana)
    with pytest.raises(ValidationError):
        services.request_set_status(actor=admin, request=request, status="in_progress")
    with pytest.raises(ValidationError):
        services.request_verify_identity(actor=admin, request=request, identity_check=" ")
    request = services.request_verify_identity(
        actor=admin, request=request, identity_check="Video call", expected_version=1
    )
    assert request.status == "identity_verified" and request.verified_by == admin
    assert request.verified_at is not None and request.version == 2
    with pytest.raises(ValidationError):
        services.request_verify_identity(actor=admin, request=request, identity_check="again")
    request = services.request_set_status(actor=admin, request=request, status="in_progress")
    request = services.request_set_status(
        actor=admin, request=request, status="completed", notes="Sent by email"
    )
    assert request.status == "completed" and request.completed_at is not None
    assert request.notes == "Sent by email"
    assert OutboxEvent.objects.filter(name="privacy.request.completed").exists()
    assert AuditEntry.objects.filter(
        action="privacy.request.completed", object_id=str(request.pk)
    ).exists()
    with pytest.raises(ValidationError):
        services.request_set_status(actor=admin, request=request, status="rejected")
    rejected = services.request_set_status(
        actor=admin, request=_request(admin, ana), status="rejected"
    )
    assert rejected.status == "rejected"


def test_bundle_needs_verified_identity_and_an_access_kind(admin: Any, ana: Any) -> None:
    with pytest.raises(ValidationError):
        services.request_build_bundle(actor=admin, request=_request(admin, ana))
    with pytest.raises(ValidationError):
        services.request_build_bundle(actor=admin, request=_verified(admin, ana, "objection"))
    request = _request(admin, ana)
    with pytest.raises(ValidationError):
        services.request_bundle_download(actor=admin, request=request)


def _full_person(admin: Any, manager: Any, rep: Any, ana: Any) -> dict[str, Any]:
    from elo.privacy.services import consent_record

    consent_record(actor=rep, person=ana, **GRANT)
    note = activity_services.activity_create(
        actor=rep, data={"kind": "note", "body": "Prefers calls after 5pm", "person": ana.pk}
    )
    deal = deal_create(actor=rep, data={"title": "Ana's rollout", "people": [{"person": ana.pk}]})
    quote = quotes.quote_create(
        actor=rep,
        data={"title": "Rollout", "currency": "EUR", "person": ana.pk,
              "lines": [{"description": "Seats", "quantity": "10", "unit_price": "30"}]},
    )  # fmt: skip
    quotes.quote_set_status(actor=rep, quote=quote, status="sent")
    quotes.quote_set_status(actor=rep, quote=quote, status="accepted")
    order = billing_services.order_from_quote(actor=rep, quote=quote)
    invoice = billing_services.invoice_issue(
        actor=manager, invoice=billing_services.invoice_draft(actor=manager, order=order)
    )
    return {"note": note, "deal": deal, "quote": quote, "order": order, "invoice": invoice}


def test_bundle_holds_everything_about_the_person(
    admin: Any, manager: Any, rep: Any, ana: Any
) -> None:
    made = _full_person(admin, manager, rep, ana)
    request = services.request_build_bundle(actor=admin, request=_verified(admin, ana))
    assert request.status == "in_progress" and request.bundle_built_at is not None
    content = services.request_bundle_download(actor=admin, request=request)
    archive = zipfile.ZipFile(io.BytesIO(content))
    data = json.loads(archive.read("person.json"))
    assert data["person"]["given_name"] == "Ana" and data["person"]["id"] == ana.pk
    assert {row["email"] for row in data["emails"]} == {"ana@cliente.com.br", "ana@casa.pt"}
    assert [row["id"] for row in data["activities"]] == [made["note"].pk]
    assert "Prefers calls" in data["activities"][0]["body"]
    assert [row["id"] for row in data["deals"]] == [made["deal"].pk]
    assert [row["id"] for row in data["quotes"]] == [made["quote"].pk]
    assert [row["id"] for row in data["orders"]] == [made["order"].pk]
    assert [row["id"] for row in data["invoices"]] == [made["invoice"].pk]
    assert data["billing.invoiceline"] and data["sales.quoteline"]
    assert [row["action"] for row in data["consent_events"]] == ["granted"]
    assert data["consent_events"][0]["text"] == GRANT["text"]
    assert [row["id"] for row in data["subject_requests"]] == [request.pk]
    actions = {row["action"] for row in data["audit_entries"]}
    assert {"privacy.consent.granted", "privacy.request.created"} <= actions
    names = set(archive.namelist())
    for section in ("person", "emails", "activities", "deals", "invoices", "consent_events"):
        assert f"csv/{section}.csv" in names
    for name in names - {"person.json"}:
        rows = list(csv.DictReader(io.StringIO(archive.read(name).decode())))
        assert name != "csv/emails.csv" or len(rows) == 2
    invoices = list(csv.DictReader(io.StringIO(archive.read("csv/invoices.csv").decode())))
    assert invoices[0]["id"] == str(made["invoice"].pk)
    downloads = AuditEntry.objects.filter(action="privacy.request.bundle_downloaded")
    assert downloads.count() == 1
    assert AuditEntry.objects.filter(
        action="privacy.data.exported", object_type="contacts.person", object_id=str(ana.pk)
    ).exists()


def test_bundle_keeps_other_people_out(rep: Any, make_person: Any, ana: Any) -> None:
    other = make_person(given_name="Bruno", emails=["bruno@example.com"])
    activity_services.activity_create(
        actor=rep, data={"kind": "note", "body": "About Bruno", "person": other.pk}
    )
    data = json.loads(zipfile.ZipFile(io.BytesIO(bundle_for(ana))).read("person.json"))
    assert "bruno" not in json.dumps(data).lower()


def test_csv_cells_are_safe_against_formulas(rep: Any, make_person: Any) -> None:
    person = make_person(given_name="=HYPERLINK(1)")
    archive = zipfile.ZipFile(io.BytesIO(bundle_for(person)))
    rows = list(csv.DictReader(io.StringIO(archive.read("csv/person.csv").decode())))
    assert rows[0]["given_name"] == "'=HYPERLINK(1)"


# --- API --------------------------------------------------------------------------------------


def test_api_create_verify_build_download_complete(
    api: Any, admin: Any, ana: Any, make_person: Any
) -> None:
    client = api(admin)
    created = client.post(
        "/api/v1/privacy/requests", {"person": ana.pk, "kind": "access", "law": "gdpr"}
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert (body["status"], body["person"], body["overdue"]) == ("open", ana.pk, False)
    pk = body["id"]
    assert created["ETag"] == f'"{pk}-1"'
    refused = client.patch(f"/api/v1/privacy/requests/{pk}", {"status": "identity_verified"})
    assert refused.status_code == 422
    assert refused["Content-Type"] == "application/problem+json"
    assert refused.json()["errors"][0]["field"] == "identity_check"
    stale = client.patch(
        f"/api/v1/privacy/requests/{pk}",
        {"status": "identity_verified", "identity_check": "Passport"},
        **{"If-Match": f'"{pk}-7"'},
    )
    assert stale.status_code == 412
    verified = client.patch(
        f"/api/v1/privacy/requests/{pk}",
        {"status": "identity_verified", "identity_check": "Passport"},
        **{"If-Match": f'"{pk}-1"'},
    )
    assert verified.status_code == 200 and verified.json()["verified_by"] == admin.pk
    assert client.get(f"/api/v1/privacy/requests/{pk}/bundle").status_code == 422
    built = client.post(f"/api/v1/privacy/requests/{pk}/bundle")
    assert built.status_code == 200 and built.json()["status"] == "in_progress"
    download = client.get(f"/api/v1/privacy/requests/{pk}/bundle")
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(download.content))
    assert json.loads(archive.read("person.json"))["person"]["id"] == ana.pk
    assert AuditEntry.objects.filter(action="privacy.request.bundle_downloaded").count() == 1
    done = client.patch(f"/api/v1/privacy/requests/{pk}", {"status": "completed"})
    assert done.status_code == 200 and done.json()["completed_at"]
    again = client.patch(f"/api/v1/privacy/requests/{pk}", {"status": "in_progress"})
    assert again.status_code == 422


def test_api_permissions_and_not_found(api: Any, admin: Any, rep: Any, ana: Any) -> None:
    request = _request(admin, ana)
    for path in (
        "/api/v1/privacy/requests",
        f"/api/v1/privacy/requests/{request.pk}",
        f"/api/v1/privacy/requests/{request.pk}/bundle",
    ):
        reply = api(rep).get(path)
        assert reply.status_code == 403, path
        assert reply["Content-Type"] == "application/problem+json"
    refused = api(rep).post(
        "/api/v1/privacy/requests", {"person": ana.pk, "kind": "access", "law": "lgpd"}
    )
    assert refused.status_code == 403
    assert (
        api(rep).patch(f"/api/v1/privacy/requests/{request.pk}", {"status": "rejected"}).status_code
        == 403
    )
    missing = api(admin).get("/api/v1/privacy/requests/999999")
    assert missing.status_code == 404
    assert missing["Content-Type"] == "application/problem+json"
    assert api(admin).get("/api/v1/privacy/requests/999999/bundle").status_code == 404
    bad = api(admin).post(
        "/api/v1/privacy/requests", {"person": ana.pk, "kind": "nope", "law": "lgpd"}
    )
    assert bad.status_code == 422 and bad["Content-Type"] == "application/problem+json"
    assert (
        api(admin)
        .post("/api/v1/privacy/requests", {"person": 999999, "kind": "access", "law": "lgpd"})
        .status_code
        == 404
    )


def test_api_list_filters_pages_and_query_count(
    api: Any, admin: Any, make_person: Any, django_assert_max_num_queries: Any
) -> None:
    long_ago = timezone.now() - datetime.timedelta(days=40)
    people = [make_person(given_name=f"P{index}") for index in range(6)]
    for index, person in enumerate(people):
        services.request_create(
            actor=admin,
            person=person,
            kind="access",
            law="lgpd",
            received_at=long_ago if index % 2 else None,
        )
    closed = SubjectRequest.objects.filter(received_at=long_ago).order_by("id").first()
    assert closed is not None
    services.request_set_status(actor=admin, request=closed, status="rejected")
    client = api(admin)
    with django_assert_max_num_queries(8):
        first = client.get("/api/v1/privacy/requests?limit=4")
    assert first.status_code == 200
    assert len(first.json()["items"]) == 4 and first.json()["next"]
    second = client.get(first.json()["next"])
    assert len(second.json()["items"]) == 2 and second.json()["next"] is None
    overdue = client.get("/api/v1/privacy/requests?overdue=true").json()["items"]
    assert len(overdue) == 2 and all(item["overdue"] for item in overdue)
    on_time = client.get("/api/v1/privacy/requests?overdue=false").json()["items"]
    assert len(on_time) == 4
    rejected = client.get("/api/v1/privacy/requests?status=rejected").json()["items"]
    assert [item["id"] for item in rejected] == [closed.pk]


# --- pages ------------------------------------------------------------------------------------


def test_pages_list_create_verify_build_download(
    web: Any, admin: Any, ana: Any, make_person: Any, django_assert_max_num_queries: Any
) -> None:
    client = web(admin)
    settings_page = client.get("/settings/")
    assert settings_page.status_code == 200
    assert settings_page.content.decode().count('href="/settings/privacy-requests/"') == 1
    late = services.request_create(
        actor=admin,
        person=make_person(given_name="Late"),
        kind="objection",
        law="gdpr",
        received_at=timezone.now() - datetime.timedelta(days=60),
    )
    for index in range(5):
        _request(admin, make_person(given_name=f"P{index}"))
    with django_assert_max_num_queries(12):
        listed = client.get("/settings/privacy-requests/")
    assert listed.status_code == 200
    html = listed.content.decode()
    assert "table-danger" in html and f"#{late.pk}" in html
    only_late = client.get("/settings/privacy-requests/?overdue=1").content.decode()
    assert f"#{late.pk}<" in only_late and only_late.count("table-danger") == 1
    form = client.get(f"/settings/privacy-requests/new/?person={ana.pk}")
    assert form.status_code == 200
    created = client.post(
        "/settings/privacy-requests/new/", {"person": ana.pk, "kind": "access", "law": "lgpd"}
    )
    assert created.status_code == 302
    request = SubjectRequest.objects.get(person=ana)
    detail_url = f"/settings/privacy-requests/{request.pk}/"
    assert created["Location"] == detail_url
    missing = client.post(
        "/settings/privacy-requests/new/", {"person": 999999, "kind": "access", "law": "lgpd"}
    )
    assert missing.status_code == 200 and "No person with this ID" in missing.content.decode()
    page = client.get(detail_url).content.decode()
    assert "Not verified yet" in page and "Download the person" not in page
    verified = client.post(
        f"{detail_url}verify/", {"identity_check": "Passport seen", "version": 1}
    )
    assert verified.status_code == 302
    assert client.post(f"{detail_url}bundle/").status_code == 302
    page = client.get(detail_url).content.decode()
    assert "Passport seen" in page and "Download the person" in page
    download = client.get(f"{detail_url}bundle.zip")
    assert download.status_code == 200 and download["Content-Type"] == "application/zip"
    assert "person.json" in zipfile.ZipFile(io.BytesIO(download.content)).namelist()
    done = client.post(f"{detail_url}status/", {"status": "completed", "version": 3})
    assert done.status_code == 302
    request.refresh_from_db()
    assert request.status == "completed"
    assert client.post(f"{detail_url}nonsense/").status_code == 404


def test_pages_need_the_permission(web: Any, admin: Any, rep: Any, ana: Any) -> None:
    request = _request(admin, ana)
    client = web(rep)
    for path in (
        "/settings/privacy-requests/",
        "/settings/privacy-requests/new/",
        f"/settings/privacy-requests/{request.pk}/",
        f"/settings/privacy-requests/{request.pk}/bundle.zip",
    ):
        assert client.get(path).status_code == 403, path
    assert web(admin).get("/settings/privacy-requests/999999/").status_code == 404
