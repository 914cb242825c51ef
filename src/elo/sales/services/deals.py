"""Every write to deals: create, edit, move between stages, win, lose, delete, restore."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from elo.contacts.models import Person
from elo.contacts.rules import CleanContext, clean_common
from elo.core import audit, events
from elo.core.errors import check_version
from elo.core.permissions import require
from elo.sales.choices import AssignmentEntity, DealStatus, StageKind
from elo.sales.models import Deal, DealPerson, DealStageChange, Pipeline, Stage, StageTask
from elo.sales.services import assignment
from elo.sales.services.pipelines import pipeline_ensure_default

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("999999999999.99")
DEAL_AUDITED = [
    "title",
    "pipeline",
    "stage",
    "status",
    "amount",
    "currency",
    "probability",
    "expected_close",
    "organization",
    "owner",
    "team",
    "custom",
    "close_reason",
    "external_id",
]


def clean_amount(value: Any) -> Decimal:
    if value in (None, ""):
        return Decimal(0)
    try:
        amount = Decimal(str(value).strip().replace(" ", ""))
    except InvalidOperation as error:
        raise ValidationError(_("Enter an amount like 1234.50."), code="invalid_amount") from error
    if not amount.is_finite() or amount < 0 or amount > MAX_AMOUNT:
        raise ValidationError(
            _("Enter an amount from 0 to 999,999,999,999.99."), code="invalid_amount"
        )
    return amount.quantize(CENT, rounding=ROUND_HALF_EVEN)


def clean_currency(value: Any) -> str:
    code = str(value or settings.ELO_BASE_CURRENCY).strip().upper()
    if len(code) != 3 or not code.isalpha():
        raise ValidationError(
            _("Use a three-letter currency code (BRL, EUR, USD)."), code="invalid_currency"
        )
    return code


def _stage_for(
    data: Mapping[str, Any], instance: Deal | None, errors: dict[str, list[str]]
) -> tuple[Pipeline | None, Stage | None]:
    pipeline: Pipeline | None = instance.pipeline if instance else None
    stage: Stage | None = instance.stage if instance else None
    if "pipeline" in data and data["pipeline"] not in (None, ""):
        pipeline = Pipeline.objects.filter(pk=_int(data["pipeline"]), is_archived=False).first()
        if pipeline is None:
            errors["pipeline"] = [_("Pick an existing pipeline.")]
            return None, None
        if instance is None or pipeline.pk != instance.pipeline_id:
            stage = None
    if pipeline is None:
        pipeline = pipeline_ensure_default()
    if "stage" in data and data["stage"] not in (None, ""):
        value = data["stage"]
        found = (
            pipeline.stages.filter(pk=_int(value)).first()
            if str(value).isdigit()
            else (pipeline.stages.filter(name__iexact=str(value).strip()).first())
        )
        if found is None:
            errors["stage"] = [_("Pick a stage of the deal's pipeline.")]
            return pipeline, None
        stage = found
    if stage is None:
        stage = pipeline.stages.filter(kind=StageKind.OPEN).order_by("position", "id").first()
    return pipeline, stage


def _int(value: Any) -> int:
    try:
        return int(getattr(value, "pk", value))
    except (TypeError, ValueError):
        return -1


def clean_deal(
    ctx: CleanContext, data: Mapping[str, Any], *, instance: Deal | None = None
) -> tuple[dict[str, Any], list[tuple[int, str]] | None, list[Any] | None]:
    """(fields, people with roles, tags) for a new deal or the changed fields of one."""
    errors: dict[str, list[str]] = {}
    fields: dict[str, Any] = {}
    if "title" in data or instance is None:
        title = " ".join(str(data.get("title") or "").split())
        if not title:
            errors["title"] = [_("Give the deal a title.")]
        elif len(title) > 200:
            errors["title"] = [_("At most %(limit)d characters.") % {"limit": 200}]
        fields["title"] = title
    for name, cleaner in (("amount", clean_amount), ("currency", clean_currency)):
        if name in data or instance is None:
            try:
                fields[name] = cleaner(data.get(name))
            except ValidationError as error:
                errors[name] = error.messages
    if "probability" in data:
        raw = data["probability"]
        if raw in (None, ""):
            fields["probability"] = None
        else:
            try:
                fields["probability"] = int(raw)
                if not 0 <= fields["probability"] <= 100:
                    raise ValueError
            except (TypeError, ValueError):
                errors["probability"] = [_("Enter a whole number from 0 to 100.")]
    if "expected_close" in data:
        raw = data["expected_close"]
        if raw in (None, ""):
            fields["expected_close"] = None
        elif isinstance(raw, datetime.date):
            fields["expected_close"] = raw
        else:
            parsed = parse_date(str(raw)[:10]) if raw else None
            if parsed is None:
                errors["expected_close"] = [_("Enter a date like 2026-12-31.")]
            fields["expected_close"] = parsed
    if "external_id" in data:
        fields["external_id"] = str(data["external_id"] or "").strip()[:100]
        if fields["external_id"] and (
            Deal.objects.filter(external_id=fields["external_id"])
            .exclude(pk=instance.pk if instance else None)
            .exists()
        ):
            errors["external_id"] = [_("Another deal has this external id.")]
    if "close_reason" in data:
        fields["close_reason"] = " ".join(str(data["close_reason"] or "").split())[:200]
    if "organization" in data:
        pk = data["organization"]
        if pk in (None, ""):
            fields["organization_id"] = None
        elif ctx.organization_visible(getattr(pk, "pk", pk)):
            fields["organization_id"] = _int(pk)
        else:
            errors["organization"] = [_("This record does not exist.")]
    people: list[tuple[int, str]] | None = None
    if "people" in data:
        people = []
        items = data["people"] or []
        wanted = [_int(item.get("person") if isinstance(item, Mapping) else item) for item in items]
        visible = set(
            Person.objects.visible_to(ctx.actor)
            .alive()
            .filter(pk__in=wanted)
            .values_list("pk", flat=True)
        )
        for item, pk in zip(items, wanted, strict=True):
            role = str(item.get("role") or "").strip()[:100] if isinstance(item, Mapping) else ""
            if pk not in visible:
                errors.setdefault("people", []).append(
                    _("Person %(id)s does not exist.") % {"id": pk}
                )
            elif pk not in [known for known, _role in people]:
                people.append((pk, role))
    pipeline, stage = _stage_for(data, instance, errors)
    if pipeline is not None and stage is not None:
        fields["pipeline_id"], fields["stage_id"] = pipeline.pk, stage.pk
    fields.update(_common(ctx, data, instance, errors))
    tags = (
        ctx.tags([str(tag) for tag in data.get("tags") or []], errors) if "tags" in data else None
    )
    if errors:
        raise ValidationError(errors)
    return fields, people, tags


def _common(
    ctx: CleanContext, data: Mapping[str, Any], instance: Deal | None, errors: dict[str, list[str]]
) -> dict[str, Any]:
    """Owner, team and custom fields, as for people and organizations."""
    allowed = {key: data[key] for key in ("owner", "team", "custom") if key in data}
    return clean_common(ctx, "deal", allowed, instance=cast(Any, instance), errors=errors)


def _snapshot(deal: Deal) -> dict[str, Any]:
    values = audit.snapshot(deal, DEAL_AUDITED)
    values["people"] = [[item.person_id, item.role] for item in deal.contacts.all()]
    values["tags"] = sorted(tag.name for tag in deal.tags.all())
    return values


def _apply_status(deal: Deal, stage: Stage, now: datetime.datetime) -> None:
    deal.status = {StageKind.WON: DealStatus.WON, StageKind.LOST: DealStatus.LOST}.get(
        StageKind(stage.kind), DealStatus.OPEN
    )
    deal.closed_at = now if deal.status != DealStatus.OPEN else None
    if deal.status == DealStatus.OPEN:
        deal.close_reason = ""


def _enter_stage(deal: Deal, stage: Stage, actor: Any, now: datetime.datetime) -> None:
    DealStageChange.objects.filter(deal=deal, left_at__isnull=True).update(left_at=now)
    DealStageChange.objects.create(
        deal=deal, stage=stage, entered_at=now, by_id=getattr(actor, "pk", None)
    )
    deal.stage_entered_at = now


def _run_playbook(actor: Any, deal: Deal, stage: Stage, now: datetime.datetime) -> None:
    """Entering a stage gives the deal's owner the stage's playbook tasks."""
    from elo.activities.services import activity_create

    for step in StageTask.objects.filter(stage=stage).order_by("position", "id"):
        activity_create(
            actor=actor,
            data={
                "kind": "task",
                "subject": step.subject,
                "deal": deal.pk,
                "organization": deal.organization_id,
                "assignee": deal.owner_id,
                "due_at": now + datetime.timedelta(days=step.due_in_days),
            },
        )


def _write_people(deal: Deal, people: list[tuple[int, str]] | None) -> None:
    if people is None:
        return
    DealPerson.objects.filter(deal=deal).delete()
    DealPerson.objects.bulk_create(
        DealPerson(deal=deal, person_id=pk, role=role, position=index)
        for index, (pk, role) in enumerate(people)
    )


def _attributes(deal: Deal, tags: list[Any] | None) -> dict[str, Any]:
    return {
        "amount": deal.amount,
        "currency": deal.currency,
        "pipeline": deal.pipeline_id,
        "tags": [tag.name for tag in tags or []],
        "custom": deal.custom,
    }


def deal_create(*, actor: Any, data: Mapping[str, Any]) -> Deal:
    """A new deal; without an explicit owner the assignment rules choose one."""
    require(actor, "sales.add")
    ctx = CleanContext(actor)
    fields, people, tags = clean_deal(ctx, data)
    now = timezone.now()
    with transaction.atomic():
        deal = Deal(**fields)
        deal.source_lead_id = data.get("source_lead") or None
        stage = Stage.objects.get(pk=deal.stage_id)
        _apply_status(deal, stage, now)
        if "close_reason" in fields:
            deal.close_reason = fields["close_reason"]
        decision = None
        if "owner_id" not in fields:
            decision = assignment.decide(
                entity=AssignmentEntity.DEAL, attributes=_attributes(deal, tags), creator=actor
            )
            deal.owner_id = decision.user.pk
        if "team_id" not in fields:
            deal.team_id = ctx.team_of(deal.owner_id)
        deal.stage_entered_at = now
        deal.save()
        DealStageChange.objects.create(deal=deal, stage=stage, entered_at=now, by_id=actor.pk)
        _write_people(deal, people)
        if tags is not None:
            deal.tags.set(tags)
        audit.record(
            action="sales.deal.created", instance=deal, changes=audit.diff({}, _snapshot(deal))
        )
        events.emit(
            "sales.deal.created",
            {
                "id": deal.pk,
                "pipeline": deal.pipeline_id,
                "stage": deal.stage_id,
                "amount": deal.amount,
            },
        )
        if decision is not None:
            assignment.record_assignment(
                entity=AssignmentEntity.DEAL, instance=deal, decision=decision
            )
        _run_playbook(actor, deal, stage, now)
    return deal


def deal_update(
    *, actor: Any, deal: Deal, data: Mapping[str, Any], expected_version: int | None = None
) -> Deal:
    """Changes the fields in `data`; a new stage goes through the same path as `deal_move`."""
    require(actor, "sales.change")
    ctx = CleanContext(actor)
    now = timezone.now()
    with transaction.atomic():
        locked = Deal.objects.select_for_update().get(pk=deal.pk)
        check_version(expected_version, locked.version)
        before = _snapshot(locked)
        fields, people, tags = clean_deal(ctx, data, instance=locked)
        old_stage = locked.stage_id
        for name, value in fields.items():
            setattr(locked, name, value)
        if "owner_id" in fields and "team_id" not in fields:
            locked.team_id = ctx.team_of(locked.owner_id)
        if locked.stage_id != old_stage:
            stage = Stage.objects.get(pk=locked.stage_id)
            _apply_status(locked, stage, now)
            if "close_reason" in fields and locked.status != DealStatus.OPEN:
                locked.close_reason = fields["close_reason"]
            _enter_stage(locked, stage, actor, now)
        _write_people(locked, people)
        if tags is not None:
            locked.tags.set(tags)
        changes = audit.diff(before, _snapshot(locked))
        if changes:
            locked.version += 1
            locked.updated_at = now
            locked.save()
            audit.record(action="sales.deal.updated", instance=locked, changes=changes)
            events.emit("sales.deal.updated", {"id": locked.pk, "changed": sorted(changes)})
            if "stage" in changes:
                _stage_events(locked, old_stage)
                _run_playbook(actor, locked, locked.stage, now)
    return locked


def _stage_events(deal: Deal, old_stage: int) -> None:
    payload = {"id": deal.pk, "from": old_stage, "to": deal.stage_id, "status": deal.status}
    events.emit("sales.deal.stage_changed", payload)
    if deal.status == DealStatus.WON:
        events.emit(
            "sales.deal.won", {"id": deal.pk, "amount": deal.amount, "currency": deal.currency}
        )
    elif deal.status == DealStatus.LOST:
        events.emit("sales.deal.lost", {"id": deal.pk, "reason": deal.close_reason})


def deal_move(
    *,
    actor: Any,
    deal: Deal,
    stage: Stage | int,
    reason: str = "",
    expected_version: int | None = None,
) -> Deal:
    """Moves a deal to another stage of its pipeline (the kanban drag); won and lost stages
    close it, moving out of them reopens it."""
    require(actor, "sales.change")
    stage_id = stage.pk if isinstance(stage, Stage) else int(stage)
    now = timezone.now()
    with transaction.atomic():
        locked = Deal.objects.select_for_update().get(pk=deal.pk)
        check_version(expected_version, locked.version)
        target = Stage.objects.filter(pk=stage_id, pipeline_id=locked.pipeline_id).first()
        if target is None:
            raise ValidationError({"stage": [_("Pick a stage of the deal's pipeline.")]})
        if target.pk == locked.stage_id:
            return locked
        if target.kind == StageKind.LOST and not reason.strip():
            raise ValidationError({"reason": [_("Say why the deal was lost.")]})
        old_stage = locked.stage_id
        before = {"stage": old_stage, "status": locked.status, "close_reason": locked.close_reason}
        locked.stage = target
        _apply_status(locked, target, now)
        if locked.status != DealStatus.OPEN:
            locked.close_reason = " ".join(reason.split())[:200]
        _enter_stage(locked, target, actor, now)
        locked.version += 1
        locked.updated_at = now
        locked.save()
        after = {"stage": target.pk, "status": locked.status, "close_reason": locked.close_reason}
        audit.record(
            action="sales.deal.stage_changed", instance=locked, changes=audit.diff(before, after)
        )
        _stage_events(locked, old_stage)
        _run_playbook(actor, locked, target, now)
    return locked


def deal_delete(*, actor: Any, deal: Deal) -> Deal:
    require(actor, "sales.delete")
    with transaction.atomic():
        locked = Deal.objects.select_for_update().get(pk=deal.pk)
        if locked.deleted_at is None:
            locked.deleted_at = timezone.now()
            locked.version += 1
            locked.save(update_fields=["deleted_at", "version"])
            audit.record(action="sales.deal.deleted", instance=locked, changes={})
            events.emit("sales.deal.deleted", {"id": locked.pk})
    return locked


def deal_restore(*, actor: Any, deal: Deal) -> Deal:
    require(actor, "sales.delete")
    with transaction.atomic():
        locked = Deal.objects.select_for_update().get(pk=deal.pk)
        if locked.deleted_at is not None:
            locked.deleted_at = None
            locked.version += 1
            locked.save(update_fields=["deleted_at", "version"])
            audit.record(action="sales.deal.restored", instance=locked, changes={})
            events.emit("sales.deal.restored", {"id": locked.pk})
    return locked
