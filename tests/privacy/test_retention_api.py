"""/api/v1/retention-policies: the permission matrix, problem+json refusals that change
nothing, ETags, dry runs and runs, and query counts that stay flat."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from elo.core.models import AuditEntry
from elo.privacy import retention
from elo.privacy.models import RetentionPolicy, RetentionRun
from elo.sales.models import Lead
from elo.sales.services import lead_create

URL = "/api/v1/retention-policies"
NOW = datetime.datetime(2026, 6, 15, 12, 0, tzinfo=datetime.UTC)
LONG_AGO = datetime.datetime(2024, 1, 10, 9, 0, tzinfo=datetime.UTC)
BODY = {"name": "Stale leads", "entity": "leads", "inactive_months": 12}


@pytest.fixture(autouse=True)
def clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def _old_leads(rep: Any, count: int) -> list[Lead]:
    with time_machine.travel(LONG_AGO, tick=False):
        return [
            lead_create(actor=rep, data={"given_name": f"Old{index}"}) for index in range(count)
        ]


def _policy(admin: Any, name: str = "Stale leads", **data: Any) -> RetentionPolicy:
    return retention.policy_create(actor=admin, data={**BODY, "name": name, **data})


def _queries(call: Any) -> int:
    with CaptureQueriesContext(connection) as captured:
        reply = call()
    assert reply.status_code in (200, 201)
    return len(captured)


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "", None),
        ("post", "", BODY),
        ("get", "/{id}", None),
        ("patch", "/{id}", {"enabled": True}),
        ("delete", "/{id}", None),
        ("post", "/{id}/dry-run", {}),
        ("post", "/{id}/run", {}),
        ("get", "/{id}/runs", None),
    ],
    ids=["list", "create", "read", "change", "delete", "dry-run", "run", "runs"],
)
def test_only_settings_managers_reach_the_endpoints(
    api: Any, admin: Any, manager: Any, rep: Any, method: str, path: str, body: Any
) -> None:
    _old_leads(rep, 1)
    policy = _policy(admin, name="Existing")
    url = URL + path.format(id=policy.pk)
    for user, status in ((None, 401), (manager, 403), (rep, 403)):
        client = api(user)
        call = getattr(client, method)
        reply = call(url, body) if body is not None else call(url)
        assert reply.status_code == status, (user, reply.content)
        assert reply["Content-Type"] == "application/problem+json"
    assert list(RetentionPolicy.objects.values_list("name", "enabled", "version")) == [
        ("Existing", False, 1)
    ]
    assert not RetentionRun.objects.exists()
    assert not Lead.objects.filter(erased_at__isnull=False).exists()


def test_create_read_change_delete_with_etags(api: Any, admin: Any) -> None:
    client = api(admin)
    created = client.post(URL, {**BODY, "statuses": ["disqualified", "new"]})
    assert created.status_code == 201
    body = created.json()
    assert (body["name"], body["entity"], body["statuses"], body["enabled"]) == (
        "Stale leads",
        "leads",
        ["new", "disqualified"],
        False,
    )
    assert created["ETag"] == f'"{body["id"]}-1"'
    item = f"{URL}/{body['id']}"
    assert client.get(item).json() == body
    changed = client.patch(item, {"enabled": True}, **{"If-Match": created["ETag"]})
    assert changed.status_code == 200 and changed.json()["enabled"] is True
    assert changed["ETag"] == f'"{body["id"]}-2"'
    stale = client.delete(item, **{"If-Match": created["ETag"]})
    assert stale.status_code == 412 and RetentionPolicy.objects.exists()
    assert client.delete(item, **{"If-Match": changed["ETag"]}).status_code == 204
    assert not RetentionPolicy.objects.exists()
    assert client.get(item).status_code == 404


def test_a_stale_change_is_refused_and_changes_nothing(api: Any, admin: Any) -> None:
    policy = _policy(admin)
    client = api(admin)
    client.patch(f"{URL}/{policy.pk}", {"inactive_months": 24})
    reply = client.patch(
        f"{URL}/{policy.pk}", {"inactive_months": 6}, **{"If-Match": f'"{policy.pk}-1"'}
    )
    assert reply.status_code == 412
    assert reply.json()["code"] == "stale_version"
    policy.refresh_from_db()
    assert (policy.inactive_months, policy.version) == (24, 2)


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({**BODY, "inactive_months": 0}, {"inactive_months"}),
        ({**BODY, "statuses": ["customer"]}, {"statuses"}),
        ({**BODY, "entity": "tickets", "name": ""}, {"entity", "name"}),
        ({**BODY, "inactive_months": "twelve"}, {"inactive_months"}),
        ({"name": "No entity"}, {"entity", "inactive_months"}),
    ],
    ids=[
        "zero-months",
        "stage-on-leads",
        "unknown-entity-and-blank-name",
        "not-a-number",
        "missing",
    ],
)
def test_invalid_input_is_problem_json_with_field_errors(
    api: Any, admin: Any, body: dict[str, Any], fields: set[str]
) -> None:
    reply = api(admin).post(URL, body)
    assert reply.status_code == 422
    assert reply["Content-Type"] == "application/problem+json"
    problem = reply.json()
    assert problem["code"] == "validation_failed"
    assert {error["field"] for error in problem["errors"]} == fields
    assert not RetentionPolicy.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="privacy.retention").exists()


def test_an_invalid_change_changes_nothing(api: Any, admin: Any) -> None:
    policy = _policy(admin)
    reply = api(admin).patch(f"{URL}/{policy.pk}", {"entity": "people", "inactive_months": -1})
    assert reply.status_code == 422
    assert {error["field"] for error in reply.json()["errors"]} == {"inactive_months"}
    reply = api(admin).patch(f"{URL}/{policy.pk}", {"entity": "people"})
    assert reply.status_code == 200 and reply.json()["entity"] == "people"
    reply = api(admin).patch(f"{URL}/{policy.pk}", {"statuses": ["working"]})
    assert reply.status_code == 422
    policy.refresh_from_db()
    assert (policy.entity, policy.statuses, policy.inactive_months) == ("people", [], 12)


def test_dry_run_then_run_then_history(api: Any, admin: Any, rep: Any) -> None:
    leads = _old_leads(rep, 3)
    policy = _policy(admin)
    client = api(admin)
    dry = client.post(f"{URL}/{policy.pk}/dry-run")
    assert dry.status_code == 201
    assert {key: dry.json()[key] for key in ("dry_run", "matched", "anonymized")} == {
        "dry_run": True,
        "matched": 3,
        "anonymized": 0,
    }
    assert dry.json()["record_ids"] == [lead.pk for lead in leads]
    assert dry.json()["ids_complete"] is True
    assert not Lead.objects.filter(erased_at__isnull=False).exists()
    run = client.post(f"{URL}/{policy.pk}/run")
    # Accepted: the worker anonymizes (the test task backend runs it at once).
    assert run.status_code == 202
    run = client.get(f"{URL}/{policy.pk}/runs/{run.json()['id']}")
    assert (run.json()["matched"], run.json()["anonymized"], run.json()["error"]) == (3, 3, "")
    assert run.json()["record_ids"] == dry.json()["record_ids"]
    assert run.json()["actor"] == admin.pk
    assert Lead.objects.filter(erased_at__isnull=False).count() == 3
    entry = AuditEntry.objects.get(action="privacy.retention.ran")
    assert (entry.actor_kind, entry.actor_user_id) == ("token", admin.pk)
    assert client.get(f"{URL}/{policy.pk}").json()["last_run_count"] == 3
    history = client.get(f"{URL}/{policy.pk}/runs").json()
    assert [item["id"] for item in history["items"]] == [run.json()["id"], dry.json()["id"]]
    assert "record_ids" not in history["items"][0]
    one = client.get(f"{URL}/{policy.pk}/runs/{dry.json()['id']}")
    assert one.json()["record_ids"] == dry.json()["record_ids"]
    other = _policy(admin, name="Other")
    assert client.get(f"{URL}/{other.pk}/runs/{dry.json()['id']}").status_code == 404


def test_a_capped_dry_run_says_its_ids_are_incomplete(
    api: Any, admin: Any, rep: Any, monkeypatch: Any
) -> None:
    _old_leads(rep, 3)
    monkeypatch.setattr(retention, "STORED_IDS_LIMIT", 2)
    reply = api(admin).post(f"{URL}/{_policy(admin).pk}/dry-run").json()
    assert (reply["matched"], len(reply["record_ids"]), reply["ids_complete"]) == (3, 2, False)


def test_lists_page_and_keep_a_flat_query_count(api: Any, admin: Any, rep: Any) -> None:
    client = api(admin)
    policy = _policy(admin, name="A")
    _old_leads(rep, 2)
    retention.policy_dry_run(actor=admin, policy=policy)
    client.get(URL)  # the token's first use is recorded once
    few_policies = _queries(lambda: client.get(URL))
    few_runs = _queries(lambda: client.get(f"{URL}/{policy.pk}/runs"))
    few_leads = _queries(lambda: client.post(f"{URL}/{policy.pk}/dry-run"))
    for index in range(6):
        _policy(admin, name=f"P{index}")
        retention.policy_dry_run(actor=admin, policy=policy)
    _old_leads(rep, 8)
    assert _queries(lambda: client.get(URL)) == few_policies
    assert _queries(lambda: client.get(f"{URL}/{policy.pk}/runs")) == few_runs
    assert _queries(lambda: client.post(f"{URL}/{policy.pk}/dry-run")) == few_leads
    first = client.get(f"{URL}?limit=4").json()
    assert [item["name"] for item in first["items"]] == ["A", "P0", "P1", "P2"]
    second = client.get(first["next"]).json()
    assert [item["name"] for item in second["items"]] == ["P3", "P4", "P5"]
    assert second["next"] is None
