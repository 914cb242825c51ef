"""Settings pages for workflows: list with the enabled toggle, detail with runs, the form."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from elo.automation.models import Workflow
from elo.sales.services import deal_move

pytestmark = pytest.mark.django_db

FORM = {
    "name": "Tag proposals",
    "enabled": "on",
    "trigger_type": "event",
    "event": "sales.deal.stage_changed",
    "field": "stage",
    "to_value": "Proposal",
    "conditions": json.dumps({"all": [{"field": "amount", "op": "gte", "value": 1000}]}),
    "actions": json.dumps([{"type": "add_tag", "tag": "proposal"}]),
    "rate_limit_per_hour": "100",
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


def test_bad_json_and_bad_actions_show_field_errors(web: Any, admin: Any) -> None:
    client = web(admin)
    broken = client.post("/settings/workflows/new/", {**FORM, "conditions": "{not json"})
    assert broken.status_code == 200
    assert b'data-field-error="conditions"' in broken.content
    wrong = client.post(
        "/settings/workflows/new/",
        {**FORM, "event": "", "actions": json.dumps([{"type": "add_tag"}])},
    )
    assert wrong.status_code == 200
    content = wrong.content.decode()
    assert 'data-field-error="event"' in content
    assert 'data-field-error="actions"' in content and "actions.0.tag" in content
    assert not Workflow.objects.exists()


def test_list_and_detail_take_a_fixed_number_of_queries(
    web: Any, admin: Any, rep: Any, make_deal: Any, make_workflow: Any, pipeline: Any, deliver: Any
) -> None:
    client = web(admin)
    workflow = make_workflow()

    def counts() -> tuple[int, ...]:
        result = []
        for url in ("/settings/workflows/", f"/settings/workflows/{workflow.pk}/"):
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
