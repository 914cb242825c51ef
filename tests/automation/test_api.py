"""/api/v1/workflows: permissions, validation as problem+json, ETags, runs and test runs."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from elo.automation.models import Workflow, WorkflowRun
from elo.core.models import AuditEntry, OutboxEvent
from elo.sales.services import deal_move

pytestmark = pytest.mark.django_db

RULE = {
    "name": "Tag proposals",
    "trigger": {
        "type": "event",
        "event": "sales.deal.stage_changed",
        "field": "stage",
        "to": "Proposal",
    },
    "conditions": {"all": [{"field": "amount", "op": "gte", "value": 1000}]},
    "actions": [{"type": "add_tag", "tag": "proposal"}],
}


@pytest.mark.parametrize(
    ("persona", "status"),
    [("anonymous", 401), ("outsider", 403), ("rep", 403), ("manager", 403), ("admin", 201)],
)
def test_create_permission_matrix(api: Any, request: Any, persona: str, status: int) -> None:
    user = None if persona == "anonymous" else request.getfixturevalue(persona)
    client = api(user)
    response = client.post("/api/v1/workflows", RULE)
    assert response.status_code == status
    assert Workflow.objects.exists() is (status == 201)
    if status != 201:
        assert response["Content-Type"] == "application/problem+json"
        for path in ("/api/v1/workflows", "/api/v1/workflows/1", "/api/v1/workflows/1/runs"):
            assert client.get(path).status_code == status


def test_create_read_change_delete_with_etags(api: Any, admin: Any) -> None:
    client = api(admin)
    created = client.post("/api/v1/workflows", RULE)
    assert created.status_code == 201
    body = created.json()
    assert (body["name"], body["enabled"], body["owner"], body["version"]) == (
        "Tag proposals", True, admin.pk, 1
    )  # fmt: skip
    assert created["ETag"] == f'"{body["id"]}-1"'
    url = f"/api/v1/workflows/{body['id']}"
    assert client.get(url)["ETag"] == created["ETag"]
    changed = client.patch(url, {"enabled": False}, **{"If-Match": created["ETag"]})
    assert changed.status_code == 200 and changed.json()["enabled"] is False
    assert changed["ETag"] == f'"{body["id"]}-2"'
    stale = client.patch(url, {"name": "Other"}, **{"If-Match": created["ETag"]})
    assert stale.status_code == 412 and stale.json()["code"] == "stale_version"
    assert Workflow.objects.get().name == "Tag proposals"
    audit = AuditEntry.objects.filter(object_type="automation.workflow").order_by("id")
    assert [entry.action for entry in audit] == [
        "automation.workflow.created",
        "automation.workflow.updated",
    ]
    assert audit[1].changes == {"enabled": [True, False]}
    assert OutboxEvent.objects.filter(name="automation.workflow.updated").exists()
    assert client.delete(url, **{"If-Match": changed["ETag"]}).status_code == 204
    assert not Workflow.objects.exists()
    assert client.get(url).status_code == 404


def test_bad_rule_is_a_problem_with_field_errors(api: Any, admin: Any) -> None:
    response = api(admin).post(
        "/api/v1/workflows",
        {
            "name": "Bad",
            "trigger": {"type": "date", "entity": "deal", "field": "title"},
            "conditions": {"any": [{"field": "amount", "op": "gte"}]},
            "actions": [
                {"type": "send_email", "subject": "Hi {% if %}"},
                {"type": "wait", "days": 0},
                {"type": "assign", "user": 999999},
            ],
        },
    )
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "validation_failed"
    fields = {error["field"] for error in problem["errors"]}
    assert fields == {
        "trigger.field",
        "conditions.any.0.value",
        "actions.0.subject",
        "actions.0.body",
        "actions.1",
        "actions.2.user",
    }
    assert not Workflow.objects.exists()
    shape = api(admin).post("/api/v1/workflows", {"name": "x", "trigger": "soon", "actions": []})
    assert shape.status_code == 422
    assert {error["field"] for error in shape.json()["errors"]} == {"trigger"}


def test_runs_with_steps_and_a_test_run(
    api: Any, admin: Any, rep: Any, make_deal: Any, pipeline: Any, deliver: Any
) -> None:
    client = api(admin)
    workflow_id = client.post("/api/v1/workflows", RULE).json()["id"]
    deal = make_deal()
    deal_move(actor=rep, deal=deal, stage=pipeline.stages.get(name="Proposal"))
    deliver()

    tested = client.post(
        f"/api/v1/workflows/{workflow_id}/test", {"record_type": "deal", "record_id": deal.pk}
    )
    assert tested.status_code == 201
    assert tested.json()["test_mode"] is True
    # The deal already carries the tag: the test run finds nothing to do.
    assert [(s["action_type"], s["outcome"]) for s in tested.json()["steps"]] == [
        ("add_tag", "skipped")
    ]
    missing = client.post(
        f"/api/v1/workflows/{workflow_id}/test", {"record_type": "deal", "record_id": 999999}
    )
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["field"] == "record_id"

    page = client.get(f"/api/v1/workflows/{workflow_id}/runs?limit=1")
    assert page.status_code == 200
    body = page.json()
    assert [item["test_mode"] for item in body["items"]] == [True]
    assert body["next"]
    older = client.get(body["next"]).json()
    run = older["items"][0]
    assert (run["status"], run["record_type"], run["record_id"]) == ("succeeded", "deal", deal.pk)
    assert run["checks"][0]["field"] == "amount"
    assert [(s["path"], s["action_type"], s["outcome"]) for s in run["steps"]] == [
        ("0", "add_tag", "ok")
    ]
    assert older["next"] is None


def _count(client: Any, path: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def test_list_detail_and_runs_take_a_fixed_number_of_queries(
    api: Any, admin: Any, rep: Any, make_deal: Any, pipeline: Any, deliver: Any
) -> None:
    client = api(admin)
    workflow_id = client.post("/api/v1/workflows", RULE).json()["id"]
    deal = make_deal()
    deal_move(actor=rep, deal=deal, stage=pipeline.stages.get(name="Proposal"))
    deliver()
    few = {
        "list": _count(client, "/api/v1/workflows"),
        "detail": _count(client, f"/api/v1/workflows/{workflow_id}"),
        "runs": _count(client, f"/api/v1/workflows/{workflow_id}/runs"),
    }
    for index in range(4):
        client.post("/api/v1/workflows", {**RULE, "name": f"Rule {index}"})
        other = make_deal(title=f"Deal {index}")
        deal_move(actor=rep, deal=other, stage=pipeline.stages.get(name="Proposal"))
    deliver()
    assert WorkflowRun.objects.filter(workflow_id=workflow_id).count() == 5
    many = {
        "list": _count(client, "/api/v1/workflows"),
        "detail": _count(client, f"/api/v1/workflows/{workflow_id}"),
        "runs": _count(client, f"/api/v1/workflows/{workflow_id}/runs"),
    }
    assert many == few
    assert few["list"] <= 5 and few["detail"] <= 4 and few["runs"] <= 6
