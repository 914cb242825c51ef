"""Invoices and credit notes as PDFs: in the customer's language, on the company's letterhead,
with the payment instructions from the company profile."""

from __future__ import annotations

from decimal import Decimal

from django.utils.translation import gettext as _

from elo.billing.choices import InvoiceStatus
from elo.billing.models import CreditNote, Invoice
from elo.core import pdf
from elo.core.selectors import company_profile


def _language(invoice: Invoice) -> str:
    return invoice.person.preferred_language if invoice.person is not None else ""


def invoice_document(invoice: Invoice) -> pdf.Document:
    with pdf.language(_language(invoice)) as chosen:
        facts = []
        if invoice.issue_date:
            facts.append((_("Issue date"), pdf.day(invoice.issue_date)))
        if invoice.due_date:
            facts.append((_("Due date"), pdf.day(invoice.due_date)))
        if invoice.order_id and invoice.order is not None:
            facts.append((_("Order"), invoice.order.title))
        facts.append((_("Status"), str(InvoiceStatus(invoice.status).label)))
        lines = list(invoice.lines.all())
        totals = [(_("Net"), invoice.net_total)]
        totals += [
            (_("Tax %(rate)s") % {"rate": pdf.percent(rate)}, amount)
            for rate, amount in pdf.tax_by_rate(lines)
            if rate
        ]
        totals.append((_("Total"), invoice.total))
        if invoice.paid or invoice.credited:
            if invoice.paid:
                totals.append((_("Paid"), invoice.paid))
            if invoice.credited:
                totals.append((_("Credited"), invoice.credited))
            totals.append((_("Balance due"), invoice.balance))
        profile = company_profile()
        notes = [(_("How to pay"), profile.payment_instructions)]
        watermark = {InvoiceStatus.DRAFT: _("DRAFT"), InvoiceStatus.VOID: _("VOID")}.get(
            InvoiceStatus(invoice.status), ""
        )
        return pdf.Document(
            title=_("Invoice"),
            reference=invoice.reference or _("draft"),
            currency=invoice.currency,
            customer_heading=_("Bill to"),
            customer=pdf.customer_lines(invoice.person, invoice.organization),
            facts=facts,
            lines=pdf.lines_of(lines),
            totals=totals,
            notes=notes if invoice.balance else [],
            language=chosen,
            watermark=watermark,
        )


def invoice_pdf(invoice: Invoice) -> bytes:
    """The invoice as PDF bytes; a draft is marked as such on every page."""
    return pdf.render(invoice_document(invoice), company_profile())


def invoice_filename(invoice: Invoice) -> str:
    with pdf.language(_language(invoice)):
        return pdf.filename(_("Invoice"), invoice.reference or f"{_('draft')}-{invoice.pk}")


def credit_note_document(note: CreditNote) -> pdf.Document:
    invoice = note.invoice
    with pdf.language(_language(invoice)) as chosen:
        return pdf.Document(
            title=_("Credit note"),
            reference=str(note),
            currency=invoice.currency,
            customer_heading=_("Credit to"),
            customer=pdf.customer_lines(invoice.person, invoice.organization),
            facts=[
                (_("Issue date"), pdf.day(note.issue_date)),
                (_("Invoice"), invoice.reference),
                (_("Invoice date"), pdf.day(invoice.issue_date)),
            ],
            lines=[
                pdf.Line(
                    description=note.reason,
                    quantity=Decimal(1),
                    unit_price=note.amount,
                    discount=Decimal(0),
                    tax_rate=None,
                    net=note.amount,
                )
            ],
            totals=[(_("Credited"), note.amount)],
            language=chosen,
        )


def credit_note_pdf(note: CreditNote) -> bytes:
    return pdf.render(credit_note_document(note), company_profile())


def credit_note_filename(note: CreditNote) -> str:
    with pdf.language(_language(note.invoice)):
        return pdf.filename(_("Credit note"), str(note))
