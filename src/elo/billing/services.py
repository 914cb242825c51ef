"""Every write in the back office: orders, invoices, payments and credit notes.

An invoice gets its number when it is issued, from its series' row locked for the rest of the
transaction: two invoices issued at once wait for each other, and a rolled-back issue gives its
number back with it, so a series has no gaps and never repeats a number.
"""

from __future__ import annotations

import datetime
import logging
import smtplib
from collections.abc import Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from elo.billing.choices import InvoiceStatus, OrderStatus, PaymentMethod
from elo.billing.models import CreditNote, Invoice, InvoiceLine, Order, OrderLine, Payment, Series
from elo.core import audit, events
from elo.core.permissions import require
from elo.sales import money
from elo.sales.choices import QuoteStatus
from elo.sales.models import Quote

logger = logging.getLogger(__name__)

INVOICE_SERIES = "INV"
CREDIT_SERIES = "CN"
PAYABLE = (InvoiceStatus.ISSUED, InvoiceStatus.PARTIALLY_PAID)
SENDABLE = (InvoiceStatus.ISSUED, InvoiceStatus.PARTIALLY_PAID, InvoiceStatus.PAID)


def _amount(value: Any, field: str) -> Decimal:
    try:
        amount = money.cents(Decimal(str(value).strip().replace(",", ".")))
        if not amount.is_finite() or amount <= 0:
            raise InvalidOperation
    except (InvalidOperation, ValueError) as error:
        raise ValidationError({field: [_("Enter an amount above 0.")]}) from error
    return amount


def _day(value: Any, field: str, default: datetime.date) -> datetime.date:
    if value in (None, ""):
        return default
    if isinstance(value, datetime.date):
        return value
    try:
        return datetime.date.fromisoformat(str(value))
    except ValueError as error:
        raise ValidationError({field: [_("Enter a date like 2026-12-31.")]}) from error


def order_from_quote(*, actor: Any, quote: Quote) -> Order:
    """An accepted quote becomes an order with the same lines and totals."""
    require(actor, "sales.change")
    with transaction.atomic():
        locked = Quote.objects.select_for_update().get(pk=quote.pk)
        if locked.status != QuoteStatus.ACCEPTED:
            raise ValidationError({"quote": [_("Only an accepted quote becomes an order.")]})
        if Order.objects.filter(quote=locked).exists():
            raise ValidationError({"quote": [_("This quote already has an order.")]})
        order = Order.objects.create(
            quote=locked,
            deal_id=locked.deal_id,
            organization_id=locked.organization_id,
            person_id=locked.person_id,
            title=locked.title,
            currency=locked.currency,
            net_total=locked.net_total,
            tax_total=locked.tax_total,
            total=locked.total,
            owner_id=locked.owner_id,
            team_id=locked.team_id,
        )
        OrderLine.objects.bulk_create(
            OrderLine(
                order=order,
                position=line.position,
                product_id=line.product_id,
                description=line.description,
                quantity=line.quantity,
                unit_price=line.unit_price,
                discount=line.discount,
                tax_rate=line.tax_rate,
            )
            for line in locked.lines.all()
        )
        audit.record(
            action="billing.order.created",
            instance=order,
            changes={"quote": locked.pk, "total": order.total, "currency": order.currency},
        )
        events.emit("billing.order.created", {"id": order.pk, "quote": locked.pk})
    return order


def _invoice_series(series: Any) -> str:
    """The code of an invoice series: not blank, and not one that numbers credit notes,
    so that each series stays a gapless run of one kind of document."""
    code = str(series or "").strip()
    if not code or len(code) > 20:
        raise ValidationError({"series": [_("Enter a series code of up to 20 characters.")]})
    if code == CREDIT_SERIES or CreditNote.objects.filter(series__code=code).exists():
        raise ValidationError({"series": [_("This series numbers credit notes.")]})
    return code


def _remaining(line: OrderLine) -> Decimal:
    return line.quantity - line.invoiced_quantity


def invoice_draft(
    *,
    actor: Any,
    order: Order,
    quantities: Mapping[int, Any] | None = None,
    due_in_days: int = 30,
    series: str = INVOICE_SERIES,
) -> Invoice:
    """A draft invoice for the order, for the given quantity of each order line (all that is
    left to invoice when `quantities` is None). Nothing is counted as invoiced until issued."""
    require(actor, "billing.manage")
    lines = list(order.lines.all())
    wanted: dict[int, Decimal] = {}
    errors: list[str] = []
    for line in lines:
        raw = _remaining(line) if quantities is None else quantities.get(line.pk, 0)
        try:
            quantity = Decimal(str(raw)).quantize(Decimal("0.001"))
        except (InvalidOperation, ValueError):
            errors.append(_("%(line)s: enter a quantity.") % {"line": line.description})
            continue
        if quantity < 0 or quantity > _remaining(line):
            errors.append(
                _("%(line)s: at most %(left)s left to invoice.")
                % {"line": line.description, "left": f"{_remaining(line).normalize():f}"}
            )
        elif quantity:
            wanted[line.pk] = quantity
    unknown = set(quantities or {}) - {line.pk for line in lines}
    if unknown:
        errors.append(_("These lines are not on the order: %(ids)s.") % {"ids": sorted(unknown)})
    if not errors and not wanted:
        errors.append(_("Nothing is left to invoice."))
    if errors:
        raise ValidationError({"quantities": errors})
    if not 0 <= due_in_days <= 365:
        raise ValidationError({"due_in_days": [_("Enter 0 to 365 days.")]})
    code = _invoice_series(series)
    with transaction.atomic():
        chosen, _created = Series.objects.get_or_create(code=code)
        invoice = Invoice.objects.create(
            order=order,
            organization_id=order.organization_id,
            person_id=order.person_id,
            series=chosen,
            currency=order.currency,
            owner_id=order.owner_id,
            team_id=order.team_id,
            due_date=timezone.localdate() + datetime.timedelta(days=due_in_days),
        )
        amounts = []
        for position, line in enumerate(item for item in lines if item.pk in wanted):
            computed = money.line_amounts(
                quantity=wanted[line.pk],
                unit_price=line.unit_price,
                discount=line.discount,
                tax_rate=line.tax_rate,
            )
            amounts.append(computed)
            InvoiceLine.objects.create(
                invoice=invoice,
                order_line=line,
                position=position,
                description=line.description,
                quantity=wanted[line.pk],
                unit_price=line.unit_price,
                discount=line.discount,
                tax_rate=line.tax_rate,
                net=computed.net,
                tax=computed.tax,
                total=computed.total,
            )
        totals = money.document_totals(amounts)
        invoice.net_total, invoice.tax_total, invoice.total = totals.net, totals.tax, totals.total
        invoice.save(update_fields=["net_total", "tax_total", "total"])
        audit.record(
            action="billing.invoice.drafted",
            instance=invoice,
            changes={"order": order.pk, "total": invoice.total},
        )
    return invoice


def _take_number(code: str) -> tuple[Series, int]:
    series = Series.objects.select_for_update().get(code=code)
    number = series.next_number
    series.next_number = number + 1
    series.save(update_fields=["next_number"])
    return series, number


def invoice_issue(
    *, actor: Any, invoice: Invoice, issue_date: Any = None, expected_version: int | None = None
) -> Invoice:
    """Numbers the draft, counts its quantities as invoiced and freezes it, with a snapshot
    of the billed party (`billed_to`) that the issued invoice keeps."""
    from elo.billing import documents
    from elo.core.errors import check_version

    require(actor, "billing.manage")
    with transaction.atomic():
        locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
        check_version(expected_version, locked.version)
        if locked.status != InvoiceStatus.DRAFT:
            raise ValidationError({"status": [_("Only a draft invoice can be issued.")]})
        day = _day(issue_date, "issue_date", timezone.localdate())
        lines = list(locked.lines.select_related("order_line"))
        order_lines = OrderLine.objects.select_for_update().in_bulk(
            [line.order_line_id for line in lines if line.order_line_id]
        )
        for line in lines:
            if line.order_line_id is None:
                continue
            order_line = order_lines[line.order_line_id]
            if line.quantity > _remaining(order_line):
                raise ValidationError(
                    {
                        "quantities": [
                            _("%(line)s was invoiced meanwhile.") % {"line": line.description}
                        ]
                    }
                )
            order_line.invoiced_quantity += line.quantity
            order_line.save(update_fields=["invoiced_quantity"])
        series, number = _take_number(locked.series.code)
        locked.series, locked.number = series, number
        locked.status = InvoiceStatus.ISSUED
        locked.billed_to = documents.billed_party(locked.person, locked.organization)
        locked.issue_date = day
        if locked.due_date is None or locked.due_date < day:
            locked.due_date = day
        locked.version += 1
        locked.updated_at = timezone.now()
        locked.save()
        if locked.order_id is not None and not any(
            _remaining(line) for line in OrderLine.objects.filter(order_id=locked.order_id)
        ):
            Order.objects.filter(pk=locked.order_id).update(status=OrderStatus.INVOICED)
        audit.record(
            action="billing.invoice.issued",
            instance=locked,
            changes={"reference": locked.reference, "total": locked.total, "due": locked.due_date},
        )
        events.emit(
            "billing.invoice.issued",
            {
                "id": locked.pk,
                "reference": locked.reference,
                "total": locked.total,
                "currency": locked.currency,
            },
        )
    return locked


def _settle(invoice: Invoice) -> None:
    if invoice.balance == 0:
        invoice.status = InvoiceStatus.PAID if invoice.paid else InvoiceStatus.VOID
    elif invoice.paid:
        invoice.status = InvoiceStatus.PARTIALLY_PAID
    else:
        invoice.status = InvoiceStatus.ISSUED


def payment_record(*, actor: Any, invoice: Invoice, data: Mapping[str, Any]) -> Payment:
    """A payment of part or all of what is still due on an issued invoice."""
    require(actor, "billing.manage")
    amount = _amount(data.get("amount"), "amount")
    method = data.get("method") or PaymentMethod.BANK_TRANSFER
    if method not in PaymentMethod.values:
        raise ValidationError({"method": [_("Pick a payment method from the list.")]})
    paid_on = _day(data.get("paid_on"), "paid_on", timezone.localdate())
    with transaction.atomic():
        locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if locked.status not in PAYABLE:
            raise ValidationError(
                {"invoice": [_("Only an issued, unpaid invoice takes payments.")]}
            )
        if amount > locked.balance:
            raise ValidationError(
                {"amount": [_("At most %(due)s is due.") % {"due": locked.balance}]}
            )
        payment = Payment.objects.create(
            invoice=locked,
            amount=amount,
            method=method,
            paid_on=paid_on,
            reference=str(data.get("reference") or "").strip()[:100],
            created_by=actor,
        )
        locked.paid += amount
        _settle(locked)
        locked.version += 1
        locked.save(update_fields=["paid", "status", "version"])
        audit.record(
            action="billing.payment.recorded",
            instance=locked,
            changes={"amount": amount, "method": method, "status": locked.status},
        )
        events.emit(
            "billing.payment.recorded",
            {
                "invoice": locked.pk,
                "payment": payment.pk,
                "amount": amount,
                "status": locked.status,
            },
        )
    return payment


def credit_note_issue(
    *, actor: Any, invoice: Invoice, amount: Any, reason: str, series: str = CREDIT_SERIES
) -> CreditNote:
    """Credits part of what is still due; the balance never goes below zero. Crediting all
    of an unpaid invoice voids it."""
    require(actor, "billing.manage")
    value = _amount(amount, "amount")
    text = " ".join(str(reason or "").split())[:300]
    if not text:
        raise ValidationError({"reason": [_("Say why the invoice is credited.")]})
    with transaction.atomic():
        locked = Invoice.objects.select_for_update().get(pk=invoice.pk)
        if locked.status not in PAYABLE:
            raise ValidationError(
                {"invoice": [_("Only an issued, unpaid invoice can be credited.")]}
            )
        if value > locked.balance:
            raise ValidationError(
                {"amount": [_("At most %(due)s can be credited.") % {"due": locked.balance}]}
            )
        Series.objects.get_or_create(code=series)
        chosen, number = _take_number(series)
        note = CreditNote.objects.create(
            invoice=locked,
            series=chosen,
            number=number,
            amount=value,
            reason=text,
            issue_date=timezone.localdate(),
            created_by=actor,
        )
        locked.credited += value
        _settle(locked)
        locked.version += 1
        locked.save(update_fields=["credited", "status", "version"])
        audit.record(
            action="billing.credit_note.issued",
            instance=locked,
            changes={"credit_note": str(note), "amount": value, "reason": text},
        )
        events.emit(
            "billing.credit_note.issued",
            {"invoice": locked.pk, "credit_note": note.pk, "amount": value},
        )
    return note


def invoice_send(*, actor: Any, invoice: Invoice, to: str) -> Invoice:
    """Emails an issued invoice to the customer, in their preferred language, with the
    invoice as a PDF attachment, and records when and to whom it was sent.

    The message is handed to the mail server as the last step of the transaction: when the
    server refuses it, nothing is recorded and the caller gets a ValidationError on `to`,
    so "sent" on an invoice always means a mail server took the message."""
    from elo.billing import documents
    from elo.contacts.cleaning import clean_email

    require(actor, "billing.manage")
    try:
        address = clean_email(str(to or ""))
    except ValidationError as error:
        raise ValidationError({"to": error.messages}) from error
    with transaction.atomic():
        locked = (
            Invoice.objects.select_for_update(of=("self",))
            .select_related("series", "person", "organization", "order")
            .get(pk=invoice.pk)
        )
        if locked.status not in SENDABLE:
            raise ValidationError({"invoice": [_("Only an issued invoice can be sent.")]})
        language = locked.person.preferred_language if locked.person is not None else ""
        with translation.override(language or translation.get_language()):
            subject = _("Invoice %(number)s") % {"number": locked.reference}
            body = render_to_string(
                "billing/invoice_email.txt", {"invoice": locked, "sender": actor}
            )
            attachment = documents.invoice_filename(locked)
        message = EmailMessage(subject=subject, body=body, to=[address], reply_to=[actor.email])
        message.attach(attachment, documents.invoice_pdf(locked), "application/pdf")
        now = timezone.now()
        locked.sent_at, locked.sent_to = now, address
        locked.version += 1
        locked.updated_at = now
        locked.save(update_fields=["sent_at", "sent_to", "version", "updated_at"])
        audit.record(
            action="billing.invoice.sent",
            instance=locked,
            changes={"to": address, "reference": locked.reference},
        )
        events.emit(
            "billing.invoice.sent",
            {"id": locked.pk, "reference": locked.reference, "to": address},
        )
        try:
            message.send()
        except (OSError, smtplib.SMTPException) as error:
            logger.warning("invoice %s not sent to %s: %s", locked.pk, address, error)
            refused = _("The mail server did not take the message. Try again later.")
            raise ValidationError({"to": [ValidationError(refused, code="not_sent")]}) from error
    return locked
