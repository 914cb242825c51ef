"""Pipelines and their stages: what an admin configures, and the default one Elo ships."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from elo.core import audit, events
from elo.core.errors import check_version
from elo.core.permissions import require
from elo.sales.choices import StageKind
from elo.sales.models import Deal, Pipeline, Stage, StageTask

DEFAULT_STAGES = [
    ("Prospecting", StageKind.OPEN, 10, 30),
    ("Qualification", StageKind.OPEN, 25, 30),
    ("Proposal", StageKind.OPEN, 50, 21),
    ("Negotiation", StageKind.OPEN, 75, 14),
    ("Closed Won", StageKind.WON, 100, None),
    ("Closed Lost", StageKind.LOST, 0, None),
]


def pipeline_ensure_default() -> Pipeline:
    """The default pipeline, created with the usual stages when there is none."""
    pipeline = Pipeline.objects.filter(is_default=True).first()
    if pipeline is not None:
        return pipeline
    with transaction.atomic():
        pipeline = Pipeline.objects.create(name="Sales", is_default=True)
        Stage.objects.bulk_create(
            Stage(
                pipeline=pipeline,
                name=name,
                kind=kind,
                probability=probability,
                rotting_days=rotting,
                position=position,
            )
            for position, (name, kind, probability, rotting) in enumerate(DEFAULT_STAGES)
        )
    return pipeline


def _clean_stages(
    items: Sequence[Mapping[str, Any]], pipeline: Pipeline | None
) -> list[dict[str, Any]]:
    errors: list[str] = []
    cleaned: list[dict[str, Any]] = []
    names: set[str] = set()
    known = {stage.pk: stage for stage in pipeline.stages.all()} if pipeline else {}
    for number, item in enumerate(items, start=1):
        name = " ".join(str(item.get("name") or "").split())
        kind = item.get("kind") or StageKind.OPEN
        stage_id = item.get("id")
        if not name or len(name) > 100:
            errors.append(_("Stage %(n)d needs a name of at most 100 characters.") % {"n": number})
        elif name.casefold() in names:
            errors.append(_("Two stages are called %(name)s.") % {"name": name})
        names.add(name.casefold())
        if kind not in StageKind.values:
            errors.append(_("Stage %(n)d: pick open, won or lost.") % {"n": number})
        default_probability = {StageKind.WON: 100, StageKind.LOST: 0}.get(kind, 0)
        try:
            probability = int(item.get("probability", default_probability))
            if not 0 <= probability <= 100:
                raise ValueError
        except (TypeError, ValueError):
            errors.append(
                _("Stage %(n)d: the probability is a whole number from 0 to 100.") % {"n": number}
            )
            probability = 0
        rotting = item.get("rotting_days")
        if rotting in (None, ""):
            rotting = None
        else:
            try:
                rotting = int(rotting)
                if rotting < 1:
                    raise ValueError
            except (TypeError, ValueError):
                errors.append(
                    _("Stage %(n)d: rotting days is a whole number, 1 or more.") % {"n": number}
                )
                rotting = None
        playbook = []
        for step in item.get("playbook") or []:
            subject = " ".join(str(step.get("subject") or "").split())
            try:
                days = int(step.get("due_in_days", 1))
                if not 0 <= days <= 365:
                    raise ValueError
            except (TypeError, ValueError):
                errors.append(_("Stage %(n)d: a task is due in 0 to 365 days.") % {"n": number})
                continue
            if not subject or len(subject) > 300:
                errors.append(_("Stage %(n)d: say what each task is.") % {"n": number})
                continue
            playbook.append({"subject": subject, "due_in_days": days})
        if stage_id not in (None, "") and int(stage_id) not in known:
            errors.append(_("Stage %(n)d belongs to another pipeline.") % {"n": number})
        cleaned.append(
            {
                "id": int(stage_id) if stage_id not in (None, "") else None,
                "name": name,
                "kind": kind,
                "probability": probability,
                "rotting_days": rotting,
                "playbook": playbook if "playbook" in item else None,
            }
        )
    kinds = [stage["kind"] for stage in cleaned]
    if StageKind.OPEN not in kinds:
        errors.append(_("A pipeline needs at least one open stage."))
    if kinds.count(StageKind.WON) != 1 or kinds.count(StageKind.LOST) != 1:
        errors.append(_("A pipeline needs exactly one won and one lost stage."))
    if errors:
        raise ValidationError({"stages": errors})
    return cleaned


def _write_playbook(stage: Stage, playbook: list[dict[str, Any]] | None) -> None:
    """Replaces the stage's playbook; None leaves it as it is."""
    if playbook is None:
        return
    StageTask.objects.filter(stage=stage).delete()
    StageTask.objects.bulk_create(
        StageTask(stage=stage, position=index, **step) for index, step in enumerate(playbook)
    )


def _clean_name(name: Any, pipeline: Pipeline | None) -> str:
    text = " ".join(str(name or "").split())
    if not text or len(text) > 100:
        raise ValidationError({"name": [_("Name the pipeline (at most 100 characters).")]})
    clash = Pipeline.objects.filter(name__iexact=text)
    if pipeline is not None:
        clash = clash.exclude(pk=pipeline.pk)
    if clash.exists():
        raise ValidationError({"name": [_("Another pipeline has this name.")]})
    return text


def _snapshot(pipeline: Pipeline) -> dict[str, Any]:
    return {
        "name": pipeline.name,
        "is_default": pipeline.is_default,
        "is_archived": pipeline.is_archived,
        "stages": [
            [
                stage.name,
                stage.kind,
                stage.probability,
                stage.rotting_days,
                [f"{step.subject} (+{step.due_in_days})" for step in stage.playbook.all()],
            ]
            for stage in pipeline.stages.order_by("position", "id").prefetch_related("playbook")
        ],
    }


def pipeline_create(*, actor: Any, data: Mapping[str, Any]) -> Pipeline:
    require(actor, "sales.configure")
    errors: dict[str, list[str]] = {}
    try:
        name = _clean_name(data.get("name"), None)
    except ValidationError as error:
        errors.update(error.message_dict)
    try:
        stages = _clean_stages(data.get("stages") or [], None)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        is_default = bool(data.get("is_default")) or not Pipeline.objects.exists()
        if is_default:
            Pipeline.objects.filter(is_default=True).update(is_default=False)
        position = Pipeline.objects.count()
        pipeline = Pipeline.objects.create(name=name, is_default=is_default, position=position)
        for index, stage in enumerate(stages):
            stage.pop("id")
            playbook = stage.pop("playbook")
            created = Stage.objects.create(pipeline=pipeline, position=index, **stage)
            _write_playbook(created, playbook)
        audit.record(
            action="sales.pipeline.created", instance=pipeline, changes=_snapshot(pipeline)
        )
        events.emit("sales.pipeline.created", {"id": pipeline.pk})
    return pipeline


def pipeline_update(
    *,
    actor: Any,
    pipeline: Pipeline,
    data: Mapping[str, Any],
    expected_version: int | None = None,
) -> Pipeline:
    """Renames, reorders, adds and removes stages; a stage that still holds deals stays."""
    require(actor, "sales.configure")
    with transaction.atomic():
        locked = Pipeline.objects.select_for_update().get(pk=pipeline.pk)
        check_version(expected_version, locked.version)
        before = _snapshot(locked)
        errors: dict[str, list[str]] = {}
        if "name" in data:
            try:
                locked.name = _clean_name(data["name"], locked)
            except ValidationError as error:
                errors.update(error.message_dict)
        stages = None
        if "stages" in data:
            try:
                stages = _clean_stages(data["stages"] or [], locked)
            except ValidationError as error:
                errors.update(error.message_dict)
        if stages is not None and not errors:
            keep = {stage["id"] for stage in stages if stage["id"]}
            removed = locked.stages.exclude(pk__in=keep)
            busy = Deal.objects.filter(stage__in=removed).values_list("stage__name", flat=True)
            if busy:
                errors["stages"] = [
                    _("Move the deals out of %(name)s before removing it.") % {"name": name}
                    for name in sorted(set(busy))
                ]
        if errors:
            raise ValidationError(errors)
        if "is_archived" in data:
            locked.is_archived = bool(data["is_archived"])
        if data.get("is_default"):
            Pipeline.objects.exclude(pk=locked.pk).filter(is_default=True).update(is_default=False)
            locked.is_default = True
        if stages is not None:
            keep = {stage["id"] for stage in stages if stage["id"]}
            locked.stages.exclude(pk__in=keep).delete()
            # Stage names are unique per pipeline: park the kept ones under placeholder names
            # first (a leading space, which no cleaned name has), so an edit may swap names.
            for stage_id in keep:
                Stage.objects.filter(pk=stage_id).update(name=f" {stage_id}")
            for index, stage in enumerate(stages):
                stage_id = stage.pop("id")
                playbook = stage.pop("playbook")
                if stage_id:
                    Stage.objects.filter(pk=stage_id).update(position=index, **stage)
                    _write_playbook(Stage(pk=stage_id), playbook)
                else:
                    created = Stage.objects.create(pipeline=locked, position=index, **stage)
                    _write_playbook(created, playbook)
        changes = audit.diff(before, _snapshot(locked))
        if changes:
            locked.version += 1
            locked.save()
            audit.record(action="sales.pipeline.updated", instance=locked, changes=changes)
            events.emit("sales.pipeline.updated", {"id": locked.pk, "changed": sorted(changes)})
    return locked
