"""The engine: events trigger rules, conditions decide, actions run in order and are recorded;
loops, chains, floods, failures and disabling are handled."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.core.exceptions import ValidationError

from elo.activities.models import Activity
from elo.automation import actions, engine, selectors, services
from elo.automation.models import RunStep, Workflow, WorkflowRun
from elo.core.models import AuditEntry, OutboxEvent
from elo.sales.services import deal_move, deal_update

pytestmark = pytest.mark.django_db

NOON = "2026-03-02 12:00:00+00:00"


def _stage(pipeline: Any, name: str) -> Any:
    return pipeline.stages.get(name=name)


def _tags(record: Any) -> list[str]:
    return sorted(tag.name for tag in type(record).objects.get(pk=record.pk).tags.all())


def test_deal_moved_to_a_stage_creates_a_task_for_its_owner_and_tags_it(
    rep: Any, admin: Any, pipeline: Any, make_deal: Any, make_workflow: Any, deliver: Any
) -> None:
    workflow = make_workflow(
        name="Proposal follow-up",
        trigger={
            "type": "event",
            "event": "sales.deal.stage_changed",
            "field": "stage",
            "to": "Proposal",
        },
        actions=[
            {
                "type": "create_task",
                "subject": "Call about {{record.title}} ({{record.stage.name}})",
                "body": "Owner: {{owner.name}} <b>{{record.amount}}</b>",
                "due_in_days": 2,
            },
            {"type": "add_tag", "tag": "proposal sent"},
        ],
    )
    deal = make_deal(title="Fleet & vans")
    deliver()
    assert not WorkflowRun.objects.exists()  # created, not moved: the trigger does not fire

    deal_move(actor=rep, deal=deal, stage=_stage(pipeline, "Proposal"))
    deliver()

    task = Activity.objects.get(kind="task", deal=deal, subject__startswith="Call about")
    assert task.subject == "Call about Fleet & vans (Proposal)"
    assert task.body == "Owner: Rita Rep <b>5000.00</b>"  # text templates are not HTML-escaped
    assert task.assignee_id == rep.pk and task.due_at is not None
    assert _tags(deal) == ["proposal sent"]
    run = WorkflowRun.objects.get(workflow=workflow)
    assert (run.status, run.record_type, run.record_id, run.depth) == (
        "succeeded", "deal", deal.pk, 1
    )  # fmt: skip
    assert run.event_id == OutboxEvent.objects.get(name="sales.deal.stage_changed").pk
    steps = list(run.steps.values_list("path", "action_type", "outcome", "attempts"))
    assert steps == [("0", "create_task", "ok", 1), ("1", "add_tag", "ok", 1)]
    tagged = AuditEntry.objects.get(action="sales.deal.updated", object_id=str(deal.pk))
    assert (tagged.actor_kind, tagged.actor_user_id) == ("automation", admin.pk)
    assert tagged.actor_label == f"workflow {workflow.pk}: Proposal follow-up"
    update = OutboxEvent.objects.get(name="sales.deal.updated", payload__id=deal.pk)
    assert update.cause == {"workflow": workflow.pk, "run": run.pk, "depth": 1}
    assert [r.pk for r in selectors.runs_for_record("deal", deal.pk)] == [run.pk]

    deal_move(actor=rep, deal=deal, stage=_stage(pipeline, "Negotiation"))
    deliver()
    assert WorkflowRun.objects.count() == 1  # moved elsewhere: no second run


CONDITIONS = {
    "all": [
        {"field": "amount", "op": "gte", "value": 1000},
        {
            "any": [
                {"field": "tags", "op": "eq", "value": "vip"},
                {"field": "organization.addresses.country", "op": "eq", "value": "PT"},
            ]
        },
    ]
}


@pytest.mark.parametrize(
    ("amount", "tags", "country", "matched"),
    [
        ("5000", ["vip"], "BR", True),
        ("5000", [], "PT", True),
        ("5000", [], "BR", False),
        ("500", ["vip"], "PT", False),
    ],
    ids=["big-vip", "big-portuguese", "big-neither", "small"],
)
def test_and_or_conditions_decide(
    rep: Any,
    pipeline: Any,
    make_deal: Any,
    make_workflow: Any,
    make_organization: Any,
    deliver: Any,
    amount: str,
    tags: list[str],
    country: str,
    matched: bool,
) -> None:
    make_workflow(conditions=CONDITIONS)
    organization = make_organization(addresses=[{"country": country, "city": "X"}])
    deal = make_deal(amount=amount, tags=tags, organization=organization.pk)
    organization.refresh_from_db()
    deal_move(actor=rep, deal=deal, stage=_stage(pipeline, "Proposal"))
    deliver()
    run = WorkflowRun.objects.get()
    assert run.matched is matched
    assert run.status == ("succeeded" if matched else "skipped")
    assert ("touched" in _tags(deal)) is matched
    assert {check["field"] for check in run.checks} >= {"amount"}


def test_field_changed_from_to_trigger(
    rep: Any, make_deal: Any, make_workflow: Any, deliver: Any
) -> None:
    workflow = make_workflow(
        trigger={
            "type": "event",
            "event": "sales.deal.updated",
            "field": "probability",
            "from": 10,
            "to": 50,
        }
    )
    deal = make_deal(probability=10)
    deal_update(actor=rep, deal=deal, data={"probability": 30})
    deliver()
    deal_update(actor=rep, deal=deal, data={"title": "Renamed"})
    deliver()
    assert not WorkflowRun.objects.exists()
    deal_update(actor=rep, deal=deal, data={"probability": 10})
    deal_update(actor=rep, deal=deal, data={"probability": 50})
    deliver()
    run = WorkflowRun.objects.get(workflow=workflow)
    assert run.trigger["event"] == "sales.deal.updated"
    assert run.data["changes"] == {"probability": {"from": 10, "to": 50}}


def test_a_rule_does_not_retrigger_itself(
    rep: Any, make_deal: Any, make_workflow: Any, deliver: Any
) -> None:
    workflow = make_workflow(
        trigger={"type": "event", "event": "sales.deal.updated", "field": "title"},
        actions=[{"type": "set_field", "field": "title", "value": "{{record.title}}!"}],
    )
    deal = make_deal(title="Deal")
    deal_update(actor=rep, deal=deal, data={"title": "Deal two"})
    deliver()
    deal.refresh_from_db()
    assert deal.title == "Deal two!"
    assert WorkflowRun.objects.filter(workflow=workflow).count() == 1


def test_a_chain_of_rules_stops_at_the_depth_limit(
    rep: Any, make_deal: Any, make_workflow: Any, deliver: Any
) -> None:
    bump = make_workflow(
        name="bump",
        trigger={"type": "event", "event": "sales.deal.updated", "field": "title"},
        actions=[
            {"type": "set_field", "field": "probability", "value": "{{record.probability|add:1}}"}
        ],
    )
    rename = make_workflow(
        name="rename",
        trigger={"type": "event", "event": "sales.deal.updated", "field": "probability"},
        actions=[{"type": "set_field", "field": "title", "value": "{{record.title}}!"}],
    )
    deal = make_deal(title="Deal", probability=0)
    deal_update(actor=rep, deal=deal, data={"title": "Go"})
    deliver()
    runs = list(WorkflowRun.objects.order_by("id").values_list("workflow", "depth", "status"))
    assert runs == [
        (bump.pk, 1, "succeeded"),
        (rename.pk, 2, "succeeded"),
        (bump.pk, 3, "succeeded"),
        (rename.pk, 4, "succeeded"),
        (bump.pk, 5, "succeeded"),
        (rename.pk, 6, "stopped"),
    ]
    assert WorkflowRun.objects.order_by("id").last().error == "depth limit 5 reached"  # type: ignore[union-attr]
    deal.refresh_from_db()
    assert (deal.title, deal.probability) == ("Go!!", 3)


def test_rate_limit_records_excess_runs_as_skipped(
    rep: Any, pipeline: Any, make_deal: Any, make_workflow: Any, deliver: Any
) -> None:
    workflow = make_workflow(rate_limit_per_hour=2)
    with time_machine.travel(NOON, tick=False) as clock:
        for index in range(3):
            deal = make_deal(title=f"Deal {index}")
            deal_move(actor=rep, deal=deal, stage=_stage(pipeline, "Proposal"))
            deliver()
        statuses = list(WorkflowRun.objects.order_by("id").values_list("status", "error"))
        assert statuses == [
            ("succeeded", ""),
            ("succeeded", ""),
            ("skipped", "rate limit of 2 runs an hour"),
        ]
        clock.shift(3601)
        deal_move(actor=rep, deal=deal, stage=_stage(pipeline, "Negotiation"))
        deliver()
    assert WorkflowRun.objects.filter(workflow=workflow).first().status == "succeeded"  # type: ignore[union-attr]


def test_failing_action_is_retried_with_backoff_then_reported(
    rep: Any, reader: Any, pipeline: Any, make_deal: Any, make_workflow: Any, deliver: Any
) -> None:
    workflow = make_workflow(
        owner=reader.pk,  # a read-only user: every change it tries is refused
        actions=[{"type": "create_task", "subject": "Follow up"}],
    )
    with time_machine.travel(NOON, tick=False) as clock:
        deal = make_deal()
        deal_move(actor=rep, deal=deal, stage=_stage(pipeline, "Proposal"))
        deliver()
        run = WorkflowRun.objects.get()
        step = run.steps.get()
        assert (run.status, step.outcome, step.attempts) == ("waiting", "failed", 1)
        assert "PermissionDenied" in step.detail["error"]
        for waited, attempt in ((60, 2), (300, 3), (1800, 4)):
            clock.shift(waited - 1)
            assert engine.resume_due() == 0
            clock.shift(1)
            assert engine.resume_due() == 1
            step.refresh_from_db()
            assert step.attempts == attempt
        run.refresh_from_db()
    assert run.status == "failed" and step.next_retry_at is None
    assert run.error.startswith("action 0 (create_task): PermissionDenied")
    assert not Activity.objects.filter(subject="Follow up").exists()
    workflow.refresh_from_db()
    assert workflow.failure_count == 1 and "PermissionDenied" in workflow.last_failure
    failed = OutboxEvent.objects.get(name="automation.run.failed")
    assert failed.payload["id"] == run.pk and failed.payload["workflow"] == workflow.pk


def test_a_retry_succeeds_once_the_cause_is_fixed(
    rep: Any,
    admin: Any,
    reader: Any,
    pipeline: Any,
    make_deal: Any,
    make_workflow: Any,
    deliver: Any,
) -> None:
    workflow = make_workflow(owner=reader.pk, actions=[{"type": "add_tag", "tag": "retried"}])
    with time_machine.travel(NOON, tick=False) as clock:
        deal = make_deal()
        deal_move(actor=rep, deal=deal, stage=_stage(pipeline, "Proposal"))
        deliver()
        services.workflow_update(actor=admin, workflow=workflow, data={"owner": admin.pk})
        clock.shift(61)
        assert engine.resume_due() == 1
    run = WorkflowRun.objects.get()
    assert run.status == "succeeded"
    assert list(run.steps.values_list("outcome", "attempts")) == [("ok", 2)]
    assert _tags(deal) == ["retried"]


@pytest.fixture
def disabling_action() -> Any:
    def run(ctx: Any, action: Any) -> dict[str, Any]:
        Workflow.objects.filter(pk=ctx.workflow.pk).update(enabled=False)
        return {}

    actions.register(actions.ActionType("test_disable", lambda *args: None, run))
    yield
    del actions.REGISTRY["test_disable"]


def test_disabling_takes_effect_before_the_next_step(
    rep: Any, pipeline: Any, make_deal: Any, make_workflow: Any, deliver: Any, disabling_action: Any
) -> None:
    make_workflow(
        actions=[
            {"type": "add_tag", "tag": "first"},
            {"type": "test_disable"},
            {"type": "add_tag", "tag": "second"},
        ]
    )
    deal = make_deal()
    deal_move(actor=rep, deal=deal, stage=_stage(pipeline, "Proposal"))
    deliver()
    run = WorkflowRun.objects.get()
    assert (run.status, run.error) == ("stopped", "the workflow was disabled")
    assert list(run.steps.values_list("action_type", flat=True)) == ["add_tag", "test_disable"]
    assert _tags(deal) == ["first"]


def test_wait_resumes_later_and_disabling_stops_a_waiting_run(
    rep: Any, admin: Any, pipeline: Any, make_deal: Any, make_workflow: Any, deliver: Any
) -> None:
    waits = make_workflow(
        actions=[
            {"type": "add_tag", "tag": "now"},
            {"type": "wait", "days": 2},
            {"type": "add_tag", "tag": "later"},
        ]
    )
    with time_machine.travel(NOON, tick=False) as clock:
        first, second = make_deal(title="One"), make_deal(title="Two")
        deal_move(actor=rep, deal=first, stage=_stage(pipeline, "Proposal"))
        deliver()
        run = WorkflowRun.objects.get()
        assert run.status == "waiting" and run.resume_path == [2]
        assert _tags(first) == ["now"]
        clock.shift(86400)
        assert engine.resume_due() == 0
        clock.shift(86400)
        assert engine.resume_due() == 1
        run.refresh_from_db()
        assert run.status == "succeeded" and _tags(first) == ["later", "now"]
        assert list(run.steps.values_list("path", "action_type")) == [
            ("0", "add_tag"), ("1", "wait"), ("2", "add_tag")
        ]  # fmt: skip

        deal_move(actor=rep, deal=second, stage=_stage(pipeline, "Proposal"))
        deliver()
        services.workflow_update(actor=admin, workflow=waits, data={"enabled": False})
        clock.shift(2 * 86400 + 1)
        assert engine.resume_due() == 1
    stopped = WorkflowRun.objects.get(record_id=second.pk)
    assert (stopped.status, stopped.error) == ("stopped", "the workflow was disabled")
    assert _tags(second) == ["now"]


def test_branch_chooses_then_or_else_and_a_wait_inside_resumes_in_the_branch(
    rep: Any, pipeline: Any, make_deal: Any, make_workflow: Any, deliver: Any
) -> None:
    make_workflow(
        actions=[
            {
                "type": "branch",
                "if": {"field": "amount", "op": "gte", "value": 1000},
                "then": [{"type": "wait", "hours": 1}, {"type": "add_tag", "tag": "big"}],
                "else": [{"type": "add_tag", "tag": "small"}, {"type": "stop"}],
            },
            {"type": "add_tag", "tag": "after"},
        ]
    )
    with time_machine.travel(NOON, tick=False) as clock:
        big, small = make_deal(amount="5000"), make_deal(amount="10")
        for deal in (big, small):
            deal_move(actor=rep, deal=deal, stage=_stage(pipeline, "Proposal"))
        deliver()
        clock.shift(3601)
        assert engine.resume_due() == 1
    big_run = WorkflowRun.objects.get(record_id=big.pk)
    small_run = WorkflowRun.objects.get(record_id=small.pk)
    assert big_run.status == "succeeded" and _tags(big) == ["after", "big"]
    assert list(big_run.steps.values_list("path", flat=True)) == [
        "0", "0.then.0", "0.then.1", "1"
    ]  # fmt: skip
    assert small_run.status == "stopped" and _tags(small) == ["small"]
    assert small_run.steps.get(path="0").detail["took"] == "else"


def test_redelivered_event_does_not_run_a_rule_twice(
    rep: Any, pipeline: Any, make_deal: Any, make_workflow: Any, deliver: Any
) -> None:
    make_workflow()
    deal = make_deal()
    deal_move(actor=rep, deal=deal, stage=_stage(pipeline, "Proposal"))
    deliver()
    event = OutboxEvent.objects.get(name="sales.deal.stage_changed")
    engine.on_event(event)
    assert WorkflowRun.objects.count() == 1 and RunStep.objects.count() == 1


def test_bad_rules_are_refused_with_field_errors(admin: Any, rep: Any) -> None:
    with pytest.raises(ValidationError) as caught:
        services.workflow_create(
            actor=admin,
            data={
                "name": "",
                "trigger": {"type": "event", "event": "Not an event"},
                "conditions": {"all": [{"field": "amount", "op": "bigger", "value": 1}]},
                "actions": [
                    {"type": "create_task", "subject": "{% if %}"},
                    {"type": "teleport"},
                    {
                        "type": "branch",
                        "if": {"field": "x", "op": "eq"},
                        "then": [{"type": "wait"}],
                    },
                ],
            },
        )
    assert set(caught.value.message_dict) == {
        "name",
        "trigger.event",
        "conditions.all.0.op",
        "actions.0.subject",
        "actions.1.type",
        "actions.2.if.value",
        "actions.2.then.0",
    }
    assert not Workflow.objects.exists()


@pytest.mark.parametrize(
    ("event", "known"),
    [
        ("sales.deal.stage_changed", True),
        ("automation.run.failed", True),
        ("automation.run.faild", False),
        ("nowhere.thing.happened", False),
    ],
)
def test_trigger_events_are_checked_against_the_catalogue(event: str, known: bool) -> None:
    errors = services.validate_trigger({"type": "event", "event": event})
    assert ("trigger.event" not in errors) is known


def test_field_change_values_come_from_the_same_service_call(
    rep: Any, make_deal: Any, make_workflow: Any, deliver: Any
) -> None:
    make_workflow(
        trigger={"type": "event", "event": "sales.deal.updated", "field": "probability", "to": 50}
    )
    with time_machine.travel(NOON, tick=False):
        deal = make_deal(probability=10)
        deal_update(actor=rep, deal=deal, data={"probability": 50})
        deal_update(actor=rep, deal=deal, data={"title": "Later edit, same instant"})
        deliver()
    run = WorkflowRun.objects.get()
    assert run.data["changes"] == {"probability": {"from": 10, "to": 50}}
