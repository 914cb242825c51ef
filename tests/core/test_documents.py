"""Quote, invoice and credit note PDFs, and the company profile they are printed under."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from PIL import Image
from pypdf import PdfReader

from elo.billing import services as billing
from elo.billing.documents import credit_note_filename, credit_note_pdf, invoice_pdf
from elo.contacts import services as contacts
from elo.core import services
from elo.core.models import AuditEntry, CompanyProfile
from elo.sales.documents import quote_filename, quote_pdf
from elo.sales.services import quotes

pytestmark = pytest.mark.django_db


def text_of(document: bytes) -> str:
    assert document.startswith(b"%PDF")
    reader = PdfReader(io.BytesIO(document))
    return "\n".join(page.extract_text() for page in reader.pages)


def png(width: int = 120, height: int = 40) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (width, height), (31, 78, 121)).save(buffer, format="PNG")
    return buffer.getvalue()


@pytest.fixture
def profile(admin: Any) -> CompanyProfile:
    return services.company_profile_save(
        actor=admin,
        data={"name": "Padaria Pão Quente", "legal_name": "Pão Quente Comércio Ltda.",
              "tax_id": "11.222.333/0001-81", "address": "Rua das Flores, 12\nSão Paulo - SP",
              "email": "financeiro@paoquente.example", "document_footer": "Obrigado pela preferência!",
              "payment_instructions": "PIX: financeiro@paoquente.example"},
        logo=png(),
    )  # fmt: skip


@pytest.fixture
def customer(admin: Any) -> dict[str, Any]:
    organization = contacts.organization_create(
        actor=admin, data={"name": "Construtora Ação", "tax_id": "11.222.333/0001-81"}
    )
    person = contacts.person_create(
        actor=admin,
        data={"given_name": "João", "family_name": "Conceição", "preferred_language": "pt-br",
              "emails": ["joao@acao.example"], "city": "Campinas", "region": "SP",
              "organizations": [{"organization": organization.pk}]},
    )  # fmt: skip
    return {"person": person, "organization": organization}


def _quote(actor: Any, customer: dict[str, Any], **extra: Any) -> Any:
    return quotes.quote_create(
        actor=actor,
        data={"title": "Reforma da loja", "currency": "BRL", "valid_until": "2030-01-31",
              "person": customer["person"].pk, "organization": customer["organization"].pk,
              "lines": [{"description": "Pintura <b>&</b> acabamento", "quantity": "1200",
                         "unit_price": "12.50", "tax_rate": "10"},
                        {"description": "Projeto", "quantity": "1", "unit_price": "850",
                         "discount": "5"}], **extra},
    )  # fmt: skip


def test_a_quote_prints_in_the_customers_language_with_the_letterhead(
    admin: Any, profile: Any, customer: Any
) -> None:
    quote = _quote(admin, customer)
    text = text_of(quote_pdf(quote))
    assert f"Orçamento {quote.reference}" in text
    assert "Padaria Pão Quente" in text and "11.222.333/0001-81" in text
    assert "Construtora Ação" in text and "João Conceição" in text
    assert "Pintura <b>&</b> acabamento" in text  # markup-like text is printed, not parsed
    assert "1.200" in text and "R$ 15.000,00" in text  # pt-BR grouping and decimal comma
    assert "31/01/2030" in text
    # 15,000.00 + 807.50 net; tax 10 % of 15,000 = 1,500.00; total 17,307.50
    assert "R$ 1.500,00" in text and "R$ 17.307,50" in text
    assert "RASCUNHO" in text  # a draft says so
    assert "Obrigado pela preferência!" in text
    assert quote_filename(quote) == f"orçamento-Q-{quote.pk}.pdf"


def test_a_quote_without_a_profile_or_customer_language_still_prints(admin: Any) -> None:
    quote = quotes.quote_create(
        actor=admin,
        data={"title": "Plain", "currency": "EUR",
              "lines": [{"description": "Widget", "quantity": "2", "unit_price": "1234.5"}]},
    )  # fmt: skip
    quote = quotes.quote_set_status(actor=admin, quote=quote, status="sent")
    text = text_of(quote_pdf(quote))
    assert f"Quote {quote.reference}" in text and "€ 2,469.00" in text
    assert "DRAFT" not in text


def _issued_invoice(admin: Any, customer: Any) -> Any:
    quote = _quote(admin, customer)
    quotes.quote_set_status(actor=admin, quote=quote, status="sent")
    quotes.quote_set_status(actor=admin, quote=quote, status="accepted")
    order = billing.order_from_quote(actor=admin, quote=quote)
    draft = billing.invoice_draft(actor=admin, order=order)
    assert "RASCUNHO" in text_of(invoice_pdf(draft))
    return billing.invoice_issue(actor=admin, invoice=draft)


def test_an_invoice_shows_its_number_dates_taxes_payments_and_how_to_pay(
    admin: Any, profile: Any, customer: Any, time_machine: Any
) -> None:
    time_machine.move_to("2026-06-01T10:00:00Z")
    invoice = _issued_invoice(admin, customer)
    billing.payment_record(
        actor=admin, invoice=invoice, data={"amount": "7307.50", "method": "pix"}
    )
    invoice.refresh_from_db()
    text = text_of(invoice_pdf(invoice))
    assert f"Fatura {invoice.reference}" in text
    assert "01/06/2026" in text and "Construtora Ação" in text
    assert "R$ 17.307,50" in text and "R$ 7.307,50" in text and "R$ 10.000,00" in text
    assert "PIX: financeiro@paoquente.example" in text
    assert "RASCUNHO" not in text


def test_a_credit_note_names_the_invoice_it_corrects(
    admin: Any, profile: Any, customer: Any
) -> None:
    invoice = _issued_invoice(admin, customer)
    note = billing.credit_note_issue(
        actor=admin, invoice=invoice, amount="307.50", reason="Desconto comercial"
    )
    text = text_of(credit_note_pdf(note))
    assert f"Nota de crédito {note}" in text and invoice.reference in text
    assert "Desconto comercial" in text and "R$ 307,50" in text
    assert credit_note_filename(note).endswith(".pdf")


def test_the_profile_is_checked_audited_and_needs_settings_permission(admin: Any, rep: Any) -> None:
    with pytest.raises(PermissionDenied):
        services.company_profile_save(actor=rep, data={"name": "X"})
    with pytest.raises(ValidationError) as caught:
        services.company_profile_save(
            actor=admin, data={"name": "X", "email": "nope"}, logo=b"GIF89a not an image"
        )
    assert set(caught.value.message_dict) == {"email", "logo"}
    assert not CompanyProfile.objects.exists()
    saved = services.company_profile_save(actor=admin, data={"name": "Elo Ltda"}, logo=png())
    assert (saved.version, saved.logo_type) == (1, "image/png")
    saved = services.company_profile_save(actor=admin, data={"name": "Elo SA"}, remove_logo=True)
    assert (saved.version, bytes(saved.logo)) == (2, b"")
    changes = AuditEntry.objects.filter(action="core.company_profile.updated").order_by("pk").last()
    assert changes is not None and changes.changes["name"] == ["Elo Ltda", "Elo SA"]


def test_the_profile_page_saves_and_shows_field_errors(web: Any, admin: Any, rep: Any) -> None:
    url = reverse("core:company_profile")
    assert web(rep).get(url).status_code == 403
    client = web(admin)
    page = client.get(url)
    assert page.status_code == 200
    bad = client.post(url, {"name": "Elo", "email": "not-an-email", "version": "1"})
    assert bad.status_code == 200 and 'data-field-error="email"' in bad.content.decode()
    assert not CompanyProfile.objects.exists()
    logo = io.BytesIO(png())
    logo.name = "logo.png"
    saved = client.post(
        url, {"name": "Elo", "tax_id": "PT 501964843", "logo": logo, "version": "1"}
    )
    assert saved.status_code == 302
    profile = CompanyProfile.objects.get()
    assert (profile.name, profile.tax_id, profile.logo_type) == ("Elo", "PT 501964843", "image/png")
    assert client.get(reverse("core:company_logo")).content == bytes(profile.logo)
    services.company_profile_save(actor=admin, data={"name": "Elo Brasil"}, version=1)
    stale = client.post(url, {"name": "Other", "version": "1"})  # saw version 1, now 2
    assert stale.status_code == 200 and "version 2" in stale.content.decode()
    profile.refresh_from_db()
    assert (profile.name, profile.version) == ("Elo Brasil", 2)


def test_a_download_name_in_portuguese_survives_the_header(
    web: Any, admin: Any, customer: Any
) -> None:
    quote = _quote(admin, customer)
    response = web(admin).get(reverse("sales:quote_pdf", args=[quote.pk]))
    assert response["Content-Type"] == "application/pdf"
    assert f"filename*=utf-8''or%C3%A7amento-Q-{quote.pk}.pdf" in response["Content-Disposition"]


def test_the_profile_page_reads_the_profile_once(
    web: Any, admin: Any, profile: Any, django_assert_max_num_queries: Any
) -> None:
    client = web(admin)
    client.get(reverse("core:company_profile"))
    with django_assert_max_num_queries(4):
        page = client.get(reverse("core:company_profile")).content.decode()
    assert "Padaria Pão Quente" in page
