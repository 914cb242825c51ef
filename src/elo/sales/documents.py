"""The quote as a PDF the customer receives: in their language, on the company's letterhead."""

from __future__ import annotations

from django.utils.translation import gettext as _

from elo.core import pdf
from elo.core.selectors import company_profile
from elo.sales.choices import QuoteStatus
from elo.sales.models import Quote


def quote_document(quote: Quote) -> pdf.Document:
    person, organization = quote.person, quote.organization
    language = person.preferred_language if person is not None else ""
    with pdf.language(language) as chosen:
        facts = [(_("Date"), pdf.day((quote.sent_at or quote.created_at).date()))]
        if quote.valid_until:
            facts.append((_("Valid until"), pdf.day(quote.valid_until)))
        facts.append((_("Revision"), str(quote.revision)))
        if quote.owner_id:
            facts.append((_("Prepared by"), str(quote.owner)))
        totals = [(_("Net"), quote.net_total)]
        totals += [
            (_("Tax %(rate)s") % {"rate": pdf.percent(rate)}, amount)
            for rate, amount in pdf.tax_by_rate(list(quote.lines.all()))
            if rate
        ]
        totals.append((_("Total"), quote.total))
        watermark = {
            QuoteStatus.DRAFT: _("DRAFT"),
            QuoteStatus.DECLINED: _("DECLINED"),
            QuoteStatus.EXPIRED: _("EXPIRED"),
        }.get(QuoteStatus(quote.status), "")
        return pdf.Document(
            title=_("Quote"),
            reference=quote.reference,
            currency=quote.currency,
            customer_heading=_("Prepared for"),
            customer=pdf.customer_lines(person, organization),
            facts=facts,
            lines=pdf.lines_of(quote.lines.all()),
            totals=totals,
            notes=[(_("About this quote"), quote.title)],
            language=chosen,
            watermark=watermark,
        )


def quote_pdf(quote: Quote) -> bytes:
    """The quote as PDF bytes."""
    return pdf.render(quote_document(quote), company_profile())


def quote_filename(quote: Quote) -> str:
    person = quote.person
    with pdf.language(person.preferred_language if person is not None else ""):
        return pdf.filename(_("Quote"), quote.reference)
