"""The import screens, API and CLI: the same pipeline behind each, permissions, and query
counts that stay flat as runs and rows grow."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from elo.contacts.models import Organization, Person
from elo.interchange.models import ImportRun, ImportUpload
from elo.interchange.services import import_text

pytestmark = pytest.mark.django_db

GOOGLE = (
    "First Name,Last Name,E-mail 1 - Label,E-mail 1 - Value,Phone 1 - Value,Organization Name,"
    "Notes\n"
    "João,Gonçalves,Work,joao@padaria.pt,+351 912 345 678,Padaria Estrela,cliente\n"
    "Inês,Araújo,Work,nope,,Padaria Estrela,\n"
    "Rui,Sá,Work,rui@padaria.pt,,,=1+2\n"
)


def upload(name: str = "contacts.csv", text: str = GOOGLE) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


# --- web ----------------------------------------------------------------------------------


def test_upload_then_mapping_page_lists_columns_samples_and_suggestions(
    admin: Any, web: Any
) -> None:
    client = web(admin)
    response = client.post("/import/", {"entity": "people", "file": upload(), "preset": ""})
    assert response.status_code == 302
    page = client.get(response["Location"])
    body = page.content.decode()
    assert page.status_code == 200
    assert "detected as" in body and "google" in body
    form = page.context["form"]
    assert [form[f"column_{i}"].initial for i in range(7)] == [
        "given_name", "family_name", "", "emails", "phones", "organization_name", ""]  # fmt: skip
    assert page.context["columns"][3][1] == ["joao@padaria.pt", "nope", "rui@padaria.pt"]
    assert Person.objects.count() == 0


def mapping_post(**overrides: str) -> dict[str, str]:
    data = {
        "column_0": "given_name",
        "column_1": "family_name",
        "column_2": "",
        "column_3": "emails",
        "column_4": "phones",
        "column_5": "organization_name",
        "column_6": "",
        "upsert_by": "external_id",
        "skip_invalid": "on",
    }
    return {**data, **overrides}


def test_dry_run_then_import_from_the_mapping_page(admin: Any, web: Any) -> None:
    client = web(admin)
    location = client.post("/import/", {"entity": "people", "file": upload()})["Location"]
    dry = client.post(location, {**mapping_post(), "dry_run": "1"})
    assert dry.status_code == 200
    assert dry.context["run"].dry_run
    body = dry.content.decode()
    assert 'data-count="created">2<' in body and 'data-count="rejected">1<' in body
    assert Person.objects.count() == 0 and Organization.objects.count() == 0
    done = client.post(location, {**mapping_post(), "import": "1"})
    assert done.status_code == 302
    run = ImportRun.objects.get(dry_run=False)
    assert done["Location"] == f"/import/runs/{run.pk}/"
    assert (run.created_count, run.rejected_count, run.preset) == (2, 1, "google")
    assert sorted(Person.objects.values_list("given_name", flat=True)) == ["João", "Rui"]
    assert ImportUpload.objects.count() == 0
    page = client.get(done["Location"])
    assert "Download the error report" in page.content.decode()
    report = client.get(f"/import/runs/{run.pk}/errors.csv")
    text = b"".join(report.streaming_content).decode()
    assert text.splitlines()[1].startswith("3,emails: ")
    assert "Inês,Araújo,Work,nope" in text


def test_two_columns_into_one_name_is_a_field_error_and_imports_nothing(
    admin: Any, web: Any
) -> None:
    client = web(admin)
    location = client.post("/import/", {"entity": "people", "file": upload()})["Location"]
    response = client.post(location, {**mapping_post(column_1="given_name"), "import": "1"})
    assert response.status_code == 200
    assert response.context["form"].errors == {
        "column_1": ["Column “First Name” already loads into First name; pick one of the two."]
    }
    assert Person.objects.count() == 0 and ImportRun.objects.count() == 0


def test_unreadable_upload_is_a_field_error(admin: Any, web: Any) -> None:
    client = web(admin)
    response = client.post(
        "/import/", {"entity": "people", "file": SimpleUploadedFile("x.xlsx", b"PK\x03\x04junk")}
    )
    assert response.status_code == 200
    assert "file" in response.context["form"].errors
    assert ImportUpload.objects.count() == 0


def test_uploads_and_runs_belong_to_their_owner(
    admin: Any, manager: Any, rep: Any, web: Any
) -> None:
    client = web(manager)
    location = client.post("/import/", {"entity": "people", "file": upload()})["Location"]
    run = import_text(actor=manager, entity="people", text=GOOGLE, skip_invalid=True)
    other = web(rep)
    assert other.get(location).status_code == 403  # reps may not import
    assert web(admin).get(location).status_code == 404  # an upload is its owner's only
    assert web(admin).get(f"/import/runs/{run.pk}/").status_code == 200
    assert web(manager).get(f"/import/runs/{run.pk}/").status_code == 200


def test_import_pages_query_counts_stay_flat(
    admin: Any, web: Any, django_assert_max_num_queries: Any
) -> None:
    client = web(admin)
    import_text(actor=admin, entity="people", text=GOOGLE, skip_invalid=True)
    run = ImportRun.objects.get()
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/import/").status_code == 200
    few = len(queries)  # counted now: the query log only keeps the last 9,000
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/import/runs/{run.pk}/").status_code == 200
    one_run = len(queries)
    many = GOOGLE + "".join(f"P{i},X,Work,bad{i},,,\n" for i in range(30))
    for _ in range(12):
        import_text(actor=admin, entity="people", text=many, skip_invalid=True)
    big = ImportRun.objects.order_by("-pk").first()
    assert big is not None and big.rejected_count == 31
    with django_assert_max_num_queries(few):
        assert client.get("/import/").status_code == 200
    with django_assert_max_num_queries(one_run):
        assert client.get(f"/import/runs/{big.pk}/").status_code == 200


# --- API ----------------------------------------------------------------------------------


def test_api_import_with_mapping_and_dry_run(api: Any, admin: Any) -> None:
    client = api(admin)
    mapping = {"First Name": "given_name", "E-mail 1 - Value": "emails", "Notes": ""}
    response = client.client.post(
        "/api/v1/imports",
        {"entity": "people", "file": upload(), "mapping": json.dumps(mapping), "dry_run": "true",
         "skip_invalid": "true"},
        headers=client.headers,
    )  # fmt: skip
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["dry_run"], body["created_count"], body["rejected_count"]) == (True, 2, 1)
    assert body["mapping"]["First Name"] == "given_name"
    assert body["mapping"]["Last Name"] == ""
    assert body["rejected"][0]["line"] == 3
    assert Person.objects.count() == 0


def test_api_import_errors_are_problem_json(api: Any, admin: Any) -> None:
    client = api(admin)
    response = client.client.post(
        "/api/v1/imports",
        {"entity": "people", "file": upload(),
         "mapping": json.dumps({"First Name": "given_name", "Last Name": "given_name"})},
        headers=client.headers,
    )  # fmt: skip
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["errors"][0]["field"] == "mapping.Last Name"
    bad = client.client.post(
        "/api/v1/imports",
        {"entity": "people", "file": upload(), "preset": "lotus", "mapping": "[1]"},
        headers=client.headers,
    )
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "mapping"
    assert Person.objects.count() == 0 and ImportRun.objects.count() == 0


def test_api_mapping_preview_imports_nothing(api: Any, admin: Any) -> None:
    client = api(admin)
    response = client.client.post(
        "/api/v1/imports/mapping", {"entity": "people", "file": upload()}, headers=client.headers
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["kind"], body["preset"], body["preset_detected"]) == ("csv", "google", True)
    assert body["columns"][3] == {
        "header": "E-mail 1 - Value",
        "samples": ["joao@padaria.pt", "nope", "rui@padaria.pt"],
        "field": "emails",
    }
    assert body["mapping"]["Organization Name"] == "organization_name"
    assert Person.objects.count() == 0 and ImportRun.objects.count() == 0


def test_api_presets(api: Any, admin: Any) -> None:
    response = api(admin).get("/api/v1/import-presets")
    assert response.status_code == 200
    by_name = {preset["name"]: preset for preset in response.json()}
    assert set(by_name) == {"salesforce", "hubspot", "pipedrive", "zoho", "google", "outlook"}
    assert by_name["outlook"]["mappings"]["people"]["E-mail Address"] == "emails"
    assert by_name["salesforce"]["mappings"]["organizations"]["Account Name"] == "name"


def test_api_runs_list_detail_and_errors(
    api: Any, admin: Any, manager: Any, django_assert_max_num_queries: Any
) -> None:
    mine = import_text(actor=manager, entity="people", text=GOOGLE, skip_invalid=True)
    import_text(actor=admin, entity="people", text=GOOGLE, skip_invalid=True)
    client = api(manager)
    listing = client.get("/api/v1/imports")
    assert [item["id"] for item in listing.json()["items"]] == [mine.pk]
    assert "rejected" not in listing.json()["items"][0]
    assert len(api(admin).get("/api/v1/imports").json()["items"]) == 2
    detail = client.get(f"/api/v1/imports/{mine.pk}")
    assert detail.json()["rejected"][0]["values"][3] == "nope"
    errors = client.get(f"/api/v1/imports/{mine.pk}/errors")
    assert errors["Content-Type"].startswith("text/csv")
    lines = b"".join(errors.streaming_content).decode().splitlines()
    assert lines[0].startswith("row,errors,First Name") and len(lines) == 2
    other = ImportRun.objects.exclude(pk=mine.pk).get()
    assert client.get(f"/api/v1/imports/{other.pk}").status_code == 404
    assert client.get(f"/api/v1/imports/{other.pk}/errors").status_code == 404


def test_api_runs_list_pages_with_flat_queries(
    api: Any, admin: Any, django_assert_max_num_queries: Any
) -> None:
    client = api(admin)
    import_text(actor=admin, entity="people", text=GOOGLE, skip_invalid=True)
    with CaptureQueriesContext(connection) as queries:
        assert client.get("/api/v1/imports?limit=2").status_code == 200
    few = len(queries)  # counted now: the query log only keeps the last 9,000
    for _ in range(5):
        import_text(actor=admin, entity="people", text=GOOGLE, skip_invalid=True)
    with django_assert_max_num_queries(few):
        first = client.get("/api/v1/imports?limit=2").json()
    seen = [item["id"] for item in first["items"]]
    page = first
    while page["next"]:
        page = client.get(page["next"]).json()
        seen += [item["id"] for item in page["items"]]
    assert seen == sorted(ImportRun.objects.values_list("pk", flat=True), reverse=True)
    run = ImportRun.objects.first()
    assert run is not None
    with django_assert_max_num_queries(few):
        assert client.get(f"/api/v1/imports/{run.pk}").status_code == 200


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 401), ("outsider", 403), ("rep", 403), ("manager", 200)],
)
def test_api_runs_permission_matrix(
    api: Any, request: pytest.FixtureRequest, who: str, status: int
) -> None:
    user = None if who == "anonymous" else request.getfixturevalue(who)
    assert api(user).get("/api/v1/imports").status_code == status


# --- CLI ----------------------------------------------------------------------------------


def test_cli_dry_run_xlsx_with_preset(admin: Any, tmp_path: Any) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["First Name", "Last Name", "E-mail Address", "Mobile Phone", "Company"])
    sheet.append(["Sebastião", "Patrício", "seb@douro.pt", "+351 917 654 321", "Douro"])
    path = tmp_path / "outlook.xlsx"
    workbook.save(path)
    out = io.StringIO()
    call_command("import_file", str(path), entity="people", preset="outlook", dry_run=True, stdout=out)  # fmt: skip
    assert out.getvalue().startswith("Dry run, nothing saved: 1 rows (preset outlook): 1 created")
    assert Person.objects.count() == 0
    call_command("import_file", str(path), entity="people", stdout=out)
    assert Person.objects.get().given_name == "Sebastião"
    assert Organization.objects.get().name == "Douro"


def test_cli_prints_the_first_rejected_rows_and_fails(admin: Any, tmp_path: Any) -> None:
    path = tmp_path / "people.csv"
    path.write_text("first_name,email\nAna,ana@ex.pt\nBia,nope\n", encoding="utf-8")
    out = io.StringIO()
    with pytest.raises(CommandError, match="1 rows rejected"):
        call_command("import_file", str(path), entity="people", skip_invalid=True, stdout=out)
    assert "1 created" in out.getvalue()
    assert 'line 3: {"emails"' in out.getvalue()
