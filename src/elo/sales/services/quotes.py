"""Quotes: drafted with priced lines, sent, then accepted or declined; a changed quote that
was already sent becomes a new revision."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any, cast

from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.dateparse import parse_date
from django.utils.translation import gettext as _

from elo.contacts.models import Organization, Person
from elo.contacts.rules import CleanContext, clean_common
from elo.core import audit, context, events
from elo.core.errors import check_version
from elo.core.permissions import require
from elo.sales import money
from elo.sales.choices import QuoteStatus
from elo.sales.models import Deal, Price, PriceList, Product, Quote, QuoteLine
from elo.sales.services.deals import clean_currency

QUOTE_AUDITED = [
    "title",
    "deal",
    "organization",
    "person",
    "price_list",
    "currency",
    "status",
    "valid_until",
    "revision",
    "net_total",
    "tax_total",
    "total",
    "owner",
]
OPEN = (QuoteStatus.DRAFT, QuoteStatus.SENT)


def _decimal(value: Any, default: str | None = None) -> Decimal:
    if value in (None, "") and default is not None:
        return Decimal(default)
    result = Decimal(str(value).strip().replace(",", "."))
    if not result.is_finite():
        raise InvalidOperation
    return result


def clean_lines(
    items: Any,
    price_list: PriceList | None,
    errors: dict[str, list[str]],
    *,
    allow_empty: bool = False,
) -> list[dict[str, Any]]:
    """Each line: a product (priced from the price list unless a unit price is given) or a
    free description with a unit price; quantity > 0; discount and tax rate 0-100 %.
    Problems go into `errors["lines"]`, one message per line."""
    if not items:
        if not allow_empty:
            errors.setdefault("lines", []).append(_("Add at least one line."))
        return []
    wanted = {int(item["product"]) for item in items if str(item.get("product") or "").isdigit()}
    products = Product.objects.in_bulk(list(wanted))
    prices: dict[int, Decimal] = {}
    if price_list is not None:
        prices = dict(
            Price.objects.filter(price_list=price_list, product__in=wanted).values_list(
                "product_id", "unit_price"
            )
        )
    lines = []
    for number, item in enumerate(items, start=1):
        problems: list[str] = []
        product = None
        if item.get("product") not in (None, ""):
            product = products.get(int(item["product"])) if str(item["product"]).isdigit() else None
            if product is None:
                problems.append(_("the product does not exist"))
        description = " ".join(str(item.get("description") or "").split())[:300]
        if not description and product is not None:
            description = product.name
        if not description:
            problems.append(_("describe the line"))
        try:
            quantity = _decimal(item.get("quantity"), "1")
            if quantity <= 0 or quantity > Decimal("999999999"):
                raise InvalidOperation
            quantity = quantity.quantize(Decimal("0.001"))
        except (InvalidOperation, ValueError):
            problems.append(_("the quantity must be above 0"))
            quantity = Decimal(1)
        raw_price = item.get("unit_price")
        try:
            if raw_price in (None, "") and product is not None:
                if product.pk not in prices:
                    raise LookupError
                unit_price = prices[product.pk]
            else:
                unit_price = money.cents(_decimal(raw_price))
                if unit_price < 0:
                    raise InvalidOperation
        except LookupError:
            problems.append(_("the price list has no price for this product"))
            unit_price = Decimal(0)
        except (InvalidOperation, ValueError):
            problems.append(_("enter a unit price of 0 or more"))
            unit_price = Decimal(0)
        rates = {}
        for name, default in (
            ("discount", "0"),
            ("tax_rate", str(product.tax_rate) if product is not None else "0"),
        ):
            try:
                rate = _decimal(item.get(name), default)
                if not 0 <= rate <= 100:
                    raise InvalidOperation
                rates[name] = rate.quantize(Decimal("0.01"))
            except (InvalidOperation, ValueError):
                problems.append(_("%(name)s must be from 0 to 100 %%") % {"name": name})
                rates[name] = Decimal(0)
        if problems:
            errors.setdefault("lines", []).append(
                _("Line %(n)d: %(problems)s.") % {"n": number, "problems": "; ".join(problems)}
            )
            continue
        amounts = money.line_amounts(
            quantity=quantity,
            unit_price=unit_price,
            discount=rates["discount"],
            tax_rate=rates["tax_rate"],
        )
        lines.append(
            {
                "product": product,
                "description": description,
                "quantity": quantity,
                "unit_price": unit_price,
                "discount": rates["discount"],
                "tax_rate": rates["tax_rate"],
                "net": amounts.net,
                "tax": amounts.tax,
                "total": amounts.total,
            }
        )
    return lines


def _clean_quote(
    ctx: CleanContext, data: Mapping[str, Any], instance: Quote | None
) -> tuple[dict[str, Any], list[dict[str, Any]] | None]:
    errors: dict[str, list[str]] = {}
    fields: dict[str, Any] = {}
    if "title" in data or instance is None:
        title = " ".join(str(data.get("title") or "").split())
        if not title or len(title) > 200:
            errors["title"] = [_("Give the quote a title (at most 200 characters).")]
        fields["title"] = title
    price_list = instance.price_list if instance else None
    if "price_list" in data:
        price_list = None
        if data["price_list"] not in (None, ""):
            price_list = PriceList.objects.filter(pk=data["price_list"]).first()
            if price_list is None:
                errors["price_list"] = [_("Pick an existing price list.")]
        fields["price_list"] = price_list
    elif instance is None:
        price_list = PriceList.objects.filter(is_default=True).first()
        fields["price_list"] = price_list
    if "currency" in data or instance is None:
        try:
            fields["currency"] = clean_currency(
                data.get("currency") or (price_list.currency if price_list else None)
            )
        except ValidationError as error:
            errors["currency"] = error.messages
    currency = fields.get("currency", instance.currency if instance else "")
    if price_list is not None and currency and price_list.currency != currency:
        errors["currency"] = [_("The price list is in %(c)s.") % {"c": price_list.currency}]
    if "valid_until" in data:
        raw = data["valid_until"]
        day = raw if isinstance(raw, datetime.date) else parse_date(str(raw or ""))
        if raw not in (None, "") and day is None:
            errors["valid_until"] = [_("Enter a date like 2026-12-31.")]
        fields["valid_until"] = day
    for name, model in (("deal", Deal), ("organization", Organization), ("person", Person)):
        if name in data:
            value = data[name]
            if value in (None, ""):
                fields[name] = None
                continue
            found = model.objects.visible_to(ctx.actor).alive().filter(pk=value).first()
            if found is None:
                errors[name] = [_("This record does not exist.")]
            fields[name] = found
    allowed = {key: data[key] for key in ("owner", "team", "custom") if key in data}
    fields.update(clean_common(ctx, "quote", allowed, instance=cast(Any, instance), errors=errors))
    lines = (
        clean_lines(data.get("lines"), price_list, errors)
        if "lines" in data or instance is None
        else None
    )
    if errors:
        raise ValidationError(errors)
    return fields, lines


def _write_lines(quote: Quote, lines: list[dict[str, Any]]) -> None:
    QuoteLine.objects.filter(quote=quote).delete()
    QuoteLine.objects.bulk_create(
        QuoteLine(quote=quote, position=index, **line) for index, line in enumerate(lines)
    )
    totals = money.document_totals(
        money.LineAmounts(net=line["net"], tax=line["tax"], total=line["total"]) for line in lines
    )
    quote.net_total, quote.tax_total, quote.total = totals.net, totals.tax, totals.total


def _snapshot(quote: Quote) -> dict[str, Any]:
    values = audit.snapshot(quote, QUOTE_AUDITED)
    values["lines"] = [
        [
            line.description,
            str(line.quantity),
            str(line.unit_price),
            str(line.discount),
            str(line.tax_rate),
            str(line.total),
        ]
        for line in quote.lines.all()
    ]
    return values


def quote_create(*, actor: Any, data: Mapping[str, Any]) -> Quote:
    require(actor, "sales.add")
    ctx = CleanContext(actor)
    fields, lines = _clean_quote(ctx, data, None)
    with transaction.atomic():
        quote = Quote(**fields)
        quote.owner_id = fields.get("owner_id") or actor.pk
        if "team_id" not in fields:
            quote.team_id = ctx.team_of(quote.owner_id)
        if quote.deal is not None and quote.organization is None:
            quote.organization_id = quote.deal.organization_id
        quote.save()
        _write_lines(quote, lines or [])
        quote.save(update_fields=["net_total", "tax_total", "total"])
        audit.record(
            action="sales.quote.created", instance=quote, changes=audit.diff({}, _snapshot(quote))
        )
        events.emit(
            "sales.quote.created",
            {"id": quote.pk, "total": quote.total, "currency": quote.currency},
        )
    return quote


def quote_update(
    *, actor: Any, quote: Quote, data: Mapping[str, Any], expected_version: int | None = None
) -> Quote:
    """Changes a draft or sent quote; changing a sent one makes it a draft of the next
    revision. Accepted, declined and expired quotes do not change."""
    require(actor, "sales.change")
    ctx = CleanContext(actor)
    with transaction.atomic():
        locked = Quote.objects.select_for_update().get(pk=quote.pk)
        check_version(expected_version, locked.version)
        if locked.status not in OPEN:
            raise ValidationError({"status": [_("This quote is closed; copy it to change it.")]})
        before = _snapshot(locked)
        fields, lines = _clean_quote(ctx, data, locked)
        for name, value in fields.items():
            setattr(locked, name, value)
        if lines is not None:
            _write_lines(locked, lines)
        changes = audit.diff(before, _snapshot(locked))
        if changes:
            if locked.status == QuoteStatus.SENT:
                locked.status = QuoteStatus.DRAFT
                locked.revision += 1
                locked.sent_at = None
                changes["revision"] = [locked.revision - 1, locked.revision]
            locked.version += 1
            locked.updated_at = timezone.now()
            locked.save()
            audit.record(action="sales.quote.updated", instance=locked, changes=changes)
            events.emit("sales.quote.updated", {"id": locked.pk, "changed": sorted(changes)})
    return locked


def quote_copy(*, actor: Any, quote: Quote) -> Quote:
    """A new draft with the same customer and lines, to change a quote that is closed."""
    require(actor, "sales.add")
    lines = [
        {
            "product": line.product_id,
            "description": line.description,
            "quantity": line.quantity,
            "unit_price": line.unit_price,
            "discount": line.discount,
            "tax_rate": line.tax_rate,
        }
        for line in quote.lines.all()
    ]
    data = {
        "title": quote.title,
        "deal": quote.deal_id,
        "organization": quote.organization_id,
        "person": quote.person_id,
        "price_list": quote.price_list_id,
        "currency": quote.currency,
        "lines": lines,
    }
    with transaction.atomic():
        copy = quote_create(actor=actor, data=data)
        audit.record(action="sales.quote.copied", instance=copy, changes={"from": quote.pk})
    return copy


def quote_set_status(
    *, actor: Any, quote: Quote, status: str, expected_version: int | None = None
) -> Quote:
    """Sends a draft, or records the customer's acceptance or refusal of a sent quote, or
    expires it."""
    require(actor, "sales.change")
    allowed = {
        QuoteStatus.SENT: (QuoteStatus.DRAFT,),
        QuoteStatus.ACCEPTED: (QuoteStatus.SENT,),
        QuoteStatus.DECLINED: (QuoteStatus.SENT,),
        QuoteStatus.EXPIRED: (QuoteStatus.DRAFT, QuoteStatus.SENT),
    }
    if status not in allowed:
        raise ValidationError({"status": [_("Pick sent, accepted, declined or expired.")]})
    with transaction.atomic():
        locked = Quote.objects.select_for_update().get(pk=quote.pk)
        check_version(expected_version, locked.version)
        if locked.status not in allowed[QuoteStatus(status)]:
            raise ValidationError(
                {
                    "status": [
                        _("A %(now)s quote cannot become %(next)s.")
                        % {"now": locked.get_status_display(), "next": QuoteStatus(status).label}
                    ]
                }
            )
        now = timezone.now()
        if status == QuoteStatus.SENT and locked.valid_until and locked.valid_until < now.date():
            raise ValidationError({"valid_until": [_("The quote's validity has passed.")]})
        before = locked.status
        locked.status = status
        if status == QuoteStatus.SENT:
            locked.sent_at = now
        else:
            locked.decided_at = now
        locked.version += 1
        locked.updated_at = now
        locked.save()
        audit.record(
            action=f"sales.quote.{status}", instance=locked, changes={"status": [before, status]}
        )
        events.emit(
            f"sales.quote.{status}",
            {"id": locked.pk, "total": locked.total, "currency": locked.currency},
        )
    return locked


# --- the customer's side: a signed link to read and decide --------------------------------

PUBLIC_SALT = "elo.sales.quote"


def public_token(quote: Quote) -> str:
    """A link token for this revision of the quote; a new revision invalidates old links."""
    return signing.dumps({"q": quote.pk, "r": quote.revision}, salt=PUBLIC_SALT, compress=True)


def quote_for_token(token: str) -> Quote:
    """The quote a customer's link names, if the link is genuine and still for the current
    revision; raises Http404 otherwise, so a forged or stale link learns nothing."""
    try:
        data = signing.loads(token, salt=PUBLIC_SALT, max_age=datetime.timedelta(days=366))
        quote = Quote.objects.alive().select_related("owner").get(pk=int(data["q"]))
    except (signing.BadSignature, Quote.DoesNotExist, KeyError, TypeError, ValueError) as error:
        raise Http404 from error
    if quote.revision != data.get("r"):
        raise Http404
    return quote


def quote_send(*, actor: Any, quote: Quote, to: str, base_url: str) -> Quote:
    """Marks a draft as sent and emails the customer a link to read, accept or decline it,
    with the quote as a PDF attached. A sent quote can be sent again; an answered or
    expired one cannot."""
    from elo.contacts.cleaning import clean_email
    from elo.sales.documents import quote_filename, quote_pdf

    require(actor, "sales.change")
    try:
        address = clean_email(str(to or ""))
    except ValidationError as error:
        raise ValidationError({"to": error.messages}) from error
    if quote.status == QuoteStatus.SENT:
        # Sent again, to the same or another recipient: the link stays valid.
        if quote.valid_until and quote.valid_until < timezone.localdate():
            raise ValidationError({"valid_until": [_("The quote's validity has passed.")]})
        sent = quote
    else:
        sent = quote_set_status(actor=actor, quote=quote, status=QuoteStatus.SENT)
    link = base_url.rstrip("/") + reverse("sales_public:quote", args=[public_token(sent)])
    language = sent.person.preferred_language if sent.person_id and sent.person else ""
    with translation.override(language or translation.get_language()):
        subject = _("Quote: %(title)s") % {"title": sent.title}
        body = render_to_string(
            "sales/public_quote_email.txt", {"quote": sent, "link": link, "sender": actor}
        )
        attachment = (quote_filename(sent), quote_pdf(sent), "application/pdf")
    message = EmailMessage(subject=subject, body=body, to=[address], reply_to=[actor.email])
    message.attach(*attachment)

    def deliver() -> None:
        message.send()

    transaction.on_commit(deliver)
    audit.record(action="sales.quote.emailed", instance=sent, changes={"to": address})
    return sent


def quote_customer_decision(*, quote: Quote, accept: bool, name: str = "") -> Quote:
    """The customer accepts or declines a sent quote through its public link."""
    status = QuoteStatus.ACCEPTED if accept else QuoteStatus.DECLINED
    with transaction.atomic():
        locked = Quote.objects.select_for_update().get(pk=quote.pk)
        if locked.status != QuoteStatus.SENT or locked.revision != quote.revision:
            raise ValidationError({"status": [_("This quote can no longer be answered.")]})
        if locked.valid_until and locked.valid_until < timezone.localdate():
            raise ValidationError({"valid_until": [_("This quote has expired.")]})
        now = timezone.now()
        locked.status, locked.decided_at = status, now
        locked.version += 1
        locked.updated_at = now
        locked.save()
        label = " ".join(str(name or "").split())[:100] or _("the customer")
        with context.acting(context.Actor(kind="customer", label=label)):
            audit.record(
                action=f"sales.quote.{status}",
                instance=locked,
                changes={"status": [QuoteStatus.SENT, status], "via": "public link"},
            )
        events.emit(
            f"sales.quote.{status}",
            {"id": locked.pk, "total": locked.total, "currency": locked.currency, "via": "link"},
        )
    return locked
