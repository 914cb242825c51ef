from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import File, Router, UploadedFile

from elo.core.api import if_match_version, next_link, page_size, set_etag
from elo.identity.models import Team, User
from elo.sales import forecast as forecasting
from elo.sales import selectors, services
from elo.sales.models import AssignmentRule, ExchangeRate, Price, PriceList, Product, Quota
from elo.sales.schemas import (
    BoardOut,
    ConvertIn,
    DealDetailOut,
    DealIn,
    DealLinesIn,
    DealList,
    DealPatch,
    DisqualifyIn,
    ForecastOut,
    LeadIn,
    LeadList,
    LeadOut,
    LeadPatch,
    MoveIn,
    OwnerForecastOut,
    PipelineIn,
    PipelineOut,
    PipelinePatch,
    PriceListIn,
    PriceListOut,
    PriceListPatch,
    ProductIn,
    ProductOut,
    ProductPatch,
    QuotaIn,
    QuotaOut,
    QuoteIn,
    QuoteList,
    QuoteOut,
    QuotePatch,
    QuoteSendIn,
    QuoteStatusIn,
    RateImportOut,
    RateIn,
    RateOut,
    RuleIn,
    RuleOut,
    RulePatch,
    SummaryRow,
    board_payload,
)
from elo.sales.services import catalog, quotes

router = Router(tags=["sales"])


# --- leads --------------------------------------------------------------------------------


@router.get("/leads", response=LeadList, summary="List leads")
def list_leads(
    request: HttpRequest,
    status: str = "",
    q: str = "",
    owner: int | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> dict[str, Any]:
    page = selectors.lead_page_for(
        request.user, cursor=cursor, size=page_size(limit), status=status, q=q, owner=owner
    )
    return {"next": next_link(request, page), "items": page.items}


@router.post("/leads", response={201: LeadOut}, summary="Capture a lead")
def create_lead(request: HttpRequest, payload: LeadIn, response: HttpResponse) -> Any:
    data = payload.dict(exclude_unset=True)
    data.setdefault("source", "api")
    lead = services.lead_create(actor=request.user, data=data)
    lead = selectors.lead_get_for(request.user, lead.pk)
    set_etag(response, lead)
    return 201, lead


@router.get("/leads/{lead_id}", response=LeadOut, summary="Get a lead")
def get_lead(request: HttpRequest, lead_id: int, response: HttpResponse) -> Any:
    lead = selectors.lead_get_for(request.user, lead_id)
    set_etag(response, lead)
    return lead


@router.patch("/leads/{lead_id}", response=LeadOut, summary="Change a lead")
def patch_lead(
    request: HttpRequest, lead_id: int, payload: LeadPatch, response: HttpResponse
) -> Any:
    lead = selectors.lead_get_for(request.user, lead_id)
    services.lead_update(
        actor=request.user,
        lead=lead,
        data=payload.dict(exclude_unset=True),
        expected_version=if_match_version(request),
    )
    lead = selectors.lead_get_for(request.user, lead_id)
    set_etag(response, lead)
    return lead


@router.post("/leads/{lead_id}/convert", response=LeadOut, summary="Convert a lead")
def convert_lead(
    request: HttpRequest, lead_id: int, payload: ConvertIn, response: HttpResponse
) -> Any:
    """Creates or links the person and organization (never duplicating: matched by email,
    then by domain or name) and, with `create_deal`, opens a deal."""
    lead = selectors.lead_get_for(request.user, lead_id)
    deal = None
    if payload.create_deal:
        deal = {
            key: value
            for key, value in {
                "title": payload.deal_title,
                "amount": payload.amount,
                "currency": payload.currency,
                "pipeline": payload.pipeline,
            }.items()
            if value not in (None, "")
        }
    services.lead_convert(
        actor=request.user, lead=lead, deal=deal, expected_version=if_match_version(request)
    )
    lead = selectors.lead_get_for(request.user, lead_id)
    set_etag(response, lead)
    return lead


@router.post("/leads/{lead_id}/disqualify", response=LeadOut, summary="Disqualify a lead")
def disqualify_lead(
    request: HttpRequest, lead_id: int, payload: DisqualifyIn, response: HttpResponse
) -> Any:
    lead = selectors.lead_get_for(request.user, lead_id)
    services.lead_disqualify(
        actor=request.user,
        lead=lead,
        reason=payload.reason,
        expected_version=if_match_version(request),
    )
    lead = selectors.lead_get_for(request.user, lead_id)
    set_etag(response, lead)
    return lead


# --- pipelines ----------------------------------------------------------------------------


@router.get("/pipelines", response=list[PipelineOut], summary="List pipelines and stages")
def list_pipelines(request: HttpRequest) -> Any:
    return list(selectors.pipelines())


@router.post("/pipelines", response={201: PipelineOut}, summary="Create a pipeline")
def create_pipeline(request: HttpRequest, payload: PipelineIn) -> Any:
    data = payload.dict()
    data["stages"] = [{k: v for k, v in s.items() if v is not None} for s in data["stages"]]
    pipeline = services.pipeline_create(actor=request.user, data=data)
    return 201, selectors.pipeline_get(pipeline.pk)


@router.get("/pipelines/{pipeline_id}", response=PipelineOut, summary="Get a pipeline")
def get_pipeline(request: HttpRequest, pipeline_id: int, response: HttpResponse) -> Any:
    pipeline = selectors.pipeline_get(pipeline_id)
    set_etag(response, pipeline)
    return pipeline


@router.patch("/pipelines/{pipeline_id}", response=PipelineOut, summary="Change a pipeline")
def patch_pipeline(
    request: HttpRequest, pipeline_id: int, payload: PipelinePatch, response: HttpResponse
) -> Any:
    pipeline = selectors.pipeline_get(pipeline_id)
    data = payload.dict(exclude_unset=True)
    if data.get("stages") is not None:
        data["stages"] = [{k: v for k, v in s.items() if v is not None} for s in data["stages"]]
    services.pipeline_update(
        actor=request.user,
        pipeline=pipeline,
        data=data,
        expected_version=if_match_version(request),
    )
    pipeline = selectors.pipeline_get(pipeline_id)
    set_etag(response, pipeline)
    return pipeline


@router.get("/pipelines/{pipeline_id}/board", response=BoardOut, summary="Kanban board")
def board(
    request: HttpRequest,
    pipeline_id: int,
    owner: int | None = None,
    team: int | None = None,
    tag: str = "",
    status: str = "",
) -> Any:
    """Per stage: count, sum and weighted sum of the visible deals, and the newest cards."""
    pipeline = selectors.pipeline_get(pipeline_id)
    columns = selectors.board_for(
        request.user, pipeline, owner=owner, team=team, tag=tag, status=status
    )
    return JsonResponse(board_payload(pipeline, columns))


# --- deals --------------------------------------------------------------------------------


@router.get("/deals", response=DealList, summary="List deals")
def list_deals(
    request: HttpRequest,
    pipeline: int | None = None,
    stage: int | None = None,
    status: str = "",
    owner: int | None = None,
    team: int | None = None,
    tag: str = "",
    q: str = "",
    cursor: str | None = None,
    limit: int = 50,
) -> dict[str, Any]:
    page = selectors.deal_page_for(
        request.user,
        cursor=cursor,
        size=page_size(limit),
        pipeline=pipeline,
        stage=stage,
        status=status,
        owner=owner,
        team=team,
        tag=tag,
        q=q,
    )
    return {"next": next_link(request, page), "items": page.items}


@router.get("/deals/summary", response=list[SummaryRow], summary="Pipeline summary")
def deal_summary(request: HttpRequest, pipeline: int | None = None) -> Any:
    """Count and sum of amounts per stage, over the deals the caller can see."""
    chosen = selectors.pipeline_get(pipeline) if pipeline else None
    return selectors.pipeline_summary(request.user, chosen)


@router.post("/deals", response={201: DealDetailOut}, summary="Create a deal")
def create_deal(request: HttpRequest, payload: DealIn, response: HttpResponse) -> Any:
    deal = services.deal_create(actor=request.user, data=payload.dict(exclude_unset=True))
    deal = selectors.deal_get_for(request.user, deal.pk)
    set_etag(response, deal)
    return 201, deal


@router.get("/deals/{deal_id}", response=DealDetailOut, summary="Get a deal")
def get_deal(request: HttpRequest, deal_id: int, response: HttpResponse) -> Any:
    deal = selectors.deal_get_for(request.user, deal_id)
    set_etag(response, deal)
    return deal


@router.patch("/deals/{deal_id}", response=DealDetailOut, summary="Change a deal")
def patch_deal(
    request: HttpRequest, deal_id: int, payload: DealPatch, response: HttpResponse
) -> Any:
    deal = selectors.deal_get_for(request.user, deal_id)
    services.deal_update(
        actor=request.user,
        deal=deal,
        data=payload.dict(exclude_unset=True),
        expected_version=if_match_version(request),
    )
    deal = selectors.deal_get_for(request.user, deal_id)
    set_etag(response, deal)
    return deal


@router.post("/deals/{deal_id}/move", response=DealDetailOut, summary="Move a deal to a stage")
def move_deal(request: HttpRequest, deal_id: int, payload: MoveIn, response: HttpResponse) -> Any:
    deal = selectors.deal_get_for(request.user, deal_id)
    services.deal_move(
        actor=request.user,
        deal=deal,
        stage=payload.stage,
        reason=payload.reason,
        expected_version=if_match_version(request),
    )
    deal = selectors.deal_get_for(request.user, deal_id)
    set_etag(response, deal)
    return deal


@router.put("/deals/{deal_id}/lines", response=DealDetailOut, summary="Set a deal's products")
def set_deal_lines(
    request: HttpRequest, deal_id: int, payload: DealLinesIn, response: HttpResponse
) -> Any:
    """Replaces the deal's products; a product without a unit price takes its price from the
    price list in the deal's currency. With products, the deal's amount is their net sum."""
    deal = selectors.deal_get_for(request.user, deal_id)
    services.deal_lines_set(
        actor=request.user,
        deal=deal,
        lines=[line.dict() for line in payload.lines],
        expected_version=if_match_version(request),
    )
    deal = selectors.deal_get_for(request.user, deal_id)
    set_etag(response, deal)
    return deal


@router.delete("/deals/{deal_id}", response={204: None}, summary="Delete a deal (restorable)")
def delete_deal(request: HttpRequest, deal_id: int) -> Any:
    deal = selectors.deal_get_for(request.user, deal_id)
    services.deal_delete(actor=request.user, deal=deal)
    return 204, None


@router.post("/deals/{deal_id}/restore", response=DealDetailOut, summary="Restore a deal")
def restore_deal(request: HttpRequest, deal_id: int, response: HttpResponse) -> Any:
    deal = selectors.deal_get_for(request.user, deal_id, deleted=True)
    services.deal_restore(actor=request.user, deal=deal)
    deal = selectors.deal_get_for(request.user, deal_id)
    set_etag(response, deal)
    return deal


# --- assignment rules ---------------------------------------------------------------------


def _rule(rule_id: int) -> AssignmentRule:
    from django.shortcuts import get_object_or_404

    return get_object_or_404(selectors.rules(), pk=rule_id)


@router.get("/assignment-rules", response=list[RuleOut], summary="List assignment rules")
def list_rules(request: HttpRequest) -> Any:
    return list(selectors.rules())


@router.post("/assignment-rules", response={201: RuleOut}, summary="Create an assignment rule")
def create_rule(request: HttpRequest, payload: RuleIn) -> Any:
    rule = services.rule_create(actor=request.user, data=payload.dict())
    return 201, _rule(rule.pk)


@router.patch("/assignment-rules/{rule_id}", response=RuleOut, summary="Change a rule")
def patch_rule(
    request: HttpRequest, rule_id: int, payload: RulePatch, response: HttpResponse
) -> Any:
    rule = _rule(rule_id)
    services.rule_update(
        actor=request.user,
        rule=rule,
        data=payload.dict(exclude_unset=True),
        expected_version=if_match_version(request),
    )
    rule = _rule(rule_id)
    set_etag(response, rule)
    return rule


@router.delete("/assignment-rules/{rule_id}", response={204: None}, summary="Delete a rule")
def delete_rule(request: HttpRequest, rule_id: int) -> Any:
    services.rule_delete(actor=request.user, rule=_rule(rule_id))
    return 204, None


# --- forecasts, quotas, exchange rates ----------------------------------------------------


@router.get("/forecast", response=ForecastOut, summary="Forecast against quota")
def get_forecast(
    request: HttpRequest, period: str = "", owner: int | None = None, team: int | None = None
) -> Any:
    """Closed won, commit (75 %+), best case (50 %+), pipeline and weighted pipeline of the
    visible deals for a month or quarter (default: this quarter), in the base currency."""
    chosen = period or forecasting.current_quarter()
    return forecasting.forecast(request.user, chosen, owner=owner, team=team).as_dict()


@router.get("/forecast/owners", response=list[OwnerForecastOut], summary="Forecast per owner")
def get_forecast_by_owner(request: HttpRequest, period: str = "", team: int | None = None) -> Any:
    chosen = period or forecasting.current_quarter()
    return forecasting.forecast_by_owner(request.user, chosen, team=team)


@router.get("/quotas", response=list[QuotaOut], summary="List quotas")
def list_quotas(request: HttpRequest, period: str = "") -> Any:
    queryset = Quota.objects.order_by("period", "id")
    return list(queryset.filter(period=period) if period else queryset)


@router.put("/quotas", response={200: QuotaOut, 204: None}, summary="Set or remove a quota")
def put_quota(request: HttpRequest, payload: QuotaIn) -> Any:
    from django.shortcuts import get_object_or_404

    user = get_object_or_404(User, pk=payload.user) if payload.user else None
    team = get_object_or_404(Team, pk=payload.team) if payload.team else None
    found = services.quota_set(
        actor=request.user, period=payload.period, amount=payload.amount, user=user, team=team
    )
    return (200, found) if found is not None else (204, None)


@router.get("/exchange-rates", response=list[RateOut], summary="List exchange rates")
def list_rates(request: HttpRequest) -> Any:
    return list(ExchangeRate.objects.order_by("currency", "-valid_from"))


@router.post("/exchange-rates", response={201: RateOut}, summary="Set an exchange rate")
def post_rate(request: HttpRequest, payload: RateIn) -> Any:
    """How many units of the base currency one unit of `currency` is worth from `valid_from`."""
    rate = services.rate_set(
        actor=request.user,
        currency=payload.currency,
        rate=payload.rate,
        valid_from=payload.valid_from,
    )
    return 201, rate


# --- catalogue ----------------------------------------------------------------------------


@router.get("/products", response=list[ProductOut], summary="List products and services")
def list_products(request: HttpRequest, active: bool | None = None) -> Any:
    queryset = Product.objects.order_by("name", "id")
    return list(queryset if active is None else queryset.filter(is_active=active))


@router.post("/products", response={201: ProductOut}, summary="Add a product or service")
def create_product(request: HttpRequest, payload: ProductIn, response: HttpResponse) -> Any:
    product = catalog.product_create(actor=request.user, data=payload.dict())
    set_etag(response, product)
    return 201, product


@router.get("/products/{product_id}", response=ProductOut, summary="Get a product")
def get_product(request: HttpRequest, product_id: int, response: HttpResponse) -> Any:
    from django.shortcuts import get_object_or_404

    product = get_object_or_404(Product, pk=product_id)
    set_etag(response, product)
    return product


@router.patch("/products/{product_id}", response=ProductOut, summary="Change a product")
def patch_product(
    request: HttpRequest, product_id: int, payload: ProductPatch, response: HttpResponse
) -> Any:
    from django.shortcuts import get_object_or_404

    product = catalog.product_update(
        actor=request.user,
        product=get_object_or_404(Product, pk=product_id),
        data=payload.dict(exclude_unset=True),
        expected_version=if_match_version(request),
    )
    set_etag(response, product)
    return product


def _price_lists() -> Any:
    from django.db.models import Prefetch

    return PriceList.objects.prefetch_related(
        Prefetch("prices", queryset=Price.objects.order_by("product_id"))
    ).order_by("name", "id")


@router.get("/price-lists", response=list[PriceListOut], summary="List price lists")
def list_price_lists(request: HttpRequest) -> Any:
    return list(_price_lists())


@router.post("/price-lists", response={201: PriceListOut}, summary="Create a price list")
def create_price_list(request: HttpRequest, payload: PriceListIn) -> Any:
    made = catalog.price_list_save(actor=request.user, data=payload.dict())
    return 201, _price_lists().get(pk=made.pk)


@router.get("/price-lists/{price_list_id}", response=PriceListOut, summary="Get a price list")
def get_price_list(request: HttpRequest, price_list_id: int, response: HttpResponse) -> Any:
    from django.shortcuts import get_object_or_404

    found = get_object_or_404(_price_lists(), pk=price_list_id)
    set_etag(response, found)
    return found


@router.patch("/price-lists/{price_list_id}", response=PriceListOut, summary="Change a price list")
def patch_price_list(
    request: HttpRequest, price_list_id: int, payload: PriceListPatch, response: HttpResponse
) -> Any:
    from django.shortcuts import get_object_or_404

    catalog.price_list_save(
        actor=request.user,
        price_list=get_object_or_404(PriceList, pk=price_list_id),
        data=payload.dict(exclude_unset=True),
        expected_version=if_match_version(request),
    )
    found = _price_lists().get(pk=price_list_id)
    set_etag(response, found)
    return found


# --- quotes -------------------------------------------------------------------------------


@router.get("/quotes", response=QuoteList, summary="List quotes")
def list_quotes(
    request: HttpRequest,
    status: str = "",
    deal: int | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> dict[str, Any]:
    page = selectors.quote_page_for(
        request.user, cursor=cursor, size=page_size(limit), status=status, deal=deal
    )
    return {"next": next_link(request, page), "items": page.items}


@router.post("/quotes", response={201: QuoteOut}, summary="Draft a quote")
def create_quote(request: HttpRequest, payload: QuoteIn, response: HttpResponse) -> Any:
    quote = quotes.quote_create(actor=request.user, data=payload.dict(exclude_unset=True))
    quote = selectors.quote_get_for(request.user, quote.pk)
    set_etag(response, quote)
    return 201, quote


@router.get("/quotes/{quote_id}", response=QuoteOut, summary="Get a quote")
def get_quote(request: HttpRequest, quote_id: int, response: HttpResponse) -> Any:
    quote = selectors.quote_get_for(request.user, quote_id)
    set_etag(response, quote)
    return quote


@router.patch("/quotes/{quote_id}", response=QuoteOut, summary="Change a quote")
def patch_quote(
    request: HttpRequest, quote_id: int, payload: QuotePatch, response: HttpResponse
) -> Any:
    """Changing a sent quote makes it a draft of its next revision."""
    quote = selectors.quote_get_for(request.user, quote_id)
    quotes.quote_update(
        actor=request.user,
        quote=quote,
        data=payload.dict(exclude_unset=True),
        expected_version=if_match_version(request),
    )
    quote = selectors.quote_get_for(request.user, quote_id)
    set_etag(response, quote)
    return quote


@router.post("/quotes/{quote_id}/status", response=QuoteOut, summary="Send, accept, decline")
def set_quote_status(
    request: HttpRequest, quote_id: int, payload: QuoteStatusIn, response: HttpResponse
) -> Any:
    quote = selectors.quote_get_for(request.user, quote_id)
    quotes.quote_set_status(
        actor=request.user,
        quote=quote,
        status=payload.status,
        expected_version=if_match_version(request),
    )
    quote = selectors.quote_get_for(request.user, quote_id)
    set_etag(response, quote)
    return quote


@router.post("/quotes/{quote_id}/send", response=QuoteOut, summary="Email a quote")
def send_quote(
    request: HttpRequest, quote_id: int, payload: QuoteSendIn, response: HttpResponse
) -> Any:
    """Marks the draft as sent and emails the customer a link to accept or decline it."""
    quote = selectors.quote_get_for(request.user, quote_id)
    quotes.quote_send(
        actor=request.user, quote=quote, to=payload.to, base_url=request.build_absolute_uri("/")
    )
    quote = selectors.quote_get_for(request.user, quote_id)
    set_etag(response, quote)
    return quote


@router.post("/quotes/{quote_id}/copy", response={201: QuoteOut}, summary="Copy a quote")
def copy_quote(request: HttpRequest, quote_id: int, response: HttpResponse) -> Any:
    """A new draft with the same customer and lines (to change an accepted or expired one)."""
    copy = quotes.quote_copy(
        actor=request.user, quote=selectors.quote_get_for(request.user, quote_id)
    )
    copy = selectors.quote_get_for(request.user, copy.pk)
    set_etag(response, copy)
    return 201, copy


@router.post("/exchange-rates/import", response={201: RateImportOut}, summary="Import rates")
def import_rates(request: HttpRequest, file: File[UploadedFile]) -> Any:
    """CSV with the columns currency, rate, valid_from; all rows are loaded or none."""
    import io
    from typing import IO, cast

    try:
        text = io.TextIOWrapper(cast(IO[bytes], file.file), encoding="utf-8-sig", newline="")
        count = services.rates_import(actor=request.user, stream=text)
    except UnicodeDecodeError as error:
        from django.core.exceptions import ValidationError

        raise ValidationError({"file": "The file is not UTF-8 text."}) from error
    return 201, {"loaded": count}
