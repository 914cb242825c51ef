"""Exports of every list with its filters: exactly the rows the list shows to that user,
through the web, the API and the CLI, with permission checks, the access log and flat
query counts."""

from __future__ import annotations

import csv
import io
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from elo.activities.services import activity_create
from elo.billing import selectors as billing_selectors
from elo.billing import services as billing
from elo.identity.models import Role, User
from elo.privacy.models import PersonalDataAccess
from elo.sales import services as sales
from elo.sales.services import quotes

pytestmark = pytest.mark.django_db

LISTS = {
    "people": "/people/",
    "organizations": "/organizations/",
    "leads": "/leads/",
    "deals": "/deals/",
    "quotes": "/quotes/",
    "orders": "/orders/",
    "invoices": "/invoices/",
}


def _exporting_reps(*users: Any) -> list[Any]:
    """The sales rep role with exports.run added; the users re-read so they see it."""
    role = Role.objects.get(key="sales_rep")
    role.permissions = sorted({*role.permissions, "exports.run"})
    role.save(update_fields=["permissions"])
    return [User.objects.get(pk=user.pk) for user in users]


def _csv(response: Any) -> list[dict[str, str]]:
    assert response.status_code == 200, response.content
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


def _ids(rows: list[dict[str, str]]) -> list[int]:
    return sorted(int(row["elo_id"]) for row in rows)


def _order(owner: Any, title: str, person: Any) -> Any:
    quote = quotes.quote_create(
        actor=owner,
        data={
            "title": title,
            "currency": "EUR",
            "person": person.pk,
            "lines": [{"description": "Seats", "quantity": "2", "unit_price": "30.50"}],
        },
    )
    quotes.quote_set_status(actor=owner, quote=quote, status="sent")
    quotes.quote_set_status(actor=owner, quote=quote, status="accepted")
    return billing.order_from_quote(actor=owner, quote=quote)


def _records(owner: Any, issuer: Any, name: str) -> None:
    """One record of every kind owned by `owner`, named after them; `issuer` invoices."""
    from elo.contacts.services import organization_create, person_create

    person = person_create(
        actor=owner,
        data={"given_name": name, "family_name": "Silva", "emails": [f"{name}@example.com"]},
    )
    organization_create(actor=owner, data={"name": f"{name} Ltda"})
    sales.lead_create(
        actor=owner, data={"given_name": name, "email": f"{name}@lead.example", "owner": owner.pk}
    )
    sales.deal_create(
        actor=owner, data={"title": f"{name} deal", "amount": "10", "owner": owner.pk}
    )
    quotes.quote_create(
        actor=owner,
        data={
            "title": f"{name} quote",
            "currency": "EUR",
            "lines": [{"description": "Setup", "unit_price": "100"}],
        },
    )
    order = _order(owner, f"{name} order", person)
    invoice = billing.invoice_issue(
        actor=issuer, invoice=billing.invoice_draft(actor=issuer, order=order)
    )
    billing.payment_record(actor=issuer, invoice=invoice, data={"amount": "5"})
    activity_create(
        actor=owner,
        data={"kind": "task", "subject": f"Call {name}", "person": person.pk, "assignee": owner.pk},
    )


@pytest.fixture
def world(rep: Any, other_rep: Any, admin: Any) -> dict[str, Any]:
    """Rita (north) and Otto (south), sales reps who see only their own records, each with
    one record of every kind; their role may export."""
    sales.pipeline_ensure_default()
    _records(rep, admin, "Rita")
    _records(other_rep, admin, "Otto")
    exporting_rep, exporting_other = _exporting_reps(rep, other_rep)
    return {"rep": exporting_rep, "other": exporting_other, "admin": admin}


@pytest.mark.parametrize("entity", list(LISTS))
def test_each_list_exports_exactly_the_rows_its_page_shows_the_user(
    entity: str, world: dict[str, Any], web: Any
) -> None:
    client = web(world["rep"])
    page = client.get(LISTS[entity])
    shown = sorted(item.pk for item in page.context["page"].items)
    exported = _csv(client.get(f"/export/{entity}.csv"))
    assert _ids(exported) == shown
    assert shown and "Otto" not in str(exported)
    everything = _csv(web(world["admin"]).get(f"/export/{entity}.csv"))
    assert len(everything) == 2 * len(shown)  # Otto's as many as Rita's


def test_tasks_export_what_my_tasks_shows(world: dict[str, Any], web: Any) -> None:
    client = web(world["rep"])
    page = client.get("/tasks/")
    shown = [task.pk for task in page.context["tasks"]]
    menu = page.content.decode()
    assert f"/export/activities.csv?kind=task&amp;assignee={world['rep'].pk}&amp;open=true" in menu
    exported = _csv(
        client.get(f"/export/activities.csv?kind=task&assignee={world['rep'].pk}&open=true")
    )
    assert _ids(exported) == shown and len(shown) == 1
    assert exported[0]["subject"] == "Call Rita"
    assert "Call Otto" not in str(_csv(client.get("/export/activities.csv")))


def test_payments_export_the_payments_of_visible_invoices(world: dict[str, Any], web: Any) -> None:
    rows = _csv(web(world["rep"]).get("/export/payments.csv"))
    visible = billing_selectors.payments_for(world["rep"])
    assert _ids(rows) == sorted(payment.pk for payment in visible)
    assert [(row["amount"], row["method"]) for row in rows] == [("5.00", visible[0].method)]


@pytest.mark.parametrize(
    ("entity", "query", "expected"),
    [
        ("people", "q=rita", ["Rita"]),
        ("people", "q=nobody", []),
        ("leads", "status=new", ["Rita", "Otto"]),
        ("leads", "q=otto", ["Otto"]),
        ("deals", "q=otto", ["Otto deal"]),
        ("quotes", "status=draft", ["Otto quote", "Rita quote"]),
        ("quotes", "status=accepted", ["Otto order", "Rita order"]),
        ("invoices", "customer=otto", ["Otto"]),
        ("invoices", "status=paid", []),
        ("orders", "status=invoiced", ["Otto order", "Rita order"]),
        ("orders", "status=open", []),
        ("invoices", "status=partially_paid", ["Otto", "Rita"]),
        ("activities", "kind=meeting", []),
        ("payments", "method=bank_transfer", ["5.00", "5.00"]),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_filters_are_those_of_the_list(
    entity: str, query: str, expected: list[str], world: dict[str, Any], web: Any
) -> None:
    rows = _csv(web(world["admin"]).get(f"/export/{entity}.csv?{query}"))
    names = {
        "people": "given_name",
        "leads": "given_name",
        "deals": "title",
        "quotes": "title",
        "invoices": "customer",
        "orders": "title",
        "activities": "subject",
        "payments": "amount",
    }
    values = sorted(row[names[entity]].split(" ")[0] if entity == "invoices" else
                    row[names[entity]] for row in rows)  # fmt: skip
    assert values == sorted(expected)


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/export/leads.csv?status=bogus", "status"),
        ("/export/deals.xlsx?close_from=tomorrow", "close_from"),
        ("/export/people.csv?owner=me", "owner"),
        ("/export/activities.csv?open=maybe", "open"),
    ],
)
def test_a_bad_filter_is_refused_and_logs_nothing(
    url: str, field: str, world: dict[str, Any], web: Any
) -> None:
    response = web(world["admin"]).get(url)
    assert response.status_code == 400
    assert PersonalDataAccess.objects.count() == 0


def test_unknown_lists_and_formats_are_not_found(world: dict[str, Any], web: Any) -> None:
    client = web(world["admin"])
    assert client.get("/export/secrets.csv").status_code == 404
    assert client.get("/export/deals.vcf").status_code == 404
    assert client.get("/export/people.ics").status_code == 404


def test_exporting_needs_the_permission(rep: Any, web: Any, client: Any, make_person: Any) -> None:
    make_person(owner=rep, given_name="Rita")
    for url in ("/export/people.csv", "/export/people.xlsx", "/export/invoices.csv"):
        assert web(rep).get(url).status_code == 403
    client.logout()
    assert client.get("/export/people.csv").status_code == 302
    assert PersonalDataAccess.objects.count() == 0


def test_the_export_menu_carries_the_filters_and_needs_the_permission(
    world: dict[str, Any], web: Any, outsider: Any
) -> None:
    page = web(world["rep"]).get("/deals/?q=rita&status=open").content.decode()
    assert 'href="/export/deals.csv?q=rita&amp;status=open"' in page
    assert 'href="/export/deals.xlsx?q=rita&amp;status=open"' in page
    people = web(world["rep"]).get("/people/?tag=vip").content.decode()
    assert 'href="/export/people.vcf?tag=vip"' in people
    for url in LISTS.values():
        assert "/export/" not in web(outsider).get(url).content.decode(), url


def test_each_export_is_recorded_in_the_access_log_with_its_count(
    world: dict[str, Any], web: Any
) -> None:
    client = web(world["admin"])
    _csv(client.get("/export/people.csv?q=rita"))
    response = client.get("/export/deals.xlsx")
    assert response.status_code == 200
    entries = list(PersonalDataAccess.objects.order_by("id"))
    assert [(entry.user_id, entry.kind, entry.what, entry.record_count) for entry in entries] == [
        (world["admin"].pk, "export", "People list, CSV, q=rita", 1),
        (world["admin"].pk, "export", "Deals list, XLSX", 2),
    ]
    assert entries[0].path == "/export/people.csv?q=rita"


def test_the_menu_follows_the_filters_when_htmx_swaps_the_results(
    world: dict[str, Any], web: Any
) -> None:
    fragment = web(world["rep"]).get("/leads/?q=rita&status=new", headers={"HX-Request": "true"})
    html = fragment.content.decode()
    assert "<html" not in html  # only the results, menu included
    assert 'href="/export/leads.xlsx?q=rita&amp;status=new"' in html


def test_vcard_and_calendar_downloads_are_logged_too(world: dict[str, Any], web: Any) -> None:
    client = web(world["admin"])
    cards = b"".join(client.get("/export/people.vcf?q=otto").streaming_content).decode()
    assert cards.count("BEGIN:VCARD") == 1 and "Otto" in cards
    calendar = client.get("/export/activities.ics?kind=task")
    assert calendar.status_code == 200
    assert calendar["Content-Type"] == "text/calendar; charset=utf-8"
    assert calendar.content.decode().count("BEGIN:VTODO") == 2
    entries = PersonalDataAccess.objects.order_by("id")
    assert [(entry.what, entry.record_count) for entry in entries] == [
        ("People list, VCF, q=otto", 1),
        ("Activities list, ICS, kind=task", 2),
    ]


@pytest.mark.parametrize("entity", [*LISTS, "activities", "payments"])
@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_query_count_stays_flat_as_rows_grow(
    entity: str,
    file_format: str,
    rep: Any,
    admin: Any,
    web: Any,
    django_assert_max_num_queries: Any,
) -> None:
    sales.pipeline_ensure_default()
    client = web(admin)

    def count() -> int:
        with django_assert_max_num_queries(40) as captured:
            response = client.get(f"/export/{entity}.{file_format}")
            assert response.status_code == 200
            b"".join(response.streaming_content)
        return len(captured.captured_queries)

    for index in range(2):
        _records(rep, admin, f"Few{index}")
    few = count()
    for index in range(8):
        _records(rep, admin, f"Many{index}")
    assert count() == few


# --- API ----------------------------------------------------------------------------------


def test_api_streams_the_list_with_its_filters(world: dict[str, Any], api: Any) -> None:
    response = api(world["rep"]).get("/api/v1/exports/deals?format=csv&q=deal")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert 'filename="elo-deals-' in response["Content-Disposition"]
    rows = _csv(response)
    assert [row["title"] for row in rows] == ["Rita deal"]
    xlsx = api(world["rep"]).get("/api/v1/exports/people?format=xlsx")
    assert xlsx.status_code == 200
    assert xlsx["Content-Type"].startswith("application/vnd.openxmlformats")
    entry = PersonalDataAccess.objects.order_by("id").first()
    assert entry is not None
    assert (entry.user_id, entry.what, entry.record_count) == (
        world["rep"].pk,
        "Deals list, CSV, q=deal",
        1,
    )


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/exports/secrets?format=csv", "entity"),
        ("/api/v1/exports/people?format=pdf", "format"),
        ("/api/v1/exports/deals?format=vcf", "format"),
        ("/api/v1/exports/leads?status=bogus", "status"),
        ("/api/v1/exports/people?cf_missing=1", "cf_missing"),
    ],
)
def test_api_refuses_bad_requests_as_problems(
    url: str, field: str, world: dict[str, Any], api: Any
) -> None:
    response = api(world["admin"]).get(url)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["code"] == "invalid_export"
    assert [error["field"] for error in body["errors"]] == [field]
    assert PersonalDataAccess.objects.count() == 0


def test_api_needs_the_permission(rep: Any, api: Any) -> None:
    response = api(rep).get("/api/v1/exports/people?format=csv")
    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"
    assert api(None).get("/api/v1/exports/people").status_code == 401


def test_api_documents_the_entities_formats_and_filters() -> None:
    from elo.api import api

    operation = api.get_openapi_schema(path_prefix="/api/v1/")["paths"]["/api/v1/exports/{entity}"]
    description = operation["get"]["description"]
    assert "| `invoices` | csv, xlsx | `status`, `customer` |" in description
    assert "| `people` | csv, xlsx, vcf |" in description
    assert [parameter["name"] for parameter in operation["get"]["parameters"]] == [
        "entity",
        "format",
    ]


# --- CLI ----------------------------------------------------------------------------------


def test_cli_exports_as_the_user_given_with_filters(world: dict[str, Any], tmp_path: Any) -> None:
    out = io.StringIO()
    call_command(
        "export_file",
        entity="leads",
        user=world["rep"].email,
        filters=["status=new"],
        stdout=out,
        stderr=io.StringIO(),
    )
    rows = list(csv.DictReader(io.StringIO(out.getvalue())))
    assert [row["given_name"] for row in rows] == ["Rita"]
    path = tmp_path / "deals.xlsx"
    call_command(
        "export_file", entity="deals", format="xlsx", output=str(path), stderr=io.StringIO()
    )
    from openpyxl import load_workbook

    sheet = load_workbook(path).active
    assert sheet is not None
    assert sorted(row[2] for row in sheet.iter_rows(min_row=2, values_only=True)) == [
        "Otto deal",
        "Rita deal",
    ]
    entries = list(PersonalDataAccess.objects.order_by("id"))
    assert [(entry.user_id, entry.what, entry.record_count) for entry in entries] == [
        (world["rep"].pk, "Leads list, CSV, status=new", 1),
        (world["admin"].pk, "Deals list, XLSX", 2),
    ]


def test_cli_writes_calendars_for_activities(world: dict[str, Any], tmp_path: Any) -> None:
    path = tmp_path / "tasks.ics"
    call_command(
        "export_file", entity="activities", format="ics", output=str(path), stderr=io.StringIO()
    )
    text = path.read_text()
    assert text.count("BEGIN:VTODO") == 2 and "Call Rita" in text


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"entity": "deals", "format": "vcf"}, "This list exports as: csv, xlsx."),
        ({"entity": "leads", "filters": ["status"]}, "KEY=VALUE"),
        ({"entity": "leads", "filters": ["status=bogus"]}, "Pick one of"),
        ({"entity": "people", "format": "xlsx"}, "-o FILE"),
        ({"entity": "people", "user": "nobody@example.com"}, "No acting user"),
    ],
)
def test_cli_refuses_bad_options(
    options: dict[str, Any], message: str, world: dict[str, Any]
) -> None:
    with pytest.raises(CommandError, match=message.replace("(", r"\(")):
        call_command("export_file", stdout=io.StringIO(), **options)
    assert PersonalDataAccess.objects.count() == 0


def test_cli_refuses_a_user_who_may_not_export(rep: Any) -> None:
    with pytest.raises(CommandError, match="may not export"):
        call_command("export_file", entity="people", user=rep.email, stdout=io.StringIO())


def test_cli_usage_names_every_list_and_format() -> None:
    from elo.cli import USAGE

    assert "leads|deals|activities|quotes|orders|invoices|payments" in USAGE
    assert "--format csv|xlsx|vcf|ics" in USAGE
