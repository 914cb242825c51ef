"""Runs workflows: matches events and due dates to enabled rules, checks conditions, carries out
the actions one savepoint each, and records every run and step.

Safety: a rule never re-triggers on an event its own run caused; a chain of rules stops at
`MAX_DEPTH`; a rule runs at most `rate_limit_per_hour` times an hour (the rest are recorded as
skipped); a failing action is retried after `BACKOFF` and then the run fails and is reported
(event "automation.run.failed" and the rule's failure count); disabling a rule stops its runs
before their next step.
"""

from __future__ import annotations

import datetime
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.utils import timezone

from elo.automation import records
from elo.automation.actions import REGISTRY, ActionSkipped, Context, wait_delay
from elo.automation.choices import RunStatus, StepOutcome, TriggerType
from elo.automation.models import Occurrence, RunStep, Workflow, WorkflowRun
from elo.core import conditions, context, events
from elo.core.models import OutboxEvent

logger = logging.getLogger(__name__)

MAX_DEPTH = 5
BACKOFF = (
    datetime.timedelta(minutes=1),
    datetime.timedelta(minutes=5),
    datetime.timedelta(minutes=30),
)
SCHEDULE_CATCH_UP = datetime.timedelta(minutes=15)


@dataclass
class Result:
    kind: str  # "continue", "stopped", "wait", "retry", "failed"
    at: datetime.datetime | None = None
    path: list[Any] | None = None
    error: str = ""


CONTINUE = Result("continue")


# --- triggers -------------------------------------------------------------------------------


def _same(expected: Any, actual: Any, field: str) -> bool:
    if expected is None:
        return True
    wanted = str(expected).strip().casefold()
    if str(actual).strip().casefold() == wanted:
        return True
    if field == "stage" and actual not in (None, ""):
        from elo.sales.models import Stage

        name = Stage.objects.filter(pk=actual).values_list("name", flat=True).first()
        return name is not None and name.strip().casefold() == wanted
    return False


def trigger_matches(trigger: Mapping[str, Any], changes: Mapping[str, Any]) -> bool:
    """An event trigger naming a field fires only when that field changed (from/to a value)."""
    name = trigger.get("field")
    if not name:
        return True
    change = changes.get(name)
    if change is None:
        return False
    return _same(trigger.get("from"), change.get("from"), name) and _same(
        trigger.get("to"), change.get("to"), name
    )


def on_event(event: OutboxEvent) -> None:
    """The outbox subscriber: starts a run for every enabled rule the event triggers."""
    workflows = list(
        Workflow.objects.filter(
            enabled=True, trigger_type=TriggerType.EVENT, trigger_event=event.name
        ).select_related("owner")
    )
    if not workflows:
        return
    cause = event.cause or {}
    payload = event.payload or {}
    record_type = records.entity_for_event(event.name)
    record_id = payload.get("id") if record_type else None
    changes: dict[str, Any] | None = None
    for workflow in workflows:
        if cause.get("workflow") == workflow.pk:
            continue  # its own change: never re-trigger itself
        if WorkflowRun.objects.filter(workflow=workflow, event_id=event.pk).exists():
            continue  # a redelivered event
        if changes is None:
            changes = records.changes_for(event, record_type, record_id)
        if not trigger_matches(workflow.trigger, changes):
            continue
        start(
            workflow,
            trigger={"type": "event", "event": event.name, "payload": payload},
            event_id=event.pk,
            record_type=record_type,
            record_id=record_id,
            depth=int(cause.get("depth") or 0) + 1,
            changes=changes,
        )


# --- runs -----------------------------------------------------------------------------------


def start(
    workflow: Workflow,
    *,
    trigger: dict[str, Any],
    event_id: int | None = None,
    record_type: str = "",
    record_id: Any = None,
    depth: int = 1,
    changes: Mapping[str, Any] | None = None,
    test_mode: bool = False,
) -> WorkflowRun:
    """Records a run and carries it out as far as it goes now (to its end, a wait or a retry)."""
    now = timezone.now()
    run = WorkflowRun(
        workflow=workflow,
        trigger=trigger,
        event_id=event_id,
        record_type=record_type,
        record_id=int(record_id) if record_id not in (None, "") else None,
        depth=depth,
        test_mode=test_mode,
        started_at=now,
        data={"changes": dict(changes or {}), "actions": workflow.actions},
    )
    try:
        with transaction.atomic():
            return _start(workflow, run, changes or {})
    except Exception as error:  # a broken rule or record must show as a failed run
        logger.exception("workflow %s could not start", workflow.pk)
        run.pk = None
        run.status = RunStatus.RUNNING
        run.save()
        _fail(run, f"{type(error).__name__}: {error}")
        return run


def _start(workflow: Workflow, run: WorkflowRun, changes: Mapping[str, Any]) -> WorkflowRun:
    if run.depth > MAX_DEPTH:
        return _close(run, RunStatus.STOPPED, f"depth limit {MAX_DEPTH} reached")
    record = None
    if run.record_type and run.record_id is not None:
        record = records.load(run.record_type, run.record_id)
        if record is None:
            return _close(run, RunStatus.SKIPPED, "the record no longer exists")
    data = records.data_for(run.record_type, record, changes) if run.record_type else {}
    data.setdefault("changes", dict(changes))
    outcome = conditions.evaluate(workflow.conditions or None, data)
    run.matched, run.checks = outcome.matched, outcome.checks
    if not outcome.matched:
        return _close(run, RunStatus.SKIPPED, "conditions not met")
    if not run.test_mode and _rate_limited(workflow, run.started_at):
        return _close(
            run, RunStatus.SKIPPED, f"rate limit of {workflow.rate_limit_per_hour} runs an hour"
        )
    run.save()
    ctx = Context(
        workflow=workflow,
        run=run,
        actor=workflow.owner,
        record_type=run.record_type,
        record=record,
        data=data,
        test_mode=run.test_mode,
    )
    _proceed(ctx, None)
    return run


def _rate_limited(workflow: Workflow, now: datetime.datetime) -> bool:
    limit = workflow.rate_limit_per_hour
    if not limit:
        return False
    recent = (
        WorkflowRun.objects.filter(
            workflow=workflow, started_at__gt=now - datetime.timedelta(hours=1), test_mode=False
        )
        .exclude(status=RunStatus.SKIPPED)
        .count()
    )
    return recent >= limit


def _close(run: WorkflowRun, status: str, error: str = "") -> WorkflowRun:
    run.status = status
    run.error = error
    run.finished_at = timezone.now()
    run.resume_at = None
    run.resume_path = None
    run.save()
    return run


def _proceed(ctx: Context, resume: list[Any] | None) -> None:
    run, workflow = ctx.run, ctx.workflow
    actor = context.Actor(
        kind="automation", user_id=workflow.owner_id, label=f"workflow {workflow.pk}: {workflow}"
    )
    cause = {"workflow": workflow.pk, "run": run.pk, "depth": run.depth}
    with context.acting(actor, cause=cause):
        result = _run_list(ctx, run.data.get("actions") or [], [], resume)
    if result.kind == "continue":
        _close(run, RunStatus.SUCCEEDED)
    elif result.kind == "stopped":
        _close(run, RunStatus.STOPPED, result.error)
    elif result.kind in ("wait", "retry"):
        run.status = RunStatus.WAITING
        run.resume_at, run.resume_path = result.at, result.path
        run.error = result.error
        run.save()
        _schedule_resume(result.at)
    else:
        _fail(run, result.error)


def _fail(run: WorkflowRun, error: str) -> None:
    """Marks the run failed and reports it: on the rule and as an event."""
    _close(run, RunStatus.FAILED, error)
    if run.test_mode:
        return
    now = timezone.now()
    Workflow.objects.filter(pk=run.workflow_id).update(
        failure_count=F("failure_count") + 1, last_failure_at=now, last_failure=error[:2000]
    )
    with context.acting(cause={"workflow": run.workflow_id, "run": run.pk, "depth": run.depth}):
        events.emit(
            "automation.run.failed",
            {
                "id": run.pk,
                "workflow": run.workflow_id,
                "record_type": run.record_type,
                "record_id": run.record_id,
                "error": error[:500],
            },
        )


def _schedule_resume(at: datetime.datetime | None) -> None:
    """Queues a resume sweep for when the run is due, where the task backend can defer; the
    minutely schedule sweeps as well, so this only makes resuming prompt."""
    if at is None:
        return

    def enqueue() -> None:
        from elo.automation.tasks import resume_runs

        try:
            if resume_runs.get_backend().supports_defer:
                resume_runs.using(run_after=at).enqueue()
        except Exception:
            logger.exception("could not queue the resume of waiting runs")

    transaction.on_commit(enqueue)


def _path_text(path: list[Any]) -> str:
    return ".".join(str(part) for part in path)


def _run_list(
    ctx: Context, actions: list[dict[str, Any]], prefix: list[Any], resume: list[Any] | None
) -> Result:
    start_at = int(resume[0]) if resume else 0
    for index in range(start_at, len(actions)):
        action = actions[index]
        path = [*prefix, index]
        inner = resume[1:] if resume and index == start_at and len(resume) > 1 else None
        if inner and action.get("type") == "branch":
            key = str(inner[0])
            result = _run_list(ctx, action.get(key) or [], [*path, key], inner[1:] or None)
        else:
            result = _step(ctx, action, path, retrying=bool(resume) and index == start_at)
        if result.kind != "continue":
            return result
    return CONTINUE


def _enabled(workflow: Workflow) -> bool:
    return Workflow.objects.filter(pk=workflow.pk, enabled=True).exists()


def _record_step(
    ctx: Context,
    path: list[Any],
    action_type: str,
    outcome: str,
    detail: dict[str, Any],
    *,
    started: float,
    attempts: int = 1,
    next_retry_at: datetime.datetime | None = None,
) -> RunStep:
    duration = int((time.monotonic() - started) * 1000)
    text = _path_text(path)
    step = RunStep.objects.filter(run=ctx.run, path=text).first()
    if step is None:
        position = RunStep.objects.filter(run=ctx.run).count()
        step = RunStep(run=ctx.run, path=text, position=position)
    step.action_type = action_type
    step.outcome = outcome
    step.detail = detail
    step.duration_ms = duration
    step.attempts = attempts
    step.next_retry_at = next_retry_at
    step.started_at = timezone.now()
    step.save()
    return step


def _step(ctx: Context, action: dict[str, Any], path: list[Any], *, retrying: bool) -> Result:
    started = time.monotonic()
    kind = str(action.get("type"))
    if not ctx.test_mode and not _enabled(ctx.workflow):
        return Result("stopped", error="the workflow was disabled")
    if kind == "stop":
        _record_step(ctx, path, kind, StepOutcome.OK, {}, started=started)
        return Result("stopped", error="stopped by a stop action")
    if kind == "branch":
        data = ctx.refresh()
        outcome = conditions.evaluate(action.get("if") or None, data)
        key = "then" if outcome.matched else "else"
        detail = {"matched": outcome.matched, "checks": outcome.checks, "took": key}
        _record_step(ctx, path, kind, StepOutcome.OK, detail, started=started)
        return _run_list(ctx, action.get(key) or [], [*path, key], None)
    if kind == "wait":
        until = timezone.now() + wait_delay(action)
        detail = {"until": until.isoformat()}
        _record_step(ctx, path, kind, StepOutcome.OK, detail, started=started)
        if ctx.test_mode:
            return CONTINUE
        return Result("wait", at=until, path=[*path[:-1], int(path[-1]) + 1])
    action_type = REGISTRY.get(kind)
    previous = (
        RunStep.objects.filter(run=ctx.run, path=_path_text(path)).first() if retrying else None
    )
    attempts = previous.attempts + 1 if previous is not None else 1
    try:
        if action_type is None:
            raise ValueError(f"unknown action {kind!r}")
        with transaction.atomic():
            if action_type.needs_record:
                ctx.refresh()
                if ctx.record is None:
                    raise ActionSkipped("there is no record to act on")
            detail = action_type.run(ctx, action)
    except ActionSkipped as skipped:
        _record_step(
            ctx,
            path,
            kind,
            StepOutcome.SKIPPED,
            {"reason": str(skipped)},
            started=started,
            attempts=attempts,
        )
        return CONTINUE
    except Exception as error:
        message = _describe(error)
        if ctx.test_mode or attempts > len(BACKOFF):
            _record_step(
                ctx,
                path,
                kind,
                StepOutcome.FAILED,
                {"error": message},
                started=started,
                attempts=attempts,
            )
            return Result("failed", error=f"action {_path_text(path)} ({kind}): {message}")
        retry_at = timezone.now() + BACKOFF[attempts - 1]
        _record_step(
            ctx,
            path,
            kind,
            StepOutcome.FAILED,
            {"error": message},
            started=started,
            attempts=attempts,
            next_retry_at=retry_at,
        )
        return Result("retry", at=retry_at, path=path, error=message)
    _record_step(ctx, path, kind, StepOutcome.OK, detail, started=started, attempts=attempts)
    return CONTINUE


def _describe(error: Exception) -> str:
    messages = getattr(error, "message_dict", None) or getattr(error, "messages", None)
    text = str(messages) if messages else str(error)
    return f"{type(error).__name__}: {text}"[:2000]


# --- resuming -------------------------------------------------------------------------------


def resume_due(now: datetime.datetime | None = None, limit: int = 200) -> int:
    """Carries on waiting runs whose time has come (after a wait, or to retry an action)."""
    now = now or timezone.now()
    due = list(
        WorkflowRun.objects.filter(status=RunStatus.WAITING, resume_at__lte=now, test_mode=False)
        .order_by("resume_at", "id")
        .values_list("pk", flat=True)[:limit]
    )
    resumed = 0
    for pk in due:
        with transaction.atomic():
            pending = WorkflowRun.objects.filter(pk=pk, status=RunStatus.WAITING)
            if transaction.get_connection().features.has_select_for_update_skip_locked:
                pending = pending.select_for_update(skip_locked=True)
            run = pending.select_related("workflow__owner").first()
            if run is None:
                continue
            _resume(run)
            resumed += 1
    return resumed


def _resume(run: WorkflowRun) -> None:
    workflow = run.workflow
    if not workflow.enabled:
        _close(run, RunStatus.STOPPED, "the workflow was disabled")
        return
    record = None
    if run.record_type and run.record_id is not None:
        record = records.load(run.record_type, run.record_id)
        if record is None:
            _close(run, RunStatus.STOPPED, "the record no longer exists")
            return
    changes = run.data.get("changes") or {}
    data = records.data_for(run.record_type, record, changes) if run.record_type else {}
    path = list(run.resume_path or [0])
    run.status, run.resume_at, run.resume_path, run.error = RunStatus.RUNNING, None, None, ""
    run.save()
    ctx = Context(
        workflow=workflow,
        run=run,
        actor=workflow.owner,
        record_type=run.record_type,
        record=record,
        data=data,
    )
    try:
        _proceed(ctx, path)
    except Exception as error:
        logger.exception("run %s could not resume", run.pk)
        _fail(run, _describe(error))


# --- dates and schedules --------------------------------------------------------------------


def _claim(workflow: Workflow, record_type: str, record_id: int, key: str) -> bool:
    try:
        with transaction.atomic():
            Occurrence.objects.create(
                workflow=workflow, record_type=record_type, record_id=record_id, key=key
            )
    except IntegrityError:
        return False
    return True


def fire_due(now: datetime.datetime | None = None) -> int:
    """Starts the runs of date and schedule triggers that are due, each occurrence once."""
    now = now or timezone.now()
    fired = 0
    workflows = Workflow.objects.filter(
        enabled=True, trigger_type__in=[TriggerType.DATE, TriggerType.SCHEDULE]
    ).select_related("owner")
    for workflow in workflows:
        try:
            if workflow.trigger_type == TriggerType.DATE:
                fired += _fire_dates(workflow, now)
            else:
                fired += _fire_schedule(workflow, now)
        except Exception:
            logger.exception("workflow %s: could not fire its due occurrences", workflow.pk)
    return fired


def date_lookup(entity: str, name: str, days: list[datetime.date]) -> dict[str, Any]:
    """The queryset filter for records whose date field falls on one of `days`."""
    if name.startswith("custom."):
        return {f"custom__{name[7:]}__in": [day.isoformat() for day in days]}
    field = records.ENTITIES[entity].model._meta.get_field(name)
    if isinstance(field, models.DateTimeField):
        return {f"{name}__date__in": days}
    return {f"{name}__in": days}


def _fire_dates(workflow: Workflow, now: datetime.datetime) -> int:
    """ "N days before/after a date": fires on the day field + offset, catching up one day."""
    trigger = workflow.trigger
    entity, name = trigger["entity"], trigger["field"]
    offset = datetime.timedelta(days=int(trigger.get("offset_days") or 0))
    today = timezone.localdate(now)
    days = [today - offset]
    if timezone.localdate(workflow.created_at) < today:
        days.append(today - offset - datetime.timedelta(days=1))
    model = records.ENTITIES[entity].model
    matching = model._default_manager.filter(
        deleted_at__isnull=True, **date_lookup(entity, name, days)
    )
    fired = 0
    record: Any
    for record in matching.iterator():
        if name.startswith("custom."):
            value = (record.custom or {}).get(name[7:])
        else:
            value = getattr(record, name)
        if isinstance(value, datetime.datetime):
            value = timezone.localdate(value)
        on = str(value)[:10]
        if not _claim(workflow, entity, record.pk, f"{name}:{on}"):
            continue
        start(
            workflow,
            trigger={"type": "date", "field": name, "date": on, "offset_days": offset.days},
            record_type=entity,
            record_id=record.pk,
        )
        fired += 1
    return fired


def _fire_schedule(workflow: Workflow, now: datetime.datetime) -> int:
    from cronsim import CronSim

    local_now = timezone.localtime(now)
    since = max(timezone.localtime(workflow.created_at), local_now - SCHEDULE_CATCH_UP)
    fired = 0
    for moment in CronSim(workflow.trigger["cron"], since.replace(second=0, microsecond=0)):
        if moment > local_now or fired >= 20:
            break
        if not _claim(workflow, "", 0, moment.isoformat()):
            continue
        start(workflow, trigger={"type": "schedule", "at": moment.isoformat()})
        fired += 1
    return fired
