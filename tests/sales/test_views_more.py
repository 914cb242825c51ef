"""Lead and deal timelines and history, restoring deals, as a signed-in user sees them."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from elo.activities import services as activity_services
from elo.activities.models import Activity
from elo.core.models import AuditEntry
from elo.sales import services
from elo.sales.models import Deal, ExchangeRate, Lead, Pipeline, Quota

pytestmark = pytest.mark.django_db


@pytest.fixture
def pipeline(db: Any) -> Pipeline:
    return services.pipeline_ensure_default()


def _lead(owner: Any, **data: Any) -> Lead:
    data.setdefault("given_name", "João")
    data.setdefault("family_name", "Pereira")
    data.setdefault("email", "joao@padaria.com.br")
    data.setdefault("owner", owner.pk)
    return services.lead_create(actor=owner, data=data)


def _deal(owner: Any, **data: Any) -> Deal:
    data.setdefault("title", "Big deal")
    data.setdefault("amount", "1000")
    data.setdefault("owner", owner.pk)
    return services.deal_create(actor=owner, data=data)


def _note(actor: Any, subject: str, **about: Any) -> Activity:
    return activity_services.activity_create(
        actor=actor, data={"kind": "note", "subject": subject, **about}
    )


def _count_queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


# --- timelines ----------------------------------------------------------------------------


def test_lead_and_deal_pages_show_their_timeline_and_quick_add(
    web: Any, rep: Any, pipeline: Any
) -> None:
    lead = _lead(rep)
    deal = _deal(rep)
    _note(rep, "Called about bread", lead=lead.pk)
    _note(rep, "Sent the proposal", deal=deal.pk)
    client = web(rep)
    lead_page = client.get(f"/leads/{lead.pk}/").content.decode()
    deal_page = client.get(f"/deals/{deal.pk}/").content.decode()
    assert "Called about bread" in lead_page
    assert "Sent the proposal" not in lead_page
    assert "Sent the proposal" in deal_page
    assert f'name="note-lead" value="{lead.pk}"' in lead_page
    assert f'name="note-deal" value="{deal.pk}"' in deal_page
    assert 'id="quick-add-task"' in deal_page


def test_reader_sees_the_timeline_without_quick_add(
    web: Any, rep: Any, reader: Any, pipeline: Any
) -> None:
    deal = _deal(rep)
    _note(rep, "Sent the proposal", deal=deal.pk)
    html = web(reader).get(f"/deals/{deal.pk}/").content.decode()
    assert "Sent the proposal" in html
    assert 'id="quick-add-note"' not in html


@pytest.mark.parametrize("subject", ["lead", "deal"])
def test_quick_add_on_a_lead_or_deal_adds_to_its_timeline(
    web: Any, rep: Any, pipeline: Any, subject: str
) -> None:
    record = _lead(rep) if subject == "lead" else _deal(rep)
    back = f"/{subject}s/{record.pk}/"
    response = web(rep).post(
        "/activities/add/",
        {"kind": "task", "task-subject": "Call back", "task-assignee": rep.pk,
         f"task-{subject}": record.pk, "task-next": back},
    )  # fmt: skip
    assert response.status_code == 302
    assert response["Location"] == back
    activity = Activity.objects.get(subject="Call back")
    assert getattr(activity, f"{subject}_id") == record.pk


def test_quick_add_on_an_invisible_deal_adds_nothing(
    web: Any, rep: Any, other_rep: Any, pipeline: Any
) -> None:
    deal = _deal(other_rep)
    response = web(rep).post(
        "/activities/add/", {"kind": "note", "note-subject": "Sneaky", "note-deal": deal.pk}
    )
    assert response.status_code == 200
    assert "This record does not exist." in response.content.decode()
    assert not Activity.objects.filter(subject="Sneaky").exists()


def test_htmx_quick_add_answers_with_the_entry_and_a_fresh_form(
    web: Any, rep: Any, pipeline: Any
) -> None:
    deal = _deal(rep)
    response = web(rep).post(
        "/activities/add/",
        {"kind": "note", "note-subject": "Quick", "note-deal": deal.pk},
        HTTP_HX_REQUEST="true",
    )
    html = response.content.decode()
    assert 'class="timeline-item"' in html
    assert f'name="note-deal" value="{deal.pk}"' in html


def test_timeline_tab_is_a_fragment_for_htmx(web: Any, rep: Any, pipeline: Any) -> None:
    deal = _deal(rep)
    html = web(rep).get(f"/deals/{deal.pk}/", HTTP_HX_REQUEST="true").content.decode()
    assert html.lstrip().startswith('<div id="record-tab">')


def test_lead_and_deal_pages_do_not_grow_with_timeline_entries(
    web: Any, rep: Any, pipeline: Any, django_assert_max_num_queries: Any
) -> None:
    lead = _lead(rep)
    deal = _deal(rep)

    def add(count: int) -> None:
        for index in range(count):
            _note(rep, f"L{index}", lead=lead.pk)
            _note(rep, f"D{index}", deal=deal.pk)
            activity_services.activity_create(
                actor=rep,
                data={"kind": "task", "subject": f"T{index}", "deal": deal.pk, "assignee": rep.pk},
            )

    client = web(rep)
    add(2)
    urls = [f"/leads/{lead.pk}/", f"/deals/{deal.pk}/"]
    expected = {url: _count_queries(client, url) for url in urls}
    add(10)
    for url in urls:
        with django_assert_max_num_queries(expected[url]):
            assert client.get(url).status_code == 200


# --- history ------------------------------------------------------------------------------


def test_deal_history_shows_changes_with_names(
    web: Any, rep: Any, manager: Any, pipeline: Any
) -> None:
    deal = _deal(rep)
    services.deal_update(actor=rep, deal=deal, data={"amount": "2500", "owner": manager.pk})
    services.deal_move(actor=rep, deal=deal, stage=pipeline.stages.get(name="Proposal"))
    html = web(manager).get(f"/deals/{deal.pk}/history/").content.decode()
    assert f'aria-current="page" href="/deals/{deal.pk}/history/"' in html
    assert html.count('data-action="sales.deal.') == 3
    assert "Proposal" in html
    assert str(manager) in html
    assert "2500" in html


def test_lead_history_shows_creation_and_disqualification(
    web: Any, rep: Any, pipeline: Any
) -> None:
    lead = _lead(rep)
    services.lead_disqualify(actor=rep, lead=lead, reason="No budget")
    html = web(rep).get(f"/leads/{lead.pk}/history/").content.decode()
    assert 'data-action="sales.lead.created"' in html
    assert 'data-action="sales.lead.disqualified"' in html
    assert "No budget" in html


@pytest.mark.parametrize("kind", ["lead", "deal"])
def test_history_of_an_invisible_record_is_404(
    web: Any, rep: Any, other_rep: Any, pipeline: Any, kind: str
) -> None:
    record = _lead(other_rep) if kind == "lead" else _deal(other_rep)
    assert web(rep).get(f"/{kind}s/{record.pk}/history/").status_code == 404


def test_history_pages_do_not_grow_with_entries(
    web: Any, rep: Any, pipeline: Any, django_assert_max_num_queries: Any
) -> None:
    deal = _deal(rep)
    lead = _lead(rep)

    def change(count: int) -> None:
        for index in range(count):
            services.deal_update(actor=rep, deal=deal, data={"amount": str(100 + index)})
            services.lead_update(actor=rep, lead=lead, data={"company": f"C{index}"})

    client = web(rep)
    change(2)
    urls = [f"/deals/{deal.pk}/history/", f"/leads/{lead.pk}/history/"]
    expected = {url: _count_queries(client, url) for url in urls}
    change(10)
    for url in urls:
        with django_assert_max_num_queries(expected[url]):
            assert client.get(url).status_code == 200


# --- restoring deals ----------------------------------------------------------------------


def test_deleted_deal_is_listed_and_restored_by_a_user_who_may_delete(
    web: Any, rep: Any, manager: Any, pipeline: Any
) -> None:
    deal = _deal(rep, title="Gone deal")
    services.deal_delete(actor=manager, deal=deal)
    client = web(manager)
    assert "Gone deal" in client.get("/deals/deleted/").content.decode()
    page = client.get(f"/deals/{deal.pk}/").content.decode()
    assert 'id="deal-deleted"' in page
    assert 'id="deal-actions"' not in page
    assert 'id="quick-add-note"' not in page
    response = client.post(f"/deals/{deal.pk}/restore/")
    assert response["Location"] == f"/deals/{deal.pk}/"
    deal.refresh_from_db()
    assert deal.deleted_at is None
    assert AuditEntry.objects.filter(action="sales.deal.restored", object_id=str(deal.pk)).exists()
    assert "No deleted deals." in client.get("/deals/deleted/").content.decode()


def test_restoring_needs_the_delete_permission(
    web: Any, rep: Any, manager: Any, pipeline: Any
) -> None:
    deal = _deal(rep)
    services.deal_delete(actor=manager, deal=deal)
    client = web(rep)
    assert client.get("/deals/deleted/").status_code == 403
    assert client.get(f"/deals/{deal.pk}/").status_code == 404
    assert client.post(f"/deals/{deal.pk}/restore/").status_code == 403
    deal.refresh_from_db()
    assert deal.deleted_at is not None


def test_restoring_a_deal_of_another_team_is_404(
    web: Any, other_rep: Any, manager: Any, pipeline: Any
) -> None:
    deal = _deal(other_rep)
    services.deal_delete(actor=manager, deal=deal)
    assert web(manager).post(f"/deals/{deal.pk}/restore/").status_code == 404


# --- pipeline playbooks and the lost reason -----------------------------------------------


def _pipeline_post(pipeline: Pipeline, playbooks: dict[str, str]) -> dict[str, Any]:
    stages = list(pipeline.stages.all())
    data: dict[str, Any] = {
        "name": pipeline.name,
        "version": str(pipeline.version),
        "stages-TOTAL_FORMS": str(len(stages)),
        "stages-INITIAL_FORMS": str(len(stages)),
        "stages-MIN_NUM_FORMS": "0",
        "stages-MAX_NUM_FORMS": "1000",
    }
    for index, stage in enumerate(stages):
        data.update(
            {
                f"stages-{index}-id": str(stage.pk),
                f"stages-{index}-name": stage.name,
                f"stages-{index}-kind": stage.kind,
                f"stages-{index}-probability": str(stage.probability),
                f"stages-{index}-ORDER": str(index + 1),
                f"stages-{index}-playbook": playbooks.get(stage.name, ""),
            }
        )
    return data


def test_pipeline_form_edits_each_stages_playbook(web: Any, admin: Any, pipeline: Any) -> None:
    client = web(admin)
    data = _pipeline_post(pipeline, {"Proposal": "2 Send the proposal\n\nCall the buyer"})
    response = client.post(f"/settings/pipelines/{pipeline.pk}/", data)
    assert response.status_code == 302
    proposal = pipeline.stages.get(name="Proposal")
    assert [(step.subject, step.due_in_days) for step in proposal.playbook.all()] == [
        ("Send the proposal", 2),
        ("Call the buyer", 1),
    ]
    html = client.get(f"/settings/pipelines/{pipeline.pk}/").content.decode()
    assert "2 Send the proposal\n1 Call the buyer</textarea>" in html


def test_pipeline_playbook_errors_are_shown_and_nothing_is_saved(
    web: Any, admin: Any, pipeline: Any
) -> None:
    data = _pipeline_post(pipeline, {"Proposal": "400 Far away"})
    response = web(admin).post(f"/settings/pipelines/{pipeline.pk}/", data)
    assert response.status_code == 200
    assert "a task is due in 0 to 365 days." in response.content.decode()
    assert not pipeline.stages.get(name="Proposal").playbook.filter(subject="Far away").exists()


def test_losing_without_a_reason_shows_the_error_on_the_reason_field(
    web: Any, rep: Any, pipeline: Any
) -> None:
    deal = _deal(rep)
    lost = pipeline.stages.get(kind="lost")
    response = web(rep).post(
        f"/deals/{deal.pk}/move/",
        {"stage": lost.pk, "reason": " ", "version": "1", "next": f"/deals/{deal.pk}/"},
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-field-error="reason">Say why the deal was lost.' in html
    deal.refresh_from_db()
    assert deal.status == "open"


# --- the forecast -------------------------------------------------------------------------


def _closing(owner: Any, stage: str, amount: str, close: str, **data: Any) -> Deal:
    return _deal(owner, stage=stage, amount=amount, expected_close=close, **data)


def test_forecast_shows_this_quarter_with_totals_and_owners(
    web: Any, rep: Any, manager: Any, admin: Any, pipeline: Any, time_machine: Any
) -> None:
    time_machine.move_to("2026-11-10T12:00:00Z")
    _closing(rep, "Negotiation", "1000", "2026-12-15")
    _closing(rep, "Proposal", "400", "2026-11-20")
    _closing(rep, "Proposal", "100", "2026-11-01", currency="JPY")
    _closing(rep, "Proposal", "999", "2027-01-05")
    services.quota_set(actor=admin, period="2026-Q4", amount="2000", user=rep)
    html = web(manager).get("/deals/forecast/").content.decode()
    assert '<option value="2026-Q4" selected>' in html
    assert 'data-total="commit">R$ 1,000.00' in html
    assert 'data-total="best_case">R$ 1,400.00' in html
    assert 'data-total="pipeline">R$ 1,400.00' in html
    assert 'id="forecast-unconverted"' in html
    assert "JPY" in html
    assert f'<tr data-owner="{rep.pk}">' in html
    assert "0.0%" in html


def test_forecast_filters_by_owner_and_rejects_a_bad_period(
    web: Any, rep: Any, teammate: Any, manager: Any, pipeline: Any, time_machine: Any
) -> None:
    time_machine.move_to("2026-11-10T12:00:00Z")
    _closing(rep, "Negotiation", "1000", "2026-12-15")
    _closing(teammate, "Negotiation", "300", "2026-12-15")
    client = web(manager)
    html = client.get(f"/deals/forecast/?period=2026-12&owner={teammate.pk}").content.decode()
    assert 'data-total="pipeline">R$ 300.00' in html
    bad = client.get("/deals/forecast/?period=2026-Q9").content.decode()
    assert 'data-field-error="period"' in bad
    assert 'id="forecast-totals"' not in bad


def test_forecast_shows_only_visible_deals(
    web: Any, rep: Any, other_rep: Any, pipeline: Any, time_machine: Any
) -> None:
    time_machine.move_to("2026-11-10T12:00:00Z")
    _closing(other_rep, "Negotiation", "1000", "2026-12-15")
    html = web(rep).get("/deals/forecast/").content.decode()
    assert 'data-total="pipeline">R$ 0.00' in html
    assert "No deals close in this period." in html


def test_forecast_queries_do_not_grow_with_deals_and_owners(
    web: Any,
    rep: Any,
    teammate: Any,
    manager: Any,
    pipeline: Any,
    time_machine: Any,
    django_assert_max_num_queries: Any,
) -> None:
    time_machine.move_to("2026-11-10T12:00:00Z")

    def add(count: int) -> None:
        for index in range(count):
            for owner in (rep, teammate, manager):
                _closing(owner, "Proposal", str(100 + index), "2026-12-01", title=f"D{index}")

    client = web(manager)
    add(1)
    expected = _count_queries(client, "/deals/forecast/")
    add(5)
    with django_assert_max_num_queries(expected):
        assert client.get("/deals/forecast/").status_code == 200


# --- quotas and exchange rates ------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url"),
    [("get", "/settings/forecast/"), ("post", "/settings/forecast/quota/"),
     ("post", "/settings/forecast/rates/")],
    ids=["page", "quota", "rate"],
)  # fmt: skip
def test_forecast_settings_need_the_configure_permission(
    web: Any, manager: Any, method: str, url: str
) -> None:
    assert getattr(web(manager), method)(url).status_code == 403


def test_admin_sets_a_quota_and_an_exchange_rate(
    web: Any, admin: Any, rep: Any, time_machine: Any
) -> None:
    time_machine.move_to("2026-11-10T12:00:00Z")
    client = web(admin)
    page = client.get("/settings/forecast/").content.decode()
    assert '<option value="2026-Q4" selected>' in page
    response = client.post(
        "/settings/forecast/quota/",
        {"quota-period": "2026-Q4", "quota-user": rep.pk, "quota-amount": "5000"},
    )
    assert response["Location"] == "/settings/forecast/?period=2026-Q4"
    assert Quota.objects.get(user=rep, period="2026-Q4").amount == 5000
    response = client.post(
        "/settings/forecast/rates/",
        {"rate-currency": "eur", "rate-rate": "6,1", "rate-valid_from": "2026-11-01"},
    )
    assert response["Location"] == "/settings/forecast/"
    rate = ExchangeRate.objects.get()
    assert (rate.currency, str(rate.rate)) == ("EUR", "6.10000000")
    page = client.get("/settings/forecast/?period=2026-Q4").content.decode()
    assert "EUR" in page
    assert str(rep) in page


def test_quota_and_rate_errors_are_shown_by_field(web: Any, admin: Any, rep: Any) -> None:
    client = web(admin)
    response = client.post(
        "/settings/forecast/quota/",
        {"quota-period": "2026-Q4", "quota-user": rep.pk, "quota-amount": "-3"},
    )
    assert 'data-field-error="amount">Enter an amount of 0 or more.' in response.content.decode()
    response = client.post(
        "/settings/forecast/quota/", {"quota-period": "2026-Q4", "quota-amount": "10"}
    )
    assert "Pick a user or a team." in response.content.decode()
    response = client.post(
        "/settings/forecast/rates/",
        {"rate-currency": "BRL", "rate-rate": "0", "rate-valid_from": "2026-11-01"},
    )
    html = response.content.decode()
    assert 'data-field-error="currency">The base currency is always worth 1.' in html
    assert 'data-field-error="rate">Enter a rate above 0, like 5.4321.' in html
    assert not Quota.objects.exists()
    assert not ExchangeRate.objects.exists()


def test_forecast_settings_queries_do_not_grow_with_quotas_and_rates(
    web: Any,
    admin: Any,
    rep: Any,
    teammate: Any,
    teams: Any,
    time_machine: Any,
    django_assert_max_num_queries: Any,
) -> None:
    time_machine.move_to("2026-11-10T12:00:00Z")

    def add(currencies: list[str]) -> None:
        for index, currency in enumerate(currencies):
            services.rate_set(
                actor=admin, currency=currency, rate="2", valid_from=f"2026-11-{index + 1:02d}"
            )

    client = web(admin)
    services.quota_set(actor=admin, period="2026-Q4", amount="100", user=rep)
    add(["EUR"])
    expected = _count_queries(client, "/settings/forecast/")
    services.quota_set(actor=admin, period="2026-Q4", amount="200", user=teammate)
    services.quota_set(actor=admin, period="2026-Q4", amount="900", team=teams["north"])
    add(["USD", "GBP", "JPY"])
    with django_assert_max_num_queries(expected):
        html = client.get("/settings/forecast/").content.decode()
    assert html.count("<tr><td>") == 3 + 4
