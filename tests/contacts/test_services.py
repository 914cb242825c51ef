"""People and organization services: validation, audit, events, versions, soft delete."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from elo.contacts import services
from elo.contacts.models import Person
from elo.core.errors import PreconditionFailed
from elo.core.models import AuditEntry, OutboxEvent
from elo.core.services import custom_field_create

pytestmark = pytest.mark.django_db


def test_person_create_normalises_and_records_audit_and_event(rep: Any) -> None:
    person = services.person_create(
        actor=rep,
        data={
            "given_name": "  João ",
            "family_name": "da Silva",
            "emails": ["Joao.Silva@Example.COM", "joao.silva@example.com", "j@x.com.br"],
            "phones": ["(11) 98765-4321"],
            "country": "br",
            "tags": ["VIP", "vip"],
        },
    )
    assert person.given_name == "João"
    assert [e.email for e in person.emails.all()] == ["joao.silva@example.com", "j@x.com.br"]
    assert person.primary_email == "joao.silva@example.com"
    assert [p.number for p in person.phones.all()] == ["+5511987654321"]
    assert person.country == "BR"
    assert [t.name for t in person.tags.all()] == ["VIP"]
    assert person.owner == rep and person.team_id == rep.team_id
    entry = AuditEntry.objects.get(action="contacts.person.created", object_id=str(person.pk))
    assert entry.actor_user_id is None or entry.actor_user_id == rep.pk
    assert entry.changes["given_name"] == [None, "João"]
    assert entry.changes["emails"] == [None, ["joao.silva@example.com", "j@x.com.br"]]
    event = OutboxEvent.objects.get(name="contacts.person.created")
    assert event.payload == {"id": person.pk}


def test_person_create_reports_every_bad_field_and_writes_nothing(rep: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        services.person_create(
            actor=rep,
            data={
                "given_name": "Ana",
                "emails": ["not-an-email"],
                "phones": ["12"],
                "lifecycle_stage": "king",
                "preferred_language": "klingon",
                "country": "Brazil",
            },
        )
    assert set(caught.value.message_dict) == {
        "emails",
        "phones",
        "lifecycle_stage",
        "preferred_language",
        "country",
    }
    assert not Person.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="contacts.").exists()
    assert not OutboxEvent.objects.filter(name__startswith="contacts.").exists()


def test_person_needs_a_name_or_email(rep: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        services.person_create(actor=rep, data={})
    assert "given_name" in caught.value.message_dict


def test_read_only_user_cannot_create(reader: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.person_create(actor=reader, data={"given_name": "Ana"})
    assert not Person.objects.exists()


def test_update_records_field_diff_and_bumps_version(rep: Any, make_person: Any) -> None:
    person = make_person(given_name="Ana", city="Lisboa")
    updated = services.person_update(
        actor=rep, person=person, data={"city": "Porto"}, expected_version=1
    )
    assert updated.city == "Porto" and updated.version == 2
    entry = AuditEntry.objects.get(action="contacts.person.updated")
    assert entry.changes == {"city": ["Lisboa", "Porto"]}
    assert OutboxEvent.objects.get(name="contacts.person.updated").payload["changed"] == ["city"]


def test_update_with_stale_version_changes_nothing(rep: Any, make_person: Any) -> None:
    person = make_person(given_name="Ana", city="Lisboa")
    services.person_update(actor=rep, person=person, data={"city": "Porto"})
    with pytest.raises(PreconditionFailed):
        services.person_update(actor=rep, person=person, data={"city": "Faro"}, expected_version=1)
    person.refresh_from_db()
    assert person.city == "Porto" and person.version == 2


def test_update_without_changes_writes_no_audit(rep: Any, make_person: Any) -> None:
    person = make_person(given_name="Ana")
    services.person_update(actor=rep, person=person, data={"given_name": "Ana"})
    person.refresh_from_db()
    assert person.version == 1
    assert not AuditEntry.objects.filter(action="contacts.person.updated").exists()


def test_soft_delete_and_restore(rep: Any, manager: Any, make_person: Any) -> None:
    person = make_person()
    with pytest.raises(PermissionDenied):
        services.person_delete(actor=rep, person=person)
    services.person_delete(actor=manager, person=person)
    assert Person.objects.alive().count() == 0
    assert Person.objects.deleted().count() == 1
    services.person_restore(actor=manager, person=person)
    assert Person.objects.alive().count() == 1
    actions = list(AuditEntry.objects.order_by("id").values_list("action", flat=True))
    assert actions[-2:] == ["contacts.person.deleted", "contacts.person.restored"]


def test_person_cannot_link_an_invisible_organization(
    rep: Any, other_rep: Any, make_organization: Any
) -> None:
    theirs = make_organization(owner=other_rep, name="Theirs SA")
    with pytest.raises(ValidationError) as caught:
        services.person_create(
            actor=rep, data={"given_name": "Ana", "organizations": [{"organization": theirs.pk}]}
        )
    assert "organizations" in caught.value.message_dict


def test_custom_fields_are_validated_and_required(admin: Any, rep: Any) -> None:
    custom_field_create(
        actor=admin, entity="person", key="segment", label="Segment", field_type="choice",
        choices=["smb", "enterprise"], required=True,
    )  # fmt: skip
    custom_field_create(
        actor=admin, entity="person", key="score", label="Score", field_type="number"
    )
    with pytest.raises(ValidationError) as caught:
        services.person_create(actor=rep, data={"given_name": "Ana", "custom": {"score": "x"}})
    assert set(caught.value.message_dict) == {"custom.segment", "custom.score"}
    person = services.person_create(
        actor=rep, data={"given_name": "Ana", "custom": {"segment": "smb", "score": "7"}}
    )
    assert person.custom == {"segment": "smb", "score": 7}


@pytest.mark.parametrize(
    ("tax_id", "kind", "stored"),
    [
        ("11.222.333/0001-81", "cnpj", "11.222.333/0001-81"),
        ("11222333000181", "cnpj", "11.222.333/0001-81"),
        ("501964843", "nif", "501964843"),
        ("PT 501 964 843", "vat", "PT501964843"),
        ("DE136695976", "vat", "DE136695976"),
    ],
    ids=["cnpj-formatted", "cnpj-digits", "nif", "pt-vat", "de-vat"],
)
def test_organization_tax_ids_are_validated(rep: Any, tax_id: str, kind: str, stored: str) -> None:
    organization = services.organization_create(actor=rep, data={"name": "Co", "tax_id": tax_id})
    assert (organization.tax_id_kind, organization.tax_id) == (kind, stored)


@pytest.mark.parametrize("tax_id", ["11.222.333/0001-82", "501964844", "12345"])
def test_bad_tax_ids_are_refused(rep: Any, tax_id: str) -> None:
    with pytest.raises(ValidationError) as caught:
        services.organization_create(actor=rep, data={"name": "Co", "tax_id": tax_id})
    assert list(caught.value.message_dict) == ["tax_id"]


def test_organization_domains_and_website_are_normalised(rep: Any) -> None:
    organization = services.organization_create(
        actor=rep,
        data={
            "name": "Acme",
            "domains": ["https://www.Acme.com.br/about"],
            "website": "acme.com.br",
        },
    )
    assert organization.domains == ["acme.com.br"]
    assert organization.website == "https://acme.com.br"


def test_bulk_tag_assign_and_delete(
    rep: Any, manager: Any, teammate: Any, make_person: Any
) -> None:
    people = [make_person(given_name=name) for name in ("Ana", "Bia", "Caio")]
    result = services.bulk_tag(actor=rep, records=people, tag_name="Hot lead")
    assert len(result.changed) == 3
    assert all([t.name for t in p.tags.all()] == ["Hot lead"] for p in people)
    again = services.bulk_tag(actor=rep, records=people, tag_name="hot lead")
    assert again.skipped == [p.pk for p in people]
    services.bulk_assign(actor=manager, records=people[:2], owner_id=teammate.pk)
    assert Person.objects.filter(owner=teammate).count() == 2
    services.bulk_delete(actor=manager, records=people)
    assert Person.objects.alive().count() == 0
