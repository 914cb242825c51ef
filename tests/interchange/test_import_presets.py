"""Real export formats: each preset's sample file loads the people and organizations it holds,
and the preset is recognised from the file's headers alone."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from elo.contacts.models import Organization, Person
from elo.interchange import presets
from elo.interchange.readers import open_table
from elo.interchange.services import import_file

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "imports"


def load(actor: Any, name: str, entity: str, **options: Any) -> Any:
    with (FIXTURES / name).open("rb") as stream:
        return import_file(actor=actor, entity=entity, stream=stream, filename=name, **options)


def person(email: str) -> Person:
    return Person.objects.get(emails__email=email)


def summary(someone: Person) -> dict[str, Any]:
    return {
        "name": (someone.given_name, someone.family_name),
        "emails": [e.email for e in someone.emails.order_by("position")],
        "phones": [p.number for p in someone.phones.order_by("position")],
        "organization": [(j.organization.name, j.job_title) for j in someone.employments.all()],
        "address": (
            someone.street,
            someone.city,
            someone.region,
            someone.postal_code,
            someone.country,
        ),
    }


@pytest.mark.parametrize(
    ("name", "entity", "expected"),
    [
        ("google_contacts.csv", "people", "google"),
        ("outlook.csv", "people", "outlook"),
        ("salesforce_contacts.csv", "people", "salesforce"),
        ("salesforce_accounts.csv", "organizations", "salesforce"),
        ("hubspot_contacts.csv", "people", "hubspot"),
        ("hubspot_companies.csv", "organizations", "hubspot"),
        ("pipedrive_people.csv", "people", "pipedrive"),
        ("pipedrive_organizations.csv", "organizations", "pipedrive"),
        ("zoho_contacts.csv", "people", "zoho"),
        ("zoho_accounts.csv", "organizations", "zoho"),
    ],
)
def test_the_preset_is_detected_from_the_headers(name: str, entity: str, expected: str) -> None:
    with (FIXTURES / name).open("rb") as stream:
        headers = open_table(stream, name).headers
    detected = presets.detect(entity, headers)
    assert detected is not None and detected.name == expected


def test_workload_and_elo_headers_match_no_preset() -> None:
    assert presets.detect("people", ["id", "first_name", "last_name", "email", "phone"]) is None
    assert presets.detect("people", ["elo_id", "given_name", "family_name", "emails"]) is None


def test_google_contacts(admin: Any) -> None:
    run = load(admin, "google_contacts.csv", "people")
    assert (run.preset, run.created_count, run.rejected_count) == ("google", 3, 0), run.rejected
    assert summary(person("joao.goncalves@padaria-estrela.pt")) == {
        "name": ("João", "Gonçalves"),
        "emails": ["joao.goncalves@padaria-estrela.pt", "joca.goncalves@gmail.com"],
        "phones": ["+351912345678", "+351213456789"],
        "organization": [("Padaria Estrela", "Gerente")],
        "address": ("Rua Augusta 100", "Lisboa", "Lisboa", "1100-053", "PT"),
    }
    # Google puts several addresses of one label in one cell, separated by " ::: ".
    assert summary(person("ines.araujo@cafe-ribeirinha.pt"))["emails"] == [
        "ines.araujo@cafe-ribeirinha.pt",
        "ines.araujo@gmail.com",
    ]
    assert summary(person("conceicao.m@hotmail.com"))["address"] == (
        "Rua Augusta 1500", "São Paulo", "SP", "01304-001", "BR")  # fmt: skip


def test_outlook_windows_1252(admin: Any) -> None:
    run = load(admin, "outlook.csv", "people")
    assert (run.preset, run.created_count, run.rejected_count) == ("outlook", 2, 0), run.rejected
    sebastiao = person("sebastiao.patricio@metalurgica-douro.pt")
    assert summary(sebastiao) == {
        "name": ("Sebastião", "Patrício"),
        "emails": ["sebastiao.patricio@metalurgica-douro.pt", "sebastiao.p@outlook.com"],
        "phones": ["+351221234567", "+351917654321"],
        "organization": [("Metalúrgica Douro", "Diretor Comercial")],
        "address": ("Rua de Santa Catarina 45", "Porto", "", "4000-447", "PT"),
    }
    assert sorted(t.name for t in sebastiao.tags.all()) == ["Fornecedor", "VIP"]
    assert summary(person("luisa.brandao@metalurgica-douro.pt"))["organization"] == [
        ("Metalúrgica Douro", "Compradora")
    ]
    # Both people name the same company: one organization, created once.
    assert list(Organization.objects.values_list("name", flat=True)) == ["Metalúrgica Douro"]


def test_salesforce_accounts_then_contacts(admin: Any) -> None:
    accounts = load(admin, "salesforce_accounts.csv", "organizations")
    assert (accounts.created_count, accounts.rejected_count) == (2, 0), accounts.rejected
    alianca = Organization.objects.get(external_id="0015g00000XyZaBAAV")
    assert alianca.name == "Construtora Aliança"
    assert alianca.domains == ["www.alianca.com.br"] or alianca.domains == ["alianca.com.br"]
    assert alianca.addresses[0]["city"] == "Rio de Janeiro"
    assert alianca.addresses[0]["country"] == "BR"
    contacts = load(admin, "salesforce_contacts.csv", "people")
    assert (contacts.created_count, contacts.rejected_count) == (2, 0), contacts.rejected
    antonio = Person.objects.get(external_id="0035g00000AbCdEAAZ")
    assert summary(antonio) == {
        "name": ("Antônio", "Ferreira"),
        "emails": ["antonio.ferreira@alianca.com.br"],
        "phones": ["+552133334444", "+5521998765432"],
        "organization": [("Construtora Aliança", "Diretor de TI")],
        "address": ("Avenida Atlântica 1702", "Rio de Janeiro", "RJ", "22021-001", "BR"),
    }
    assert antonio.source == "Web"
    assert Organization.objects.count() == 2


def test_hubspot_companies_and_contacts(admin: Any) -> None:
    companies = load(admin, "hubspot_companies.csv", "organizations")
    assert (companies.created_count, companies.rejected_count) == (2, 0), companies.rejected
    sol = Organization.objects.get(external_id="9001")
    assert (sol.name, sol.industry, sol.size) == ("Editora Sol", "Publishing", "10-49")
    assert "editora-sol.com.br" in sol.domains
    contacts = load(admin, "hubspot_contacts.csv", "people")
    assert (contacts.created_count, contacts.rejected_count) == (2, 0), contacts.rejected
    thais = Person.objects.get(external_id="51")
    assert summary(thais)["emails"] == [
        "thais.guimaraes@editora-sol.com.br",
        "thais.g@gmail.com",
        "thais@sol.com.br",
    ]
    assert summary(thais)["organization"] == [("Editora Sol", "Editora-chefe")]
    assert thais.created_at.date().isoformat() == "2023-03-14"
    assert Organization.objects.count() == 2


def test_pipedrive_organizations_and_people(admin: Any) -> None:
    organizations = load(admin, "pipedrive_organizations.csv", "organizations")
    assert (organizations.created_count, organizations.rejected_count) == (1, 0)
    people = load(admin, "pipedrive_people.csv", "people")
    assert (people.created_count, people.rejected_count) == (2, 0), people.rejected
    assert summary(Person.objects.get(external_id="12")) == {
        "name": ("Rogério", "Simões"),
        "emails": ["rogerio.simoes@textilminho.pt", "rogerio@gmail.com"],
        "phones": ["+351253111222", "+351961222333"],
        "organization": [("Têxtil Minho", "Diretor")],
        "address": ("", "", "", "", ""),
    }
    # Only "Person - Name" filled: split into first and last name.
    assert summary(Person.objects.get(external_id="13"))["name"] == ("Fátima", "Lourenço")
    assert Organization.objects.count() == 1


def test_zoho_accounts_and_contacts(admin: Any) -> None:
    accounts = load(admin, "zoho_accounts.csv", "organizations")
    assert (accounts.created_count, accounts.rejected_count) == (1, 0), accounts.rejected
    contacts = load(admin, "zoho_contacts.csv", "people")
    assert (contacts.created_count, contacts.rejected_count) == (2, 0), contacts.rejected
    estevao = Person.objects.get(external_id="zcrm_4876876000000424001")
    assert summary(estevao) == {
        "name": ("Estêvão", "Cardoso"),
        "emails": ["estevao.cardoso@ceramica-aveiro.pt", "estevao.c@sapo.pt"],
        "phones": ["+351234100200", "+351913300400"],
        "organization": [("Cerâmica Aveiro", "Gestor de Compras")],
        "address": ("Rua Direita 12", "Aveiro", "Aveiro", "3810-001", "PT"),
    }
    assert estevao.source == "Trade Show"
    assert Organization.objects.count() == 1


@pytest.mark.parametrize(
    "name",
    ["google_contacts.csv", "outlook.csv", "hubspot_contacts.csv", "pipedrive_people.csv"],
)
def test_each_preset_file_imports_again_without_changes(admin: Any, name: str) -> None:
    first = load(admin, name, "people")
    again = load(admin, name, "people")
    assert (again.created_count, again.updated_count, again.rejected_count) == (0, 0, 0)
    assert again.unchanged_count == first.created_count


def test_an_explicit_preset_must_exist_for_the_entity(admin: Any) -> None:
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        load(admin, "google_contacts.csv", "organizations", preset="google")
    assert "preset" in error.value.message_dict
    assert Organization.objects.count() == 0
