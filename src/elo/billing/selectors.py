"""Reads of orders, invoices and payments, through `visible_to`, and the receivables aging."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from decimal import Decimal
from typing import Any

from django.db import models
from django.http import Http404
from django.utils import timezone

from elo.billing.choices import InvoiceStatus
from elo.billing.models import (
    CreditNote,
    Invoice,
    InvoiceLine,
    Order,
    OrderLine,
    Payment,
    Series,
)
from elo.core.pagination import Page, paginate
from elo.core.permissions import require
from elo.core.querysets import RecordQuerySet

AGING_BUCKETS = (
    ("current", None, 0),
    ("1-30", 1, 30),
    ("31-60", 31, 60),
    ("61-90", 61, 90),
    ("90+", 91, None),
)


def _key(pk: Any) -> int:
    try:
        return int(pk)
    except (TypeError, ValueError) as error:
        raise Http404 from error


def orders_for(user: Any) -> RecordQuerySet:
    return Order.objects.visible_to(user).alive()


def _order_related(queryset: RecordQuerySet) -> RecordQuerySet:
    return queryset.select_related("owner", "organization", "person").prefetch_related(
        models.Prefetch("lines", queryset=OrderLine.objects.order_by("position", "id"))
    )


def order_list_for(user: Any, *, status: str = "") -> RecordQuerySet:
    """The visible orders, filtered by status when given."""
    queryset = orders_for(user)
    return queryset.filter(status=status) if status else queryset


def order_page_for(user: Any, *, cursor: str | None, size: int, status: str = "") -> Page[Order]:
    queryset = order_list_for(user, status=status)
    return paginate(_order_related(queryset), keys=["-created_at", "-id"], cursor=cursor, size=size)


def order_get_for(user: Any, pk: Any) -> Order:
    found = _order_related(orders_for(user)).filter(pk=_key(pk)).first()
    if found is None:
        raise Http404
    return found


def order_detail_for(user: Any, pk: Any) -> Order:
    """The visible order with what its page shows: customer, source quote and deal, and the
    order's visible invoices, oldest first."""
    queryset = (
        _order_related(orders_for(user))
        .select_related("quote", "deal", "team")
        .prefetch_related(
            models.Prefetch(
                "invoices",
                queryset=invoices_for(user).select_related("series").order_by("created_at", "id"),
            )
        )
    )
    found = queryset.filter(pk=_key(pk)).first()
    if found is None:
        raise Http404
    return found


def invoices_for(user: Any) -> RecordQuerySet:
    return Invoice.objects.visible_to(user).alive()


def _invoice_related(queryset: RecordQuerySet) -> RecordQuerySet:
    return queryset.select_related("owner", "series", "organization", "person").prefetch_related(
        models.Prefetch("lines", queryset=InvoiceLine.objects.order_by("position", "id")),
        models.Prefetch("payments", queryset=Payment.objects.order_by("paid_on", "id")),
        models.Prefetch(
            "credit_notes", queryset=CreditNote.objects.select_related("series").order_by("id")
        ),
    )


def invoice_series() -> list[str]:
    """The codes of the series invoices were numbered or drafted in, for the invoice form."""
    return list(
        Series.objects.filter(invoices__isnull=False)
        .values_list("code", flat=True)
        .distinct()
        .order_by("code")
    )


def invoice_list_for(
    user: Any, *, status: str = "", overdue: bool = False, customer: str = ""
) -> RecordQuerySet:
    """The visible invoices, by status, overdue (issued, not paid and past the due date) and
    a customer's name: the organization's, or the person's given, family or email."""
    queryset = invoices_for(user)
    if status:
        queryset = queryset.filter(status=status)
    if overdue:
        queryset = queryset.filter(
            status__in=[InvoiceStatus.ISSUED, InvoiceStatus.PARTIALLY_PAID],
            due_date__lt=timezone.localdate(),
        )
    for word in customer.split():
        queryset = queryset.filter(
            models.Q(organization__name__icontains=word)
            | models.Q(person__given_name__icontains=word)
            | models.Q(person__family_name__icontains=word)
            | models.Q(person__primary_email__icontains=word)
        )
    return queryset


def invoice_page_for(
    user: Any,
    *,
    cursor: str | None,
    size: int,
    status: str = "",
    overdue: bool = False,
    customer: str = "",
) -> Page[Invoice]:
    queryset = invoice_list_for(user, status=status, overdue=overdue, customer=customer)
    return paginate(
        _invoice_related(queryset), keys=["-created_at", "-id"], cursor=cursor, size=size
    )


def payments_for(user: Any, *, method: str = "", invoice: int | None = None) -> Any:
    """Payments on the invoices the user can see, newest first, with their invoice."""
    queryset = Payment.objects.filter(invoice__in=invoices_for(user)).select_related(
        "invoice__series"
    )
    if method:
        queryset = queryset.filter(method=method)
    if invoice is not None:
        queryset = queryset.filter(invoice_id=invoice)
    return queryset


def payment_page_for(
    user: Any, *, cursor: str | None, size: int, method: str = "", invoice: int | None = None
) -> Page[Payment]:
    queryset = payments_for(user, method=method, invoice=invoice)
    return paginate(queryset, keys=["-created_at", "-id"], cursor=cursor, size=size)


def payment_get_for(user: Any, pk: Any) -> Payment:
    found = payments_for(user).filter(pk=_key(pk)).first()
    if found is None:
        raise Http404
    return found


def invoice_get_for(user: Any, pk: Any) -> Invoice:
    found = _invoice_related(invoices_for(user)).filter(pk=_key(pk)).first()
    if found is None:
        raise Http404
    return found


def invoice_detail_for(user: Any, pk: Any) -> Invoice:
    """The visible invoice with what its page shows: customer, order, lines, payments and
    credit notes."""
    found = (
        _invoice_related(invoices_for(user))
        .select_related("order", "team")
        .filter(pk=_key(pk))
        .first()
    )
    if found is None:
        raise Http404
    return found


def credit_note_get_for(user: Any, invoice_pk: Any, pk: Any) -> CreditNote:
    """A credit note of a visible invoice."""
    found = (
        CreditNote.objects.filter(invoice__in=invoices_for(user), invoice_id=_key(invoice_pk))
        .select_related("series", "invoice__series", "invoice__organization", "invoice__person")
        .filter(pk=_key(pk))
        .first()
    )
    if found is None:
        raise Http404
    return found


def tax_summary(invoice: Invoice) -> list[dict[str, Any]]:
    """The invoice's net and tax per tax rate, from its (prefetched) lines."""
    rates: dict[Decimal, dict[str, Any]] = {}
    for line in invoice.lines.all():
        row = rates.setdefault(
            line.tax_rate, {"rate": line.tax_rate, "net": Decimal("0.00"), "tax": Decimal("0.00")}
        )
        row["net"] += line.net
        row["tax"] += line.tax
    return [rates[rate] for rate in sorted(rates)]


def receivables_aging(user: Any, today: datetime.date | None = None) -> list[dict[str, Any]]:
    """What customers still owe on issued invoices, by currency and days past due."""
    day = today or timezone.localdate()
    rows = (
        invoices_for(user)
        .filter(status__in=[InvoiceStatus.ISSUED, InvoiceStatus.PARTIALLY_PAID])
        .values_list("currency", "due_date", "total", "paid", "credited")
        .order_by()
    )
    table: dict[str, dict[str, Decimal]] = {}
    for currency, due, total, paid, credited in rows.iterator():
        late = (day - due).days if due else 0
        bucket = next(
            name
            for name, low, high in AGING_BUCKETS
            if (low is None or late >= low) and (high is None or late <= high)
        )
        buckets = table.setdefault(currency, {name: Decimal("0.00") for name, *_ in AGING_BUCKETS})
        buckets[bucket] += total - paid - credited
    return [
        {"currency": currency, **buckets, "total": sum(buckets.values(), Decimal("0.00"))}
        for currency, buckets in sorted(table.items())
    ]


INVOICE_COLUMNS = [
    "reference",
    "status",
    "issue_date",
    "due_date",
    "customer",
    "tax_id",
    "currency",
    "net",
    "tax",
    "total",
    "paid",
    "credited",
    "balance",
]
PAYMENT_COLUMNS = ["invoice", "paid_on", "method", "amount", "currency", "reference"]


def invoice_rows(user: Any) -> Iterator[list[Any]]:
    """The issued invoices the user can see, as rows for an accountant's spreadsheet.
    Exporting takes the exports.run permission, checked now; rows are read lazily."""
    require(user, "exports.run")
    return _invoice_rows(user)


def _invoice_rows(user: Any) -> Iterator[list[Any]]:
    yield INVOICE_COLUMNS
    queryset = (
        invoices_for(user)
        .exclude(status=InvoiceStatus.DRAFT)
        .select_related("series", "organization", "person")
        .order_by("series__code", "number")
    )
    for invoice in queryset.iterator(chunk_size=1000):
        customer = invoice.organization or invoice.person
        yield [
            invoice.reference,
            invoice.status,
            invoice.issue_date,
            invoice.due_date,
            str(customer) if customer else "",
            invoice.organization.tax_id if invoice.organization else "",
            invoice.currency,
            invoice.net_total,
            invoice.tax_total,
            invoice.total,
            invoice.paid,
            invoice.credited,
            invoice.balance,
        ]


def payment_rows(user: Any) -> Iterator[list[Any]]:
    """The payments on invoices the user can see; needs exports.run like invoice_rows."""
    require(user, "exports.run")
    return _payment_rows(user)


def _payment_rows(user: Any) -> Iterator[list[Any]]:
    yield PAYMENT_COLUMNS
    queryset = (
        Payment.objects.filter(invoice__in=invoices_for(user))
        .select_related("invoice__series")
        .order_by("paid_on", "id")
    )
    for payment in queryset.iterator(chunk_size=1000):
        yield [
            payment.invoice.reference,
            payment.paid_on,
            payment.method,
            payment.amount,
            payment.invoice.currency,
            payment.reference,
        ]


def purchases_for(user: Any, *, person: Any = None, organization: Any = None) -> dict[str, Any]:
    """A customer's purchase history: their visible invoices, newest first, and what was
    invoiced, paid and is still due per currency."""
    queryset = invoices_for(user).exclude(status=InvoiceStatus.DRAFT)
    queryset = queryset.filter(person=person) if person is not None else queryset
    queryset = queryset.filter(organization=organization) if organization is not None else queryset
    recent = list(queryset.select_related("series").order_by("-issue_date", "-id")[:20])
    totals = (
        queryset.exclude(status=InvoiceStatus.VOID)
        .values("currency")
        .annotate(
            invoiced=models.Sum("total"),
            paid=models.Sum("paid"),
            credited=models.Sum("credited"),
            count=models.Count("id"),
        )
        .order_by("currency")
    )
    return {
        "invoices": recent,
        "totals": [
            {**row, "due": row["invoiced"] - row["paid"] - row["credited"]} for row in totals
        ],
    }
