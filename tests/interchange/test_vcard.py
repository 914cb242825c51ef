"""vCard import (real files from other tools) and export (vCard 4.0), through the importer."""

from __future__ import annotations

import io
import json
from pathlib import Path
from typing import Any

import pytest
import vobject
from django.core.management import call_command

from elo.contacts.models import Person
from elo.interchange.services import import_vcard
from elo.interchange.vcard import people_rows_from_vcards

pytestmark = pytest.mark.django_db

FIXTURES = Path("/work/shared/fixtures/vcard/ez-vcard")
EXPECTED = json.loads((FIXTURES / "expected_fn_from_ez-vcard_tests.json").read_text())["files"]
VCF_FILES = sorted(path.name for path in FIXTURES.glob("*.vcf"))
# Real cards with a value Elo refuses, and the fields the rejection names: Lotus Notes wrote
# "NYC887" as the ZIP code of a U.S.A. address.
REFUSED = {"John_Doe_LOTUS_NOTES.vcf": {"postal_code"}}


@pytest.mark.parametrize("name", VCF_FILES)
def test_real_files_import_every_card_as_a_person(admin: Any, name: str) -> None:
    data = (FIXTURES / name).read_bytes()
    rows = people_rows_from_vcards(data)
    expected = EXPECTED.get(name, {})
    if expected.get("n_next_calls"):
        assert len(rows) == expected["n_next_calls"]
    run = import_vcard(actor=admin, data=data, filename=name, skip_invalid=True)
    if name in REFUSED:
        assert [set(item["errors"]) for item in run.rejected] == [REFUSED[name]]
        assert not Person.objects.exists()
        return
    assert run.rejected_count == 0, run.rejected
    assert run.created_count == len(rows)
    people = list(Person.objects.order_by("pk"))
    assert len(people) == len(rows)
    for fn, person in zip(expected.get("FN_values_asserted", []), people, strict=False):
        # The formatted name the other tool wrote is made of the imported given/family names.
        for part in (person.given_name, person.family_name):
            assert part.split()[0].strip(",").lower() in fn.lower()
    for row, person in zip(rows, people, strict=True):
        if row.get("emails"):
            assert person.primary_email == row["emails"].split(",")[0].strip().lower()
        if row.get("phones"):
            assert person.primary_phone.startswith("+")


QP_CARD = (
    "BEGIN:VCARD\r\n"
    "VERSION:2.1\r\n"
    "N;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Concei=C3=A7=C3=A3o;Jo=C3=A3o;;;\r\n"
    "FN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:Jo=C3=A3o Concei=C3=A7=C3=A3o\r\n"
    "EMAIL;PREF;INTERNET:joao@example.pt\r\n"
    "EMAIL;WORK:joao.trabalho@example.pt\r\n"
    "TEL;CELL:+351 912 345 678\r\n"
    "ORG:Padaria São Jorge\r\n"
    "TITLE:Gerente\r\n"
    "ADR;HOME:;;Rua das Flores 12;Porto;;4050-262;Portugal\r\n"
    "UID:joao-1\r\n"
    "END:VCARD\r\n"
)


def test_quoted_printable_portuguese_name_survives(admin: Any) -> None:
    run = import_vcard(actor=admin, data=QP_CARD.encode("utf-8"), filename="joao.vcf")
    assert (run.created_count, run.rejected_count) == (1, 0)
    person = Person.objects.get()
    assert (person.given_name, person.family_name) == ("João", "Conceição")
    assert [e.email for e in person.emails.order_by("position")] == [
        "joao@example.pt",
        "joao.trabalho@example.pt",
    ]
    assert person.primary_phone == "+351912345678"
    assert (person.city, person.postal_code, person.country) == ("Porto", "4050-262", "PT")
    assert person.external_id == "joao-1"
    job = person.employments.select_related("organization").get()
    assert (job.organization.name, job.job_title) == ("Padaria São Jorge", "Gerente")


def test_pref_email_becomes_primary_in_vcard_4(admin: Any) -> None:
    card = (
        "BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Rita Lobo\r\nN:Lobo;Rita;;;\r\n"
        "EMAIL;TYPE=work;PREF=2:rita@work.example\r\n"
        "EMAIL;TYPE=home;PREF=1:rita@home.example\r\n"
        "TEL;VALUE=uri;TYPE=cell:tel:+55-11-91234-5678\r\nEND:VCARD\r\n"
    )
    assert import_vcard(actor=admin, data=card).created_count == 1
    person = Person.objects.get()
    assert person.primary_email == "rita@home.example"
    assert person.primary_phone == "+5511912345678"


def test_reimporting_the_same_file_changes_nothing(admin: Any) -> None:
    data = (FIXTURES / "gmail-list.vcf").read_bytes()
    first = import_vcard(actor=admin, data=data, skip_invalid=True)
    again = import_vcard(actor=admin, data=data, skip_invalid=True)
    assert again.created_count == 0
    assert again.updated_count == 0
    assert again.unchanged_count == first.created_count
    assert Person.objects.count() == first.created_count
    data = QP_CARD.encode()
    import_vcard(actor=admin, data=data)
    again = import_vcard(actor=admin, data=data)
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 1)


def test_bad_rows_are_reported_per_card(admin: Any) -> None:
    card = "BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Bad Mail\r\nEMAIL:bad@@example..com\r\nEND:VCARD\r\n"
    run = import_vcard(actor=admin, data=card)
    assert run.rejected_count == 1
    assert run.rejected[0]["line"] == 1
    assert "emails" in run.rejected[0]["errors"]


def test_api_page_and_cli_take_vcf_files(api: Any, admin: Any, web: Any, tmp_path: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    token_client = api(admin)
    response = token_client.client.post(
        "/api/v1/imports",
        {"entity": "people", "file": SimpleUploadedFile("joao.vcf", QP_CARD.encode())},
        headers=token_client.headers,
    )
    assert response.status_code == 201
    assert response.json()["created_count"] == 1
    wrong = token_client.client.post(
        "/api/v1/imports",
        {"entity": "deals", "file": SimpleUploadedFile("joao.vcf", QP_CARD.encode())},
        headers=token_client.headers,
    )
    assert wrong.status_code == 422
    page = web(admin).post(
        "/import/",
        {
            "entity": "people",
            "file": SimpleUploadedFile(
                "list", (FIXTURES / "gmail-list.vcf").read_bytes(), content_type="text/vcard"
            ),
        },
    )
    assert page.status_code == 302  # to the mapping page, where a vCard has no columns
    done = web(admin).post(page["Location"], {"upsert_by": "external_id", "import": "1"})
    assert done.status_code == 302
    assert Person.objects.count() == 4
    path = tmp_path / "rfc.vcf"
    path.write_bytes((FIXTURES / "rfc6350-example.vcf").read_bytes())
    out = io.StringIO()
    call_command("import_file", str(path), entity="people", stdout=out)
    assert "1 created" in out.getvalue()


# --- export -------------------------------------------------------------------------------


def _people(actor: Any) -> Any:
    from elo.contacts.filters import RecordFilter
    from elo.contacts.selectors import people_for_list

    return people_for_list(actor, RecordFilter())


def _snapshot() -> list[tuple[Any, ...]]:
    return sorted(
        (
            person.given_name,
            person.family_name,
            tuple(e.email for e in person.emails.order_by("position", "id")),
            tuple(p.number for p in person.phones.order_by("position", "id")),
            tuple(j.organization.name for j in person.employments.all()),
            tuple(j.job_title for j in person.employments.all()),
            (person.street, person.city, person.postal_code, person.country),
        )
        for person in Person.objects.all()
    )


def test_export_is_vcard_4_and_round_trips_through_import(
    admin: Any, make_person: Any, make_organization: Any
) -> None:
    from django.db import transaction

    from elo.contacts.models import Employment, Organization, PersonEmail, PersonPhone
    from elo.interchange.vcard import people_to_vcards

    padaria = make_organization(owner=admin, name="Padaria São Jorge, Lda; Porto")
    make_person(
        owner=admin,
        given_name="João",
        family_name="Conceição",
        emails=["joao@example.pt", "joao.trabalho@example.pt"],
        phones=["+351912345678"],
        organizations=[{"organization": padaria.pk, "job_title": "Gerente"}],
        street="Rua das Flores 12",
        city="Porto",
        postal_code="4050-262",
        country="PT",
    )
    make_person(owner=admin, given_name="Ana", family_name="Lima", emails=["ana@example.com"])
    text = people_to_vcards(_people(admin))
    assert text.count("BEGIN:VCARD") == 2
    assert "VERSION:4.0" in text
    assert "TEL;PREF=1;VALUE=uri:tel:+351912345678" in text.replace(
        "TEL;VALUE=uri;PREF=1", "TEL;PREF=1;VALUE=uri"
    )
    assert "EMAIL;PREF=1:joao@example.pt" in text
    assert "UID:urn:uuid:" in text
    assert "REV:" in text
    assert people_to_vcards(_people(admin)) == text  # stable UIDs and output
    before = _snapshot()
    with transaction.atomic():
        # A fresh database: nobody and no organization left.
        Employment.objects.all().delete()
        PersonEmail.objects.all().delete()
        PersonPhone.objects.all().delete()
        Person.objects.all().delete()
        Organization.objects.all().delete()
    run = import_vcard(actor=admin, data=text.encode())
    assert (run.created_count, run.rejected_count) == (2, 0)
    assert _snapshot() == before
    again = import_vcard(actor=admin, data=text.encode())
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 2)
    assert Organization.objects.count() == 1


def test_export_honours_visibility(
    rep: Any, other_rep: Any, manager: Any, web: Any, make_person: Any
) -> None:
    make_person(owner=rep, given_name="Mine", emails=["mine@example.com"])
    make_person(owner=other_rep, given_name="Theirs", emails=["theirs@example.com"])
    body = b"".join(web(manager).get("/export/people.vcf").streaming_content).decode()
    assert "Mine" in body
    assert "Theirs" not in body
    from elo.interchange.vcard import people_to_vcards

    assert "Mine" not in people_to_vcards(_people(other_rep))


def test_export_cannot_be_injected_through_a_name(admin: Any, make_person: Any) -> None:
    from elo.interchange.vcard import people_to_vcards

    make_person(
        owner=admin,
        given_name="Eve\r\nEMAIL:attacker@evil.example\r\nEND:VCARD\r\nBEGIN:VCARD",
        family_name="Smith;X-EVIL:1\nNOTE:hi",
        emails=["eve@example.com"],
    )
    text = people_to_vcards(_people(admin))
    cards = list(vobject.readComponents(text))
    assert len(cards) == 1
    assert [line.value for line in cards[0].contents["email"]] == ["eve@example.com"]
    assert "x-evil" not in cards[0].contents
    assert "note" not in cards[0].contents
    for line in text.splitlines():
        assert not line.startswith(("END:VCARD", "BEGIN:VCARD")) or line in {
            "END:VCARD",
            "BEGIN:VCARD",
        }


def test_cli_export_vcf(admin: Any, make_person: Any, tmp_path: Any) -> None:
    make_person(owner=admin, given_name="Rita", emails=["rita@example.com"])
    out = io.StringIO()
    call_command("export_file", entity="people", format="vcf", stdout=out)
    assert "EMAIL;PREF=1:rita@example.com" in out.getvalue()
    path = tmp_path / "people.vcf"
    call_command("export_file", entity="people", format="vcf", output=str(path))
    # Back into the same database: matched by email, the card's UID becomes the external id
    # once; after that the file changes nothing.
    first = import_vcard(actor=admin, data=path.read_bytes())
    assert (first.created_count, first.updated_count) == (0, 1)
    again = import_vcard(actor=admin, data=path.read_bytes())
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 1)
    assert Person.objects.count() == 1


def test_bday_lands_in_a_birthday_custom_field_only_when_one_exists(admin: Any) -> None:
    from elo.core.models import CustomField

    card = (FIXTURES / "John_Doe_IPHONE.vcf").read_bytes()
    assert all(not key.startswith("cf_") for row in people_rows_from_vcards(card) for key in row)
    CustomField.objects.create(entity="person", key="birthday", label="Birthday", field_type="date")
    rows = people_rows_from_vcards(card)
    assert rows[0]["cf_birthday"] == "2012-06-06"
    import_vcard(actor=admin, data=card)
    assert Person.objects.get().custom["birthday"] == "2012-06-06"


def test_the_people_list_offers_the_vcard_export_to_those_who_may_export(
    web: Any, manager: Any, rep: Any
) -> None:
    assert "/export/people.vcf" in web(manager).get("/people/?q=ana").content.decode()
    assert "/export/people.vcf" not in web(rep).get("/people/").content.decode()
