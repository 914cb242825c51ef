"""Money arithmetic for quotes (and later orders and invoices): Decimal only, every line
rounded to the cent half-to-even, documents summed from their rounded lines, so a document's
total always equals the sum of the totals printed on its lines."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_EVEN, Decimal

CENT = Decimal("0.01")
HUNDRED = Decimal(100)


def cents(value: Decimal) -> Decimal:
    return value.quantize(CENT, rounding=ROUND_HALF_EVEN)


@dataclass(frozen=True)
class LineAmounts:
    net: Decimal
    tax: Decimal
    total: Decimal


def line_amounts(
    *, quantity: Decimal, unit_price: Decimal, discount: Decimal, tax_rate: Decimal
) -> LineAmounts:
    """Net = quantity x unit price less the discount (%), rounded; tax = net x rate, rounded;
    total = net + tax."""
    net = cents(quantity * unit_price * (HUNDRED - discount) / HUNDRED)
    tax = cents(net * tax_rate / HUNDRED)
    return LineAmounts(net=net, tax=tax, total=net + tax)


def document_totals(lines: Iterable[LineAmounts]) -> LineAmounts:
    net = tax = Decimal("0.00")
    for line in lines:
        net += line.net
        tax += line.tax
    return LineAmounts(net=net, tax=tax, total=net + tax)
