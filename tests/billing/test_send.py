"""Sending an issued invoice by email, with its PDF, to a real SMTP server."""

from __future__ import annotations

import datetime
import io
from decimal import Decimal
from typing import Any

import pypdf
import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from elo.billing import services
from elo.billing.models import Invoice
from elo.core.models import AuditEntry, OutboxEvent
from elo.sales.services import quotes

pytestmark = pytest.mark.django_db


def _invoice(manager: Any, rep: Any, *, issue: bool = True, **data: Any) -> Invoice:
    quote = quotes.quote_create(
        actor=rep,
        data={"title": "Rollout", "currency": "EUR", **data,
              "lines": [{"description": "Seats", "quantity": "10", "unit_price": "30",
                         "tax_rate": "23"},
                        {"description": "Setup", "unit_price": "500"}]},
    )  # fmt: skip
    quotes.quote_set_status(actor=rep, quote=quote, status="sent")
    quotes.quote_set_status(actor=rep, quote=quote, status="accepted")
    order = services.order_from_quote(actor=rep, quote=quote)
    draft = services.invoice_draft(actor=manager, order=order)
    return services.invoice_issue(actor=manager, invoice=draft) if issue else draft


@pytest.fixture
def ana(make_person: Any) -> Any:
    return make_person(
        given_name="Ana", family_name="Lima", emails=["ana@cliente.com.br"],
        preferred_language="pt-br",
    )  # fmt: skip


def _pdf_text(content: bytes) -> str:
    assert content.startswith(b"%PDF")
    reader = pypdf.PdfReader(io.BytesIO(content))
    return " ".join(page.extract_text() for page in reader.pages)


def test_the_customer_gets_the_invoice_in_their_language_with_the_pdf(
    manager: Any,
    rep: Any,
    ana: Any,
    smtp: Any,
    time_machine: Any,
) -> None:
    time_machine.move_to("2026-06-01T10:00:00Z", tick=False)
    invoice = _invoice(manager, rep, person=ana.pk)
    services.payment_record(actor=manager, invoice=invoice, data={"amount": "100"})
    sent = services.invoice_send(actor=manager, invoice=invoice, to="ana@cliente.com.br")
    [message] = smtp.messages
    assert message["To"] == "ana@cliente.com.br"
    assert message["X-Envelope-To"] == "ana@cliente.com.br"
    assert message["Reply-To"] == manager.email
    assert "INV/1" in message["Subject"]
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert "INV/1" in body
    assert "869,00" in body  # the total, written the Brazilian way
    assert "769,00" in body  # the balance after the payment
    assert "01/07/2026" in body  # due 30 days after issue, day first
    [attachment] = list(message.iter_attachments())
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == "fatura-INV-1.pdf"
    text = _pdf_text(attachment.get_content())
    assert "INV/1" in text and "Ana Lima" in text
    invoice.refresh_from_db()
    assert invoice.sent_to == "ana@cliente.com.br"
    assert invoice.sent_at == datetime.datetime(2026, 6, 1, 10, 0, tzinfo=datetime.UTC)
    assert (sent.sent_to, invoice.status, invoice.paid) == (
        "ana@cliente.com.br", "partially_paid", Decimal("100.00"))  # fmt: skip
    entry = AuditEntry.objects.get(action="billing.invoice.sent")
    assert entry.changes["to"] == "ana@cliente.com.br"
    event = OutboxEvent.objects.get(name="billing.invoice.sent")
    assert event.payload["to"] == "ana@cliente.com.br" and event.payload["id"] == invoice.pk


def test_a_paid_invoice_can_be_sent_again(manager: Any, rep: Any, ana: Any, smtp: Any) -> None:
    invoice = _invoice(manager, rep, person=ana.pk)
    services.payment_record(actor=manager, invoice=invoice, data={"amount": "869"})
    services.invoice_send(actor=manager, invoice=invoice, to="ana@cliente.com.br")
    services.invoice_send(actor=manager, invoice=invoice, to="contas@cliente.com.br")
    assert [message["To"] for message in smtp.messages] == [
        "ana@cliente.com.br", "contas@cliente.com.br"]  # fmt: skip
    invoice.refresh_from_db()
    assert invoice.sent_to == "contas@cliente.com.br"


@pytest.mark.parametrize(
    ("case", "field"),
    [("draft", "invoice"), ("void", "invoice"), ("bad-address", "to"), ("no-address", "to")],
)
def test_what_cannot_be_sent_is_refused_and_nothing_leaves(
    manager: Any,
    rep: Any,
    ana: Any,
    smtp: Any,
    case: str,
    field: str,
) -> None:
    invoice = _invoice(manager, rep, issue=case != "draft", person=ana.pk)
    if case == "void":
        services.credit_note_issue(actor=manager, invoice=invoice, amount="869", reason="x")
    to = {"bad-address": "ana@", "no-address": ""}.get(case, "ana@cliente.com.br")
    with pytest.raises(ValidationError) as error:
        services.invoice_send(actor=manager, invoice=invoice, to=to)
    assert field in error.value.message_dict
    assert smtp.messages == []
    invoice.refresh_from_db()
    assert (invoice.sent_at, invoice.sent_to) == (None, "")
    assert not AuditEntry.objects.filter(action="billing.invoice.sent").exists()
    assert not OutboxEvent.objects.filter(name="billing.invoice.sent").exists()


def test_sending_needs_billing_manage(manager: Any, rep: Any, ana: Any, smtp: Any) -> None:
    invoice = _invoice(manager, rep, person=ana.pk)
    with pytest.raises(PermissionDenied):
        services.invoice_send(actor=rep, invoice=invoice, to="ana@cliente.com.br")
    invoice.refresh_from_db()
    assert invoice.sent_at is None and smtp.messages == []


def test_sending_from_the_invoice_page(
    web: Any,
    manager: Any,
    rep: Any,
    ana: Any,
    smtp: Any,
) -> None:
    invoice = _invoice(manager, rep, person=ana.pk)
    url = f"/invoices/{invoice.pk}/send/"
    assert web(rep).post(url, {"to": "ana@cliente.com.br"}).status_code == 403
    client = web(manager)
    page = client.get(f"/invoices/{invoice.pk}/").content.decode()
    assert 'name="to" value="ana@cliente.com.br"' in page
    bad = client.post(url, {"to": "not an address"})
    assert bad.status_code == 200
    assert 'data-field-error="to">Enter a valid email address.<' in bad.content.decode()
    assert smtp.messages == []
    done = client.post(url, {"to": "contas@cliente.com.br"}, follow=True)
    assert "Invoice sent to contas@cliente.com.br." in done.content.decode()
    assert "to contas@cliente.com.br" in done.content.decode()  # the "Sent" line
    [message] = smtp.messages
    assert message["To"] == "contas@cliente.com.br"


def test_a_draft_page_offers_no_sending(web: Any, manager: Any, rep: Any, ana: Any) -> None:
    draft = _invoice(manager, rep, issue=False, person=ana.pk)
    assert 'id="send-form"' not in web(manager).get(f"/invoices/{draft.pk}/").content.decode()


def test_send_api(
    api: Any,
    manager: Any,
    rep: Any,
    other_rep: Any,
    ana: Any,
    smtp: Any,
) -> None:
    invoice = _invoice(manager, rep, person=ana.pk)
    path = f"/api/v1/invoices/{invoice.pk}/send"
    assert api(None).post(path, {"to": "ana@cliente.com.br"}).status_code == 401
    assert api(other_rep).post(path, {"to": "ana@cliente.com.br"}).status_code == 404
    refused = api(rep).post(path, {"to": "ana@cliente.com.br"})
    assert refused.status_code == 403
    assert refused["Content-Type"] == "application/problem+json"
    client = api(manager)
    bad = client.post(path, {"to": "ana@"})
    assert bad.status_code == 422 and bad["Content-Type"] == "application/problem+json"
    assert [error["field"] for error in bad.json()["errors"]] == ["to"]
    assert client.post(path, {}).status_code == 422
    assert smtp.messages == []
    sent = client.post(path, {"to": "ana@cliente.com.br"})
    assert sent.status_code == 200, sent.content
    assert sent.json()["sent_to"] == "ana@cliente.com.br" and sent.json()["sent_at"]
    assert sent["ETag"]
    [message] = smtp.messages
    assert message["To"] == "ana@cliente.com.br"
    draft = _invoice(manager, rep, issue=False, person=ana.pk)
    refused_draft = client.post(f"/api/v1/invoices/{draft.pk}/send", {"to": "a@b.co"})
    assert refused_draft.status_code == 422
    assert refused_draft.json()["errors"][0]["field"] == "invoice"


def test_when_the_mail_server_is_down_nothing_is_recorded(
    web: Any, manager: Any, rep: Any, ana: Any, smtp: Any, settings: Any
) -> None:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        settings.EMAIL_PORT = probe.getsockname()[1]  # nothing listens there once closed
    invoice = _invoice(manager, rep, person=ana.pk)
    with pytest.raises(ValidationError) as error:
        services.invoice_send(actor=manager, invoice=invoice, to="ana@cliente.com.br")
    assert error.value.message_dict["to"] == [
        "The mail server did not take the message. Try again later."
    ]
    invoice.refresh_from_db()
    assert (invoice.sent_at, invoice.sent_to, invoice.version) == (None, "", 2)
    assert not AuditEntry.objects.filter(action="billing.invoice.sent").exists()
    assert not OutboxEvent.objects.filter(name="billing.invoice.sent").exists()
    page = web(manager).post(f"/invoices/{invoice.pk}/send/", {"to": "ana@cliente.com.br"})
    assert page.status_code == 200
    assert "The mail server did not take the message." in page.content.decode()
