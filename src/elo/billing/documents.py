"""Invoices and credit notes as PDFs: in the customer's language, on the company's letterhead,
with the payment instructions from the company profile."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from elo.billing.choices import InvoiceStatus
from elo.billing.models import CreditNote, Invoice
from elo.contacts.choices import TaxIdKind
from elo.core import pdf
from elo.core.selectors import company_profile


def billed_party(person: Any, organization: Any) -> dict[str, str]:
    """The billed party as an issued invoice keeps it (`Invoice.billed_to`): the
    organization with its tax id, the person with their postal address, email and language."""
    data = dict.fromkeys(BILLED_KEYS, "")
    if organization is not None:
        data.update(
            organization=organization.name,
            tax_id=organization.tax_id,
            tax_id_kind=organization.tax_id_kind,
        )
    if person is not None:
        data.update(
            name=str(person),
            street=person.street,
            postal_code=person.postal_code,
            city=person.city,
            region=person.region,
            country=person.country,
            email=person.primary_email,
            language=person.preferred_language,
        )
    return data


BILLED_KEYS = (
    "organization",
    "tax_id",
    "tax_id_kind",
    "name",
    "street",
    "postal_code",
    "city",
    "region",
    "country",
    "email",
    "language",
)


def _billed_lines(billed: dict[str, str]) -> list[str]:
    """The customer block from the snapshot, laid out as `pdf.customer_lines` does."""
    lines: list[str] = []
    if billed.get("organization"):
        lines.append(billed["organization"])
        if billed.get("tax_id"):
            kind = billed.get("tax_id_kind") or ""
            label = TaxIdKind(kind).label if kind in TaxIdKind.values else ""
            lines.append(f"{label or _('Tax ID')}: {billed['tax_id']}")
    name = billed.get("name") or ""
    if name:
        lines.append(_("Attn.: %(name)s") % {"name": name} if lines else name)
    place = " ".join(part for part in (billed.get("postal_code"), billed.get("city")) if part)
    if billed.get("region"):
        place = f"{place} - {billed['region']}" if place else billed["region"]
    lines += [line for line in (billed.get("street"), place, billed.get("country")) if line]
    if billed.get("email"):
        lines.append(billed["email"])
    return lines


def _customer(invoice: Invoice) -> list[str]:
    if invoice.billed_to:
        return _billed_lines(invoice.billed_to)
    return pdf.customer_lines(invoice.person, invoice.organization)


def _language(invoice: Invoice) -> str:
    if invoice.billed_to:
        return str(invoice.billed_to.get("language") or "")
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
            customer=_customer(invoice),
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
            customer=_customer(invoice),
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
