"""Erasure, the proof: a person with data in every app is erased, then every text and JSON
column of every table in the database is searched for each of their original values."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Count, Sum

from elo.activities import services as activity_services
from elo.billing import services as billing_services
from elo.billing.models import Invoice, Payment
from elo.contacts import merge
from elo.contacts import services as contact_services
from elo.contacts.models import Person, PersonEmail, PersonPhone
from elo.core.models import AuditEntry, OutboxEvent
from elo.core.services import custom_field_create
from elo.privacy import erasure, services
from elo.privacy.models import AppendOnlyError, ConsentEvent
from elo.sales.models import Deal, Lead
from elo.sales.services import leads as lead_services
from elo.sales.services import quotes
from elo.sales.services.deals import deal_create

pytestmark = pytest.mark.django_db(transaction=False)

GIVEN, FAMILY = "Joaquina", "Vasconcelos-Tavares"
EMAILS = ["joaquina.vt@exemplo-mail.pt", "jvt.casa@outro-mail.com"]
PHONES = ["+351912345678", "+5511987654321"]
STREET, CITY, POSTCODE = "Rua das Amendoeiras 17", "Vilarinho", "4410-123"
EXTERNAL_ID = "CRM-JVT-998877"
CUSTOM_NOTE = "Prefere contacto pela manhã"
DUPLICATE_EMAIL = "quina.antiga@velho-mail.pt"
DUPLICATE_PHONE = "+351935551234"
LEAD_EMAIL = "joaquina.lead@form-mail.pt"
IP, USER_AGENT = "203.0.113.77", "Mozilla/5.0 (JoaquinaPhone; Vasconcelos browser)"


def originals() -> list[str]:
    """Every value the erasure must remove, as a user would search for it."""
    return [
        GIVEN,
        FAMILY,
        f"{GIVEN} {FAMILY}",
        *EMAILS,
        *PHONES,
        "912345678",
        "912 345 678",
        STREET,
        CITY,
        POSTCODE,
        EXTERNAL_ID,
        CUSTOM_NOTE,
        DUPLICATE_EMAIL,
        DUPLICATE_PHONE,
        LEAD_EMAIL,
        IP,
        USER_AGENT,
    ]


TEXT_KINDS = {"CharField", "TextField", "JSONField", "GenericIPAddressField", "SlugField"}


def text_columns() -> list[tuple[str, str]]:
    """(table, column) for every text, character and JSON column of every table in the
    database, found by introspection (not from the models), on SQLite and PostgreSQL."""
    found = []
    with connection.cursor() as cursor:
        tables = connection.introspection.table_names(cursor)
        for table in tables:
            for column in connection.introspection.get_table_description(cursor, table):
                try:
                    kind = connection.introspection.get_field_type(column.type_code, column)
                except KeyError:  # untyped columns (SQLite full-text tables) hold text
                    kind = "TextField"
                if kind in TEXT_KINDS:
                    found.append((table, column.name))
    return found


def search_database(values: list[str]) -> dict[str, list[tuple[str, str, Any]]]:
    """{value: [(table, column, row id)]} for every value found anywhere, ignoring case;
    JSON columns are also searched for the JSON-escaped form of the value."""
    quote = connection.ops.quote_name
    hits: dict[str, list[tuple[str, str, Any]]] = {}
    columns = text_columns()
    with connection.cursor() as cursor:
        for table, column in columns:
            for value in values:
                forms = {value, json.dumps(value)[1:-1]}
                for form in forms:
                    cast = f"CAST({quote(column)} AS TEXT)"
                    cursor.execute(
                        f"SELECT * FROM {quote(table)} WHERE LOWER({cast}) LIKE %s",
                        ["%" + form.lower() + "%"],
                    )
                    for row in cursor.fetchall():
                        hits.setdefault(value, []).append((table, column, row[0]))
    return hits


def build_rich_person(admin: Any, manager: Any, rep: Any, make_person: Any) -> dict[str, Any]:
    custom_field_create(
        actor=admin, entity="person", key="notes_call", label="Call notes", field_type="text"
    )
    person = make_person(
        given_name=GIVEN,
        family_name=FAMILY,
        emails=EMAILS,
        phones=PHONES,
        street=STREET,
        city=CITY,
        postal_code=POSTCODE,
        country="PT",
        external_id=EXTERNAL_ID,
        custom={"notes_call": CUSTOM_NOTE},
        tags=["vip", "lisbon"],
    )
    duplicate = make_person(
        given_name=GIVEN,
        family_name=FAMILY,
        emails=[DUPLICATE_EMAIL],
        phones=[DUPLICATE_PHONE],
    )
    merge.person_merge(actor=admin, survivor=person, duplicate=duplicate)
    person.refresh_from_db()
    # the merged-away record keeps its old values until erased
    Person._base_manager.filter(pk=duplicate.pk).update(
        primary_email=DUPLICATE_EMAIL, given_name=GIVEN, family_name=FAMILY
    )
    activity_services.activity_create(
        actor=rep,
        data={
            "kind": "note",
            "body": f"Call with {GIVEN} {FAMILY}: mail her at {EMAILS[0]}, or {PHONES[0]}.",
            "person": person.pk,
        },
    )
    activity_services.activity_create(
        actor=rep,
        data={
            "kind": "task",
            "subject": f"Send {GIVEN} the proposal, or call +351 912 345 678",
            "person": person.pk,
        },
    )
    lead = lead_services.lead_create(
        actor=rep,
        data={
            "given_name": GIVEN,
            "family_name": FAMILY,
            "email": LEAD_EMAIL,
            "company": "Quinta do Vale",
            "message": f"Hello, I am {GIVEN}, write to {LEAD_EMAIL}",
        },
    )
    Lead.objects.filter(pk=lead.pk).update(person=person)
    deal = deal_create(
        actor=rep,
        data={
            "title": f"Garden for {GIVEN} {FAMILY}",
            "amount": "4200.00",
            "people": [{"person": person.pk}],
        },
    )
    quote = quotes.quote_create(
        actor=rep,
        data={"title": f"Proposal {FAMILY}", "currency": "EUR", "person": person.pk,
              "lines": [{"description": "Design", "quantity": "2", "unit_price": "500"}]},
    )  # fmt: skip
    quotes.quote_set_status(actor=rep, quote=quote, status="sent")
    quotes.quote_set_status(actor=rep, quote=quote, status="accepted")
    order = billing_services.order_from_quote(actor=rep, quote=quote)
    issued = billing_services.invoice_draft(
        actor=manager, order=order, quantities={order.lines.get().pk: "1"}
    )
    issued = billing_services.invoice_issue(actor=manager, invoice=issued)
    billing_services.payment_record(
        actor=manager, invoice=issued, data={"amount": "300.00", "method": "card"}
    )
    draft = billing_services.invoice_draft(actor=manager, order=order)
    services.consent_record(
        actor=rep,
        person=person,
        purpose="marketing",
        channel="email",
        action="granted",
        text="Yes, email me offers.",
        submission_id=f"form-{EMAILS[0]}",
        ip_address=IP,
        user_agent=USER_AGENT,
    )
    shared = lead_services.lead_create(
        actor=rep, data={"given_name": GIVEN, "email": EMAILS[1], "company": "Other Co"}
    )
    seed_traces(admin, person)
    return {
        "person": person,
        "shared_lead": shared,
        "duplicate": duplicate,
        "lead": lead,
        "deal": deal,
        "order": order,
        "issued": issued,
        "draft": draft,
    }


def seed_traces(admin: Any, person: Any) -> None:
    """What webhooks, automation and importers leave behind about a person: rows written
    as those apps write them (a delivery that a receiver echoed, a workflow run with the
    record's values, an import report with a rejected row), and a job at an organization."""
    from elo.automation.models import RunStep, Workflow, WorkflowRun
    from elo.contacts.models import Employment, Organization
    from elo.interchange.models import ImportRun
    from elo.webhooks.models import Attempt, Delivery, Subscription

    subscription = Subscription.objects.create(
        url="http://127.0.0.1:9/hook", event_types=["*"], secret="whsec_x", owner=admin
    )
    delivery = Delivery.objects.create(
        subscription=subscription,
        event_id=1,
        event_name="contacts.person.updated",
        payload={"id": person.pk, "email": EMAILS[0]},
        message_id="msg_1",
    )
    Attempt.objects.create(
        delivery=delivery, number=1, status_code=500, response_excerpt=f"bad {EMAILS[0]}"
    )
    workflow = Workflow.objects.create(
        name="Welcome", trigger_type="event", trigger={"event": "x"}, owner=admin
    )
    run = WorkflowRun.objects.create(
        workflow=workflow,
        record_type="person",
        record_id=person.pk,
        data={"record": {"given_name": GIVEN, "family_name": FAMILY, "city": CITY}},
    )
    RunStep.objects.create(
        run=run, path="0", action_type="send_email", outcome="ok", detail={"to": EMAILS[1]}
    )
    ImportRun.objects.create(
        entity="people",
        rejected=[
            {"row": 3, "values": {"email": EMAILS[0], "given_name": GIVEN}, "errors": {}},
            {"row": 4, "values": {"email": "someone.else@example.com"}, "errors": {}},
        ],
    )
    organization = Organization.objects.create(name="Quinta Lda", owner=admin)
    Employment.objects.create(person=person, organization=organization, job_title="Owner")


def aggregates() -> dict[str, Any]:
    return {
        "deals": Deal.objects.aggregate(n=Count("id"), total=Sum("amount")),
        "invoices": Invoice.objects.aggregate(n=Count("id"), total=Sum("total"), paid=Sum("paid")),
        "payments": Payment.objects.aggregate(n=Count("id"), total=Sum("amount")),
        "people": Person.objects.count(),
        "leads": Lead.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


def test_nothing_of_the_person_is_left_anywhere_but_the_issued_invoice(
    admin: Any, manager: Any, rep: Any, make_person: Any
) -> None:
    made = build_rich_person(admin, manager, rep, make_person)
    before = search_database(originals())
    # the seeding really spread the values around (so the search can find them)
    tables = {table for hits in before.values() for table, _column, _row in hits}
    assert {
        "contacts_person",
        "contacts_personemail",
        "contacts_personphone",
        "activities_activity",
        "sales_lead",
        "sales_deal",
        "core_auditentry",
        "privacy_consentevent",
        "webhooks_delivery",
        "webhooks_attempt",
        "automation_workflowrun",
        "automation_runstep",
        "interchange_importrun",
    } <= tables
    sums = aggregates()

    counts = erasure.person_erase(actor=admin, person=made["person"], reason="Art. 17 request")

    after = search_database(originals())
    issued_snapshot = ("billing_invoice", "billed_to", made["issued"].pk)
    leftovers = {
        value: [hit for hit in hits if hit != issued_snapshot] for value, hits in after.items()
    }
    assert {value: hits for value, hits in leftovers.items() if hits} == {}
    # the issued invoice keeps its legal fields
    issued = Invoice.objects.get(pk=made["issued"].pk)
    assert issued.billed_to["name"] == f"{GIVEN} {FAMILY}"
    assert issued.billed_to["street"] == STREET
    assert issued.billed_to["email"] == EMAILS[0]
    assert Invoice.objects.get(pk=made["draft"].pk).billed_to == {}
    # every total, count and sum is what it was, except the audit entry of the erasure
    now = aggregates()
    assert now["audit"] == sums["audit"] + 1
    assert {key: value for key, value in now.items() if key != "audit"} == {
        key: value for key, value in sums.items() if key != "audit"
    }
    # what is not theirs stays
    assert search_database(["someone.else@example.com", "Quinta do Vale", "Other Co"]).keys() == {
        "someone.else@example.com",
        "Quinta do Vale",
        "Other Co",
    }
    assert Lead.objects.get(pk=made["shared_lead"].pk).erased_at is not None
    # counts, no values
    assert counts["people"] == 2 and counts["emails"] == 3 and counts["phones"] == 3
    assert counts["leads"] == 2 and counts["consent_events"] == 1 and counts["jobs"] == 1
    assert counts["webhook_deliveries"] == counts["webhook_attempts"] == 1
    assert counts["workflow_runs"] == counts["workflow_steps"] == counts["import_reports"] == 1
    assert counts["audit_entries"] >= 5
    assert all(isinstance(number, int) for number in counts.values())


def test_erased_person_reads_as_erased_and_keeps_links(
    admin: Any, manager: Any, rep: Any, make_person: Any
) -> None:
    made = build_rich_person(admin, manager, rep, make_person)
    person = made["person"]
    erasure.person_erase(actor=admin, person=person, reason="Asked by email")
    person.refresh_from_db()
    assert str(person) == f"Erased person #{person.pk}"
    assert person.erased_at is not None and person.deleted_at is None
    assert (person.primary_email, person.street, person.custom, person.search_text) == (
        "",
        "",
        {},
        "",
    )
    assert sorted(person.tags.values_list("name", flat=True)) == ["lisbon", "vip"]
    assert not PersonEmail.objects.filter(person=person).exists()
    assert not PersonPhone.objects.filter(person=person).exists()
    duplicate = Person._base_manager.get(pk=made["duplicate"].pk)
    assert duplicate.erased_at is not None and duplicate.merged_into_id == person.pk
    assert made["deal"].contacts.filter(person=person).exists()
    assert Invoice.objects.filter(person=person).count() == 2
    deal = Deal.objects.get(pk=made["deal"].pk)
    assert deal.title == "Garden for [erased]" and deal.amount == Decimal("4200.00")
    lead = Lead.objects.get(pk=made["lead"].pk)
    assert lead.erased_at is not None and lead.email == "" and lead.company == "Quinta do Vale"
    assert lead.message == "Hello, I am [erased], write to [erased]"


def test_consent_ledger_keeps_the_decision_and_loses_the_proof(
    admin: Any, manager: Any, rep: Any, make_person: Any
) -> None:
    made = build_rich_person(admin, manager, rep, make_person)
    event = ConsentEvent.objects.get(person=made["person"])
    erasure.person_erase(actor=admin, person=made["person"], reason="Asked by email")
    after = ConsentEvent.objects.get(pk=event.pk)
    assert (after.purpose_id, after.channel, after.action, after.basis, after.source) == (
        event.purpose_id,
        event.channel,
        event.action,
        event.basis,
        event.source,
    )
    assert after.created_at == event.created_at and after.text == "Yes, email me offers."
    assert (after.ip_address, after.user_agent, after.submission_id) == (None, "", "")
    # the ledger is still append-only for everything else
    with pytest.raises(AppendOnlyError):
        ConsentEvent.objects.filter(pk=event.pk).update(text="x")
    with pytest.raises(AppendOnlyError):
        ConsentEvent.objects.filter(pk=event.pk).delete()
    with pytest.raises(AppendOnlyError):
        after.save()


def test_the_act_is_audited_and_older_entries_redacted_not_deleted(
    admin: Any, manager: Any, rep: Any, make_person: Any
) -> None:
    made = build_rich_person(admin, manager, rep, make_person)
    person = made["person"]
    created = AuditEntry.objects.get(
        action="contacts.person.created", object_type="contacts.person", object_id=str(person.pk)
    )
    assert created.changes["given_name"] == [None, GIVEN]
    ids_before = set(AuditEntry.objects.values_list("id", flat=True))
    counts = erasure.person_erase(actor=admin, person=person, reason=f"Request from {EMAILS[0]}")
    assert ids_before <= set(AuditEntry.objects.values_list("id", flat=True))
    created.refresh_from_db()
    assert created.changes["given_name"] == [None, "[erased]"]
    assert created.changes["lifecycle_stage"] == [None, "lead"]
    entry = AuditEntry.objects.get(action="privacy.person.erased")
    assert (entry.object_type, entry.object_id) == ("contacts.person", str(person.pk))
    assert entry.changes == {"reason": "Request from [erased]", "counts": counts}
    event = OutboxEvent.objects.get(name="privacy.person.erased")
    assert event.payload == {"id": person.pk, "request": None, "counts": counts}


def test_preview_counts_what_the_erasure_touches_and_changes_nothing(
    admin: Any, manager: Any, rep: Any, make_person: Any
) -> None:
    made = build_rich_person(admin, manager, rep, make_person)
    before = search_database(originals())
    preview = erasure.erasure_preview(made["person"])
    assert search_database(originals()) == before
    assert erasure.person_erase(actor=admin, person=made["person"], reason="x") == preview


def test_erased_people_cannot_be_edited_restored_merged_or_erased_again(
    admin: Any, rep: Any, make_person: Any
) -> None:
    person = make_person(emails=["someone@example.com"])
    other = make_person(given_name="Other")
    contact_services.person_delete(actor=admin, person=person)
    erasure.person_erase(actor=admin, person=person, reason="Asked")
    with pytest.raises(ValidationError):
        contact_services.person_update(actor=admin, person=person, data={"given_name": "Back"})
    with pytest.raises(ValidationError):
        contact_services.person_restore(actor=admin, person=person)
    with pytest.raises(ValidationError):
        merge.person_merge(actor=admin, survivor=other, duplicate=person)
    with pytest.raises(ValidationError):
        merge.person_merge(actor=admin, survivor=person, duplicate=other)
    with pytest.raises(ValidationError):
        erasure.person_erase(actor=admin, person=person, reason="Again")
    person.refresh_from_db()
    assert person.deleted_at is not None and person.given_name == "Erased person"


def test_erasure_needs_the_permission_and_a_reason(rep: Any, admin: Any, make_person: Any) -> None:
    from django.core.exceptions import PermissionDenied

    person = make_person(emails=["keep.me@example.com"])
    with pytest.raises(PermissionDenied):
        erasure.person_erase(actor=rep, person=person, reason="No")
    with pytest.raises(ValidationError):
        erasure.person_erase(actor=admin, person=person, reason="  ")
    person.refresh_from_db()
    assert person.erased_at is None and person.primary_email == "keep.me@example.com"


def test_lead_anonymized_on_its_own_by_the_scheduler(rep: Any) -> None:
    lead = lead_services.lead_create(
        actor=rep,
        data={"given_name": "Solitaria", "family_name": "Lead", "email": "solo.lead@x-mail.pt",
              "message": "Call solo.lead@x-mail.pt please"},
    )  # fmt: skip
    activity_services.activity_create(
        actor=rep, data={"kind": "note", "body": "Solitaria Lead called", "lead": lead.pk}
    )
    erasure.lead_anonymize(actor=None, lead=lead, reason="Retention: 24 months inactive")
    lead.refresh_from_db()
    assert lead.erased_at is not None and lead.email == "" and lead.given_name == "Erased lead"
    assert lead.message == "Call [erased] please"
    assert search_database(["solo.lead@x-mail.pt", "Solitaria"]) == {}
    entry = AuditEntry.objects.get(action="privacy.lead.anonymized")
    assert entry.actor_kind == "system"
    erasure.lead_anonymize(actor=None, lead=lead, reason="again")
    assert AuditEntry.objects.filter(action="privacy.lead.anonymized").count() == 1


def test_nothing_new_is_recorded_about_an_erased_person(
    admin: Any, rep: Any, make_person: Any
) -> None:
    from django.http import Http404

    person = make_person(emails=["link.holder@example.com"])
    link = services.withdrawal_token(person, "marketing", "email")
    erasure.person_erase(actor=admin, person=person, reason="Asked")
    with pytest.raises(ValidationError):
        services.consent_record(
            actor=rep,
            person=Person.objects.get(pk=person.pk),
            purpose="marketing",
            channel="email",
            action="withdrawn",
            ip_address=IP,
        )
    with pytest.raises(Http404):
        services.consent_withdraw_by_link(token=link, ip_address=IP, user_agent=USER_AGENT)
    assert not ConsentEvent.objects.filter(person=person).exists()
