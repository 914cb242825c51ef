"""Deals from the CSV importer: each row validated against look-ups fetched once per batch,
then the whole batch written with a few bulk statements (see `elo.core.bulk`)."""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from elo.contacts.models import Person
from elo.contacts.rules import CleanContext, clean_common
from elo.core import audit, bulk, events
from elo.core.dates import parse_moment
from elo.core.models import Tag
from elo.core.permissions import require
from elo.identity.models import User
from elo.sales.choices import DealStatus, StageKind
from elo.sales.models import Deal, DealPerson, DealStageChange, Pipeline, Stage
from elo.sales.services.deals import clean_amount, clean_currency
from elo.sales.services.pipelines import pipeline_ensure_default

STATUS_OF_KIND = {
    StageKind.OPEN: DealStatus.OPEN,
    StageKind.WON: DealStatus.WON,
    StageKind.LOST: DealStatus.LOST,
}


@dataclass
class _Fresh:
    index: int
    deal: Deal
    person: int | None
    tags: list[Tag]


class DealImportContext:
    """Pipelines with their stages, owners, and the people and organizations the actor may
    link, each fetched once for a batch instead of once per row."""

    def __init__(self, actor: Any) -> None:
        self.actor = actor
        self.common = CleanContext(actor)
        self.default = pipeline_ensure_default()
        self.pipelines: dict[str, Pipeline] = {}
        self.pipeline_ids: dict[str, Pipeline] = {}
        for pipeline in Pipeline.objects.filter(is_archived=False):
            self.pipelines[pipeline.name.casefold()] = pipeline
            self.pipeline_ids[str(pipeline.pk)] = pipeline
        self.stages: dict[int, dict[str, Stage]] = {}
        self.stage_ids: dict[int, dict[str, Stage]] = {}
        self.first_open: dict[int, Stage] = {}
        for stage in Stage.objects.filter(pipeline__is_archived=False).order_by("position", "id"):
            self.stages.setdefault(stage.pipeline_id, {})[stage.name.casefold()] = stage
            self.stage_ids.setdefault(stage.pipeline_id, {})[str(stage.pk)] = stage
            if stage.kind == StageKind.OPEN:
                self.first_open.setdefault(stage.pipeline_id, stage)
        self.people: set[int] = set()
        self.owners: dict[str, int | None] = {}

    def preload(self, rows: Sequence[Mapping[str, Any]]) -> None:
        people = {_pk(row.get("person")) for row in rows} - {None}
        self.people = set(
            Person.objects.visible_to(self.actor)
            .alive()
            .filter(pk__in=[pk for pk in people if pk and pk > 0])
            .values_list("pk", flat=True)
        )
        organizations = {_pk(row.get("organization")) for row in rows} - {None}
        self.common.preload_organizations(pk for pk in organizations if pk and pk > 0)

    def pipeline(self, value: Any) -> Pipeline | None:
        """The pipeline named `value` (any case) or with that id; the default when empty."""
        text = _text(value).casefold()
        if not text:
            return self.default
        return self.pipelines.get(text) or self.pipeline_ids.get(text)

    def stage(self, pipeline: Pipeline, value: Any) -> Stage | None:
        """The stage of `pipeline` named `value` (any case) or with that id; the first open
        stage when empty."""
        text = _text(value).casefold()
        if not text:
            return self.first_open.get(pipeline.pk)
        return self.stages.get(pipeline.pk, {}).get(text) or self.stage_ids.get(
            pipeline.pk, {}
        ).get(text)

    def owner(self, value: Any) -> int | None:
        """An active user's id from an id or an email address."""
        key = str(value).strip().lower()
        if key not in self.owners:
            users = User.objects.filter(is_active=True)
            if key.isdigit():
                found = users.filter(pk=int(key)).values_list("pk", flat=True).first()
            else:
                found = users.filter(email__iexact=key).values_list("pk", flat=True).first()
            self.owners[key] = found
        return self.owners[key]


def _pk(value: Any) -> int | None:
    if value in (None, ""):
        return None
    try:
        return int(getattr(value, "pk", value))
    except (TypeError, ValueError):
        return -1


def _text(value: Any) -> str:
    return " ".join(str(value or "").split())


def _moment(data: Mapping[str, Any], name: str, errors: dict[str, list[str]]) -> Any:
    try:
        return parse_moment(data.get(name))
    except ValidationError as error:
        errors[name] = error.messages
        return None


def _clean_row(
    ctx: DealImportContext, data: Mapping[str, Any]
) -> tuple[Deal, int | None, list[Tag]]:
    """An unsaved deal for one importer row, its person and its tags; raises ValidationError
    with every problem of the row."""
    errors: dict[str, list[str]] = {}
    fields: dict[str, Any] = {"external_id": str(data.get("external_id") or "").strip()[:100]}
    title = _text(data.get("title"))
    if not title:
        errors["title"] = [_("Give the deal a title.")]
    elif len(title) > 200:
        errors["title"] = [_("At most %(limit)d characters.") % {"limit": 200}]
    fields["title"] = title
    for name, cleaner in (("amount", clean_amount), ("currency", clean_currency)):
        try:
            fields[name] = cleaner(data.get(name))
        except ValidationError as error:
            errors[name] = error.messages
    raw = data.get("probability")
    if raw not in (None, ""):
        try:
            fields["probability"] = int(str(raw).strip())
            if not 0 <= fields["probability"] <= 100:
                raise ValueError
        except (TypeError, ValueError):
            errors["probability"] = [_("Enter a whole number from 0 to 100.")]
    raw = data.get("expected_close")
    if raw not in (None, ""):
        fields["expected_close"] = parse_date(str(raw).strip()[:10])
        if fields["expected_close"] is None:
            errors["expected_close"] = [_("Enter a date like 2026-12-31.")]
    pipeline = ctx.pipeline(data.get("pipeline"))
    stage = None
    if pipeline is None:
        errors["pipeline"] = [_("Pick an existing pipeline.")]
    else:
        stage = ctx.stage(pipeline, data.get("stage"))
        if stage is None:
            errors["stage"] = [_("Pick a stage of the deal's pipeline.")]
    person = _pk(data.get("person"))
    if person is not None and person not in ctx.people:
        errors["person"] = [_("This record does not exist.")]
    organization = _pk(data.get("organization"))
    if organization is not None:
        if organization > 0 and ctx.common.organization_visible(organization):
            fields["organization_id"] = organization
        else:
            errors["organization"] = [_("This record does not exist.")]
    owner = ctx.actor.pk
    if data.get("owner") not in (None, ""):
        owner = ctx.owner(data["owner"])
        if owner is None:
            errors["owner"] = [_("Pick an active user as owner.")]
    created_at = _moment(data, "created_at", errors) or timezone.now()
    closed_at = _moment(data, "closed_at", errors)
    custom = {"custom": data["custom"]} if "custom" in data else {}
    fields.update(clean_common(ctx.common, "deal", custom, instance=None, errors=errors))
    tags = ctx.common.tags(_names(data.get("tags")), errors) if data.get("tags") else []
    if errors:
        raise ValidationError(errors)
    assert pipeline is not None and stage is not None
    status = STATUS_OF_KIND[StageKind(stage.kind)]
    deal = Deal(
        **fields,
        pipeline_id=pipeline.pk,
        stage_id=stage.pk,
        status=status,
        owner_id=owner,
        team_id=ctx.common.team_of(owner),
        created_at=created_at,
        updated_at=created_at,
        stage_entered_at=created_at,
    )
    if status != DealStatus.OPEN:
        deal.closed_at = closed_at or created_at
        deal.close_reason = _text(data.get("close_reason"))[:200]
    return deal, person, tags


def _names(value: Any) -> list[str]:
    if isinstance(value, str):
        return [part.strip() for part in value.replace(";", ",").split(",") if part.strip()]
    return [str(item) for item in value or []]


def _already_loaded(rows: Sequence[Mapping[str, Any]]) -> tuple[set[str], set[int]]:
    """External ids already in the database, and the Elo ids of rows that name a deal of
    this database by `elo_id` and the same `created_at` (a file exported from here)."""
    external_ids = {str(row.get("external_id") or "").strip() for row in rows} - {""}
    loaded = set(
        Deal.objects.filter(external_id__in=external_ids).values_list("external_id", flat=True)
    )
    stamps: dict[int, datetime.datetime] = {}
    for row in rows:
        pk = _pk(row.get("elo_id"))
        if pk and pk > 0 and not str(row.get("external_id") or "").strip():
            try:
                moment = parse_moment(row.get("created_at"))
            except ValidationError:
                continue
            if moment is not None:
                stamps[pk] = moment
    known = {
        pk
        for pk, created_at in Deal.objects.filter(pk__in=stamps).values_list("pk", "created_at")
        if created_at == stamps[pk]
    }
    return loaded, known


def deals_import_batch(
    *, actor: Any, rows: Sequence[Mapping[str, Any]], skip_invalid: bool = False
) -> dict[str, Any]:
    """Adds deals from importer rows in one transaction.

    Rows name their stage (case-insensitively) in the default pipeline or in `pipeline`,
    and link a person and an organization by id; both must exist and be visible to
    `actor`. Status and close date follow the stage's kind; `created_at` is kept and starts
    the stage history. The owner is `actor` unless `owner` gives an active user's id or
    email; the team is the owner's. A row whose `external_id` is already loaded (or whose
    `elo_id` and `created_at` name a deal of this database) is left as it is, so a re-run
    adds nothing. Without `skip_invalid`, one rejected row rejects the whole batch.
    """
    require(actor, "sales.add")
    ctx = DealImportContext(actor)
    ctx.preload(rows)
    loaded, known = _already_loaded(rows)
    rejected: dict[int, dict[str, list[str]]] = {}
    unchanged: list[int] = []
    fresh: list[_Fresh] = []
    seen: set[str] = set()
    for index, row in enumerate(rows):
        external_id = str(row.get("external_id") or "").strip()
        if external_id in loaded or external_id in seen or _pk(row.get("elo_id")) in known:
            unchanged.append(index)
            continue
        try:
            deal, person, tags = _clean_row(ctx, row)
        except ValidationError as error:
            rejected[index] = error.message_dict
            continue
        if external_id:
            seen.add(external_id)
        fresh.append(_Fresh(index, deal, person, tags))
    if rejected and not skip_invalid:
        return {"created": [], "unchanged": unchanged, "rejected": rejected}
    deals = [item.deal for item in fresh]
    with transaction.atomic():
        for deal, pk in zip(deals, bulk.reserve_ids(Deal, len(deals)), strict=True):
            deal.pk = pk
        bulk.insert(Deal, deals)
        _write_links(actor, fresh)
        audit.record_rows(("sales.deal.created", deal, {"via": "import"}) for deal in deals)
        events.emit_many(
            "sales.deal.created",
            [
                {
                    "id": deal.pk,
                    "pipeline": deal.pipeline_id,
                    "stage": deal.stage_id,
                    "amount": deal.amount,
                    "via": "import",
                }
                for deal in deals
            ],
        )
    return {"created": [deal.pk for deal in deals], "unchanged": unchanged, "rejected": rejected}


def _write_links(actor: Any, fresh: Iterable[_Fresh]) -> None:
    """The person, the opening stage-history row and the tags of each new deal."""
    people: list[tuple[int, int, str, int]] = []
    history: list[tuple[int, int, datetime.datetime, int | None]] = []
    tags: list[tuple[int, int]] = []
    for item in fresh:
        deal = item.deal
        if item.person is not None:
            people.append((deal.pk, item.person, "", 0))
        history.append((deal.pk, deal.stage_id, deal.created_at, actor.pk))
        tags.extend((deal.pk, tag.pk) for tag in item.tags)
    bulk.insert_values(DealPerson, ["deal_id", "person_id", "role", "position"], people)
    bulk.insert_values(DealStageChange, ["deal_id", "stage_id", "entered_at", "by_id"], history)
    through: type[models.Model] = Deal.tags.through
    bulk.insert_values(through, ["deal_id", "tag_id"], tags)
