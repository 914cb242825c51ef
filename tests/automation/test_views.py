"""Settings pages for workflows: list with the enabled toggle, detail with runs, the form."""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from elo.automation.models import Workflow, WorkflowRun
from elo.sales.services import deal_move

from .test_builder import ACTION_KEYS, CONDITION_KEYS, action, condition, rows

pytestmark = pytest.mark.django_db

FORM = {
    "name": "Tag proposals",
    "enabled": "on",
    "trigger_type": "event",
    "event": "sales.deal.stage_changed",
    "field": "stage",
    "to_value": "Proposal",
    "rate_limit_per_hour": "100",
    "match": "all",
    **rows("conditions", CONDITION_KEYS, [condition("amount", "gte", "1000")]),
    **rows("actions", ACTION_KEYS, [action("add_tag", tag="proposal")]),
}


@pytest.mark.parametrize(("persona", "status"), [("rep", 403), ("manager", 403), ("admin", 200)])
def test_pages_need_settings_permission(web: Any, request: Any, persona: str, status: int) -> None:
    client = web(request.getfixturevalue(persona))
    assert client.get("/settings/workflows/").status_code == status
    assert client.get("/settings/workflows/new/").status_code == status


def test_anonymous_is_sent_to_sign_in(client: Any, db: Any) -> None:
    assert client.get("/settings/workflows/").status_code == 302


def test_create_edit_and_toggle(web: Any, admin: Any) -> None:
    client = web(admin)
    response = client.post("/settings/workflows/new/", FORM)
    workflow = Workflow.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/settings/workflows/{workflow.pk}/"
    assert workflow.trigger == {
        "type": "event", "event": "sales.deal.stage_changed", "field": "stage", "to": "Proposal"
    }  # fmt: skip
    assert workflow.actions == [{"type": "add_tag", "tag": "proposal"}]

    page = client.get(f"/settings/workflows/{workflow.pk}/edit/")
    assert page.status_code == 200 and b"sales.deal.stage_changed" in page.content
    edited = {**FORM, "name": "Renamed", "version": "1"}
    assert client.post(f"/settings/workflows/{workflow.pk}/edit/", edited).status_code == 302
    stale = client.post(f"/settings/workflows/{workflow.pk}/edit/", {**edited, "name": "Again"})
    assert stale.status_code == 200  # version 1 is stale now: the form says so
    assert b"Someone else saved this record" in stale.content
    assert b'name="version" value="2"' in stale.content
    workflow.refresh_from_db()
    assert (workflow.name, workflow.version) == ("Renamed", 2)

    toggled = client.post(
        f"/settings/workflows/{workflow.pk}/toggle/", {"enabled": "0"}, HTTP_HX_REQUEST="true"
    )
    assert toggled.status_code == 200 and b"Off" in toggled.content
    assert Workflow.objects.get().enabled is False


def test_bad_trigger_and_bad_actions_show_field_errors(web: Any, admin: Any) -> None:
    client = web(admin)
    wrong = client.post(
        "/settings/workflows/new/",
        {**FORM, "event": "", **rows("actions", ACTION_KEYS, [action("add_tag")])},
    )
    assert wrong.status_code == 200
    content = wrong.content.decode()
    assert 'data-field-error="event"' in content
    assert 'data-field-error="actions-0-tag"' in content
    assert not Workflow.objects.exists()


def test_the_detail_page_runs_a_test_against_a_record(
    web: Any, admin: Any, make_deal: Any, make_workflow: Any
) -> None:
    client = web(admin)
    workflow = make_workflow(conditions={"all": [{"field": "amount", "op": "gte", "value": 1}]})
    deal = make_deal()
    page = client.get(f"/settings/workflows/{workflow.pk}/").content.decode()
    assert "Test against a record" in page and '<option value="deal" selected>' in page
    assert "Advanced: the rule as JSON" in page and "&quot;op&quot;: &quot;gte&quot;" in page
    assert re.search(r"<code>amount</code> at least <strong>1</strong>", page)
    assert "Add a tag" in page and "<code>touched</code>" in page
    url = f"/settings/workflows/{workflow.pk}/test/"
    response = client.post(url, {"record_type": "deal", "record_id": str(deal.pk)})
    assert response.status_code == 302
    run = WorkflowRun.objects.get()
    assert (run.test_mode, run.record_type, run.record_id) == (True, "deal", deal.pk)
    assert deal.tags.count() == 0  # nothing changed
    followed = client.get(response["Location"]).content.decode()
    assert "Nothing was changed or sent" in followed

    missing = client.post(url, {"record_type": "deal", "record_id": "999999"})
    assert missing.status_code == 400
    assert 'data-field-error="record_id"' in missing.content.decode()
    assert WorkflowRun.objects.count() == 1


@pytest.mark.parametrize(("persona", "status"), [("rep", 403), ("admin", 302)])
def test_testing_needs_settings_permission(
    web: Any, request: Any, make_deal: Any, make_workflow: Any, persona: str, status: int
) -> None:
    workflow = make_workflow()
    client = web(request.getfixturevalue(persona))
    data = {"record_type": "deal", "record_id": str(make_deal().pk)}
    assert client.post(f"/settings/workflows/{workflow.pk}/test/", data).status_code == status


def test_list_and_detail_take_a_fixed_number_of_queries(
    web: Any, admin: Any, rep: Any, make_deal: Any, make_workflow: Any, pipeline: Any, deliver: Any
) -> None:
    client = web(admin)
    workflow = make_workflow()

    def counts() -> tuple[int, ...]:
        result = []
        for url in (
            "/settings/workflows/",
            f"/settings/workflows/{workflow.pk}/",
            f"/settings/workflows/{workflow.pk}/edit/",
        ):
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            result.append(len(queries))
        return tuple(result)

    deal = make_deal()
    deal_move(actor=rep, deal=deal, stage=pipeline.stages.get(name="Proposal"))
    deliver()
    few = counts()
    for index in range(3):
        make_workflow(name=f"Rule {index}")
        other = make_deal(title=f"Deal {index}")
        deal_move(actor=rep, deal=other, stage=pipeline.stages.get(name="Proposal"))
    deliver()
    assert counts() == few
    page = client.get(f"/settings/workflows/{workflow.pk}/")
    assert page.content.decode().count("add_tag") >= 4


def test_a_records_page_lists_the_runs_about_it_for_those_who_can_see_it(
    web: Any,
    rep: Any,
    outsider: Any,
    admin: Any,
    pipeline: Any,
    make_deal: Any,
    make_workflow: Any,
    deliver: Any,
    django_assert_max_num_queries: Any,
) -> None:
    from elo.sales.services import deal_move

    make_workflow(name="Tag on move", actions=[{"type": "add_tag", "tag": "moved"}])
    deal = make_deal(title="Fleet")
    url = f"/automation/runs/deal/{deal.pk}/"
    assert web(rep).get(url).content.decode().strip() == ""  # no runs yet: nothing shown
    for name in ("Qualification", "Proposal", "Negotiation"):
        deal_move(actor=rep, deal=deal, stage=pipeline.stages.get(name=name))
        deliver()
    client = web(rep)
    with django_assert_max_num_queries(12):
        html = client.get(url).content.decode()
    assert html.count("data-run=") == 3 and "Tag on move" in html
    assert 'data-status="succeeded"' in html
    assert "/settings/workflows/" not in html  # a rep sees runs, not the rule's settings
    assert "/settings/workflows/" in web(admin).get(url).content.decode()
    assert web(outsider).get(url).status_code == 404
    assert web(rep).get(f"/automation/runs/ticket/{deal.pk}/").status_code == 404
    page = client.get(f"/deals/{deal.pk}/").content.decode()
    assert f'hx-get="{url}"' in page
