"""Business documents (quotes, invoices, credit notes) as PDF, drawn with ReportLab.

The apps describe a document with `Document`; `render` lays it out the same way for all of
them: the company's letterhead from its profile, the customer, the lines, the totals, notes
and a footer with page numbers. Amounts and dates are formatted for `Document.language`,
which is the customer's language, so a Portuguese customer gets "1.234,56" and "02/12/2026".

The standard PDF fonts cover the Latin alphabets (Portuguese, Spanish, French, German, ...)
and the euro sign; text in other scripts prints as blanks.
"""

from __future__ import annotations

import datetime
import io
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

from django.conf import settings
from django.utils import formats, translation
from django.utils.translation import gettext as _
from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
from reportlab.lib.units import mm
from reportlab.lib.utils import ImageReader
from reportlab.platypus import (
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from elo.core.models import CompanyProfile

CURRENCY_SYMBOLS = {"BRL": "R$", "EUR": "€", "USD": "US$", "GBP": "£"}
ACCENT = colors.HexColor("#1f4e79")
MUTED = colors.HexColor("#5f6b76")
RULE = colors.HexColor("#c9d1d9")


@dataclass
class Line:
    description: str
    quantity: Decimal
    unit_price: Decimal
    discount: Decimal
    tax_rate: Decimal | None
    net: Decimal


def lines_of(rows: Iterable[Any]) -> list[Line]:
    """Document lines from priced rows (quote, invoice or deal lines)."""
    return [
        Line(
            description=row.description,
            quantity=row.quantity,
            unit_price=row.unit_price,
            discount=row.discount,
            tax_rate=row.tax_rate,
            net=row.net,
        )
        for row in rows
    ]


@dataclass
class Document:
    """What a document says; `render` decides how it looks."""

    title: str
    reference: str
    currency: str
    customer_heading: str
    customer: list[str]
    facts: list[tuple[str, str]] = field(default_factory=list)
    lines: list[Line] = field(default_factory=list)
    totals: list[tuple[str, Decimal]] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)
    language: str = ""
    watermark: str = ""


@contextmanager
def language(code: str) -> Iterator[str]:
    """Translations and formats of `code` (the customer's), or of the site when blank."""
    known = {item for item, _name in settings.LANGUAGES}
    chosen = code if code in known else settings.LANGUAGE_CODE
    with translation.override(chosen):
        yield chosen


def money(amount: Decimal, currency: str) -> str:
    """`amount` with two decimals and the currency's symbol, in the active language."""
    number = formats.number_format(amount, decimal_pos=2, use_l10n=True, force_grouping=True)
    return f"{CURRENCY_SYMBOLS.get(currency, currency)} {number}"


def quantity(value: Decimal) -> str:
    normalized = value.normalize()
    places = max(0, -int(normalized.as_tuple().exponent))
    return formats.number_format(value, decimal_pos=places, use_l10n=True, force_grouping=True)


def percent(value: Decimal) -> str:
    return quantity(value) + " %"


def day(value: datetime.date | None) -> str:
    return formats.date_format(value, "SHORT_DATE_FORMAT") if value else ""


def customer_lines(person: Any, organization: Any) -> list[str]:
    """The customer block: the organization with its tax ID, then the person with their
    postal address and email."""
    lines: list[str] = []
    if organization is not None:
        lines.append(str(organization))
        if organization.tax_id:
            kind = organization.get_tax_id_kind_display() if organization.tax_id_kind else ""
            lines.append(f"{kind or _('Tax ID')}: {organization.tax_id}")
    if person is not None:
        name = str(person)
        lines.append(_("Attn.: %(name)s") % {"name": name} if lines else name)
        place = " ".join(part for part in (person.postal_code, person.city) if part)
        if person.region:
            place = f"{place} - {person.region}" if place else person.region
        lines += [line for line in (person.street, place, person.country) if line]
        if person.primary_email:
            lines.append(person.primary_email)
    return lines


def _styles() -> dict[str, ParagraphStyle]:
    base = getSampleStyleSheet()
    body = ParagraphStyle(
        "body", parent=base["Normal"], fontName="Helvetica", fontSize=9, leading=12
    )
    return {
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=8, leading=10, textColor=MUTED),
        "company": ParagraphStyle(
            "company", parent=body, fontName="Helvetica-Bold", fontSize=12, leading=15
        ),
        "title": ParagraphStyle(
            "title",
            parent=body,
            fontName="Helvetica-Bold",
            fontSize=18,
            leading=22,
            textColor=ACCENT,
        ),
        "heading": ParagraphStyle(
            "heading",
            parent=body,
            fontName="Helvetica-Bold",
            fontSize=9,
            textColor=MUTED,
            spaceAfter=2,
        ),
        "right": ParagraphStyle("right", parent=body, alignment=TA_RIGHT),
        "right_bold": ParagraphStyle(
            "right_bold", parent=body, alignment=TA_RIGHT, fontName="Helvetica-Bold"
        ),
    }


def _text(value: str) -> str:
    return escape(value).replace("\n", "<br/>")


def _letterhead(profile: CompanyProfile, styles: dict[str, ParagraphStyle]) -> Table:
    details = [Paragraph(_text(str(profile)), styles["company"])]
    lines = [profile.legal_name if profile.legal_name != profile.name else ""]
    if profile.tax_id:
        lines.append(_("Tax ID: %(tax_id)s") % {"tax_id": profile.tax_id})
    lines += [
        profile.address,
        " · ".join(v for v in (profile.email, profile.phone, profile.website) if v),
    ]
    details += [Paragraph(_text(line), styles["small"]) for line in lines if line]
    logo: Any = ""
    if profile.logo:
        reader = ImageReader(io.BytesIO(bytes(profile.logo)))
        width, height = reader.getSize()
        scale = min(45 * mm / width, 18 * mm / height)
        logo = Image(io.BytesIO(bytes(profile.logo)), width=width * scale, height=height * scale)
        logo.hAlign = "LEFT"
    table = Table([[logo, details]], colWidths=[60 * mm, None])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("LINEBELOW", (0, 0), (-1, 0), 0.75, ACCENT),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 6),
            ]
        )
    )
    return table


def _header(document: Document, styles: dict[str, ParagraphStyle]) -> Table:
    left = [
        Paragraph(_text(f"{document.title} {document.reference}"), styles["title"]),
        Spacer(1, 4 * mm),
        Paragraph(_text(document.customer_heading), styles["heading"]),
        *[Paragraph(_text(line), styles["body"]) for line in document.customer],
    ]
    facts = Table(
        [
            [Paragraph(_text(label), styles["small"]), Paragraph(_text(value), styles["right"])]
            for label, value in document.facts
        ]
        or [["", ""]],
        colWidths=[30 * mm, 40 * mm],
    )
    facts.setStyle(
        TableStyle(
            [("VALIGN", (0, 0), (-1, -1), "TOP"), ("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE)]
        )
    )
    table = Table([[left, facts]], colWidths=[None, 72 * mm])
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("RIGHTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 6 * mm),
            ]
        )
    )
    return table


def _lines(document: Document, styles: dict[str, ParagraphStyle]) -> Table:
    heading = [_("Description"), _("Qty"), _("Unit price"), _("Discount"), _("Tax"), _("Amount")]
    rows: list[list[Any]] = [
        [
            Paragraph(_text(text), styles["heading" if index == 0 else "right_bold"])
            for index, text in enumerate(heading)
        ]
    ]
    for line in document.lines:
        rows.append(
            [
                Paragraph(_text(line.description), styles["body"]),
                quantity(line.quantity),
                money(line.unit_price, document.currency),
                percent(line.discount) if line.discount else "",
                percent(line.tax_rate) if line.tax_rate is not None else "",
                money(line.net, document.currency),
            ]
        )
    table = Table(rows, colWidths=[None, 16 * mm, 27 * mm, 21 * mm, 19 * mm, 30 * mm], repeatRows=1)
    table.setStyle(
        TableStyle(
            [
                ("FONTNAME", (0, 0), (-1, -1), "Helvetica"),
                ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("ALIGN", (1, 1), (-1, -1), "RIGHT"),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEBELOW", (0, 0), (-1, 0), 0.75, ACCENT),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
                ("ROWBACKGROUNDS", (0, 1), (-1, -1), [colors.white, colors.HexColor("#f6f8fa")]),
            ]
        )
    )
    return table


def _totals(document: Document, styles: dict[str, ParagraphStyle]) -> Table:
    """The totals, right-aligned under the lines; the last one (what is due) in bold."""
    last = len(document.totals) - 1
    rows = [
        [
            Paragraph(_text(label), styles["right_bold" if index == last else "right"]),
            Paragraph(
                _text(money(amount, document.currency)),
                styles["right_bold" if index == last else "right"],
            ),
        ]
        for index, (label, amount) in enumerate(document.totals)
    ]
    table = Table(rows or [["", ""]], colWidths=[50 * mm, 34 * mm], hAlign="RIGHT")
    style: list[Any] = [("LINEBELOW", (0, 0), (-1, -1), 0.25, RULE)]
    if rows:
        style.append(("LINEABOVE", (0, last), (-1, last), 0.75, ACCENT))
    table.setStyle(TableStyle(style))
    return table


def render(document: Document, profile: CompanyProfile) -> bytes:
    """The document as PDF bytes, laid out on A4 with the company's letterhead."""
    buffer = io.BytesIO()
    with language(document.language):
        styles = _styles()
        footer = profile.document_footer
        page_label = _("Page %(page)d")
        reference = f"{document.title} {document.reference}"

        def decorate(canvas: Any, doc: Any) -> None:
            canvas.saveState()
            canvas.setFont("Helvetica", 7.5)
            canvas.setFillColor(MUTED)
            if footer:
                canvas.drawString(18 * mm, 10 * mm, footer[:150])
            canvas.drawRightString(
                A4[0] - 18 * mm, 10 * mm, f"{reference} · {page_label % {'page': doc.page}}"
            )
            if document.watermark:
                canvas.setFont("Helvetica-Bold", 60)
                canvas.setFillColor(colors.Color(0.8, 0.1, 0.1, alpha=0.15))
                canvas.translate(A4[0] / 2, A4[1] / 2)
                canvas.rotate(35)
                canvas.drawCentredString(0, 0, document.watermark)
            canvas.restoreState()

        template = SimpleDocTemplate(
            buffer,
            pagesize=A4,
            leftMargin=18 * mm,
            rightMargin=18 * mm,
            topMargin=16 * mm,
            bottomMargin=18 * mm,
            title=reference,
            author=str(profile),
            subject=reference,
            lang=translation.get_language() or "",
        )
        story: list[Any] = [
            _letterhead(profile, styles),
            _header(document, styles),
            Spacer(1, 8 * mm),
            _lines(document, styles),
            Spacer(1, 4 * mm),
            _totals(document, styles),
        ]
        for heading, text in document.notes:
            if text.strip():
                story.append(
                    KeepTogether(
                        [
                            Spacer(1, 6 * mm),
                            Paragraph(_text(heading), styles["heading"]),
                            Paragraph(_text(text), styles["body"]),
                        ]
                    )
                )
        template.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return buffer.getvalue()


def tax_by_rate(lines: Sequence[Any]) -> list[tuple[Decimal, Decimal]]:
    """(rate, tax) per tax rate of `lines` (each with `tax_rate` and `tax`), rates ascending."""
    sums: dict[Decimal, Decimal] = {}
    for line in lines:
        sums[line.tax_rate] = sums.get(line.tax_rate, Decimal(0)) + line.tax
    return sorted(sums.items())


def filename(title: str, reference: str) -> str:
    """A download name like "invoice-FT-2026-7.pdf": the title in lower case, the reference
    as printed, anything but letters and digits as single hyphens."""
    safe = "".join(char if char.isalnum() else "-" for char in f"{title.lower()}-{reference}")
    return "-".join(part for part in safe.split("-") if part) + ".pdf"


__all__: Sequence[str] = [
    "Document",
    "Line",
    "customer_lines",
    "filename",
    "money",
    "render",
    "tax_by_rate",
]
