"""A deal's products: priced lines like a quote's; with lines, the deal's amount is their net
sum, and a new quote for the deal starts from them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from elo.core import audit, events
from elo.core.errors import check_version
from elo.core.permissions import require
from elo.sales.models import Deal, DealLine, PriceList
from elo.sales.services.quotes import clean_lines

MAX_LINES = 200


def price_list_for(currency: str) -> PriceList | None:
    """The price list that prices a deal in `currency`: the default one when it is in that
    currency, else the first in it by name."""
    return PriceList.objects.filter(currency=currency).order_by("-is_default", "name", "pk").first()


def _lines_snapshot(deal: Deal) -> list[str]:
    return [
        f"{line.description} x {line.quantity.normalize()} @ {line.unit_price}"
        for line in deal.lines.all()
    ]


def deal_lines_set(
    *, actor: Any, deal: Deal, lines: Any, expected_version: int | None = None
) -> Deal:
    """Replaces the deal's lines. A product without a unit price takes its price from the
    price list in the deal's currency. With lines, the amount becomes their net sum; with
    none, the amount stays as it was typed."""
    require(actor, "sales.change")
    if isinstance(lines, list) and len(lines) > MAX_LINES:
        raise ValidationError({"lines": [f"At most {MAX_LINES} lines."]})
    errors: dict[str, list[str]] = {}
    cleaned = clean_lines(lines, price_list_for(deal.currency), errors, allow_empty=True)
    if errors:
        raise ValidationError(errors)
    now = timezone.now()
    with transaction.atomic():
        locked = Deal.objects.select_for_update().get(pk=deal.pk)
        check_version(expected_version, locked.version)
        before = {"lines": _lines_snapshot(locked), "amount": locked.amount}
        locked.lines.all().delete()
        DealLine.objects.bulk_create(
            DealLine(deal=locked, position=position, **line)
            for position, line in enumerate(cleaned)
        )
        if cleaned:
            locked.amount = sum((line["net"] for line in cleaned), Decimal("0.00"))
        after = {"lines": _lines_snapshot(locked), "amount": locked.amount}
        changes = audit.diff(before, after)
        if changes:
            locked.version += 1
            locked.updated_at = now
            locked.save(update_fields=["amount", "version", "updated_at"])
            audit.record(action="sales.deal.updated", instance=locked, changes=changes)
            events.emit("sales.deal.updated", {"id": locked.pk, "changed": sorted(changes)})
    return locked
