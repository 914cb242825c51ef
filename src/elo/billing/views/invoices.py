"""Invoice pages: the list, the detail, and its actions: issue, record a payment, issue a
credit note, send by email, download as PDF."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from elo.billing import selectors, services
from elo.billing.forms import CreditNoteForm, InvoiceFilterForm, IssueForm, PaymentForm, SendForm
from elo.billing.models import Invoice
from elo.billing.views.common import MANAGE, abilities, invoice_for
from elo.core.errors import PreconditionFailed
from elo.core.forms import add_service_errors
from elo.sales.views.pages import STALE_ACTION_MESSAGE, EloRequest, fragment, list_page


@login_required
def invoice_list(request: EloRequest) -> HttpResponse:
    form = InvoiceFilterForm(request.GET)
    page, total = list_page(request, form, selectors.invoice_page_for, selectors.invoice_list_for)
    context = {
        "form": form,
        "page": page,
        "total": total,
        "tab": "invoices",
        **abilities(request.user),
    }
    response = render(request, fragment(request, "billing/invoice_list.html", "results"), context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def invoice_page(request: EloRequest, invoice: Invoice, **forms: Any) -> HttpResponse:
    """The invoice page; `forms` holds a refused action's form, shown with its errors."""
    recipient = invoice.person.primary_email if invoice.person else ""
    context: dict[str, Any] = {
        "invoice": invoice,
        "taxes": selectors.tax_summary(invoice),
        "payable": invoice.status in services.PAYABLE,
        "sendable": invoice.status in services.SENDABLE,
        "issue_form": IssueForm(initial={"version": invoice.version}),
        "payment_form": PaymentForm(initial={"amount": invoice.balance}),
        "credit_form": CreditNoteForm(),
        "send_form": SendForm(initial={"to": invoice.sent_to or recipient}),
        "tab": "invoices",
        **abilities(request.user),
    }
    context.update(forms)
    context["action_errors"] = [
        error for form in forms.values() for error in form.non_field_errors()
    ]
    return render(request, "billing/invoice_detail.html", context)


@login_required
def invoice_detail(request: EloRequest, pk: int) -> HttpResponse:
    return invoice_page(request, invoice_for(request, pk))


@login_required
@require_POST
def invoice_issue(request: EloRequest, pk: int) -> HttpResponse:
    invoice = invoice_for(request, pk, MANAGE)
    form = IssueForm(request.POST)
    if not form.is_valid():
        return invoice_page(request, invoice, issue_form=form)
    try:
        issued = services.invoice_issue(
            actor=request.user,
            invoice=invoice,
            issue_date=form.cleaned_data["issue_date"],
            expected_version=form.cleaned_data["version"],
        )
    except PreconditionFailed:
        messages.error(request, str(STALE_ACTION_MESSAGE))
        return redirect("billing:invoice_detail", invoice.pk)
    except ValidationError as error:
        add_service_errors(form, error)
        return invoice_page(request, invoice, issue_form=form)
    messages.success(request, _("Issued invoice %(number)s.") % {"number": issued.reference})
    return redirect("billing:invoice_detail", invoice.pk)


@login_required
@require_POST
def invoice_payment(request: EloRequest, pk: int) -> HttpResponse:
    invoice = invoice_for(request, pk, MANAGE)
    form = PaymentForm(request.POST)
    if form.is_valid():
        try:
            services.payment_record(actor=request.user, invoice=invoice, data=form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Payment recorded."))
            return redirect("billing:invoice_detail", invoice.pk)
    return invoice_page(request, invoice, payment_form=form)


@login_required
@require_POST
def invoice_credit(request: EloRequest, pk: int) -> HttpResponse:
    invoice = invoice_for(request, pk, MANAGE)
    form = CreditNoteForm(request.POST)
    if form.is_valid():
        try:
            note = services.credit_note_issue(
                actor=request.user,
                invoice=invoice,
                amount=form.cleaned_data["amount"],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Issued credit note %(number)s.") % {"number": note})
            return redirect("billing:invoice_detail", invoice.pk)
    return invoice_page(request, invoice, credit_form=form)


@login_required
@require_POST
def invoice_send(request: EloRequest, pk: int) -> HttpResponse:
    invoice = invoice_for(request, pk, MANAGE)
    form = SendForm(request.POST)
    if form.is_valid():
        try:
            services.invoice_send(actor=request.user, invoice=invoice, to=form.cleaned_data["to"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(
                request, _("Invoice sent to %(to)s.") % {"to": form.cleaned_data["to"]}
            )
            return redirect("billing:invoice_detail", invoice.pk)
    return invoice_page(request, invoice, send_form=form)


def _pdf(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(True, filename) or "attachment"
    return response


@login_required
@require_GET
def invoice_pdf(request: EloRequest, pk: int) -> HttpResponse:
    from elo.billing import documents

    invoice = invoice_for(request, pk)
    return _pdf(documents.invoice_pdf(invoice), documents.invoice_filename(invoice))


@login_required
@require_GET
def credit_note_pdf(request: EloRequest, pk: int, note_pk: int) -> HttpResponse:
    from elo.billing import documents

    note = selectors.credit_note_get_for(request.user, pk, note_pk)
    return _pdf(documents.credit_note_pdf(note), documents.credit_note_filename(note))
