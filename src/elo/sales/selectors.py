"""Reads of leads, deals and pipelines, always through `visible_to`; the kanban board and
the pipeline summary are aggregates computed in the database."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models import Count, Sum
from django.http import Http404

from elo.core.pagination import Page, paginate
from elo.core.querysets import RecordQuerySet
from elo.sales.choices import DealStatus
from elo.sales.models import (
    AssignmentRule,
    Deal,
    DealLine,
    DealPerson,
    DefaultOwner,
    ExchangeRate,
    Lead,
    Pipeline,
    Price,
    PriceList,
    Product,
    Quota,
    Quote,
    QuoteLine,
    Stage,
)

CARDS_PER_COLUMN = 50
CENT = Decimal("0.01")
# What a board card shows (the API's CardOut and the board page); nothing else is loaded.
CARD_FIELDS = [
    "id",
    "title",
    "amount",
    "currency",
    "probability",
    "expected_close",
    "version",
    "status",
    "pipeline_id",
    "stage_id",
    "stage_entered_at",
    "owner__id",
    "owner__full_name",
    "owner__email",
    "organization__id",
    "organization__name",
]
ZERO = Decimal("0.00")


def leads_for(user: Any) -> RecordQuerySet:
    return Lead.objects.visible_to(user).alive()


def lead_list_for(
    user: Any, *, status: str = "", q: str = "", owner: int | None = None
) -> RecordQuerySet:
    queryset = leads_for(user).select_related("owner").prefetch_related("tags")
    if status:
        queryset = queryset.filter(status=status)
    if owner:
        queryset = queryset.filter(owner_id=owner)
    if q:
        text = q.strip()
        queryset = queryset.filter(
            models.Q(given_name__icontains=text)
            | models.Q(family_name__icontains=text)
            | models.Q(email__icontains=text)
            | models.Q(company__icontains=text)
        )
    return queryset


def lead_page_for(user: Any, *, cursor: str | None, size: int, **filters: Any) -> Page[Lead]:
    return paginate(
        lead_list_for(user, **filters), keys=["-created_at", "-id"], cursor=cursor, size=size
    )


def lead_get_for(user: Any, pk: Any) -> Lead:
    try:
        key = int(pk)
    except (TypeError, ValueError) as error:
        raise Http404 from error
    lead = (
        leads_for(user)
        .select_related("owner", "team", "person", "organization", "deal")
        .prefetch_related("tags")
        .filter(pk=key)
        .first()
    )
    if lead is None:
        raise Http404
    return lead


def pipelines() -> models.QuerySet[Pipeline]:
    return Pipeline.objects.filter(is_archived=False).prefetch_related(
        models.Prefetch(
            "stages", queryset=Stage.objects.order_by("position", "id").prefetch_related("playbook")
        )
    )


def pipeline_get(pk: Any) -> Pipeline:
    try:
        key = int(pk)
    except (TypeError, ValueError) as error:
        raise Http404 from error
    found = pipelines().filter(pk=key).first()
    if found is None:
        raise Http404
    return found


def deals_for(user: Any) -> RecordQuerySet:
    return Deal.objects.visible_to(user).alive()


def deal_list_for(
    user: Any,
    *,
    pipeline: int | None = None,
    stage: int | None = None,
    status: str = "",
    owner: int | None = None,
    team: int | None = None,
    tag: str = "",
    close_from: Any = None,
    close_to: Any = None,
    q: str = "",
    deleted: bool = False,
) -> RecordQuerySet:
    """The visible deals matching the filters; `deleted=True` lists the deleted ones instead."""
    queryset = deals_for(user)
    if deleted:
        queryset = Deal.objects.visible_to(user).filter(deleted_at__isnull=False)
    if pipeline:
        queryset = queryset.filter(pipeline_id=pipeline)
    if stage:
        queryset = queryset.filter(stage_id=stage)
    if status:
        queryset = queryset.filter(status=status)
    if owner:
        queryset = queryset.filter(owner_id=owner)
    if team:
        queryset = queryset.filter(team_id=team)
    if tag:
        queryset = queryset.filter(tags__slug=tag)
    if close_from:
        queryset = queryset.filter(expected_close__gte=close_from)
    if close_to:
        queryset = queryset.filter(expected_close__lte=close_to)
    if q:
        queryset = queryset.filter(title__icontains=q.strip())
    return queryset


def deal_page_for(user: Any, *, cursor: str | None, size: int, **filters: Any) -> Page[Deal]:
    queryset = (
        deal_list_for(user, **filters)
        .select_related("owner", "stage", "pipeline", "organization")
        .prefetch_related(
            "tags",
            models.Prefetch("contacts", queryset=DealPerson.objects.order_by("position", "id")),
        )
    )
    return paginate(queryset, keys=["-created_at", "-id"], cursor=cursor, size=size)


def deal_get_for(user: Any, pk: Any, *, deleted: bool = False) -> Deal:
    try:
        key = int(pk)
    except (TypeError, ValueError) as error:
        raise Http404 from error
    queryset = Deal.objects.visible_to(user)
    queryset = queryset if deleted else queryset.alive()
    deal = (
        queryset.select_related("owner", "team", "stage", "pipeline", "organization")
        .prefetch_related(
            "tags",
            models.Prefetch(
                "contacts",
                queryset=DealPerson.objects.select_related("person").order_by("position", "id"),
            ),
            "stage_history__stage",
            models.Prefetch("lines", queryset=DealLine.objects.order_by("position", "id")),
        )
        .filter(pk=key)
        .first()
    )
    if deal is None:
        raise Http404
    return deal


@dataclass
class Column:
    stage: Stage
    count: int = 0
    total: Decimal = ZERO
    weighted: Decimal = ZERO
    cards: list[Deal] = field(default_factory=list)


def board_for(
    user: Any, pipeline: Pipeline, *, cards: int = CARDS_PER_COLUMN, **filters: Any
) -> list[Column]:
    """The kanban board: per stage the count, sum and weighted sum of the visible deals that
    match `filters`, and the newest `cards` deals of each column (one query per column)."""
    queryset = deal_list_for(user, pipeline=pipeline.pk, **filters)
    columns = {stage.pk: Column(stage=stage) for stage in pipeline.stages.all()}
    # Grouped by stage and the deal's own probability, the totals come from the index
    # deal_stage_totals alone; the weighted sum is then exact decimal arithmetic here.
    for row in (
        queryset.order_by()
        .values("stage_id", "probability")
        .annotate(count=Count("id"), total=Sum("amount"))
    ):
        column = columns.get(row["stage_id"])
        if column is None:
            continue
        total = Decimal(row["total"] or 0)
        probability = row["probability"]
        column.count += row["count"]
        column.total += total
        column.weighted += (
            total * (column.stage.probability if probability is None else probability) / 100
        )
    for column in columns.values():
        column.total = column.total.quantize(CENT)
        column.weighted = column.weighted.quantize(CENT)
        if column.count:
            column.cards = list(
                queryset.filter(stage=column.stage)
                .select_related("owner", "organization")
                .only(*CARD_FIELDS)
                .order_by("-stage_entered_at", "-id")[:cards]
            )
            for card in column.cards:
                card.stage = column.stage
    return list(columns.values())


def pipeline_summary(user: Any, pipeline: Pipeline | None = None) -> list[dict[str, Any]]:
    """Per stage: the number of visible deals and the sum of their amounts.

    Grouped by stage alone (read from the index deal_stage_totals); the stages' names and
    positions come from the pipeline's prefetched stages, or one query for all pipelines."""
    queryset = deals_for(user)
    if pipeline is not None:
        queryset = queryset.filter(pipeline=pipeline)
    rows = list(
        queryset.order_by()
        .values("pipeline_id", "stage_id")
        .annotate(count=Count("id"), amount=Sum("amount"))
    )
    stages = (
        {stage.pk: stage for stage in pipeline.stages.all()}
        if pipeline is not None
        else Stage.objects.in_bulk({row["stage_id"] for row in rows})
    )
    rows.sort(
        key=lambda row: (row["pipeline_id"], stages[row["stage_id"]].position, row["stage_id"])
    )
    return [
        {
            "pipeline": row["pipeline_id"],
            "stage": row["stage_id"],
            "name": stages[row["stage_id"]].name,
            "count": row["count"],
            "amount": Decimal(row["amount"] or 0).quantize(CENT),
        }
        for row in rows
    ]


def open_deals_value(user: Any) -> Decimal:
    total = deals_for(user).filter(status=DealStatus.OPEN).aggregate(total=Sum("amount"))["total"]
    return Decimal(total or 0)


def rules() -> models.QuerySet[AssignmentRule]:
    return AssignmentRule.objects.prefetch_related("members").order_by("entity", "priority", "id")


def default_owners() -> dict[str, Any]:
    """The user each entity ("lead", "deal") falls back to when no rule takes a record."""
    return {item.entity: item.user for item in DefaultOwner.objects.select_related("user")}


def exchange_rates() -> models.QuerySet[ExchangeRate]:
    """Every exchange rate, by currency, the newest first."""
    return ExchangeRate.objects.order_by("currency", "-valid_from")


def quotas(period: str) -> models.QuerySet[Quota]:
    """The quotas set for exactly this period (a month or a quarter)."""
    return Quota.objects.filter(period=period).select_related("user", "team").order_by("id")


def quotes_for(user: Any) -> RecordQuerySet:
    return Quote.objects.visible_to(user).alive()


def _quote_related(queryset: RecordQuerySet) -> RecordQuerySet:
    return queryset.select_related("owner").prefetch_related(
        models.Prefetch("lines", queryset=QuoteLine.objects.order_by("position", "id"))
    )


def quote_page_for(
    user: Any, *, cursor: str | None, size: int, status: str = "", deal: int | None = None
) -> Page[Quote]:
    queryset = quotes_for(user)
    if status:
        queryset = queryset.filter(status=status)
    if deal:
        queryset = queryset.filter(deal_id=deal)
    return paginate(_quote_related(queryset), keys=["-created_at", "-id"], cursor=cursor, size=size)


def quote_get_for(user: Any, pk: Any) -> Quote:
    try:
        key = int(pk)
    except (TypeError, ValueError) as error:
        raise Http404 from error
    quote = _quote_related(quotes_for(user)).filter(pk=key).first()
    if quote is None:
        raise Http404
    return quote


# --- catalog pages ---


def product_list_for(user: Any, *, q: str = "", status: str = "") -> models.QuerySet[Product]:
    """Products matching a search of name or SKU and a status ("active", "inactive").
    The catalogue is shared: every signed-in user reads all of it."""
    queryset = Product.objects.all()
    if q:
        queryset = queryset.filter(models.Q(name__icontains=q) | models.Q(sku__icontains=q))
    if status:
        queryset = queryset.filter(is_active=status == "active")
    return queryset


def product_page_for(user: Any, *, cursor: str | None, size: int, **filters: Any) -> Page[Product]:
    queryset = product_list_for(user, **filters).annotate(price_count=Count("prices"))
    return paginate(queryset, keys=["name", "id"], cursor=cursor, size=size)


def product_get(pk: Any) -> Product:
    try:
        key = int(pk)
    except (TypeError, ValueError) as error:
        raise Http404 from error
    product = Product.objects.filter(pk=key).first()
    if product is None:
        raise Http404
    return product


def product_prices(product: Product) -> list[dict[str, Any]]:
    """Every price list with the product's price on it (None where it has none)."""
    prices = {price.price_list_id: price.unit_price for price in product.prices.all()}
    return [
        {"price_list": price_list, "unit_price": prices.get(price_list.pk)}
        for price_list in PriceList.objects.order_by("name", "id")
    ]


def product_choices(include: list[int]) -> models.QuerySet[Product]:
    """The products a price can be set for: the active ones and those in `include`."""
    active = models.Q(is_active=True) | models.Q(pk__in=include)
    return Product.objects.filter(active).order_by("name", "id")


def price_lists() -> models.QuerySet[PriceList]:
    return PriceList.objects.annotate(price_count=Count("prices")).order_by("name", "id")


def price_list_get(pk: Any) -> PriceList:
    """The price list `pk` with its prices by product name, or 404."""
    try:
        key = int(pk)
    except (TypeError, ValueError) as error:
        raise Http404 from error
    prices = Price.objects.select_related("product").order_by("product__name", "product_id")
    found = (
        PriceList.objects.prefetch_related(models.Prefetch("prices", queryset=prices))
        .filter(pk=key)
        .first()
    )
    if found is None:
        raise Http404
    return found


# --- quote pages ---


def quote_list_for(
    user: Any, *, status: str = "", owner: int | None = None, q: str = "", deal: int | None = None
) -> RecordQuerySet:
    """The visible quotes matching the filters; `q` finds a quote by its number ("Q-42" or
    "42"), its title or its customer's name."""
    queryset = quotes_for(user)
    if status:
        queryset = queryset.filter(status=status)
    if owner:
        queryset = queryset.filter(owner_id=owner)
    if deal:
        queryset = queryset.filter(deal_id=deal)
    text = q.strip().lstrip("#")
    if text[:2].upper() == "Q-" and text[2:].isdigit():
        text = text[2:]
    if text:
        from elo.core.text import fold

        condition = models.Q()
        for word in text.split():
            folded = fold(word)
            condition &= (
                models.Q(title__icontains=word)
                | models.Q(organization__sort_name__contains=folded)
                | models.Q(person__sort_name__contains=folded)
                | models.Q(person__primary_email__icontains=word)
            )
        if text.isdigit():
            condition |= models.Q(pk=int(text))
        queryset = queryset.filter(condition)
    return queryset


def quote_totals_for(user: Any, **filters: Any) -> list[dict[str, Any]]:
    """Per currency, the number and the sum of the totals of the quotes matching `filters`."""
    rows = (
        quote_list_for(user, **filters)
        .order_by("currency")
        .values("currency")
        .annotate(count=Count("id"), total=Sum("total"))
    )
    return [
        {"currency": row["currency"], "count": row["count"], "total": Decimal(row["total"] or 0)}
        for row in rows
    ]


def quote_list_page_for(user: Any, *, cursor: str | None, size: int, **filters: Any) -> Page[Quote]:
    """A page of the quote list: what its rows show is loaded with the quotes (no lines)."""
    queryset = quote_list_for(user, **filters).select_related("owner", "organization", "person")
    return paginate(queryset, keys=["-created_at", "-id"], cursor=cursor, size=size)


def quote_detail_for(user: Any, pk: Any) -> Quote:
    """The visible quote `pk` with its customer, deal, price list, order and lines (products
    included); Http404 otherwise."""
    try:
        key = int(pk)
    except (TypeError, ValueError) as error:
        raise Http404 from error
    quote = (
        quotes_for(user)
        .select_related("owner", "team", "organization", "person", "deal", "price_list", "order")
        .prefetch_related(
            models.Prefetch(
                "lines",
                queryset=QuoteLine.objects.select_related("product").order_by("position", "id"),
            )
        )
        .filter(pk=key)
        .first()
    )
    if quote is None:
        raise Http404
    return quote


def quote_history(quote: Quote, *, size: int = 200) -> list[Any]:
    """The quote's audit entries, newest first: revisions, sending, the customer's answer."""
    from elo.core import audit

    return list(audit.history_for(quote).order_by("-id")[:size])


def quotes_of_deal(user: Any, deal: Deal, *, size: int = 50) -> list[Quote]:
    """The newest visible quotes made for a deal, for the deal page."""
    return list(
        quotes_for(user)
        .filter(deal=deal)
        .select_related("owner")
        .order_by("-created_at", "-id")[:size]
    )


def deal_choices_for(
    user: Any, *, include: list[int] | None = None, limit: int = 200
) -> list[tuple[int, str]]:
    """(id, title) of visible open deals for a picker, the newest first, plus the visible
    ones in `include` (those already chosen)."""
    queryset = deals_for(user)
    choices = list(
        queryset.filter(status=DealStatus.OPEN)
        .order_by("-created_at", "-id")
        .values_list("pk", "title")[:limit]
    )
    missing = set(include or []) - {pk for pk, _title in choices}
    if missing:
        choices += list(queryset.filter(pk__in=missing).values_list("pk", "title"))
    return choices
