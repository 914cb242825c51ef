"""An issued invoice keeps a snapshot of the billed party (`billed_to`): its PDF reads the
customer as it stood at issue, even after the person's record changes or is erased."""

from __future__ import annotations

import importlib
import io
from typing import Any

import pypdf
import pytest
from django.apps import apps

from elo.billing import documents, services
from elo.billing.models import Invoice
from elo.contacts.services import person_update
from elo.privacy.erasure import person_erase
from elo.sales.services import quotes

pytestmark = pytest.mark.django_db


@pytest.fixture
def bia(make_person: Any) -> Any:
    return make_person(
        given_name="Beatriz", family_name="Moura", emails=["bia.moura@cliente-mail.pt"],
        street="Rua do Sol 5", city="Braga", postal_code="4700-001", country="PT",
        preferred_language="pt-pt",
    )  # fmt: skip


def _draft(manager: Any, rep: Any, person: Any, organization: Any = None) -> Invoice:
    data: dict[str, Any] = {"title": "Seats", "currency": "EUR", "person": person.pk,
                            "lines": [{"description": "Seats", "unit_price": "30"}]}  # fmt: skip
    if organization is not None:
        data["organization"] = organization.pk
    quote = quotes.quote_create(actor=rep, data=data)
    quotes.quote_set_status(actor=rep, quote=quote, status="sent")
    quotes.quote_set_status(actor=rep, quote=quote, status="accepted")
    order = services.order_from_quote(actor=rep, quote=quote)
    return services.invoice_draft(actor=manager, order=order)


def _pdf_text(invoice: Invoice) -> str:
    reader = pypdf.PdfReader(io.BytesIO(documents.invoice_pdf(invoice)))
    return " ".join(page.extract_text() for page in reader.pages)


def test_issuing_takes_the_snapshot_and_drafts_have_none(
    manager: Any, rep: Any, bia: Any, make_organization: Any
) -> None:
    organization = make_organization(name="Moura Lda", tax_id="PT501964843")
    draft = _draft(manager, rep, bia, organization)
    assert draft.billed_to == {}
    issued = services.invoice_issue(actor=manager, invoice=draft)
    stored = Invoice.objects.get(pk=issued.pk).billed_to
    assert stored["organization"] == "Moura Lda" and stored["tax_id"] == organization.tax_id
    assert (stored["name"], stored["street"], stored["postal_code"], stored["city"]) == (
        "Beatriz Moura",
        "Rua do Sol 5",
        "4700-001",
        "Braga",
    )
    assert (stored["email"], stored["country"], stored["language"]) == (
        "bia.moura@cliente-mail.pt",
        "PT",
        "pt-pt",
    )


def test_the_issued_pdf_keeps_the_customer_after_a_change_and_an_erasure(
    admin: Any, manager: Any, rep: Any, bia: Any
) -> None:
    issued = services.invoice_issue(actor=manager, invoice=_draft(manager, rep, bia))
    draft = _draft(manager, rep, bia)
    person_update(actor=admin, person=bia, data={"street": "Avenida Nova 9"})
    text = _pdf_text(Invoice.objects.get(pk=issued.pk))
    assert "Rua do Sol 5" in text and "Avenida Nova 9" not in text
    person_erase(actor=admin, person=bia, reason="Asked")
    issued_text = _pdf_text(Invoice.objects.get(pk=issued.pk))
    assert "Beatriz Moura" in issued_text and "bia.moura@cliente-mail.pt" in issued_text
    assert "Fatura" in issued_text  # still in the language the customer had
    draft_text = _pdf_text(Invoice.objects.get(pk=draft.pk))
    assert "Beatriz" not in draft_text and "Erased person" in draft_text


def test_the_migration_fills_invoices_issued_before_snapshots(
    manager: Any, rep: Any, bia: Any
) -> None:
    issued = services.invoice_issue(actor=manager, invoice=_draft(manager, rep, bia))
    draft = _draft(manager, rep, bia)
    Invoice.objects.update(billed_to={})
    migration = importlib.import_module("elo.billing.migrations.0004_invoice_billed_to")
    migration.fill_issued(apps, None)
    assert Invoice.objects.get(pk=issued.pk).billed_to["street"] == "Rua do Sol 5"
    assert Invoice.objects.get(pk=draft.pk).billed_to == {}
