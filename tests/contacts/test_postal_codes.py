"""Postal codes are checked against the country's format wherever they enter Elo: the person
and organization services (so the forms, the API and the importers) and leads."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from elo.contacts import services
from elo.contacts.cleaning import clean_postal_code
from elo.contacts.models import Organization, Person
from elo.interchange.services import import_text
from elo.sales import services as sales
from elo.sales.models import Lead

CEP_MESSAGE = "A Brazilian postal code (CEP) has 8 digits, like 01310-100."
PT_MESSAGE = "A Portuguese postal code has 7 digits written 0000-000, like 1250-096."

VALID = [
    # (country, typed, stored)
    ("BR", "01310-100", "01310-100"),  # Avenida Paulista, São Paulo
    ("BR", "01310100", "01310-100"),
    ("BR", " 20040 020 ", "20040-020"),  # Rio de Janeiro
    ("BR", "70.040-010", "70040-010"),  # the old dotted way of writing a CEP (Brasília)
    ("PT", "1250-096", "1250-096"),  # Lisboa
    ("PT", "4050-262", "4050-262"),  # Porto
    ("PT", "9000 018", "9000-018"),  # Funchal
    ("PT", "3000214", "3000-214"),  # Coimbra
    ("US", "10001", "10001"),
    ("US", "94105-1804", "94105-1804"),
    ("US", "941051804", "94105-1804"),
    ("CA", "k1a0b1", "K1A 0B1"),
    ("CA", "M5V 3L9", "M5V 3L9"),
    ("GB", "sw1a1aa", "SW1A 1AA"),
    ("GB", "M1 1AE", "M1 1AE"),
    ("GB", "EC1V 9AB", "EC1V 9AB"),
    ("GB", "b33 8th", "B33 8TH"),
    ("DE", "10115", "10115"),
    ("FR", "75008", "75008"),
    ("ES", "28013", "28013"),
    ("IT", "00184", "00184"),
    ("NL", "1012ab", "1012 AB"),
    ("NL", "1012 AB", "1012 AB"),
    ("BE", "1000", "1000"),
    ("AR", "1425", "1425"),
    ("AR", "c1425abc", "C1425ABC"),
    ("MX", "06600", "06600"),
    ("JP", "100-0001", "100-0001"),  # other countries: letters, digits, spaces, hyphens
    ("", "A-1 2", "A-1 2"),
    ("BR", "", ""),
    ("", "", ""),
]
INVALID = [
    ("BR", "0131010", CEP_MESSAGE),
    ("BR", "01310-1000", CEP_MESSAGE),
    ("BR", "CEP 01310", CEP_MESSAGE),
    ("PT", "1250", PT_MESSAGE),
    ("PT", "1250-96", PT_MESSAGE),
    ("PT", "12500-96", PT_MESSAGE),
    ("US", "1234", "A US ZIP code has 5 digits, or 5 and 4 (ZIP+4), like 10001 or 10001-1234."),
    ("CA", "D1A 0B1", "A Canadian postal code looks like K1A 0B1."),
    ("GB", "SW1A", "A UK postcode looks like SW1A 1AA or M1 1AE."),
    ("GB", "QQ1 1AA", "A UK postcode looks like SW1A 1AA or M1 1AE."),
    ("DE", "1011", "A German postal code (PLZ) has 5 digits, like 10115."),
    ("FR", "7500A", "A French postal code has 5 digits, like 75008."),
    ("ES", "53001", "A Spanish postal code has 5 digits starting 01 to 52, like 28013."),
    ("IT", "001840", "An Italian postal code (CAP) has 5 digits, like 00184."),
    ("NL", "0123 AB", "A Dutch postal code has 4 digits and 2 letters, like 1012 AB."),
    ("BE", "100", "A Belgian postal code has 4 digits, like 1000."),
    (
        "AR",
        "C1425AB",
        "An Argentine postal code has 4 digits, like 1425, or is a CPA like C1425ABC.",
    ),
    ("MX", "0660", "A Mexican postal code has 5 digits, like 06600."),
    ("JP", "100-0001-2345", "A postal code has at most 10 letters, digits, spaces or hyphens."),
    ("", "12_34", "A postal code has at most 10 letters, digits, spaces or hyphens."),
]


@pytest.mark.parametrize(
    ("country", "typed", "stored"), VALID, ids=[f"{c or 'none'}-{t}" for c, t, _s in VALID]
)
def test_valid_postal_codes_are_normalised(country: str, typed: str, stored: str) -> None:
    assert clean_postal_code(typed, country) == stored


@pytest.mark.parametrize(
    ("country", "typed", "message"), INVALID, ids=[f"{c or 'none'}-{t}" for c, t, _m in INVALID]
)
def test_invalid_postal_codes_are_refused_naming_the_format(
    country: str, typed: str, message: str
) -> None:
    with pytest.raises(ValidationError) as raised:
        clean_postal_code(typed, country)
    assert raised.value.messages == [message]
    assert raised.value.code == "invalid_postal_code"


@pytest.mark.django_db
def test_person_create_stores_the_normalised_cep(make_person: Any) -> None:
    person = make_person(country="br", postal_code="01310100")
    person.refresh_from_db()
    assert (person.country, person.postal_code) == ("BR", "01310-100")


@pytest.mark.django_db
def test_person_update_checks_the_code_against_a_new_country(make_person: Any, rep: Any) -> None:
    person = make_person(country="PT", postal_code="1250-096")
    with pytest.raises(ValidationError) as raised:
        services.person_update(actor=rep, person=person, data={"country": "BR"})
    assert raised.value.message_dict == {"postal_code": [CEP_MESSAGE]}
    person.refresh_from_db()
    assert (person.country, person.postal_code, person.version) == ("PT", "1250-096", 1)


@pytest.mark.django_db
def test_person_form_shows_the_bad_cep_on_its_field_and_saves_nothing(web: Any, rep: Any) -> None:
    form = {
        "given_name": "João",
        "family_name": "Souza",
        "emails": "joao@example.com.br",
        "phones": "",
        "lifecycle_stage": "lead",
        "owner": "",
        "tags": "",
        "street": "Avenida Paulista, 1578",
        "city": "São Paulo",
        "region": "SP",
        "postal_code": "0131-0100",
        "country": "BR",
        "preferred_language": "",
        "source": "",
        "external_id": "",
        "organization_0": "",
        "job_title_0": "",
    }
    response = web(rep).post("/people/new/", form)
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(
        r'data-field-error="postal_code">A Brazilian postal code \(CEP\) has 8 digits', html
    )
    assert Person.objects.count() == 0


@pytest.mark.django_db
def test_organization_form_shows_a_bad_address_code_on_that_address(web: Any, rep: Any) -> None:
    form = {
        "name": "Padaria Lisboa Lda",
        "domains": "",
        "website": "",
        "industry": "",
        "size": "",
        "tax_id": "",
        "phones": "",
        "owner": "",
        "tags": "",
        "external_id": "",
        "address_0_label": "Sede",
        "address_0_street": "Rua Augusta, 100",
        "address_0_city": "Lisboa",
        "address_0_region": "",
        "address_0_postal_code": "1100",
        "address_0_country": "PT",
    }
    response = web(rep).post("/organizations/new/", form)
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'data-field-error="address_0_postal_code">A Portuguese postal code', html)
    assert Organization.objects.count() == 0
    form["address_0_postal_code"] = "1100053"
    assert web(rep).post("/organizations/new/", form).status_code == 302
    assert Organization.objects.get().addresses[0]["postal_code"] == "1100-053"


@pytest.mark.django_db
def test_api_refuses_a_bad_cep_as_a_problem_with_the_field(api: Any, rep: Any) -> None:
    response = api(rep).post(
        "/api/v1/people",
        {"given_name": "Ana", "country": "BR", "postal_code": "1234", "emails": ["ana@ex.com"]},
    )
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    errors = response.json()["errors"]
    assert [(error["field"], error["message"]) for error in errors] == [
        ("postal_code", CEP_MESSAGE)
    ]
    assert not Person.objects.exists()


@pytest.mark.django_db
def test_api_organization_address_error_names_the_address(api: Any, rep: Any) -> None:
    response = api(rep).post(
        "/api/v1/organizations",
        {
            "name": "Acme",
            "addresses": [
                {"city": "Porto", "postal_code": "4050-262", "country": "PT"},
                {"city": "São Paulo", "postal_code": "013101", "country": "BR"},
            ],
        },
    )
    assert response.status_code == 422
    errors = response.json()["errors"]
    assert [(error["field"], error["message"]) for error in errors] == [
        ("addresses.1.postal_code", CEP_MESSAGE)
    ]


@pytest.mark.django_db
def test_lead_capture_and_update_check_the_postal_code(rep: Any) -> None:
    with pytest.raises(ValidationError) as raised:
        sales.lead_create(
            actor=rep, data={"company": "Padaria", "country": "PT", "postal_code": "12345"}
        )
    assert raised.value.message_dict == {"postal_code": [PT_MESSAGE]}
    assert not Lead.objects.exists()
    lead = sales.lead_create(
        actor=rep, data={"company": "Padaria", "country": "BR", "postal_code": "30130 010"}
    )
    assert lead.postal_code == "30130-010"
    with pytest.raises(ValidationError) as raised:
        sales.lead_update(actor=rep, lead=lead, data={"postal_code": "3013"})
    assert raised.value.message_dict == {"postal_code": [CEP_MESSAGE]}
    lead.refresh_from_db()
    assert lead.postal_code == "30130-010"


@pytest.mark.django_db
def test_import_reports_the_row_with_the_bad_cep_and_its_message(admin: Any) -> None:
    text = (
        "first_name,last_name,email,postal_code,country\n"
        "Ana,Lima,ana@example.com.br,01310-100,BR\n"
        "Bia,Reis,bia@example.com.br,0131,BR\n"
        "Rui,Costa,rui@example.pt,4050262,PT\n"
    )
    run = import_text(actor=admin, entity="people", text=text, skip_invalid=True)
    assert (run.created_count, run.rejected_count) == (2, 1)
    assert [(item["line"], item["errors"]) for item in run.rejected] == [
        (3, {"postal_code": [CEP_MESSAGE]})
    ]
    assert dict(Person.objects.values_list("given_name", "postal_code")) == {
        "Ana": "01310-100",
        "Rui": "4050-262",
    }


@pytest.mark.django_db
def test_a_code_saved_before_the_checks_does_not_block_other_edits(rep: Any) -> None:
    person = services.person_create(actor=rep, data={"given_name": "Rui", "country": "PT"})
    Person.objects.filter(pk=person.pk).update(postal_code="12345")  # stored before the checks
    person.refresh_from_db()
    edited = services.person_update(
        actor=rep,
        person=person,
        data={"given_name": "Rui Pedro", "country": "PT", "postal_code": "12345"},
    )
    assert (edited.given_name, edited.postal_code) == ("Rui Pedro", "12345")
    with pytest.raises(ValidationError) as raised:
        services.person_update(actor=rep, person=edited, data={"postal_code": "123456"})
    assert raised.value.message_dict == {"postal_code": [PT_MESSAGE]}
    with pytest.raises(ValidationError):  # a new country checks the old code against it
        services.person_update(actor=rep, person=edited, data={"country": "BR"})
