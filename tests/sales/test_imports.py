"""Deal imports: the workload's deals.csv and Elo's own export, through the CSV importer."""

from __future__ import annotations

import csv
import datetime
import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from elo.core.models import AuditEntry, OutboxEvent
from elo.interchange.services import import_text
from elo.sales import selectors, services
from elo.sales.models import Deal, DealPerson, DealStageChange, Pipeline

pytestmark = pytest.mark.django_db

COMPANIES = """id,name,email,phone,city,website,created_at
1,Perez LLC 1,info@perez1.example.com,+1-555-8255764,Milan,https://perez1.example.com,2020-05-08T15:34:10Z
2,Smith Ltd 2,info@smith2.example.com,+1-555-1234567,Porto,https://smith2.example.com,2021-01-01T00:00:00Z
"""
CONTACTS = """id,first_name,last_name,email,phone,company_id,city,created_at
1,Donald,Okafor,donald.okafor.1@example.com,+1-555-4906738,1,Brussels,2020-10-11T12:08:38Z
2,Mary,Johnson,mary.johnson.2@example.com,+1-555-4906739,2,Lisbon,2021-10-11T12:08:38Z
"""
DEALS = """id,name,contact_id,company_id,stage,amount,created_at
1,Deal 1 demo,1,1,Proposal,64990.41,2020-01-15T21:53:03Z
2,Deal 2 pricing,2,2,Closed Won,100.00,2021-02-01T10:00:00Z
3,Deal 3 quote,2,2,Closed Lost,0.50,2022-03-01T10:00:00Z
"""
HEADER = "id,name,contact_id,company_id,stage,amount,created_at\n"


def _moment(text: str) -> datetime.datetime:
    return datetime.datetime.fromisoformat(text)


def _summary(user: Any) -> list[dict[str, Any]]:
    return selectors.pipeline_summary(user, services.pipeline_ensure_default())


@pytest.fixture
def pipeline(db: Any) -> Pipeline:
    return services.pipeline_ensure_default()


@pytest.fixture
def contacts(admin: Any, pipeline: Pipeline) -> None:
    assert import_text(actor=admin, entity="organizations", text=COMPANIES).created_count == 2
    assert import_text(actor=admin, entity="people", text=CONTACTS).created_count == 2


def test_workload_rows_load_with_links_stages_amounts_and_created_at(
    admin: Any, contacts: None, pipeline: Pipeline
) -> None:
    run = import_text(actor=admin, entity="deals", text=DEALS)
    assert (run.entity, run.created_count, run.rejected_count) == ("deals", 3, 0)
    demo = Deal.objects.select_related("stage", "organization").get(external_id="1")
    created = _moment("2020-01-15T21:53:03+00:00")
    assert (demo.title, demo.amount, demo.currency) == ("Deal 1 demo", Decimal("64990.41"), "BRL")
    assert (demo.pipeline_id, demo.stage.name, demo.status) == (pipeline.pk, "Proposal", "open")
    assert (demo.created_at, demo.updated_at, demo.stage_entered_at) == (created,) * 3
    assert demo.closed_at is None and demo.organization.external_id == "1"
    assert (demo.owner_id, demo.team_id, demo.version) == (admin.pk, admin.team_id, 1)
    assert [(link.person.external_id, link.role, link.position) for link in DealPerson.objects.filter(deal=demo)] == [
        ("1", "", 0)
    ]  # fmt: skip
    assert [
        (change.stage_id, change.entered_at, change.left_at, change.by_id)
        for change in DealStageChange.objects.filter(deal=demo)
    ] == [(demo.stage_id, created, None, admin.pk)]
    won, lost = Deal.objects.get(external_id="2"), Deal.objects.get(external_id="3")
    assert (won.status, won.closed_at, won.amount) == (
        "won",
        _moment("2021-02-01T10:00:00+00:00"),
        Decimal("100.00"),
    )
    assert (lost.status, lost.closed_at, lost.amount) == (
        "lost",
        _moment("2022-03-01T10:00:00+00:00"),
        Decimal("0.50"),
    )
    entries = AuditEntry.objects.filter(action="sales.deal.created").order_by("id")
    assert [(e.object_id, e.object_repr, e.changes) for e in entries] == [
        (str(deal.pk), deal.title, {"via": "import"})
        for deal in Deal.objects.order_by("pk")
    ]  # fmt: skip
    events = OutboxEvent.objects.filter(name="sales.deal.created").order_by("id")
    assert [event.payload for event in events] == [
        {"id": deal.pk, "pipeline": pipeline.pk, "stage": deal.stage_id,
         "amount": str(deal.amount), "via": "import"}
        for deal in Deal.objects.order_by("pk")
    ]  # fmt: skip
    summary = {row["name"]: (row["count"], row["amount"]) for row in _summary(admin)}
    assert summary == {
        "Proposal": (1, Decimal("64990.41")),
        "Closed Won": (1, Decimal("100.00")),
        "Closed Lost": (1, Decimal("0.50")),
    }


def test_rerun_adds_nothing(admin: Any, contacts: None) -> None:
    import_text(actor=admin, entity="deals", text=DEALS)
    counts = (Deal.objects.count(), DealPerson.objects.count(), DealStageChange.objects.count())
    audited = AuditEntry.objects.filter(action="sales.deal.created").count()
    again = import_text(actor=admin, entity="deals", text=DEALS)
    assert (again.created_count, again.unchanged_count, again.rejected_count) == (0, 3, 0)
    assert (
        (
            Deal.objects.count(),
            DealPerson.objects.count(),
            DealStageChange.objects.count(),
        )
        == counts
        == (3, 3, 3)
    )
    assert AuditEntry.objects.filter(action="sales.deal.created").count() == audited


def test_a_row_repeated_in_one_file_loads_once(admin: Any, contacts: None) -> None:
    text = DEALS + "1,Deal 1 demo again,1,1,Proposal,1.00,2020-01-15T21:53:03Z\n"
    run = import_text(actor=admin, entity="deals", text=text)
    assert (run.created_count, run.unchanged_count) == (3, 1)
    assert Deal.objects.get(external_id="1").title == "Deal 1 demo"


def test_a_bad_row_rejects_its_batch_and_is_reported_with_its_line(
    admin: Any, contacts: None
) -> None:
    text = HEADER + (
        "2,Bad amount,1,1,Proposal,ten,2020-01-15T21:53:03Z\n"
        "3,,1,1,Proposal,-4,yesterday\n"
        "1,Good,1,1,Proposal,10.00,2020-01-15T21:53:03Z\n"
        "4,Good too,2,2,Negotiation,20.00,2020-01-15T21:53:03Z\n"
    )
    run = import_text(actor=admin, entity="deals", text=text, batch_size=10)
    assert (run.created_count, run.batches, run.batches_failed) == (0, 1, 1)
    assert (
        not Deal.objects.exists()
        and not AuditEntry.objects.filter(action="sales.deal.created").exists()
    )
    assert [(item["line"], sorted(item["errors"])) for item in run.rejected] == [
        (2, ["amount"]),
        (3, ["amount", "created_at", "title"]),
    ]
    in_pairs = import_text(actor=admin, entity="deals", text=text, batch_size=2)
    assert (in_pairs.created_count, in_pairs.batches, in_pairs.batches_failed) == (2, 2, 1)
    assert sorted(Deal.objects.values_list("external_id", flat=True)) == ["1", "4"]


def test_missing_and_invisible_people_and_organizations_are_reported(
    manager: Any, rep: Any, other_rep: Any, make_person: Any, make_organization: Any, pipeline: Any
) -> None:
    """A manager sees the north team's records; the south rep's person is not linkable."""
    make_person(owner=rep, given_name="Nina", external_id="north")
    make_person(owner=other_rep, given_name="Sul", external_id="south")
    make_organization(owner=other_rep, name="South Co", external_id="south-co")
    text = HEADER + (
        "1,Ours,north,,Proposal,1.00,2024-01-01T00:00:00Z\n"
        "2,Theirs,south,,Proposal,1.00,2024-01-01T00:00:00Z\n"
        "3,Nobody,404,,Proposal,1.00,2024-01-01T00:00:00Z\n"
        "4,Their company,,south-co,Proposal,1.00,2024-01-01T00:00:00Z\n"
        "5,No company,north,nowhere,Proposal,1.00,2024-01-01T00:00:00Z\n"
    )
    run = import_text(actor=manager, entity="deals", text=text)
    assert run.created_count == 0
    assert [(item["line"], item["errors"]) for item in run.rejected] == [
        (3, {"person": ["This record does not exist."]}),
        (4, {"person": ["This record does not exist."]}),
        (5, {"organization": ["This record does not exist."]}),
        (6, {"organization": ["This record does not exist."]}),
    ]
    run = import_text(actor=manager, entity="deals", text=text, skip_invalid=True)
    deal = Deal.objects.get()
    assert (deal.title, deal.owner_id, deal.team_id) == ("Ours", manager.pk, manager.team_id)
    assert [link.person.given_name for link in deal.contacts.all()] == ["Nina"]


@pytest.mark.parametrize(
    ("written", "stage"),
    [
        ("proposal", "Proposal"),
        ("CLOSED WON", "Closed Won"),
        ("  closed   lost ", "Closed Lost"),
        ("", "Prospecting"),
    ],
    ids=["lower", "upper", "spaces", "empty-is-first-open"],
)
def test_stage_names_match_case_insensitively(
    admin: Any, pipeline: Pipeline, written: str, stage: str
) -> None:
    run = import_text(actor=admin, entity="deals", text=f"name,stage\nDeal,{written}\n")
    assert run.rejected == []
    assert Deal.objects.get().stage.name == stage


def test_unknown_stage_or_pipeline_is_rejected(admin: Any, pipeline: Pipeline) -> None:
    text = "name,stage,pipeline\nA,Won,\nB,Proposal,Partners\n"
    run = import_text(actor=admin, entity="deals", text=text)
    assert [(item["line"], list(item["errors"])) for item in run.rejected] == [
        (2, ["stage"]),
        (3, ["pipeline"]),
    ]


def test_pipeline_and_owner_columns(admin: Any, rep: Any, pipeline: Pipeline) -> None:
    partners = services.pipeline_create(
        actor=admin,
        data={
            "name": "Partners",
            "stages": [
                {"name": "Talking", "kind": "open"},
                {"name": "Signed", "kind": "won"},
                {"name": "Gone", "kind": "lost"},
            ],
        },
    )
    text = (
        "title,pipeline,stage,owner,amount,currency\n"
        "A,partners,signed,RITA.REP@example.com,5,eur\n"
        f"B,{partners.pk},,{rep.pk},,\n"
        "C,,,nobody@example.com,,\n"
    )
    run = import_text(actor=admin, entity="deals", text=text, skip_invalid=True)
    assert [(item["line"], list(item["errors"])) for item in run.rejected] == [(4, ["owner"])]
    a, b = Deal.objects.order_by("title")
    assert (a.pipeline_id, a.stage.name, a.status, a.currency) == (
        partners.pk,
        "Signed",
        "won",
        "EUR",
    )
    assert (a.owner_id, a.team_id, a.amount) == (rep.pk, rep.team_id, Decimal("5.00"))
    assert (b.stage.name, b.owner_id, b.amount, b.currency) == (
        "Talking",
        rep.pk,
        Decimal(0),
        "BRL",
    )


def test_batch_queries_do_not_grow_with_rows(admin: Any, contacts: None) -> None:
    def queries(first: int, count: int) -> int:
        text = HEADER + "".join(
            f"{i},Deal {i},1,1,Proposal,1.00,2020-01-15T21:53:03Z\n"
            for i in range(first, first + count)
        )
        with CaptureQueriesContext(connection) as captured:
            assert import_text(actor=admin, entity="deals", text=text).created_count == count
        return len(captured.captured_queries)

    assert queries(1, 3) == queries(100, 60)


def test_export_round_trips_through_import(
    admin: Any, rep: Any, make_person: Any, make_organization: Any, pipeline: Pipeline
) -> None:
    from elo.contacts.filters import RecordFilter
    from elo.core.services import custom_field_create
    from elo.interchange.exports import export_rows

    custom_field_create(actor=admin, entity="deal", key="source", label="Source", field_type="text")
    person = make_person(given_name="Ana", family_name="Lima", external_id="p1")
    organization = make_organization(name="Acme")
    services.deal_create(
        actor=rep,
        data={"title": "Big", "amount": "1234.50", "currency": "EUR", "probability": 40,
              "expected_close": "2027-03-31", "organization": organization.pk,
              "people": [person.pk], "tags": ["hot"], "custom": {"source": "fair"},
              "stage": "Negotiation", "external_id": "crm-1", "owner": rep.pk},
    )  # fmt: skip
    lost = services.deal_create(actor=rep, data={"title": "Small", "owner": rep.pk})
    services.deal_move(
        actor=rep, deal=lost, stage=pipeline.stages.get(name="Closed Lost"), reason="Price"
    )
    rows = list(export_rows(actor=admin, entity="deals", filters=RecordFilter()))
    assert rows[0][-1] == "cf_source"
    exported = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert [(row["title"], row["stage"], row["status"], row["person"], row["organization"], row["tags"],
             row["owner"], row["cf_source"]) for row in exported] == [
        ("Big", "Negotiation", "open", "Ana Lima", "Acme", "hot", rep.email, "fair"),
        ("Small", "Closed Lost", "lost", "", "", "", rep.email, ""),
    ]  # fmt: skip
    buffer = io.StringIO()
    csv.writer(buffer).writerows(rows)
    again = import_text(actor=admin, entity="deals", text=buffer.getvalue())
    assert (again.created_count, again.unchanged_count, again.rejected_count) == (0, 2, 0)

    def fields(deal: Deal) -> tuple[Any, ...]:
        return (
            deal.title, deal.external_id, deal.pipeline_id, deal.stage_id, deal.status,
            deal.amount, deal.currency, deal.probability, deal.expected_close,
            deal.close_reason, deal.closed_at, deal.organization_id, deal.owner_id, deal.team_id,
            deal.custom, deal.created_at,
            [link.person_id for link in deal.contacts.all()], [tag.name for tag in deal.tags.all()],
        )  # fmt: skip

    before = [fields(deal) for deal in Deal.objects.order_by("pk")]
    Deal.objects.all().delete()
    run = import_text(actor=admin, entity="deals", text=buffer.getvalue())
    assert (run.created_count, run.rejected_count) == (2, 0)
    assert [fields(deal) for deal in Deal.objects.order_by("pk")] == before


def test_cli_api_and_import_page_offer_deals(
    admin: Any, contacts: None, tmp_path: Any, api: Any, web: Any
) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    path = tmp_path / "deals.csv"
    path.write_text(DEALS)
    out = io.StringIO()
    call_command("import_file", str(path), entity="deals", stdout=out)
    assert "3 created" in out.getvalue()
    Deal.objects.all().delete()
    client = api(admin)
    response = client.client.post(
        "/api/v1/imports",
        {"entity": "deals", "file": SimpleUploadedFile("deals.csv", DEALS.encode())},
        headers=client.headers,
    )
    assert response.status_code == 201, response.content
    assert (response.json()["entity"], response.json()["created_count"]) == ("deals", 3)
    page = web(admin).get("/import/")
    assert b'value="deals"' in page.content


def test_importing_deals_needs_permission(
    rep: Any, reader: Any, admin: Any, pipeline: Pipeline
) -> None:
    with pytest.raises(PermissionDenied):
        import_text(actor=rep, entity="deals", text=DEALS)
    with pytest.raises(PermissionDenied):
        services.deals_import_batch(actor=reader, rows=[{"title": "A"}])
    assert not Deal.objects.exists()
