"""Order pages: the list, the detail, turning an accepted quote into an order and drafting
an invoice for all or part of an order."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from elo.billing import selectors, services
from elo.billing.forms import InvoiceDraftForm, OrderFilterForm
from elo.billing.views.common import MANAGE, abilities, order_for
from elo.core.forms import add_service_errors
from elo.core.views import posted
from elo.sales import selectors as sales_selectors
from elo.sales.views.pages import EloRequest, fragment, list_page, safe_next_url


@login_required
def order_list(request: EloRequest) -> HttpResponse:
    form = OrderFilterForm(request.GET)
    page, total = list_page(request, form, selectors.order_page_for, selectors.order_list_for)
    context = {"form": form, "page": page, "total": total, "tab": "orders"}
    response = render(request, fragment(request, "billing/order_list.html", "results"), context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def order_detail(request: EloRequest, pk: int) -> HttpResponse:
    order = order_for(request, pk)
    context = {"order": order, "tab": "orders", **abilities(request.user)}
    return render(request, "billing/order_detail.html", context)


@login_required
@require_POST
def order_from_quote(request: EloRequest, quote_pk: int) -> HttpResponse:
    quote = sales_selectors.quote_get_for(request.user, quote_pk)
    try:
        order = services.order_from_quote(actor=request.user, quote=quote)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        fallback = reverse("sales:quote_detail", args=[quote.pk])
        return redirect(safe_next_url(request, request.POST.get("next"), fallback))
    messages.success(request, _("Order %(name)s created.") % {"name": order})
    return redirect("billing:order_detail", order.pk)


@login_required
def order_invoice(request: EloRequest, pk: int) -> HttpResponse:
    order = order_for(request, pk, MANAGE)
    form = InvoiceDraftForm(posted(request), order=order, series=selectors.invoice_series())
    if form.is_bound and form.is_valid():
        try:
            invoice = services.invoice_draft(actor=request.user, order=order, **form.service_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Draft invoice created. Check it, then issue it."))
            return redirect("billing:invoice_detail", invoice.pk)
    context = {"order": order, "form": form, "tab": "orders"}
    return render(request, "billing/invoice_form.html", context)
