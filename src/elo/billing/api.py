from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from ninja import Router

from elo.billing import selectors, services
from elo.billing.schemas import (
    AgingRow,
    CreditNoteIn,
    InvoiceIn,
    InvoiceList,
    InvoiceOut,
    InvoiceSendIn,
    IssueIn,
    OrderIn,
    OrderList,
    OrderOut,
    PaymentIn,
    PaymentList,
    PaymentListItem,
)
from elo.core.api import if_match_version, next_link, page_size, set_etag
from elo.sales.selectors import quote_get_for

router = Router(tags=["billing"])


@router.get("/orders", response=OrderList, summary="List orders")
def list_orders(
    request: HttpRequest, status: str = "", cursor: str | None = None, limit: int = 50
) -> dict[str, Any]:
    page = selectors.order_page_for(
        request.user, cursor=cursor, size=page_size(limit), status=status
    )
    return {"next": next_link(request, page), "items": page.items}


@router.post("/orders", response={201: OrderOut}, summary="Turn an accepted quote into an order")
def create_order(request: HttpRequest, payload: OrderIn) -> Any:
    quote = quote_get_for(request.user, payload.quote)
    order = services.order_from_quote(actor=request.user, quote=quote)
    return 201, selectors.order_get_for(request.user, order.pk)


@router.get("/orders/{order_id}", response=OrderOut, summary="Get an order")
def get_order(request: HttpRequest, order_id: int, response: HttpResponse) -> Any:
    order = selectors.order_get_for(request.user, order_id)
    set_etag(response, order)
    return order


@router.get("/invoices", response=InvoiceList, summary="List invoices")
def list_invoices(
    request: HttpRequest,
    status: str = "",
    overdue: bool = False,
    cursor: str | None = None,
    limit: int = 50,
) -> dict[str, Any]:
    page = selectors.invoice_page_for(
        request.user, cursor=cursor, size=page_size(limit), status=status, overdue=overdue
    )
    return {"next": next_link(request, page), "items": page.items}


@router.get("/invoices/export.csv", summary="Invoices as CSV, for the accountant")
def export_invoices(request: HttpRequest) -> HttpResponseBase:
    return _csv("invoices", selectors.invoice_rows(request.user))


@router.get("/payments/export.csv", summary="Payments as CSV, for the accountant")
def export_payments(request: HttpRequest) -> HttpResponseBase:
    return _csv("payments", selectors.payment_rows(request.user))


def _csv(name: str, rows: Any) -> HttpResponseBase:
    from elo.interchange.exports import csv_download

    return csv_download(f"elo-{name}.csv", rows)


@router.get("/payments", response=PaymentList, summary="List payments")
def list_payments(
    request: HttpRequest,
    method: str = "",
    invoice: int | None = None,
    cursor: str | None = None,
    limit: int = 50,
) -> dict[str, Any]:
    """Payments on the invoices you can see, newest first; record one with
    POST /invoices/{id}/payments."""
    page = selectors.payment_page_for(
        request.user, cursor=cursor, size=page_size(limit), method=method, invoice=invoice
    )
    return {"next": next_link(request, page), "items": page.items}


@router.get("/payments/{payment_id}", response=PaymentListItem, summary="Get a payment")
def get_payment(request: HttpRequest, payment_id: int) -> Any:
    return selectors.payment_get_for(request.user, payment_id)


@router.get("/invoices/aging", response=list[AgingRow], summary="Accounts receivable aging")
def aging(request: HttpRequest) -> Any:
    """What is still due on issued invoices, per currency and days past the due date."""
    return selectors.receivables_aging(request.user)


@router.post("/invoices", response={201: InvoiceOut}, summary="Draft an invoice for an order")
def create_invoice(request: HttpRequest, payload: InvoiceIn) -> Any:
    order = selectors.order_get_for(request.user, payload.order)
    invoice = services.invoice_draft(
        actor=request.user,
        order=order,
        quantities=payload.quantities,
        due_in_days=payload.due_in_days,
        series=payload.series,
    )
    return 201, selectors.invoice_get_for(request.user, invoice.pk)


@router.get("/invoices/{invoice_id}", response=InvoiceOut, summary="Get an invoice")
def get_invoice(request: HttpRequest, invoice_id: int, response: HttpResponse) -> Any:
    invoice = selectors.invoice_get_for(request.user, invoice_id)
    set_etag(response, invoice)
    return invoice


@router.post("/invoices/{invoice_id}/issue", response=InvoiceOut, summary="Issue (number) a draft")
def issue_invoice(
    request: HttpRequest, invoice_id: int, payload: IssueIn, response: HttpResponse
) -> Any:
    invoice = selectors.invoice_get_for(request.user, invoice_id)
    services.invoice_issue(
        actor=request.user,
        invoice=invoice,
        issue_date=payload.issue_date,
        expected_version=if_match_version(request),
    )
    invoice = selectors.invoice_get_for(request.user, invoice_id)
    set_etag(response, invoice)
    return invoice


@router.post(
    "/invoices/{invoice_id}/payments", response={201: InvoiceOut}, summary="Record a payment"
)
def pay_invoice(request: HttpRequest, invoice_id: int, payload: PaymentIn) -> Any:
    invoice = selectors.invoice_get_for(request.user, invoice_id)
    services.payment_record(actor=request.user, invoice=invoice, data=payload.dict())
    return 201, selectors.invoice_get_for(request.user, invoice_id)


@router.post(
    "/invoices/{invoice_id}/credit-notes", response={201: InvoiceOut}, summary="Issue a credit note"
)
def credit_invoice(request: HttpRequest, invoice_id: int, payload: CreditNoteIn) -> Any:
    invoice = selectors.invoice_get_for(request.user, invoice_id)
    services.credit_note_issue(
        actor=request.user, invoice=invoice, amount=payload.amount, reason=payload.reason
    )
    return 201, selectors.invoice_get_for(request.user, invoice_id)


@router.post(
    "/invoices/{invoice_id}/send",
    response=InvoiceOut,
    summary="Email an issued invoice to the customer, with the PDF attached",
)
def send_invoice(
    request: HttpRequest, invoice_id: int, payload: InvoiceSendIn, response: HttpResponse
) -> Any:
    invoice = selectors.invoice_get_for(request.user, invoice_id)
    services.invoice_send(actor=request.user, invoice=invoice, to=payload.to)
    invoice = selectors.invoice_get_for(request.user, invoice_id)
    set_etag(response, invoice)
    return invoice
