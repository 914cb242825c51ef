"""API schemas of pipelines, deals and the board."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from ninja import Field, Schema

from elo.contacts.schemas import UserRef, user_ref
from elo.sales.models import Deal
from elo.sales.schemas.quotes import QuoteLineIn, QuoteLineOut


class PlaybookStep(Schema):
    subject: str
    due_in_days: int = 1


class StageIn(Schema):
    id: int | None = None
    name: str
    kind: str = "open"
    probability: int | None = None
    rotting_days: int | None = None
    playbook: list[PlaybookStep] | None = Field(
        None, description="Tasks the deal's owner gets on entering the stage; omit to keep"
    )


class StageOut(Schema):
    id: int
    name: str
    kind: str
    probability: int
    rotting_days: int | None
    position: int
    playbook: list[PlaybookStep]

    @staticmethod
    def resolve_playbook(obj: Any) -> list[dict[str, Any]]:
        steps = getattr(obj, "playbook", None)
        if steps is None:
            return []
        return [{"subject": step.subject, "due_in_days": step.due_in_days} for step in steps.all()]


class PipelineIn(Schema):
    name: str
    is_default: bool = False
    stages: list[StageIn]


class PipelinePatch(Schema):
    name: str | None = None
    is_default: bool | None = None
    is_archived: bool | None = None
    stages: list[StageIn] | None = None


class PipelineOut(Schema):
    id: int
    name: str
    is_default: bool
    is_archived: bool
    version: int
    stages: list[StageOut]

    @staticmethod
    def resolve_stages(obj: Any) -> list[Any]:
        return list(obj.stages.all())


class DealPersonIn(Schema):
    person: int
    role: str = ""


class DealPersonOut(Schema):
    person: int
    role: str


class DealIn(Schema):
    title: str
    pipeline: int | None = None
    stage: int | None = None
    amount: Decimal = Decimal(0)
    currency: str = ""
    probability: int | None = None
    expected_close: datetime.date | None = None
    organization: int | None = None
    people: list[DealPersonIn] = []
    owner: int | None = Field(None, description="Leave out to let the assignment rules choose")
    team: int | None = None
    tags: list[str] = []
    custom: dict[str, Any] = {}
    external_id: str = ""


class DealPatch(Schema):
    title: str | None = None
    stage: int | None = None
    amount: Decimal | None = None
    currency: str | None = None
    probability: int | None = None
    expected_close: datetime.date | None = None
    organization: int | None = None
    people: list[DealPersonIn] | None = None
    owner: int | None = None
    team: int | None = None
    tags: list[str] | None = None
    custom: dict[str, Any] | None = None
    close_reason: str | None = None


class MoveIn(Schema):
    stage: int
    reason: str = ""


class DealOut(Schema):
    id: int
    title: str
    pipeline: int
    stage: int
    stage_name: str
    status: str
    amount: Decimal
    currency: str
    probability: int
    expected_close: datetime.date | None
    organization: int | None
    people: list[DealPersonOut]
    owner: UserRef
    team: int | None
    tags: list[str]
    custom: dict[str, Any]
    stage_entered_at: datetime.datetime
    rotting: bool
    closed_at: datetime.datetime | None
    close_reason: str
    source_lead: int | None
    external_id: str
    version: int
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_pipeline(obj: Deal) -> int:
        return obj.pipeline_id

    @staticmethod
    def resolve_stage(obj: Deal) -> int:
        return obj.stage_id

    @staticmethod
    def resolve_stage_name(obj: Deal) -> str:
        return obj.stage.name

    @staticmethod
    def resolve_probability(obj: Deal) -> int:
        return obj.effective_probability

    @staticmethod
    def resolve_organization(obj: Deal) -> int | None:
        return obj.organization_id

    @staticmethod
    def resolve_people(obj: Deal) -> list[dict[str, Any]]:
        return [{"person": item.person_id, "role": item.role} for item in obj.contacts.all()]

    @staticmethod
    def resolve_owner(obj: Deal) -> dict[str, Any] | None:
        return user_ref(obj.owner)

    @staticmethod
    def resolve_team(obj: Deal) -> int | None:
        return obj.team_id

    @staticmethod
    def resolve_tags(obj: Deal) -> list[str]:
        return [tag.name for tag in obj.tags.all()]

    @staticmethod
    def resolve_rotting(obj: Deal) -> bool:
        return obj.is_rotting()

    @staticmethod
    def resolve_source_lead(obj: Deal) -> int | None:
        return obj.source_lead_id


class StageChangeOut(Schema):
    stage: int
    name: str
    entered_at: datetime.datetime
    left_at: datetime.datetime | None


class DealLinesIn(Schema):
    lines: list[QuoteLineIn] = Field(
        ..., description="the deal's products; they replace the current ones (empty: none)"
    )


class DealDetailOut(DealOut):
    stage_history: list[StageChangeOut]
    lines: list[QuoteLineOut] = Field(
        ..., description="the deal's products; with lines, amount is their net sum"
    )

    @staticmethod
    def resolve_lines(obj: Deal) -> list[Any]:
        return list(obj.lines.all())

    @staticmethod
    def resolve_stage_history(obj: Deal) -> list[dict[str, Any]]:
        return [
            {
                "stage": item.stage_id,
                "name": item.stage.name,
                "entered_at": item.entered_at,
                "left_at": item.left_at,
            }
            for item in obj.stage_history.all()
        ]


class DealList(Schema):
    next: str | None
    items: list[DealOut]


class CardOut(Schema):
    id: int
    title: str
    amount: Decimal
    currency: str
    probability: int
    expected_close: datetime.date | None
    organization: str
    owner: UserRef
    rotting: bool
    version: int

    @staticmethod
    def resolve_probability(obj: Deal) -> int:
        return obj.effective_probability

    @staticmethod
    def resolve_organization(obj: Deal) -> str:
        return obj.organization.name if obj.organization_id and obj.organization else ""

    @staticmethod
    def resolve_owner(obj: Deal) -> dict[str, Any] | None:
        return user_ref(obj.owner)

    @staticmethod
    def resolve_rotting(obj: Deal) -> bool:
        return obj.is_rotting()


class ColumnOut(Schema):
    stage: StageOut
    count: int
    total: Decimal
    weighted: Decimal
    cards: list[CardOut]


class BoardOut(Schema):
    pipeline: int
    columns: list[ColumnOut]


class SummaryRow(Schema):
    pipeline: int
    stage: int
    name: str
    count: int
    amount: Decimal


def _money_text(value: Decimal) -> str:
    return str(value.quantize(Decimal("0.01")))


def board_payload(pipeline: Any, columns: list[Any]) -> dict[str, Any]:
    """`BoardOut` built directly (hundreds of cards make schema validation the board's largest
    cost); `tests/sales/test_api.py` checks both agree."""
    now = timezone.now()
    return {
        "pipeline": pipeline.pk,
        "columns": [
            {
                "stage": {
                    "id": column.stage.pk,
                    "name": column.stage.name,
                    "kind": column.stage.kind,
                    "probability": column.stage.probability,
                    "rotting_days": column.stage.rotting_days,
                    "position": column.stage.position,
                    "playbook": StageOut.resolve_playbook(column.stage),
                },
                "count": column.count,
                "total": _money_text(column.total),
                "weighted": _money_text(column.weighted),
                "cards": [
                    {
                        "id": card.pk,
                        "title": card.title,
                        "amount": _money_text(card.amount),
                        "currency": card.currency,
                        "probability": card.effective_probability,
                        "expected_close": card.expected_close.isoformat()
                        if card.expected_close
                        else None,
                        "organization": card.organization.name if card.organization_id else "",
                        "owner": user_ref(card.owner),
                        "rotting": card.is_rotting(now),
                        "version": card.version,
                    }
                    for card in column.cards
                ],
            }
            for column in columns
        ],
    }
