"""Every write to workflows: create, change, enable/disable, delete, and the side-effect-free test
run against a chosen record."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from elo.automation import engine, records
from elo.automation.actions import FIELD_NAME, Errors, validate_actions
from elo.automation.choices import TriggerType
from elo.automation.models import RunStep, Workflow, WorkflowRun
from elo.core import audit, conditions, events
from elo.core.errors import check_version
from elo.core.permissions import require

PERMISSION = "settings.manage"
EVENT_NAME = re.compile(r"^[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*){1,4}$")
AUDITED = [
    "name",
    "description",
    "enabled",
    "trigger",
    "conditions",
    "actions",
    "rate_limit_per_hour",
    "owner",
]
DATE_ENTITIES = ("person", "organization", "lead", "deal", "activity")


def _scalar(value: Any) -> bool:
    return value is None or isinstance(value, str | int | float | bool)


def validate_trigger(trigger: Any) -> Errors:
    """Every problem with a trigger, keyed "trigger.<key>"."""
    errors: Errors = {}
    if not isinstance(trigger, dict):
        return {"trigger": ["expected an object"]}
    kind = trigger.get("type")
    allowed = {
        TriggerType.EVENT: {"type", "event", "field", "from", "to"},
        TriggerType.DATE: {"type", "entity", "field", "offset_days"},
        TriggerType.SCHEDULE: {"type", "cron"},
    }
    if kind not in allowed:
        return {"trigger.type": ["pick event, date or schedule"]}
    extra = set(trigger) - allowed[TriggerType(kind)]
    if extra:
        errors["trigger"] = [f"unexpected keys {sorted(extra)}"]
    if kind == TriggerType.EVENT:
        event = trigger.get("event")
        if not isinstance(event, str) or not EVENT_NAME.match(event):
            errors["trigger.event"] = ["name an event, like sales.deal.stage_changed"]
        elif _unknown_event(event):
            errors["trigger.event"] = [f"{event} is not in the event catalogue"]
        if "field" in trigger and (
            not isinstance(trigger["field"], str) or not FIELD_NAME.match(trigger["field"])
        ):
            errors["trigger.field"] = ["name a field of the record"]
        for key in ("from", "to"):
            if key in trigger and not _scalar(trigger[key]):
                errors[f"trigger.{key}"] = ["a single value"]
            if key in trigger and "field" not in trigger:
                errors[f"trigger.{key}"] = ["name the field that changes"]
    elif kind == TriggerType.DATE:
        _validate_date_trigger(trigger, errors)
    else:
        from cronsim import CronSim, CronSimError

        cron = trigger.get("cron")
        try:
            if not isinstance(cron, str):
                raise CronSimError("not text")
            CronSim(cron, timezone.localtime())
        except (CronSimError, ValueError, KeyError):
            errors["trigger.cron"] = ['a cron expression like "0 9 * * 1"']
    return errors


def _unknown_event(name: str) -> bool:
    """Whether the event catalogue (every app's event_types) knows no such event; an app that
    publishes no catalogue yet accepts any name under its label."""
    from elo.webhooks.selectors import unknown_event_patterns

    return bool(unknown_event_patterns([name]))


def _validate_date_trigger(trigger: Mapping[str, Any], errors: Errors) -> None:
    entity = trigger.get("entity")
    if entity not in DATE_ENTITIES:
        errors["trigger.entity"] = [f"one of {', '.join(DATE_ENTITIES)}"]
        return
    name = trigger.get("field")
    model = records.ENTITIES[str(entity)].model
    if isinstance(name, str) and name.startswith("custom."):
        from elo.core.models import CustomField

        if not CustomField.objects.filter(entity=entity, key=name[7:], field_type="date").exists():
            errors["trigger.field"] = ["name a date custom field of the record type"]
    else:
        dated = {
            field.name
            for field in model._meta.concrete_fields
            if field.get_internal_type() in ("DateField", "DateTimeField")
        }
        if name not in dated:
            errors["trigger.field"] = [f"one of {', '.join(sorted(dated))} or custom.<key>"]
    offset = trigger.get("offset_days", 0)
    if not isinstance(offset, int) or isinstance(offset, bool) or not -3650 <= offset <= 3650:
        errors["trigger.offset_days"] = ["whole days from -3650 to 3650"]


def _clean(data: Mapping[str, Any], instance: Workflow | None) -> dict[str, Any]:
    from elo.identity.models import User

    errors: Errors = {}
    fields: dict[str, Any] = {}
    if "name" in data or instance is None:
        name = " ".join(str(data.get("name") or "").split())
        if not name:
            errors["name"] = [_("Give the workflow a name.")]
        elif len(name) > 200:
            errors["name"] = [_("At most %(limit)d characters.") % {"limit": 200}]
        fields["name"] = name
    if "description" in data:
        fields["description"] = str(data.get("description") or "").strip()[:5000]
    if "enabled" in data:
        fields["enabled"] = bool(data["enabled"])
    if "trigger" in data or instance is None:
        trigger = data.get("trigger")
        errors.update(validate_trigger(trigger))
        fields["trigger"] = trigger
    if "conditions" in data:
        condition = data.get("conditions") or {}
        for problem in conditions.validate(condition) if condition else []:
            key, _sep, message = problem.partition(": ")
            errors.setdefault(key, []).append(message)
        fields["conditions"] = condition
    if "actions" in data or instance is None:
        actions = data.get("actions")
        if isinstance(actions, list) and not actions:
            errors["actions"] = ["add at least one action"]
        errors.update(validate_actions(actions))
        fields["actions"] = actions
    if "rate_limit_per_hour" in data:
        limit = data.get("rate_limit_per_hour")
        if not isinstance(limit, int) or isinstance(limit, bool) or not 0 <= limit <= 100000:
            errors["rate_limit_per_hour"] = ["a whole number from 0 (no limit) to 100000"]
        fields["rate_limit_per_hour"] = limit
    if data.get("owner") not in (None, ""):
        owner = User.objects.filter(pk=_int(data["owner"]), is_active=True).first()
        if owner is None:
            errors["owner"] = [_("Pick an active user as owner.")]
        fields["owner"] = owner
    if errors:
        raise ValidationError(
            {
                key: [ValidationError(message, code="invalid") for message in messages]
                for key, messages in errors.items()
            }
        )
    if "trigger" in fields:
        fields["trigger_type"] = fields["trigger"]["type"]
        fields["trigger_event"] = fields["trigger"].get("event", "")
    return fields


def _int(value: Any) -> int:
    try:
        return int(getattr(value, "pk", value))
    except (TypeError, ValueError):
        return -1


def workflow_create(*, actor: Any, data: Mapping[str, Any]) -> Workflow:
    require(actor, PERMISSION)
    fields = _clean(data, None)
    fields.setdefault("owner", actor)
    with transaction.atomic():
        workflow = Workflow.objects.create(**fields)
        audit.record(
            action="automation.workflow.created",
            instance=workflow,
            changes=audit.diff({}, audit.snapshot(workflow, AUDITED)),
        )
        events.emit("automation.workflow.created", {"id": workflow.pk, "name": workflow.name})
    return workflow


def workflow_update(
    *,
    actor: Any,
    workflow: Workflow,
    data: Mapping[str, Any],
    expected_version: int | None = None,
) -> Workflow:
    """Changes the fields in `data`; disabling takes effect before the next step of any run."""
    require(actor, PERMISSION)
    with transaction.atomic():
        locked = Workflow.objects.select_for_update().get(pk=workflow.pk)
        check_version(expected_version, locked.version)
        fields = _clean(data, locked)
        before = audit.snapshot(locked, AUDITED)
        for name, value in fields.items():
            setattr(locked, name, value)
        changes = audit.diff(before, audit.snapshot(locked, AUDITED))
        if changes:
            locked.version += 1
            locked.updated_at = timezone.now()
            locked.save()
            audit.record(action="automation.workflow.updated", instance=locked, changes=changes)
            events.emit(
                "automation.workflow.updated", {"id": locked.pk, "changed": sorted(changes)}
            )
    return locked


def workflow_delete(*, actor: Any, workflow: Workflow, expected_version: int | None = None) -> None:
    """Deletes the rule and its run history (disable it to keep the history)."""
    require(actor, PERMISSION)
    with transaction.atomic():
        locked = Workflow.objects.select_for_update().get(pk=workflow.pk)
        check_version(expected_version, locked.version)
        audit.record(
            action="automation.workflow.deleted",
            instance=locked,
            changes=audit.diff(audit.snapshot(locked, AUDITED), {}),
        )
        events.emit("automation.workflow.deleted", {"id": locked.pk, "name": locked.name})
        locked.delete()


class _RollBack(Exception):
    pass


def workflow_test(
    *, actor: Any, workflow: Workflow, record_type: str, record_id: int
) -> WorkflowRun:
    """Runs the workflow against one record with every change rolled back: nothing is written,
    no email or webhook goes out (mail is sent on commit, webhooks are skipped). The run and its
    steps are recorded afterwards with test_mode=True. Waits do not wait; failures do not retry."""
    require(actor, PERMISSION)
    entity = records.ENTITIES.get(record_type)
    if entity is None:
        raise ValidationError({"record_type": [_("Pick a record type.")]})
    visible = entity.model._default_manager.visible_to(actor)  # type: ignore[attr-defined]
    if not visible.filter(pk=_int(record_id), deleted_at__isnull=True).exists():
        raise ValidationError({"record_id": [_("This record does not exist.")]})
    captured: dict[str, Any] = {}
    try:
        with transaction.atomic():
            run = engine.start(
                workflow,
                trigger={"type": "test", "of": workflow.trigger},
                record_type=record_type,
                record_id=record_id,
                test_mode=True,
            )
            captured["run"] = {
                field.attname: getattr(run, field.attname)
                for field in WorkflowRun._meta.concrete_fields
                if field.name != "id"
            }
            captured["steps"] = [
                {
                    field.attname: getattr(step, field.attname)
                    for field in RunStep._meta.concrete_fields
                    if field.name not in ("id", "run")
                }
                for step in run.steps.order_by("position", "id")
            ]
            raise _RollBack
    except _RollBack:
        pass
    with transaction.atomic():
        run = WorkflowRun.objects.create(**captured["run"])
        RunStep.objects.bulk_create(RunStep(run=run, **step) for step in captured["steps"])
    return run
