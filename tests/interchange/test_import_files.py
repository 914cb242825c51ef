"""The import pipeline: XLSX and spreadsheet CSV dialects, column mappings, dry runs, upsert
keys and the error report."""

from __future__ import annotations

import csv
import datetime
import io
from typing import Any

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError

from elo.contacts.models import Organization, Person
from elo.interchange import mapping
from elo.interchange.models import ImportRun, ImportUpload
from elo.interchange.selectors import error_report_rows
from elo.interchange.services import import_file, import_text

pytestmark = pytest.mark.django_db

PEOPLE = [
    ["id", "first_name", "last_name", "email", "phone", "postal_code", "country", "created_at"],
    ["1", "Ana", "Gonçalves", "ana@ex.pt", "+351912345678", "1100-053", "PT", "2021-03-04"],
    ["2", "Bruno", "Simões", "bruno@ex.pt", "", "", "PT", "2022-12-31"],
    ["3", "Cecília", "", "cecilia@ex.com.br", "+5511987654321", "01304-001", "BR", ""],
]


def as_csv(rows: list[list[str]], delimiter: str = ",") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def as_xlsx(rows: list[list[Any]]) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    workbook.create_sheet("Other").append(["ignored"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def load(actor: Any, data: bytes, filename: str, entity: str = "people", **options: Any) -> Any:
    return import_file(
        actor=actor, entity=entity, stream=io.BytesIO(data), filename=filename, **options
    )


def people() -> list[tuple[Any, ...]]:
    return sorted(
        Person.objects.values_list(
            "external_id", "given_name", "family_name", "postal_code", "country", "created_at"
        )
    )


def table_counts() -> dict[str, int]:
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model not in (ImportRun, ImportUpload) and model._meta.managed
    }


def test_xlsx_loads_the_same_records_as_the_csv(admin: Any) -> None:
    typed = [
        PEOPLE[0],
        # Numbers typed into a sheet come back as floats, dates as datetimes.
        [1.0, "Ana", "Gonçalves", "ana@ex.pt", "+351912345678", "1100-053", "PT",
         datetime.datetime(2021, 3, 4)],
        [2, "Bruno", "Simões", "bruno@ex.pt", None, None, "PT", datetime.date(2022, 12, 31)],
        [3, "Cecília", None, "cecilia@ex.com.br", 5511987654321, "01304-001", "BR", None],
        [None] * 8,
    ]  # fmt: skip
    typed[3][4] = "+5511987654321"
    run = load(admin, as_xlsx(typed), "people.xlsx")
    assert (run.total_rows, run.created_count, run.rejected_count) == (3, 3, 0), run.rejected
    from_xlsx = people()
    assert from_xlsx[0][:5] == ("1", "Ana", "Gonçalves", "1100-053", "PT")
    assert from_xlsx[1][5].date() == datetime.date(2022, 12, 31)
    again = load(admin, as_csv(PEOPLE).encode(), "people.csv")
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 3)
    assert people() == from_xlsx


def test_xlsx_cells_read_like_csv_text() -> None:
    from elo.interchange.readers import cell_text

    assert cell_text(None) == ""
    assert cell_text(42.0) == "42"
    assert cell_text(2.5) == "2.5"
    assert cell_text(datetime.datetime(2024, 1, 2)) == "2024-01-02"
    assert cell_text(datetime.datetime(2024, 1, 2, 9, 30)) == "2024-01-02T09:30:00"
    assert cell_text(datetime.date(2024, 1, 2)) == "2024-01-02"
    assert cell_text(True) == "true"


def test_semicolon_and_windows_1252_csv_from_excel(admin: Any) -> None:
    data = as_csv(PEOPLE, delimiter=";").encode("cp1252")
    run = load(admin, data, "pessoas.csv")
    assert (run.created_count, run.rejected_count) == (3, 0), run.rejected
    assert Person.objects.get(external_id="2").family_name == "Simões"


def test_utf8_with_bom_and_tabs(admin: Any) -> None:
    data = "\ufeff".encode() + as_csv(PEOPLE, delimiter="\t").encode()
    run = load(admin, data, "people.tsv")
    assert (run.created_count, run.rejected_count) == (3, 0)
    assert Person.objects.get(external_id="1").family_name == "Gonçalves"


@pytest.mark.parametrize(
    ("data", "filename"),
    [
        (b"PK\x03\x04 not really a workbook", "people.xlsx"),
        (b"\x00\x01\x02\x03binary", "people.csv"),
        (b"", "people.csv"),
    ],
    ids=["broken-xlsx", "binary", "empty"],
)
def test_a_file_that_cannot_be_read_is_a_clear_error(
    admin: Any, data: bytes, filename: str
) -> None:
    with pytest.raises(ValidationError) as error:
        load(admin, data, filename)
    assert list(error.value.message_dict) == ["file"]
    assert ImportRun.objects.count() == 0 and Person.objects.count() == 0


def test_one_apostrophe_before_a_formula_sign_is_removed() -> None:
    assert mapping.unquote("'=SUM(A1)") == "=SUM(A1)"
    assert mapping.unquote("'+351 912 345 678") == "+351 912 345 678"
    assert mapping.unquote("'-5") == "-5"
    assert mapping.unquote("'@home") == "@home"
    assert mapping.unquote("''=x") == "''=x"
    assert mapping.unquote("'tis") == "'tis"
    assert mapping.unquote("'") == "'"


def test_an_escaped_export_imports_back_unchanged(admin: Any, make_person: Any) -> None:
    from elo.contacts.filters import RecordFilter
    from elo.interchange.exports import export_rows

    make_person(given_name="=Ana", family_name="@Lima", emails=["ana@ex.com"], phones=["+5511988887777"])  # fmt: skip
    rows = list(export_rows(actor=admin, entity="people", filters=RecordFilter()))
    escaped = [[f"'{cell}" if cell and cell[0] in "=+-@" else cell for cell in row] for row in rows]
    assert "'=Ana" in escaped[1] and "'+5511988887777" in escaped[1]
    run = import_text(actor=admin, entity="people", text=as_csv(escaped))
    assert (run.unchanged_count, run.updated_count, run.rejected_count) == (1, 0, 0), run.rejected
    person = Person.objects.get()
    assert (person.given_name, person.family_name, person.primary_phone) == (
        "=Ana", "@Lima", "+5511988887777")  # fmt: skip


def test_dry_run_changes_nothing_and_counts_like_the_real_run(admin: Any) -> None:
    import_text(actor=admin, entity="people", text=as_csv(PEOPLE[:2]))
    changed = [row[:] for row in PEOPLE] + [["4", "Dora", "", "not-an-email", "", "", "", ""]]
    changed[1][2] = "Gonçalves Lima"
    text = as_csv(changed)
    before, people_before = table_counts(), people()
    dry = import_text(actor=admin, entity="people", text=text, dry_run=True, skip_invalid=True)
    assert table_counts() == before and people() == people_before
    assert dry.dry_run and dry.pk
    real = import_text(actor=admin, entity="people", text=text, skip_invalid=True)
    counts = ("created_count", "updated_count", "unchanged_count", "rejected_count")
    assert [getattr(dry, c) for c in counts] == [getattr(real, c) for c in counts] == [2, 1, 0, 1]
    assert dry.rejected == real.rejected
    assert Person.objects.get(external_id="1").family_name == "Gonçalves Lima"


def test_dry_run_of_organizations_created_by_name_leaves_none(admin: Any) -> None:
    text = "first_name,email,company\nAna,ana@ex.pt,Padaria Estrela\n"
    run = import_text(
        actor=admin, entity="people", text=text, dry_run=True, columns=["given_name", "emails", "organization_name"]
    )  # fmt: skip
    assert run.created_count == 1
    assert Organization.objects.count() == 0 and Person.objects.count() == 0


def test_a_rejected_batch_leaves_no_organization_created_for_it(admin: Any) -> None:
    text = "first_name,email,company\nAna,ana@ex.pt,Padaria Estrela\nBia,nope,Padaria Estrela\n"
    columns = {"company": "organization_name"}
    run = import_text(actor=admin, entity="people", text=text, columns={**columns, "first_name": "given_name", "email": "emails"})  # fmt: skip
    assert (run.created_count, run.rejected_count) == (0, 1)
    assert Organization.objects.count() == 0


def test_rerunning_an_xlsx_file_changes_nothing(admin: Any) -> None:
    data = as_xlsx([list(row) for row in PEOPLE])
    load(admin, data, "people.xlsx")
    state = people()
    again = load(admin, data, "people.xlsx")
    assert (again.created_count, again.updated_count, again.unchanged_count) == (0, 0, 3)
    assert people() == state


def test_mapping_loads_columns_into_the_chosen_fields(admin: Any) -> None:
    text = "Nome,Apelido,Correio,Outro correio,Notas\nAna,Lima,ana@ex.pt,ana@gmail.com,segredo\n"
    run = import_text(
        actor=admin,
        entity="people",
        text=text,
        columns={"Nome": "given_name", "Apelido": "family_name", "Correio": "emails",
                 "Outro correio": "emails", "Notas": ""},
    )  # fmt: skip
    assert run.rejected_count == 0
    assert run.mapping == [
        ["Nome", "given_name"], ["Apelido", "family_name"], ["Correio", "emails"],
        ["Outro correio", "emails"], ["Notas", ""],
    ]  # fmt: skip
    person = Person.objects.get()
    assert (person.given_name, person.family_name) == ("Ana", "Lima")
    assert [e.email for e in person.emails.order_by("position")] == ["ana@ex.pt", "ana@gmail.com"]


@pytest.mark.parametrize(
    ("columns", "key"),
    [
        ({"Nome": "given_name", "Apelido": "given_name"}, "mapping.Apelido"),
        ({"Nome": "favourite_colour"}, "mapping.Nome"),
        ({"Sobrenome": "family_name"}, "mapping"),
    ],
    ids=["two-columns-one-field", "unknown-field", "unknown-column"],
)
def test_a_mapping_that_would_lose_data_is_refused(
    admin: Any, columns: dict[str, str], key: str
) -> None:
    text = "Nome,Apelido\nAna,Lima\n"
    with pytest.raises(ValidationError) as error:
        import_text(actor=admin, entity="people", text=text, columns=columns)
    assert list(error.value.message_dict) == [key]
    assert Person.objects.count() == 0 and ImportRun.objects.count() == 0


@pytest.mark.parametrize(
    ("upsert_by", "expected"),
    [
        ("external_id", [("A1", "Ana", "ana@ex.pt"), ("B2", "Ana Maria", "ana@ex.pt")]),
        ("email", [("A1", "Ana Maria", "ana@ex.pt"), ("B2", "Bia", "bia@ex.pt")]),
    ],
)
def test_the_upsert_key_decides_which_person_a_row_updates(
    admin: Any, upsert_by: str, expected: list[tuple[str, str, str]]
) -> None:
    import_text(actor=admin, entity="people", text="id,first_name,email\nA1,Ana,ana@ex.pt\nB2,Bia,bia@ex.pt\n")  # fmt: skip
    # The file's id names Bia; its email is Ana's.
    text = "id,first_name,email\nB2,Ana Maria,ana@ex.pt\n"
    run = import_text(actor=admin, entity="people", text=text, upsert_by=upsert_by)
    assert (run.updated_count, run.rejected_count, run.upsert_by) == (1, 0, upsert_by)
    assert (
        sorted(Person.objects.values_list("external_id", "given_name", "emails__email")) == expected
    )


def test_upsert_by_email_is_for_people_only(admin: Any) -> None:
    with pytest.raises(ValidationError) as error:
        import_text(actor=admin, entity="organizations", text="name\nAcme\n", upsert_by="email")
    assert list(error.value.message_dict) == ["upsert_by"]


def test_error_report_lists_each_rejected_row_with_reasons_and_values(admin: Any) -> None:
    text = (
        "first_name,email,phone,notes\n"
        "Ana,ana@ex.pt,,ok\n"
        'Bia,not-an-email,,=HYPERLINK("http://evil")\n'
        "Caio,caio@ex.pt,123,-2+3\n"
    )
    run = import_text(actor=admin, entity="people", text=text, skip_invalid=True)
    assert (run.created_count, run.rejected_count) == (1, 2)
    report = list(error_report_rows(run))
    assert report[0] == ["row", "errors", "first_name", "email", "phone", "notes"]
    assert report[1][0] == "3" and report[1][1].startswith("emails: ")
    assert report[1][2:] == ["Bia", "not-an-email", "", '\'=HYPERLINK("http://evil")']
    assert report[2][0] == "4" and report[2][1].startswith("phones: ")
    assert report[2][2:] == ["Caio", "caio@ex.pt", "123", "'-2+3"]
    assert len(report) == 3


def test_uploads_are_purged_after_a_day(admin: Any) -> None:
    import time_machine

    from elo.interchange.services import upload_create, uploads_purge

    with time_machine.travel(datetime.datetime(2026, 1, 1, 12, tzinfo=datetime.UTC)):
        upload_create(actor=admin, entity="people", data=as_csv(PEOPLE).encode(), filename="a.csv")
    with time_machine.travel(datetime.datetime(2026, 1, 2, 11, tzinfo=datetime.UTC)):
        assert uploads_purge() == 0
    with time_machine.travel(datetime.datetime(2026, 1, 2, 13, tzinfo=datetime.UTC)):
        upload_create(actor=admin, entity="people", data=as_csv(PEOPLE).encode(), filename="b.csv")
    assert list(ImportUpload.objects.values_list("filename", flat=True)) == ["b.csv"]
