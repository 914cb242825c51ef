"""Lead, deal, board and sales settings pages, as a signed-in user sees them."""

from __future__ import annotations

import datetime
import re
from decimal import Decimal
from html import unescape
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from elo.sales import services
from elo.sales.models import AssignmentRule, Deal, DefaultOwner, Lead, Pipeline

pytestmark = pytest.mark.django_db


@pytest.fixture
def pipeline(db: Any) -> Pipeline:
    return services.pipeline_ensure_default()


def _stage(pipeline: Pipeline, name: str) -> Any:
    return pipeline.stages.get(name=name)


def _lead(owner: Any, **data: Any) -> Lead:
    data.setdefault("given_name", "João")
    data.setdefault("family_name", "Pereira")
    data.setdefault("email", "joao@padaria.com.br")
    data.setdefault("company", "Padaria Central")
    data.setdefault("owner", owner.pk)
    return services.lead_create(actor=owner, data=data)


def _deal(owner: Any, **data: Any) -> Deal:
    data.setdefault("title", "Big deal")
    data.setdefault("amount", "1000")
    data.setdefault("owner", owner.pk)
    return services.deal_create(actor=owner, data=data)


def _lead_form(**overrides: Any) -> dict[str, Any]:
    data = dict.fromkeys(
        [
            "given_name", "family_name", "email", "phone", "company", "job_title", "website",
            "industry", "size", "city", "region", "postal_code", "country", "message",
            "score", "owner", "tags", "utm_source", "utm_medium", "utm_campaign", "version",
        ],
        "",
    )  # fmt: skip
    data.update(given_name="Ana", family_name="Lima", source="web_form", status="new")
    data.update(overrides)
    return data


def _deal_form(pipeline: Pipeline, **overrides: Any) -> dict[str, Any]:
    data = dict.fromkeys(
        ["stage", "probability", "expected_close", "organization", "owner", "tags", "version",
         "person_0", "role_0"],
        "",
    )  # fmt: skip
    data.update(title="New deal", amount="1234.50", currency="BRL", pipeline=str(pipeline.pk))
    data.update(overrides)
    return data


def _rows(response: Any) -> list[str]:
    """The first column of the results table, in order."""
    html = response.content.decode()
    table = html[html.index('id="record-results"') :]
    return [
        unescape(name)
        for name in re.findall(r'<tr data-record="\d+">\s*<td><a [^>]*>([^<]+)', table)
    ]


def _count_queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def _column(html: str, stage_pk: int) -> str:
    """The HTML of one board column."""
    start = html.index(f'id="column-{stage_pk}"')
    end = html.find('<section class="kanban-column"', start)
    return html[start : end if end != -1 else len(html)]


# --- access -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["/leads/", "/leads/new/", "/leads/1/", "/deals/", "/deals/new/", "/deals/1/",
     "/deals/board/", "/settings/pipelines/", "/settings/assignment/"],
)  # fmt: skip
def test_anonymous_visitor_is_sent_to_sign_in(client: Any, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


def test_navbar_links_to_leads_and_deals(web: Any, rep: Any) -> None:
    html = web(rep).get("/").content.decode()
    assert 'href="/leads/"' in html
    assert 'href="/deals/"' in html


def test_lead_list_shows_only_visible_leads(
    web: Any, admin: Any, manager: Any, rep: Any, teammate: Any, other_rep: Any
) -> None:
    _lead(rep, given_name="Rita's", email="r@example.com")
    _lead(teammate, given_name="Tiago's", email="t@example.com")
    _lead(other_rep, given_name="Otto's", email="o@example.com")
    expected = {
        rep: ["Rita's Pereira"],
        teammate: ["Tiago's Pereira"],
        manager: ["Rita's Pereira", "Tiago's Pereira"],
        admin: ["Otto's Pereira", "Rita's Pereira", "Tiago's Pereira"],
    }
    for user, names in expected.items():
        assert sorted(_rows(web(user).get("/leads/"))) == names, user


def test_deal_list_shows_only_visible_deals(
    web: Any, manager: Any, rep: Any, teammate: Any, other_rep: Any, pipeline: Any
) -> None:
    _deal(rep, title="Rita deal")
    _deal(teammate, title="Tiago deal")
    _deal(other_rep, title="Otto deal")
    assert _rows(web(rep).get("/deals/")) == ["Rita deal"]
    assert sorted(_rows(web(manager).get("/deals/"))) == ["Rita deal", "Tiago deal"]


def test_invisible_lead_and_deal_are_404_everywhere(
    web: Any, rep: Any, teammate: Any, pipeline: Any
) -> None:
    lead = _lead(rep)
    deal = _deal(rep)
    client = web(teammate)
    for url in ["", "edit/"]:
        assert client.get(f"/leads/{lead.pk}/{url}").status_code == 404
        assert client.get(f"/deals/{deal.pk}/{url}").status_code == 404
    assert client.post(f"/leads/{lead.pk}/disqualify/", {"reason": "x"}).status_code == 404
    assert client.post(f"/leads/{lead.pk}/convert/", {}).status_code == 404
    won = _stage(pipeline, "Closed Won")
    assert client.post(f"/deals/{deal.pk}/move/", {"stage": won.pk}).status_code == 404
    assert client.post(f"/deals/{deal.pk}/delete/").status_code == 404
    lead.refresh_from_db()
    deal.refresh_from_db()
    assert (lead.status, lead.version) == ("new", 1)
    assert (deal.stage.name, deal.deleted_at) == ("Prospecting", None)


def test_reader_sees_lead_and_deal_but_may_change_nothing(
    web: Any, rep: Any, reader: Any, pipeline: Any
) -> None:
    lead = _lead(rep)
    deal = _deal(rep)
    client = web(reader)
    lead_page = client.get(f"/leads/{lead.pk}/").content.decode()
    deal_page = client.get(f"/deals/{deal.pk}/").content.decode()
    assert f"/leads/{lead.pk}/edit/" not in lead_page
    assert "lead-convert" not in lead_page
    assert f"/deals/{deal.pk}/edit/" not in deal_page
    assert "deal-actions" not in deal_page
    assert "data-can-move" not in client.get("/deals/board/").content.decode()
    assert client.get(f"/leads/{lead.pk}/edit/").status_code == 403
    assert client.get(f"/deals/{deal.pk}/edit/").status_code == 403
    assert client.get("/leads/new/").status_code == 403
    assert client.get("/deals/new/").status_code == 403
    assert client.post(f"/leads/{lead.pk}/disqualify/", {"reason": "x"}).status_code == 403
    proposal = _stage(pipeline, "Proposal")
    response = client.post(
        f"/deals/{deal.pk}/move/", {"stage": proposal.pk, "version": 1}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 403
    deal.refresh_from_db()
    lead.refresh_from_db()
    assert (deal.stage.name, lead.status) == ("Prospecting", "new")


@pytest.mark.parametrize(
    "url", ["/settings/pipelines/", "/settings/pipelines/new/", "/settings/assignment/",
            "/settings/assignment/new/"],
)  # fmt: skip
def test_sales_settings_need_the_configure_permission(
    web: Any, admin: Any, manager: Any, pipeline: Any, url: str
) -> None:
    assert web(manager).get(url).status_code == 403
    assert web(admin).get(url).status_code == 200


def test_settings_index_links_to_sales_settings_for_admins_only(
    web: Any, admin: Any, rep: Any
) -> None:
    assert "/settings/pipelines/" in web(admin).get("/settings/").content.decode()
    assert "/settings/pipelines/" not in web(rep).get("/settings/").content.decode()


# --- leads --------------------------------------------------------------------------------


def test_lead_list_filters_by_status_owner_and_search(
    web: Any, rep: Any, manager: Any, teammate: Any
) -> None:
    _lead(rep, given_name="Alice", email="alice@example.com", company="Acme")
    bruno = _lead(teammate, given_name="Bruno", email="bruno@example.com", company="Beta")
    services.lead_disqualify(actor=teammate, lead=bruno, reason="Student")
    client = web(manager)
    assert _rows(client.get("/leads/?status=disqualified")) == ["Bruno Pereira"]
    assert _rows(client.get(f"/leads/?owner={rep.pk}")) == ["Alice Pereira"]
    assert _rows(client.get("/leads/?q=acm")) == ["Alice Pereira"]
    response = client.get("/leads/?q=beta", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="record-results"')
    assert "navbar" not in html
    assert _rows(response) == ["Bruno Pereira"]


def test_lead_list_pages_with_a_cursor(web: Any, rep: Any, monkeypatch: Any) -> None:
    from elo.sales.views import pages

    for index in range(3):
        _lead(rep, given_name=f"L{index}", email=f"l{index}@example.com")
    client = web(rep)
    monkeypatch.setattr(pages, "PAGE_SIZE", 2)
    first = client.get("/leads/")
    cursor = re.search(r'href="\?cursor=([^"&]+)"', first.content.decode())
    assert cursor is not None
    second = client.get(f"/leads/?cursor={cursor.group(1)}")
    assert _rows(first) == ["L2 Pereira", "L1 Pereira"]
    assert _rows(second) == ["L0 Pereira"]
    assert "3 leads" in first.content.decode()


def test_a_bad_cursor_is_reported_not_crashed(web: Any, rep: Any) -> None:
    response = web(rep).get("/leads/?cursor=nonsense!")
    assert response.status_code == 200
    assert "The cursor is not valid." in response.content.decode()


def test_create_lead_with_a_bad_email_shows_the_error_and_creates_nothing(
    web: Any, rep: Any
) -> None:
    response = web(rep).post("/leads/new/", _lead_form(email="not-an-email"))
    assert response.status_code == 200
    assert 'data-field-error="email"' in response.content.decode()
    assert not Lead.objects.exists()


def test_create_lead_without_owner_lets_the_rules_choose(
    web: Any, rep: Any, admin: Any, teammate: Any
) -> None:
    services.rule_create(
        actor=admin,
        data={"name": "Brazil", "entity": "lead", "strategy": "round_robin",
              "members": [teammate.pk], "conditions": [{"field": "country", "op": "eq", "value": "BR"}]},
    )  # fmt: skip
    response = web(rep).post("/leads/new/", _lead_form(country="BR", tags="vip, web"))
    lead = Lead.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/leads/{lead.pk}/"
    assert lead.owner_id == teammate.pk
    assert sorted(tag.name for tag in lead.tags.all()) == ["vip", "web"]


def test_edit_lead_with_a_stale_version_changes_nothing_and_keeps_what_was_typed(
    web: Any, rep: Any, manager: Any
) -> None:
    lead = _lead(rep)
    services.lead_update(actor=manager, lead=lead, data={"city": "Recife"})
    client = web(rep)
    response = client.post(
        f"/leads/{lead.pk}/edit/", _lead_form(family_name="Typed-by-me", version="1")
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert "Someone else saved this record while you were editing it." in html
    assert 'value="Typed-by-me"' in html
    assert 'name="version" value="2"' in html
    lead.refresh_from_db()
    assert (lead.family_name, lead.city, lead.version) == ("Pereira", "Recife", 2)
    response = client.post(
        f"/leads/{lead.pk}/edit/", _lead_form(family_name="Typed-by-me", version="2")
    )
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.family_name == "Typed-by-me"


def test_disqualify_needs_a_reason(web: Any, rep: Any) -> None:
    lead = _lead(rep)
    client = web(rep)
    response = client.post(f"/leads/{lead.pk}/disqualify/", {"reason": "", "version": "1"})
    assert response.status_code == 200
    assert 'data-field-error="reason"' in response.content.decode()
    lead.refresh_from_db()
    assert lead.status == "new"
    response = client.post(f"/leads/{lead.pk}/disqualify/", {"reason": "No budget", "version": "1"})
    assert response.status_code == 302
    lead.refresh_from_db()
    assert (lead.status, lead.disqualify_reason) == ("disqualified", "No budget")
    page = client.get(f"/leads/{lead.pk}/").content.decode()
    assert "No budget" in page
    assert "lead-disqualify" not in page


def test_disqualify_with_a_stale_version_changes_nothing(web: Any, rep: Any, manager: Any) -> None:
    lead = _lead(rep)
    services.lead_update(actor=manager, lead=lead, data={"city": "Recife"})
    response = web(rep).post(
        f"/leads/{lead.pk}/disqualify/", {"reason": "No budget", "version": "1"}, follow=True
    )
    assert "Someone changed this record after you opened it" in response.content.decode()
    lead.refresh_from_db()
    assert lead.status == "new"


def test_convert_with_a_deal_links_person_organization_and_deal(
    web: Any, rep: Any, pipeline: Any
) -> None:
    lead = _lead(rep, job_title="Owner")
    client = web(rep)
    response = client.post(
        f"/leads/{lead.pk}/convert/",
        {"create_deal": "on", "title": "Bakery ovens", "amount": "5000", "currency": "BRL",
         "pipeline": pipeline.pk, "version": "1"},
    )  # fmt: skip
    assert response.status_code == 302
    lead.refresh_from_db()
    assert lead.status == "converted"
    assert (lead.deal.title, lead.deal.amount) == ("Bakery ovens", Decimal("5000.00"))
    page = client.get(f"/leads/{lead.pk}/").content.decode()
    assert f'href="/people/{lead.person_id}/"' in page
    assert f'href="/organizations/{lead.organization_id}/"' in page
    assert f'href="/deals/{lead.deal_id}/"' in page
    assert "lead-convert" not in page


def test_convert_without_a_deal(web: Any, rep: Any) -> None:
    lead = _lead(rep)
    response = web(rep).post(f"/leads/{lead.pk}/convert/", {"version": "1", "currency": "BRL"})
    assert response.status_code == 302
    lead.refresh_from_db()
    assert (lead.status, lead.deal_id) == ("converted", None)
    assert lead.person_id is not None
    assert not Deal.objects.exists()


def test_convert_with_a_bad_amount_shows_the_error_and_converts_nothing(
    web: Any, rep: Any, pipeline: Any
) -> None:
    lead = _lead(rep)
    response = web(rep).post(
        f"/leads/{lead.pk}/convert/",
        {"create_deal": "on", "amount": "-3", "currency": "BRL", "pipeline": pipeline.pk,
         "version": "1"},
    )  # fmt: skip
    assert response.status_code == 200
    assert 'data-field-error="amount"' in response.content.decode()
    lead.refresh_from_db()
    assert lead.status == "new"


# --- deals --------------------------------------------------------------------------------


def test_deal_list_filters(web: Any, rep: Any, teammate: Any, manager: Any, pipeline: Any) -> None:
    proposal = _stage(pipeline, "Proposal")
    _deal(rep, title="Early", expected_close="2026-01-10", tags=["hot"])
    _deal(teammate, title="Middle", stage=proposal.pk, expected_close="2026-02-10")
    late = _deal(rep, title="Late", expected_close="2026-03-10")
    services.deal_move(actor=rep, deal=late, stage=_stage(pipeline, "Closed Lost"), reason="x")
    client = web(manager)
    assert _rows(client.get(f"/deals/?stage={proposal.pk}")) == ["Middle"]
    assert _rows(client.get("/deals/?status=lost")) == ["Late"]
    assert sorted(_rows(client.get(f"/deals/?owner={rep.pk}"))) == ["Early", "Late"]
    assert _rows(client.get("/deals/?tag=hot")) == ["Early"]
    assert _rows(client.get("/deals/?close_from=2026-02-01&close_to=2026-02-28")) == ["Middle"]
    assert _rows(client.get(f"/deals/?pipeline={pipeline.pk}&q=ate")) == ["Late"]


def test_deal_detail_shows_people_history_and_rotting(
    web: Any, rep: Any, pipeline: Any, make_person: Any, make_organization: Any
) -> None:
    organization = make_organization(name="Padaria Central")
    buyer = make_person(given_name="Bia", family_name="Compras")
    with time_machine.travel(datetime.datetime(2026, 1, 1, 12, tzinfo=datetime.UTC), tick=False):
        deal = _deal(
            rep,
            organization=organization.pk,
            people=[{"person": buyer.pk, "role": "Decision maker"}],
        )
    with time_machine.travel(datetime.datetime(2026, 1, 4, 12, tzinfo=datetime.UTC), tick=False):
        deal = services.deal_move(actor=rep, deal=deal, stage=_stage(pipeline, "Negotiation"))
    with time_machine.travel(datetime.datetime(2026, 2, 1, 12, tzinfo=datetime.UTC), tick=False):
        html = web(rep).get(f"/deals/{deal.pk}/").content.decode()
    people = html[html.index('id="deal-people"') :]
    assert "Bia Compras" in people[:400]
    assert "Decision maker" in people[:400]
    assert "Padaria Central" in html
    history = html[html.index('id="stage-history"') :]
    assert history.index("Prospecting") < history.index("Negotiation")
    assert "3\xa0days" in history  # time spent in Prospecting
    assert 'id="deal-rotting"' in html  # 28 days in Negotiation, which rots after 14


def test_create_deal_with_errors_shows_them_by_field_and_creates_nothing(
    web: Any, rep: Any, pipeline: Any
) -> None:
    response = web(rep).post("/deals/new/", _deal_form(pipeline, title="", amount="-1"))
    html = response.content.decode()
    assert response.status_code == 200
    assert 'data-field-error="title"' in html
    assert 'data-field-error="amount"' in html
    assert not Deal.objects.exists()


def test_create_deal_with_a_stage_of_another_pipeline_shows_the_service_error(
    web: Any, admin: Any, pipeline: Any
) -> None:
    other = services.pipeline_create(
        actor=admin,
        data={"name": "Partners", "stages": [{"name": "Talk", "kind": "open"},
              {"name": "Yes", "kind": "won"}, {"name": "No", "kind": "lost"}]},
    )  # fmt: skip
    response = web(admin).post(
        "/deals/new/", _deal_form(pipeline, stage=str(other.stages.first().pk))
    )
    assert 'data-field-error="stage"' in response.content.decode()
    assert not Deal.objects.exists()


def test_create_deal_with_people_and_organization(
    web: Any, rep: Any, pipeline: Any, make_person: Any, make_organization: Any
) -> None:
    organization = make_organization()
    person = make_person()
    response = web(rep).post(
        "/deals/new/",
        _deal_form(pipeline, organization=str(organization.pk), person_0=str(person.pk),
                   role_0="Champion", expected_close="2026-06-30", tags="hot"),
    )  # fmt: skip
    deal = Deal.objects.get()
    assert response.status_code == 302
    assert (deal.amount, deal.organization_id, deal.stage.name) == (
        Decimal("1234.50"), organization.pk, "Prospecting"
    )  # fmt: skip
    assert [(item.person_id, item.role) for item in deal.contacts.all()] == [
        (person.pk, "Champion")
    ]


def test_edit_deal_with_a_stale_version_changes_nothing(
    web: Any, rep: Any, manager: Any, pipeline: Any
) -> None:
    deal = _deal(rep)
    services.deal_update(actor=manager, deal=deal, data={"amount": "7"})
    client = web(rep)
    response = client.post(
        f"/deals/{deal.pk}/edit/", _deal_form(pipeline, title="Mine", version="1")
    )
    html = response.content.decode()
    assert "Someone else saved this record while you were editing it." in html
    assert 'name="version" value="2"' in html
    deal.refresh_from_db()
    assert (deal.title, deal.amount) == ("Big deal", Decimal("7.00"))
    response = client.post(
        f"/deals/{deal.pk}/edit/", _deal_form(pipeline, title="Mine", version="2")
    )
    assert response.status_code == 302
    deal.refresh_from_db()
    assert deal.title == "Mine"


def test_move_from_the_deal_page_wins_and_loses_with_a_reason(
    web: Any, rep: Any, pipeline: Any
) -> None:
    deal = _deal(rep)
    client = web(rep)
    lost = _stage(pipeline, "Closed Lost")
    response = client.post(
        f"/deals/{deal.pk}/move/",
        {"stage": lost.pk, "reason": "", "version": "1", "next": f"/deals/{deal.pk}/"},
        follow=True,
    )
    assert "Say why the deal was lost." in response.content.decode()
    deal.refresh_from_db()
    assert deal.status == "open"
    won = _stage(pipeline, "Closed Won")
    response = client.post(
        f"/deals/{deal.pk}/move/",
        {"stage": won.pk, "reason": "Best price", "version": "1", "next": f"/deals/{deal.pk}/"},
    )
    assert response.status_code == 302
    assert response["Location"] == f"/deals/{deal.pk}/"
    deal.refresh_from_db()
    assert (deal.status, deal.close_reason) == ("won", "Best price")


def test_move_refuses_an_outside_next_address(web: Any, rep: Any, pipeline: Any) -> None:
    deal = _deal(rep)
    response = web(rep).post(
        f"/deals/{deal.pk}/move/",
        {"stage": _stage(pipeline, "Proposal").pk, "version": "1", "next": "https://evil.example"},
    )
    assert response["Location"] == f"/deals/{deal.pk}/"


def test_delete_deal_needs_the_permission_and_a_current_version(
    web: Any, rep: Any, manager: Any, pipeline: Any
) -> None:
    deal = _deal(rep)
    assert web(rep).post(f"/deals/{deal.pk}/delete/", {"version": "1"}).status_code == 403
    client = web(manager)
    services.deal_update(actor=manager, deal=deal, data={"amount": "7"})
    client.post(f"/deals/{deal.pk}/delete/", {"version": "1"})
    deal.refresh_from_db()
    assert deal.deleted_at is None
    response = client.post(f"/deals/{deal.pk}/delete/", {"version": "2"})
    assert response["Location"] == "/deals/"
    deal.refresh_from_db()
    assert deal.deleted_at is not None


# --- the board ----------------------------------------------------------------------------


def test_board_shows_columns_with_counts_and_localized_totals(
    web: Any, rep: Any, pipeline: Any, make_organization: Any
) -> None:
    organization = make_organization(name="Padaria Central")
    proposal = _stage(pipeline, "Proposal")  # 50 %
    _deal(rep, title="A", amount="1000.50", stage=proposal.pk, organization=organization.pk)
    _deal(rep, title="B", amount="234", stage=proposal.pk)
    rep.language = "pt-br"
    rep.save(update_fields=["language"])
    html = web(rep).get("/deals/board/").content.decode()
    assert [m for m in re.findall(r'id="column-(\d+)"', html)] == [
        str(stage.pk) for stage in pipeline.stages.all()
    ]
    column = _column(html, proposal.pk)
    assert re.search(r"data-count>2<", column)
    assert "R$ 1.234,50" in column
    assert "R$ 617,25" in column  # weighted by 50 %
    assert "Padaria Central" in column
    assert re.search(r"data-count>0<", _column(html, _stage(pipeline, "Prospecting").pk))


def test_board_filters_by_owner_and_close_date(
    web: Any, rep: Any, teammate: Any, manager: Any, pipeline: Any
) -> None:
    _deal(rep, title="Rita's", expected_close="2026-05-01")
    _deal(teammate, title="Tiago's", expected_close="2026-07-01")
    client = web(manager)
    html = client.get(f"/deals/board/{pipeline.pk}/?owner={rep.pk}").content.decode()
    assert "Rita&#x27;s" in html and "Tiago&#x27;s" not in html
    html = client.get("/deals/board/?close_from=2026-06-01").content.decode()
    assert "Tiago&#x27;s" in html and "Rita&#x27;s" not in html
    response = client.get("/deals/board/?close_from=2026-06-01", HTTP_HX_REQUEST="true")
    assert response.content.decode().lstrip().startswith('<div id="board"')


def test_unknown_pipeline_board_is_404(web: Any, rep: Any, pipeline: Any) -> None:
    assert web(rep).get("/deals/board/999999/").status_code == 404


def test_board_move_moves_the_card_and_answers_with_both_columns(
    web: Any, rep: Any, pipeline: Any
) -> None:
    prospecting, proposal = _stage(pipeline, "Prospecting"), _stage(pipeline, "Proposal")
    deal = _deal(rep, amount="300")
    _deal(rep, title="Stays", amount="100")
    response = web(rep).post(
        f"/deals/{deal.pk}/move/",
        {"stage": proposal.pk, "version": "1", "next": "/deals/board/"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 200
    assert sorted(re.findall(r'id="column-(\d+)"[^>]*hx-swap-oob="true"', html)) == sorted(
        [str(prospecting.pk), str(proposal.pk)]
    )
    assert f'id="deal-{deal.pk}"' in _column(html, proposal.pk)
    assert re.search(r"data-count>1<", _column(html, prospecting.pk))
    assert "R$ 100.00" in _column(html, prospecting.pk)
    assert "Moved Big deal to Proposal." in html
    deal.refresh_from_db()
    assert (deal.stage_id, deal.version) == (proposal.pk, 2)


def test_board_move_refuses_a_stale_version_and_snaps_the_card_back(
    web: Any, rep: Any, manager: Any, pipeline: Any
) -> None:
    prospecting, proposal = _stage(pipeline, "Prospecting"), _stage(pipeline, "Proposal")
    deal = _deal(rep)
    services.deal_update(actor=manager, deal=deal, data={"amount": "7"})
    response = web(rep).post(
        f"/deals/{deal.pk}/move/",
        {"stage": proposal.pk, "version": "1", "next": "/deals/board/"},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert response.status_code == 412
    assert f'id="deal-{deal.pk}"' in _column(html, prospecting.pk)
    assert f'id="deal-{deal.pk}"' not in _column(html, proposal.pk)
    assert 'data-version="2"' in html
    assert "Someone changed this record after you opened it" in html
    deal.refresh_from_db()
    assert (deal.stage_id, deal.version) == (prospecting.pk, 2)


def test_board_move_to_lost_without_a_reason_is_refused(web: Any, rep: Any, pipeline: Any) -> None:
    deal = _deal(rep)
    lost = _stage(pipeline, "Closed Lost")
    response = web(rep).post(
        f"/deals/{deal.pk}/move/", {"stage": lost.pk, "version": "1"}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 422
    assert "Say why the deal was lost." in response.content.decode()
    deal.refresh_from_db()
    assert deal.status == "open"


def test_board_move_to_a_stage_of_another_pipeline_is_refused(
    web: Any, admin: Any, pipeline: Any
) -> None:
    other = services.pipeline_create(
        actor=admin,
        data={"name": "Partners", "stages": [{"name": "Talk", "kind": "open"},
              {"name": "Yes", "kind": "won"}, {"name": "No", "kind": "lost"}]},
    )  # fmt: skip
    deal = _deal(admin)
    response = web(admin).post(
        f"/deals/{deal.pk}/move/",
        {"stage": other.stages.first().pk, "version": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 422
    deal.refresh_from_db()
    assert deal.stage.name == "Prospecting"


def test_board_move_keeps_the_board_filters_in_the_totals(
    web: Any, rep: Any, manager: Any, teammate: Any, pipeline: Any
) -> None:
    prospecting, proposal = _stage(pipeline, "Prospecting"), _stage(pipeline, "Proposal")
    deal = _deal(rep, amount="10")
    _deal(teammate, amount="99")
    response = web(manager).post(
        f"/deals/{deal.pk}/move/",
        {"stage": proposal.pk, "version": "1", "owner": rep.pk},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert re.search(r"data-count>0<", _column(html, prospecting.pk))
    assert re.search(r"data-count>1<", _column(html, proposal.pk))


# --- query counts -------------------------------------------------------------------------


def test_list_detail_and_board_queries_do_not_grow_with_rows(
    web: Any,
    rep: Any,
    pipeline: Any,
    make_person: Any,
    make_organization: Any,
    django_assert_max_num_queries: Any,
) -> None:
    organization = make_organization()
    person = make_person()
    proposal = _stage(pipeline, "Proposal")
    first_lead = _lead(rep, tags=["a"])
    first_deal = _deal(rep, organization=organization.pk, tags=["a"],
                       people=[{"person": person.pk, "role": "Buyer"}])  # fmt: skip

    def add(count: int) -> None:
        for index in range(count):
            _lead(rep, given_name=f"L{index}", email=f"l{index}@example.com", tags=[f"t{index}"])
            deal = _deal(rep, title=f"D{index}", organization=organization.pk, tags=[f"t{index}"],
                         people=[{"person": person.pk, "role": "Buyer"}])  # fmt: skip
            services.deal_move(actor=rep, deal=deal, stage=proposal)
            services.deal_move(actor=rep, deal=first_deal, stage=proposal if index % 2 else
                               _stage(pipeline, "Qualification"))  # fmt: skip

    client = web(rep)
    add(2)
    urls = ["/leads/", "/deals/", "/deals/board/", f"/leads/{first_lead.pk}/",
            f"/deals/{first_deal.pk}/"]  # fmt: skip
    expected = {url: _count_queries(client, url) for url in urls}
    add(10)
    for url in urls:
        with django_assert_max_num_queries(expected[url]):
            assert client.get(url).status_code == 200


# --- settings -----------------------------------------------------------------------------


def _management(prefix: str, total: int, initial: int) -> dict[str, Any]:
    return {
        f"{prefix}-TOTAL_FORMS": str(total),
        f"{prefix}-INITIAL_FORMS": str(initial),
        f"{prefix}-MIN_NUM_FORMS": "0",
        f"{prefix}-MAX_NUM_FORMS": "1000",
    }


def _stage_rows(rows: list[dict[str, Any]]) -> dict[str, Any]:
    data = _management("stages", len(rows), sum(1 for row in rows if row.get("id")))
    for index, row in enumerate(rows):
        for key in ("id", "name", "kind", "probability", "rotting_days", "ORDER", "DELETE"):
            if row.get(key) is not None and row[key] != "":  # 0 is a probability
                data[f"stages-{index}-{key}"] = str(row[key])
    return data


def test_create_pipeline_with_stages(web: Any, admin: Any, pipeline: Any) -> None:
    data = {"name": "Partners", **_stage_rows([
        {"name": "Talk", "kind": "open", "probability": 20, "rotting_days": 7, "ORDER": 1},
        {"name": "Signed", "kind": "won", "probability": 100, "ORDER": 2},
        {"name": "Gone", "kind": "lost", "probability": 0, "ORDER": 3},
        {},
    ])}  # fmt: skip
    response = web(admin).post("/settings/pipelines/new/", data)
    assert response.status_code == 302
    created = Pipeline.objects.get(name="Partners")
    assert [(s.name, s.kind, s.probability, s.rotting_days) for s in created.stages.all()] == [
        ("Talk", "open", 20, 7), ("Signed", "won", 100, None), ("Gone", "lost", 0, None)
    ]  # fmt: skip


def test_pipeline_without_a_won_stage_shows_the_error_and_creates_nothing(
    web: Any, admin: Any, pipeline: Any
) -> None:
    data = {"name": "Broken", **_stage_rows([
        {"name": "Talk", "kind": "open", "probability": 20, "ORDER": 1},
        {"name": "Gone", "kind": "lost", "probability": 0, "ORDER": 2},
    ])}  # fmt: skip
    response = web(admin).post("/settings/pipelines/new/", data)
    assert response.status_code == 200
    assert "A pipeline needs exactly one won and one lost stage." in response.content.decode()
    assert not Pipeline.objects.filter(name="Broken").exists()


def test_edit_pipeline_renames_reorders_adds_and_removes_stages(
    web: Any, admin: Any, pipeline: Any
) -> None:
    stages = list(pipeline.stages.all())
    rows = [
        {"id": stage.pk, "name": stage.name, "kind": stage.kind,
         "probability": stage.probability, "rotting_days": stage.rotting_days or "",
         "ORDER": index + 1}
        for index, stage in enumerate(stages)
    ]  # fmt: skip
    rows[0]["name"] = "First contact"
    rows[1]["ORDER"] = 5  # Qualification after Negotiation and Demo
    rows[2]["DELETE"] = "on"  # Proposal goes
    rows[3]["ORDER"] = 2
    rows[4]["ORDER"], rows[5]["ORDER"] = 6, 7
    rows.append({"name": "Demo", "kind": "open", "probability": 40, "ORDER": 3})
    client = web(admin)
    response = client.post(
        f"/settings/pipelines/{pipeline.pk}/",
        {"name": "Sales", "is_default": "on", "version": "1", **_stage_rows(rows)},
    )
    assert response.status_code == 302
    assert [stage.name for stage in pipeline.stages.order_by("position")] == [
        "First contact", "Negotiation", "Demo", "Qualification", "Closed Won", "Closed Lost"
    ]  # fmt: skip
    response = client.post(
        f"/settings/pipelines/{pipeline.pk}/",
        {"name": "Renamed", "version": "1", **_stage_rows(rows)},
    )
    assert "Someone else saved this record while you were editing it." in response.content.decode()
    pipeline.refresh_from_db()
    assert pipeline.name == "Sales"


def test_create_edit_and_delete_an_assignment_rule(
    web: Any, admin: Any, rep: Any, teammate: Any
) -> None:
    client = web(admin)
    data = {
        "name": "Big deals", "entity": "deal", "priority": "10", "is_active": "on",
        "strategy": "capacity", "members": [str(rep.pk), str(teammate.pk)], "capacity": "",
        "capacity_period": "day",
        **_management("conditions", 2, 0),
        "conditions-0-field": "amount", "conditions-0-op": "gte", "conditions-0-value": "10000",
        "conditions-1-field": "", "conditions-1-op": "eq", "conditions-1-value": "",
    }  # fmt: skip
    response = client.post("/settings/assignment/new/", data)
    assert 'data-field-error="capacity"' in response.content.decode()
    assert not AssignmentRule.objects.exists()
    response = client.post("/settings/assignment/new/", {**data, "capacity": "5"})
    assert response.status_code == 302
    rule = AssignmentRule.objects.get()
    assert rule.conditions == [{"field": "amount", "op": "gte", "value": "10000"}]
    assert sorted(member.pk for member in rule.members.all()) == sorted([rep.pk, teammate.pk])
    page = client.get(f"/settings/assignment/{rule.pk}/").content.decode()
    assert 'value="10000"' in page
    edit = {**data, "capacity": "5", "version": "1", "members": [str(rep.pk)],
            **_management("conditions", 1, 1), "conditions-0-field": "currency",
            "conditions-0-op": "in", "conditions-0-value": "BRL, EUR"}  # fmt: skip
    assert client.post(f"/settings/assignment/{rule.pk}/", edit).status_code == 302
    rule.refresh_from_db()
    assert rule.conditions == [{"field": "currency", "op": "in", "value": ["BRL", "EUR"]}]
    assert [member.pk for member in rule.members.all()] == [rep.pk]
    assert client.post(f"/settings/assignment/{rule.pk}/delete/").status_code == 302
    assert not AssignmentRule.objects.exists()


def test_default_owners_are_set_and_cleared(web: Any, admin: Any, rep: Any) -> None:
    client = web(admin)
    assert client.post("/settings/assignment/", {"lead": rep.pk, "deal": ""}).status_code == 302
    assert list(DefaultOwner.objects.values_list("entity", "user_id")) == [("lead", rep.pk)]
    page = client.get("/settings/assignment/").content.decode()
    assert f'<option value="{rep.pk}" selected>' in page
    client.post("/settings/assignment/", {"lead": "", "deal": ""})
    assert not DefaultOwner.objects.exists()


@pytest.mark.parametrize(
    ("language", "currency", "expected"),
    [
        ("en", "BRL", "R$ 1,234,567.50"),
        ("pt-br", "BRL", "R$ 1.234.567,50"),
        ("pt-pt", "EUR", "1.234.567,50 €"),
        ("pt-br", "CHF", "CHF 1.234.567,50"),
    ],
)
def test_money_is_written_the_way_the_language_writes_it(
    language: str, currency: str, expected: str
) -> None:
    from django.utils import translation

    from elo.web.templatetags.elo import money

    with translation.override(language):
        assert money(Decimal("1234567.5"), currency) == expected
