"""Leads: capture, disqualify, and conversion that links what Elo already knows."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import ValidationError

from elo.contacts.models import Organization, Person
from elo.core.models import AuditEntry, OutboxEvent
from elo.sales import services
from elo.sales.models import Deal, Lead

pytestmark = pytest.mark.django_db


def _lead(actor: Any, **data: Any) -> Lead:
    data.setdefault("given_name", "João")
    data.setdefault("family_name", "Pereira")
    data.setdefault("email", "Joao@Padaria.com.br")
    data.setdefault("company", "Padaria Central")
    data.setdefault("source", "web_form")
    return services.lead_create(actor=actor, data=data)


def test_capture_cleans_and_assigns_to_the_creator_without_rules(rep: Any) -> None:
    lead = _lead(rep, phone="(11) 98765-4321", country="br", utm_source="google")
    assert (lead.email, lead.phone, lead.country) == ("joao@padaria.com.br", "+5511987654321", "BR")
    assert (lead.owner_id, lead.status, lead.utm_source) == (rep.pk, "new", "google")
    entry = AuditEntry.objects.get(action="sales.lead.assigned")
    assert entry.changes["reason"] == "creator"
    assert OutboxEvent.objects.filter(name="sales.lead.created", payload__id=lead.pk).exists()


def test_bad_lead_is_refused_with_every_field(rep: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        services.lead_create(
            actor=rep, data={"email": "nope", "phone": "12", "source": "pigeon", "country": "BRA"}
        )
    assert {"email", "phone", "source", "country"} <= set(caught.value.message_dict)
    with pytest.raises(ValidationError) as caught:
        services.lead_create(actor=rep, data={"message": "hi"})
    assert "given_name" in caught.value.message_dict
    assert not Lead.objects.exists()


def test_disqualify_needs_a_reason(rep: Any) -> None:
    lead = _lead(rep)
    with pytest.raises(ValidationError):
        services.lead_disqualify(actor=rep, lead=lead, reason="  ")
    lead = services.lead_disqualify(actor=rep, lead=lead, reason="No budget")
    assert (lead.status, lead.disqualify_reason) == ("disqualified", "No budget")
    with pytest.raises(ValidationError):
        services.lead_convert(actor=rep, lead=lead)


def test_convert_creates_person_organization_and_deal(rep: Any) -> None:
    lead = _lead(rep, job_title="Owner", website="https://www.padaria.com.br/contato")
    lead = services.lead_convert(actor=rep, lead=lead, deal={"amount": "1500"})
    person, organization, deal = lead.person, lead.organization, lead.deal
    assert lead.status == "converted" and lead.converted_at is not None
    assert person is not None and organization is not None and deal is not None
    assert (person.full_name, person.primary_email) == ("João Pereira", "joao@padaria.com.br")
    assert (organization.name, organization.domains) == ("Padaria Central", ["padaria.com.br"])
    assert [(e.organization_id, e.job_title) for e in person.employments.all()] == [
        (organization.pk, "Owner")
    ]
    assert (deal.title, deal.organization_id, deal.source_lead_id) == (
        "Padaria Central", organization.pk, lead.pk)  # fmt: skip
    assert [p.person_id for p in deal.contacts.all()] == [person.pk]
    entry = AuditEntry.objects.get(action="sales.lead.converted")
    assert entry.changes["matched"] == {"organization": False, "person": False}
    assert OutboxEvent.objects.filter(name="sales.lead.converted", payload__id=lead.pk).exists()


def test_convert_links_existing_records_and_never_duplicates(
    rep: Any, make_person: Any, make_organization: Any
) -> None:
    bakery = make_organization(name="Padaria Central S.A.", domains=["padaria.com.br"])
    joao = make_person(given_name="João", emails=["joao@padaria.com.br"])
    first = services.lead_convert(actor=rep, lead=_lead(rep))
    assert (first.person_id, first.organization_id) == (joao.pk, bakery.pk)
    assert joao.employments.get().organization_id == bakery.pk
    # A second lead from another mailbox of the same company links the same organization.
    second = services.lead_convert(actor=rep, lead=_lead(rep, email="maria@padaria.com.br",
                                                         given_name="Maria", company=""))  # fmt: skip
    assert second.organization_id == bakery.pk
    assert Organization.objects.count() == 1 and Person.objects.count() == 2
    # Free-mail domains say nothing about the company: matched by name instead.
    third = services.lead_convert(
        actor=rep, lead=_lead(rep, email="x@gmail.com", company="padaria central s.a.")
    )
    assert third.organization_id == bakery.pk
    assert not Organization.objects.filter(domains__icontains="gmail").exists()
    with pytest.raises(ValidationError):
        services.lead_convert(actor=rep, lead=first)
    assert Deal.objects.count() == 0


def test_convert_is_all_or_nothing(rep: Any) -> None:
    lead = _lead(rep)
    with pytest.raises(ValidationError):
        services.lead_convert(actor=rep, lead=lead, deal={"amount": "-1"})
    assert Lead.objects.get().status == "new"
    assert not Person.objects.exists() and not Organization.objects.exists()


def test_lead_timeline_is_private_to_the_lead_and_moves_to_the_person(
    rep: Any, other_rep: Any, manager: Any
) -> None:
    from elo.activities.models import Activity
    from elo.activities.selectors import activity_list_for, lead_timeline, person_timeline
    from elo.activities.services import activity_create

    lead = _lead(rep)
    note = activity_create(actor=rep, data={"kind": "note", "body": "Called back", "lead": lead.pk})
    assert note.team_id == rep.team_id
    assert [a.pk for a in lead_timeline(lead).items] == [note.pk]
    assert list(activity_list_for(manager, lead=lead.pk)) == [note]
    assert not activity_list_for(other_rep, lead=lead.pk).exists()
    with pytest.raises(ValidationError) as caught:
        activity_create(actor=other_rep, data={"kind": "note", "body": "x", "lead": lead.pk})
    assert "lead" in caught.value.message_dict
    converted = services.lead_convert(actor=rep, lead=lead)
    assert converted.person is not None
    assert [a.pk for a in person_timeline(converted.person).items] == [note.pk]
    assert Activity.objects.get(pk=note.pk).lead_id == lead.pk
    entry = AuditEntry.objects.get(action="sales.lead.converted")
    assert entry.changes["activities_moved"] == 1


def test_activities_api_takes_leads_and_deals(api: Any, rep: Any) -> None:
    lead = _lead(rep)
    deal = services.deal_create(actor=rep, data={"title": "Deal"})
    client = api(rep)
    for field, pk in (("lead", lead.pk), ("deal", deal.pk)):
        made = client.post("/api/v1/activities", {"kind": "call", "subject": "Hi", field: pk})
        assert made.status_code == 201, made.content
        assert made.json()[field] == pk
        listed = client.get(f"/api/v1/activities?{field}={pk}").json()["items"]
        assert [item["id"] for item in listed] == [made.json()["id"]]
