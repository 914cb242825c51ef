"""Date and schedule triggers: each occurrence fires once, whoever sweeps and however often."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
import time_machine

from elo.automation import engine
from elo.automation.models import Occurrence, WorkflowRun
from elo.sales.models import Deal
from elo.sales.services import deal_update

pytestmark = pytest.mark.django_db

MONDAY_MORNING = "2026-03-02 08:00:00+00:00"  # a Monday


def test_date_trigger_fires_once_per_record_per_occurrence(
    rep: Any, make_deal: Any, make_workflow: Any
) -> None:
    with time_machine.travel(MONDAY_MORNING, tick=False) as clock:
        workflow = make_workflow(
            name="Three days before closing",
            trigger={
                "type": "date",
                "entity": "deal",
                "field": "expected_close",
                "offset_days": -3,
            },
            actions=[{"type": "add_tag", "tag": "closing soon"}],
        )
        soon = make_deal(title="Soon", expected_close="2026-03-05")
        later = make_deal(title="Later", expected_close="2026-03-06")
        make_deal(title="Undated")
        assert engine.fire_due() == 1
        assert engine.fire_due() == 0
        run = WorkflowRun.objects.get()
        assert (run.record_id, run.status) == (soon.pk, "succeeded")
        assert run.trigger == {
            "type": "date", "field": "expected_close", "date": "2026-03-05", "offset_days": -3
        }  # fmt: skip

        clock.shift(datetime.timedelta(days=1))
        assert engine.fire_due() == 1  # "Later" is due; "Soon" already fired
        assert engine.fire_due() == 0
        assert WorkflowRun.objects.order_by("id").last().record_id == later.pk  # type: ignore[union-attr]

        deal_update(actor=rep, deal=soon, data={"expected_close": "2026-03-06"})
        assert engine.fire_due() == 1  # a new close date is a new occurrence
        assert engine.fire_due() == 0
    assert Occurrence.objects.filter(workflow=workflow).count() == 3
    assert WorkflowRun.objects.filter(record_id=soon.pk).count() == 2


def test_date_trigger_on_a_custom_date_field(
    rep: Any, admin: Any, make_deal: Any, make_workflow: Any
) -> None:
    from elo.core.services import custom_field_create

    custom_field_create(
        actor=admin, entity="deal", key="renewal", label="Renewal", field_type="date"
    )
    with time_machine.travel(MONDAY_MORNING, tick=False):
        make_workflow(
            trigger={
                "type": "date",
                "entity": "deal",
                "field": "custom.renewal",
                "offset_days": 30,
            },
        )
        deal = make_deal(custom={"renewal": "2026-01-31"})
        make_deal(custom={"renewal": "2026-02-01"})
        assert engine.fire_due() == 1
    assert WorkflowRun.objects.get().record_id == deal.pk


def test_schedule_fires_each_tick_once(admin: Any, pipeline: Any, make_workflow: Any) -> None:
    with time_machine.travel("2026-03-02 08:59:00+00:00", tick=False) as clock:
        make_workflow(
            name="Weekly review",
            trigger={"type": "schedule", "cron": "0 9 * * 1"},
            actions=[{"type": "create_deal", "title": "Review of {{today}}", "owner": admin.pk}],
        )
        assert engine.fire_due() == 0
        clock.shift(90)
        assert engine.fire_due() == 1
        assert engine.fire_due() == 0
        clock.shift(datetime.timedelta(days=7))
        assert engine.fire_due() == 1
    assert list(Deal.objects.order_by("id").values_list("title", flat=True)) == [
        "Review of 2026-03-02",
        "Review of 2026-03-09",
    ]
    assert [run.trigger["at"] for run in WorkflowRun.objects.order_by("id")] == [
        "2026-03-02T09:00:00+00:00",
        "2026-03-09T09:00:00+00:00",
    ]


def test_the_sweeps_are_minutely_scheduled_jobs(
    rep: Any, make_deal: Any, make_workflow: Any
) -> None:
    from elo.core import schedule

    jobs = schedule.registered()
    assert jobs["automation.fire_due"].spec == jobs["automation.resume_due"].spec == "every 1m"
    with time_machine.travel(MONDAY_MORNING, tick=False) as clock:
        make_workflow(
            trigger={"type": "date", "entity": "deal", "field": "expected_close", "offset_days": 0},
            actions=[{"type": "wait", "hours": 1}, {"type": "add_tag", "tag": "due"}],
        )
        deal = make_deal(expected_close="2026-03-02")
        schedule.run_due()
        clock.shift(120)
        schedule.run_due()
        assert WorkflowRun.objects.get().status == "waiting"
        clock.shift(3600)
        schedule.run_due()
    assert WorkflowRun.objects.get().status == "succeeded"
    assert [tag.name for tag in deal.tags.all()] == ["due"]


def test_a_wait_queues_a_deferred_resume_where_the_backend_can_defer(
    rep: Any, pipeline: Any, make_deal: Any, make_workflow: Any, deliver: Any,
    settings: Any, django_capture_on_commit_callbacks: Any,
) -> None:  # fmt: skip
    from django_tasks import task_backends

    from elo.sales.services import deal_move

    make_workflow(actions=[{"type": "wait", "hours": 2}, {"type": "add_tag", "tag": "later"}])
    with time_machine.travel(MONDAY_MORNING, tick=False):
        deal = make_deal()
        deal_move(actor=rep, deal=deal, stage=pipeline.stages.get(name="Proposal"))
        settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
        task_backends.__dict__.pop("settings", None)
        try:
            with django_capture_on_commit_callbacks(execute=True):
                deliver()
            queued = [r for r in task_backends["default"].results if "resume_runs" in r.task.name]
        finally:
            settings.TASKS = {
                "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
            }
            task_backends.__dict__.pop("settings", None)
    assert len(queued) == 1
    assert queued[0].task.run_after == WorkflowRun.objects.get().resume_at


def test_date_trigger_on_a_date_time_field(rep: Any, make_deal: Any, make_workflow: Any) -> None:
    from elo.activities.services import activity_create

    with time_machine.travel(MONDAY_MORNING, tick=False):
        make_workflow(
            trigger={"type": "date", "entity": "activity", "field": "due_at", "offset_days": -1},
            actions=[{"type": "wait", "minutes": 5}],
        )
        deal = make_deal()
        task = activity_create(
            actor=rep,
            data={
                "kind": "task",
                "subject": "Send",
                "deal": deal.pk,
                "due_at": "2026-03-03T15:00:00Z",
            },
        )
        assert engine.fire_due() == 1
        assert engine.fire_due() == 0
    run = WorkflowRun.objects.get()
    assert (run.record_type, run.record_id, run.trigger["date"]) == (
        "activity",
        task.pk,
        "2026-03-03",
    )
