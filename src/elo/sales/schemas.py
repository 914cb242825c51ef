from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from django.utils import timezone
from ninja import Field, Schema

from elo.contacts.schemas import UserRef, user_ref
from elo.sales.models import Deal, Lead


class LeadIn(Schema):
    given_name: str = ""
    family_name: str = ""
    email: str = ""
    phone: str = ""
    company: str = ""
    job_title: str = ""
    website: str = ""
    industry: str = ""
    size: str = ""
    country: str = ""
    region: str = ""
    city: str = ""
    postal_code: str = ""
    message: str = ""
    source: str = "api"
    utm_source: str = ""
    utm_medium: str = ""
    utm_campaign: str = ""
    utm_term: str = ""
    utm_content: str = ""
    score: int = 0
    owner: int | None = Field(None, description="Leave out to let the assignment rules choose")
    team: int | None = None
    tags: list[str] = []
    custom: dict[str, Any] = {}
    external_id: str = ""


class LeadPatch(Schema):
    given_name: str | None = None
    family_name: str | None = None
    email: str | None = None
    phone: str | None = None
    company: str | None = None
    job_title: str | None = None
    website: str | None = None
    industry: str | None = None
    size: str | None = None
    country: str | None = None
    region: str | None = None
    city: str | None = None
    postal_code: str | None = None
    message: str | None = None
    source: str | None = None
    status: str | None = Field(None, description="new, working or qualified")
    score: int | None = None
    owner: int | None = None
    team: int | None = None
    tags: list[str] | None = None
    custom: dict[str, Any] | None = None


class LeadOut(Schema):
    id: int
    given_name: str
    family_name: str
    email: str
    phone: str
    company: str
    job_title: str
    website: str
    industry: str
    size: str
    country: str
    region: str
    city: str
    postal_code: str
    message: str
    source: str
    utm_source: str
    utm_medium: str
    utm_campaign: str
    utm_term: str
    utm_content: str
    status: str
    disqualify_reason: str
    score: int
    owner: UserRef
    team: int | None
    tags: list[str]
    custom: dict[str, Any]
    person: int | None
    organization: int | None
    deal: int | None
    converted_at: datetime.datetime | None
    version: int
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_owner(obj: Lead) -> dict[str, Any] | None:
        return user_ref(obj.owner)

    @staticmethod
    def resolve_team(obj: Lead) -> int | None:
        return obj.team_id

    @staticmethod
    def resolve_tags(obj: Lead) -> list[str]:
        return [tag.name for tag in obj.tags.all()]

    @staticmethod
    def resolve_person(obj: Lead) -> int | None:
        return obj.person_id

    @staticmethod
    def resolve_organization(obj: Lead) -> int | None:
        return obj.organization_id

    @staticmethod
    def resolve_deal(obj: Lead) -> int | None:
        return obj.deal_id


class LeadList(Schema):
    next: str | None
    items: list[LeadOut]


class ConvertIn(Schema):
    create_deal: bool = False
    deal_title: str = ""
    amount: Decimal | None = None
    currency: str = ""
    pipeline: int | None = None


class DisqualifyIn(Schema):
    reason: str


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


class DealDetailOut(DealOut):
    stage_history: list[StageChangeOut]

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


class ConditionIn(Schema):
    field: str
    op: str
    value: Any = None


class RuleIn(Schema):
    name: str
    entity: str
    priority: int = 100
    is_active: bool = True
    conditions: list[ConditionIn] = []
    strategy: str
    members: list[int]
    capacity: int | None = None
    capacity_period: str = "day"


class RulePatch(Schema):
    name: str | None = None
    priority: int | None = None
    is_active: bool | None = None
    conditions: list[ConditionIn] | None = None
    strategy: str | None = None
    members: list[int] | None = None
    capacity: int | None = None
    capacity_period: str | None = None


class RuleOut(Schema):
    id: int
    name: str
    entity: str
    priority: int
    is_active: bool
    conditions: list[dict[str, Any]]
    strategy: str
    members: list[int]
    capacity: int | None
    capacity_period: str
    version: int

    @staticmethod
    def resolve_members(obj: Any) -> list[int]:
        return sorted(user.pk for user in obj.members.all())


class ForecastOut(Schema):
    period: str
    start: datetime.date
    end: datetime.date
    currency: str
    closed_won: Decimal
    commit: Decimal
    best_case: Decimal
    pipeline: Decimal
    weighted: Decimal
    quota: Decimal | None
    attainment: Decimal | None = Field(None, description="closed won as % of the quota")
    deals: int
    unconverted: list[str] = Field(description="currencies left out for want of a rate")


class OwnerForecastOut(ForecastOut):
    owner: UserRef


class QuotaIn(Schema):
    period: str = Field(..., description="a month (2026-11) or a quarter (2026-Q4)")
    user: int | None = None
    team: int | None = None
    amount: Decimal | None = Field(None, description="empty removes the quota")


class QuotaOut(Schema):
    id: int
    period: str
    user: int | None
    team: int | None
    amount: Decimal

    @staticmethod
    def resolve_user(obj: Any) -> int | None:
        return obj.user_id

    @staticmethod
    def resolve_team(obj: Any) -> int | None:
        return obj.team_id


class RateIn(Schema):
    currency: str
    rate: Decimal
    valid_from: datetime.date


class RateImportOut(Schema):
    loaded: int


class RateOut(Schema):
    id: int
    currency: str
    rate: Decimal
    valid_from: datetime.date


class ProductIn(Schema):
    name: str
    sku: str
    unit: str = "unit"
    description: str = ""
    tax_rate: Decimal = Decimal(0)
    is_active: bool = True


class ProductPatch(Schema):
    name: str | None = None
    sku: str | None = None
    unit: str | None = None
    description: str | None = None
    tax_rate: Decimal | None = None
    is_active: bool | None = None


class ProductOut(Schema):
    id: int
    name: str
    sku: str
    unit: str
    description: str
    tax_rate: Decimal
    is_active: bool
    version: int


class PriceIn(Schema):
    product: int
    unit_price: Decimal


class PriceOut(Schema):
    product: int
    unit_price: Decimal

    @staticmethod
    def resolve_product(obj: Any) -> int:
        return int(obj.product_id)


class PriceListIn(Schema):
    name: str
    currency: str
    is_default: bool = False
    prices: list[PriceIn] = []


class PriceListPatch(Schema):
    name: str | None = None
    currency: str | None = None
    is_default: bool | None = None
    prices: list[PriceIn] | None = None


class PriceListOut(Schema):
    id: int
    name: str
    currency: str
    is_default: bool
    version: int
    prices: list[PriceOut]

    @staticmethod
    def resolve_prices(obj: Any) -> list[Any]:
        return list(obj.prices.all())


class QuoteLineIn(Schema):
    product: int | None = None
    description: str = ""
    quantity: Decimal = Decimal(1)
    unit_price: Decimal | None = Field(None, description="from the price list when left out")
    discount: Decimal = Decimal(0)
    tax_rate: Decimal | None = Field(None, description="the product's rate when left out")


class QuoteLineOut(Schema):
    product: int | None
    description: str
    quantity: Decimal
    unit_price: Decimal
    discount: Decimal
    tax_rate: Decimal
    net: Decimal
    tax: Decimal
    total: Decimal

    @staticmethod
    def resolve_product(obj: Any) -> int | None:
        return obj.product_id


class QuoteIn(Schema):
    title: str
    deal: int | None = None
    organization: int | None = None
    person: int | None = None
    price_list: int | None = None
    currency: str = ""
    valid_until: datetime.date | None = None
    owner: int | None = None
    lines: list[QuoteLineIn]


class QuotePatch(Schema):
    title: str | None = None
    deal: int | None = None
    organization: int | None = None
    person: int | None = None
    price_list: int | None = None
    currency: str | None = None
    valid_until: datetime.date | None = None
    owner: int | None = None
    lines: list[QuoteLineIn] | None = None


class QuoteStatusIn(Schema):
    status: str = Field(..., description="sent, accepted, declined or expired")


class QuoteOut(Schema):
    id: int
    title: str
    deal: int | None
    organization: int | None
    person: int | None
    price_list: int | None
    currency: str
    status: str
    valid_until: datetime.date | None
    revision: int
    lines: list[QuoteLineOut]
    net_total: Decimal
    tax_total: Decimal
    total: Decimal
    owner: UserRef
    sent_at: datetime.datetime | None
    decided_at: datetime.datetime | None
    public_link: str | None = Field(None, description="where the customer accepts or declines")
    version: int
    created_at: datetime.datetime

    @staticmethod
    def resolve_deal(obj: Any) -> int | None:
        return obj.deal_id

    @staticmethod
    def resolve_organization(obj: Any) -> int | None:
        return obj.organization_id

    @staticmethod
    def resolve_person(obj: Any) -> int | None:
        return obj.person_id

    @staticmethod
    def resolve_price_list(obj: Any) -> int | None:
        return obj.price_list_id

    @staticmethod
    def resolve_public_link(obj: Any) -> str | None:
        """The customer's link (a path on this server) while the quote awaits an answer."""
        from django.urls import reverse

        from elo.sales.services.quotes import public_token

        if obj.status != "sent":
            return None
        return reverse("sales_public:quote", args=[public_token(obj)])

    @staticmethod
    def resolve_lines(obj: Any) -> list[Any]:
        return list(obj.lines.all())

    @staticmethod
    def resolve_owner(obj: Any) -> dict[str, Any] | None:
        return user_ref(obj.owner)


class QuoteList(Schema):
    next: str | None
    items: list[QuoteOut]


class QuoteSendIn(Schema):
    to: str = Field(..., description="the customer's email address")


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
