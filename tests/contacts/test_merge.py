"""Merging people: everything moves to the survivor, nothing is duplicated, both audited."""

from __future__ import annotations

from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models

from elo.activities import services as activity_services
from elo.activities.models import Activity
from elo.billing import services as billing_services
from elo.billing.models import Invoice, Order
from elo.contacts.merge import merge_preview, person_merge
from elo.contacts.models import Person
from elo.core.models import AuditEntry, CustomField, OutboxEvent
from elo.sales.models import Deal, DealPerson, Lead, Quote
from elo.sales.services import deals, leads, quotes

pytestmark = pytest.mark.django_db


def _still_pointing_at(person: Person) -> list[str]:
    """Every row of every installed table whose foreign key still points at `person`."""
    found = []
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            if isinstance(field, models.ForeignKey) and field.related_model is Person:
                count = model._base_manager.filter(**{field.name: person}).count()
                if count:
                    found.append(f"{model._meta.label}.{field.name}={count}")
    return found


@pytest.fixture
def pair(rep: Any, manager: Any, make_person: Any, make_organization: Any) -> dict[str, Any]:
    CustomField.objects.create(entity="person", key="shoe", label="Shoe", field_type="text")
    CustomField.objects.create(entity="person", key="pet", label="Pet", field_type="text")
    acme = make_organization(name="Acme")
    beta = make_organization(name="Beta")
    survivor = make_person(
        given_name="João",
        family_name="Silva",
        city="Porto",
        emails=["joao@example.com", "shared@example.com"],
        phones=["+5511987654321"],
        organizations=[{"organization": acme.pk, "job_title": "CEO"}],
        tags=["vip"],
        custom={"shoe": "42"},
    )
    duplicate = make_person(
        given_name="Joao",
        family_name="Silva Santos",
        city="Lisboa",
        external_id="crm-7",
        emails=["shared@example.com", "js@other.example"],
        phones=["(11) 98765-4321", "+5521912345678"],
        organizations=[{"organization": acme.pk}, {"organization": beta.pk, "job_title": "Board"}],
        tags=["vip", "lead-2024"],
        custom={"shoe": "41", "pet": "cat"},
    )
    note = activity_services.activity_create(
        actor=rep, data={"kind": "note", "body": "Called", "person": duplicate.pk}
    )
    note.attendees.add(duplicate, survivor)
    both = deals.deal_create(
        actor=rep,
        data={
            "title": "Both",
            "amount": "10",
            "people": [{"person": survivor.pk, "role": "Buyer"}, {"person": duplicate.pk}],
        },
    )
    only = deals.deal_create(
        actor=rep, data={"title": "Only", "amount": "5", "people": [{"person": duplicate.pk}]}
    )
    lead = leads.lead_create(
        actor=rep, data={"given_name": "Joao", "email": "js@other.example", "source": "web_form"}
    )
    Lead.objects.filter(pk=lead.pk).update(person=duplicate)
    quote = quotes.quote_create(
        actor=rep,
        data={"title": "Q", "currency": "EUR", "person": duplicate.pk,
              "lines": [{"description": "Seats", "unit_price": "30"}]},
    )  # fmt: skip
    quotes.quote_set_status(actor=rep, quote=quote, status="sent")
    quote = quotes.quote_set_status(actor=rep, quote=quote, status="accepted")
    order = billing_services.order_from_quote(actor=rep, quote=quote)
    invoice = billing_services.invoice_issue(
        actor=manager, invoice=billing_services.invoice_draft(actor=manager, order=order)
    )
    return {
        "survivor": survivor,
        "duplicate": duplicate,
        "note": note,
        "both": both,
        "only": only,
        "lead": lead,
        "quote": quote,
        "order": order,
        "invoice": invoice,
    }


def test_merge_moves_everything_and_leaves_nothing_pointing_at_the_duplicate(
    manager: Any, pair: dict[str, Any]
) -> None:
    survivor, duplicate = pair["survivor"], pair["duplicate"]
    invoice_before = Invoice.objects.values().get(pk=pair["invoice"].pk)
    preview = merge_preview(survivor, duplicate)
    assert preview["sales.dealperson"] == 2
    assert preview["activities.activity"] == 1
    assert preview["billing.invoice"] == 1

    result = person_merge(
        actor=manager,
        survivor=survivor,
        duplicate=duplicate,
        fields={"city": "duplicate", "external_id": "duplicate", "custom.pet": "survivor"},
    )

    assert _still_pointing_at(duplicate) == []
    result.refresh_from_db()
    assert (result.given_name, result.family_name, result.city) == ("João", "Silva", "Lisboa")
    assert result.external_id == "crm-7"
    assert result.custom == {"shoe": "42", "pet": "cat"}
    assert [e.email for e in result.emails.all()] == [
        "joao@example.com",
        "shared@example.com",
        "js@other.example",
    ]
    assert result.primary_email == "joao@example.com"
    assert [e.is_primary for e in result.emails.all()] == [True, False, False]
    assert [p.number for p in result.phones.all()] == ["+5511987654321", "+5521912345678"]
    assert [(j.organization.name, j.job_title, j.is_primary) for j in result.employments.all()] == [
        ("Acme", "CEO", True),
        ("Beta", "Board", False),
    ]
    assert sorted(t.name for t in result.tags.all()) == ["lead-2024", "vip"]
    assert Activity.objects.get(pk=pair["note"].pk).person_id == result.pk
    assert list(pair["note"].attendees.values_list("pk", flat=True)) == [result.pk]
    assert list(DealPerson.objects.filter(deal=pair["both"]).values_list("person_id", "role")) == [
        (result.pk, "Buyer")
    ]
    assert list(pair["only"].contacts.values_list("person_id", flat=True)) == [result.pk]
    assert Lead.objects.get(pk=pair["lead"].pk).person_id == result.pk
    assert Quote.objects.get(pk=pair["quote"].pk).person_id == result.pk
    assert Order.objects.get(pk=pair["order"].pk).person_id == result.pk
    invoice_after = Invoice.objects.values().get(pk=pair["invoice"].pk)
    assert invoice_after["person_id"] == result.pk
    changed = {k for k in invoice_before if invoice_before[k] != invoice_after[k]}
    assert changed == {"person_id"}

    duplicate.refresh_from_db()
    assert duplicate.deleted_at is not None and duplicate.merged_into_id == result.pk
    assert duplicate.external_id == ""
    assert Deal.objects.get(pk=pair["both"].pk).people.count() == 1


def test_merge_is_audited_on_both_records_and_emits_one_event(
    manager: Any, pair: dict[str, Any]
) -> None:
    survivor, duplicate = pair["survivor"], pair["duplicate"]
    person_merge(actor=manager, survivor=survivor, duplicate=duplicate, fields=None)
    on_survivor = AuditEntry.objects.get(
        action="contacts.person.merged", object_id=str(survivor.pk)
    )
    assert on_survivor.changes["merged"] == [None, duplicate.pk]
    assert on_survivor.changes["moved"][1]["sales.dealperson"] == 1
    on_duplicate = AuditEntry.objects.get(
        action="contacts.person.merged", object_id=str(duplicate.pk)
    )
    assert on_duplicate.changes["merged_into"] == [None, survivor.pk]
    event = OutboxEvent.objects.get(name="contacts.person.merged")
    assert (event.payload["id"], event.payload["duplicate"]) == (survivor.pk, duplicate.pk)


def test_earlier_merges_into_the_duplicate_follow_to_the_survivor(
    manager: Any, make_person: Any
) -> None:
    first, second, third = (make_person(given_name=name) for name in ("A", "B", "C"))
    person_merge(actor=manager, survivor=second, duplicate=first)
    person_merge(actor=manager, survivor=third, duplicate=second)
    first.refresh_from_db()
    assert first.merged_into_id == third.pk


@pytest.mark.parametrize(
    "persona, error",
    [("rep", PermissionDenied), ("reader", PermissionDenied), ("other_rep", PermissionDenied)],
    ids=["rep lacks delete", "reader lacks change", "other team lacks both"],
)
def test_merge_refused_changes_nothing(
    request: Any, persona: str, error: type[Exception], make_person: Any
) -> None:
    survivor = make_person(given_name="Ana", emails=["a@example.com"])
    duplicate = make_person(given_name="Ana", emails=["b@example.com"])
    actor = request.getfixturevalue(persona)
    with pytest.raises(error):
        person_merge(actor=actor, survivor=survivor, duplicate=duplicate)
    duplicate.refresh_from_db()
    assert duplicate.deleted_at is None and duplicate.emails.count() == 1
    assert not AuditEntry.objects.filter(action="contacts.person.merged").exists()


def test_manager_cannot_merge_a_person_of_another_team(
    manager: Any, other_rep: Any, make_person: Any
) -> None:
    ours = make_person(given_name="Ana")
    theirs = make_person(owner=other_rep, given_name="Ana")
    with pytest.raises(PermissionDenied):
        person_merge(actor=manager, survivor=ours, duplicate=theirs)
    theirs.refresh_from_db()
    assert theirs.deleted_at is None


@pytest.mark.parametrize(
    "fields, code",
    [
        ({"password": "duplicate"}, "fields"),
        ({"city": "both"}, "fields"),
        ({"custom.nothing": "duplicate"}, "fields"),
    ],
    ids=["unknown field", "unknown choice", "unknown custom field"],
)
def test_bad_field_choices_are_refused(
    manager: Any, make_person: Any, fields: dict[str, str], code: str
) -> None:
    survivor, duplicate = make_person(given_name="A"), make_person(given_name="B")
    with pytest.raises(ValidationError) as caught:
        person_merge(actor=manager, survivor=survivor, duplicate=duplicate, fields=fields)
    assert code in caught.value.message_dict
    duplicate.refresh_from_db()
    assert duplicate.deleted_at is None


def test_a_person_cannot_merge_into_itself_or_a_trashed_one(manager: Any, make_person: Any) -> None:
    person, other = make_person(given_name="A"), make_person(given_name="B")
    with pytest.raises(ValidationError):
        person_merge(actor=manager, survivor=person, duplicate=person)
    person_merge(actor=manager, survivor=person, duplicate=other)
    with pytest.raises(ValidationError):
        person_merge(actor=manager, survivor=person, duplicate=other)


def test_api_merge_returns_the_survivor(api: Any, manager: Any, make_person: Any) -> None:
    survivor = make_person(given_name="Ana", city="Porto", emails=["a@example.com"])
    duplicate = make_person(given_name="Ana", city="Braga", emails=["b@example.com"])
    response = api(manager).post(
        f"/api/v1/people/{survivor.pk}/merge",
        {"duplicate": duplicate.pk, "fields": {"city": "duplicate"}},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["id"], body["city"], body["emails"]) == (
        survivor.pk,
        "Braga",
        ["a@example.com", "b@example.com"],
    )
    assert response["ETag"] == f'"{survivor.pk}-{survivor.version + 1}"'
    gone = api(manager).get(f"/api/v1/people/{duplicate.pk}")
    assert gone.status_code == 404


@pytest.mark.parametrize(
    "persona, body, status",
    [
        ("anonymous", {}, 401),
        ("outsider", {}, 404),
        ("rep", {}, 403),
        ("reader", {}, 403),
        ("manager", {"fields": {"city": "both"}}, 422),
        ("manager", {"fields": {"secret": "duplicate"}}, 422),
        ("manager", {"duplicate": "self"}, 422),
        ("manager", {"duplicate": "theirs"}, 404),
    ],
    ids=[
        "anonymous",
        "outsider sees neither",
        "rep lacks delete",
        "reader lacks change",
        "bad choice",
        "unknown field",
        "into itself",
        "duplicate not visible",
    ],
)
def test_api_merge_refusals_are_problems_and_change_nothing(
    request: Any,
    api: Any,
    make_person: Any,
    other_rep: Any,
    persona: str,
    body: dict[str, Any],
    status: int,
) -> None:
    survivor = make_person(given_name="Ana", emails=["a@example.com"])
    duplicate = make_person(given_name="Ana", emails=["b@example.com"])
    theirs = make_person(owner=other_rep, given_name="Ana")
    targets = {"self": survivor.pk, "theirs": theirs.pk}
    payload = {"duplicate": duplicate.pk, **body}
    payload["duplicate"] = targets.get(payload["duplicate"], payload["duplicate"])
    user = None if persona == "anonymous" else request.getfixturevalue(persona)
    response = api(user).post(f"/api/v1/people/{survivor.pk}/merge", payload)
    assert response.status_code == status
    assert response["Content-Type"] == "application/problem+json"
    assert Person.objects.filter(deleted_at__isnull=False).count() == 0
    assert not AuditEntry.objects.filter(action="contacts.person.merged").exists()


def test_merge_page_shows_both_sides_and_what_moves(
    web: Any, manager: Any, pair: dict[str, Any]
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    survivor, duplicate = pair["survivor"], pair["duplicate"]
    client = web(manager)
    url = f"/people/{survivor.pk}/merge/{duplicate.pk}/"
    with CaptureQueriesContext(connection) as first:
        page = client.get(url)
    html = page.content.decode()
    assert page.status_code == 200
    assert 'name="field-city" value="duplicate"' in html and "Lisboa" in html
    assert 'name="field-given_name"' in html  # João / Joao differ
    assert 'name="field-custom.shoe"' in html
    assert "js@other.example" in html
    for line in ("Deals: 2", "Timeline entries: 1", "Invoices: 1", "Emails: 2", "Tags: 2"):
        assert f"<li>{line}</li>" in html
    for _index in range(5):
        activity_services.activity_create(
            actor=manager, data={"kind": "note", "body": "x", "person": duplicate.pk}
        )
    with CaptureQueriesContext(connection) as second:
        client.get(url)
    assert len(second) == len(first)

    response = client.post(url, {"field-city": "duplicate", "field-custom.shoe": "duplicate"})
    assert response.status_code == 302 and response["Location"] == f"/people/{survivor.pk}/"
    survivor.refresh_from_db()
    assert (survivor.city, survivor.custom["shoe"]) == ("Lisboa", "41")
    assert _still_pointing_at(duplicate) == []
    old_link = client.get(f"/people/{duplicate.pk}/")
    assert old_link.status_code == 302 and old_link["Location"] == f"/people/{survivor.pk}/"


def test_merge_page_permissions(
    web: Any, rep: Any, reader: Any, outsider: Any, other_rep: Any, manager: Any, make_person: Any
) -> None:
    survivor = make_person(given_name="Ana")
    duplicate = make_person(given_name="Ana")
    theirs = make_person(owner=other_rep, given_name="Ana")
    url = f"/people/{survivor.pk}/merge/{duplicate.pk}/"
    assert web(outsider).get(url).status_code == 404
    assert web(reader).get(url).status_code == 403
    assert web(rep).post(url, {}).status_code == 403
    assert web(manager).get(f"/people/{survivor.pk}/merge/{theirs.pk}/").status_code == 404
    assert web(manager).post(f"/people/{survivor.pk}/merge/{survivor.pk}/", {}).status_code == 400
    duplicate.refresh_from_db()
    assert duplicate.deleted_at is None
    # An ordinary deleted person's URL is still a 404, not a redirect.
    from elo.contacts.services import person_delete

    person_delete(actor=manager, person=duplicate)
    assert web(manager).get(f"/people/{duplicate.pk}/").status_code == 404


def test_consent_ledger_entries_move_to_the_survivor_unchanged(
    manager: Any, make_person: Any
) -> None:
    """The consent ledger is append-only; a merge re-points its entries and nothing else."""
    from elo.privacy.models import ConsentEvent, ConsentPurpose
    from elo.privacy.services import consent_record

    purpose = ConsentPurpose.objects.order_by("id").first()
    assert purpose is not None
    survivor = make_person(given_name="Ana", phones=["+5511987654321"])
    duplicate = make_person(given_name="Ana", phones=["+5511987654322"])
    event = consent_record(
        actor=manager,
        person=duplicate,
        purpose=purpose,
        channel="sms",
        action="granted",
        text="Yes, send me offers by SMS.",
    )
    before = ConsentEvent.objects.values().get(pk=event.pk)
    person_merge(actor=manager, survivor=survivor, duplicate=duplicate)
    after = ConsentEvent.objects.values().get(pk=event.pk)
    assert after == {**before, "person_id": survivor.pk}
    assert _still_pointing_at(duplicate) == []


def _still_pointing_at_organization(organization: Any) -> list[str]:
    from elo.contacts.models import Organization

    found = []
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.concrete_fields:
            if isinstance(field, models.ForeignKey) and field.related_model is Organization:
                count = model._base_manager.filter(**{field.name: organization}).count()
                if count:
                    found.append(f"{model._meta.label}.{field.name}={count}")
    return found


def test_organization_merge_moves_everything(
    api: Any, rep: Any, manager: Any, make_person: Any, make_organization: Any
) -> None:
    from elo.contacts.merge import organization_merge

    survivor = make_organization(name="Acme", domains=["acme.com"], tags=["key"])
    duplicate = make_organization(
        name="ACME Ltda", domains=["acme.com", "acme.com.br"], tax_id="11.222.333/0001-81"
    )
    both = make_person(
        given_name="Ana",
        organizations=[
            {"organization": survivor.pk, "job_title": "CEO"},
            {"organization": duplicate.pk, "job_title": "Chair"},
        ],
    )
    only = make_person(given_name="Rui", organizations=[{"organization": duplicate.pk}])
    deal = deals.deal_create(
        actor=rep, data={"title": "D", "amount": "1", "organization": duplicate.pk}
    )
    note = activity_services.activity_create(
        actor=rep, data={"kind": "note", "body": "x", "organization": duplicate.pk}
    )
    with pytest.raises(PermissionDenied):
        organization_merge(actor=rep, survivor=survivor, duplicate=duplicate)
    response = api(manager).post(
        f"/api/v1/organizations/{survivor.pk}/merge",
        {"duplicate": duplicate.pk, "fields": {"tax_id": "duplicate"}},
    )
    assert response.status_code == 200, response.content
    assert _still_pointing_at_organization(duplicate) == []
    survivor.refresh_from_db()
    assert survivor.domains == ["acme.com", "acme.com.br"]
    assert survivor.tax_id == "11.222.333/0001-81"
    assert list(both.employments.values_list("organization_id", "job_title")) == [
        (survivor.pk, "CEO")
    ]
    assert list(only.employments.values_list("organization_id", flat=True)) == [survivor.pk]
    assert Deal.objects.get(pk=deal.pk).organization_id == survivor.pk
    assert Activity.objects.get(pk=note.pk).organization_id == survivor.pk
    duplicate.refresh_from_db()
    assert duplicate.deleted_at is not None and duplicate.merged_into_id == survivor.pk
    assert AuditEntry.objects.filter(action="contacts.organization.merged").count() == 2
    assert OutboxEvent.objects.filter(name="contacts.organization.merged").count() == 1
    refused = api(manager).post(
        f"/api/v1/organizations/{survivor.pk}/merge", {"duplicate": survivor.pk}
    )
    assert refused.status_code == 422
    assert refused["Content-Type"] == "application/problem+json"


def test_a_bounced_address_stays_flagged_after_the_merge(
    manager: Any, pair: dict[str, Any]
) -> None:
    from elo.contacts.models import PersonEmail
    from elo.contacts.services import email_mark_bounced

    email_mark_bounced(email="shared@example.com")  # on both records
    email_mark_bounced(email="js@other.example")  # only on the duplicate
    survivor = pair["survivor"]
    PersonEmail.objects.filter(person=survivor, email="shared@example.com").update(bounced_at=None)
    person_merge(actor=manager, survivor=survivor, duplicate=pair["duplicate"], fields=None)
    flagged = set(
        PersonEmail.objects.filter(person=survivor, bounced_at__isnull=False).values_list(
            "email", flat=True
        )
    )
    assert flagged == {"shared@example.com", "js@other.example"}
