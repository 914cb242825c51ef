"""Catalogue pages: products and price lists. Every signed-in user reads the catalogue (as
the API lets them); adding and changing it takes `sales.configure`, as in the API."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from elo.core.errors import PreconditionFailed
from elo.core.forms import STALE_MESSAGE, add_service_errors, service_errors
from elo.core.views import permission_required, posted
from elo.sales import selectors
from elo.sales.forms import (
    PriceFormSet,
    PriceListForm,
    ProductActiveForm,
    ProductFilterForm,
    ProductForm,
    price_initial,
)
from elo.sales.models import PriceList
from elo.sales.services import catalog
from elo.sales.views.pages import (
    STALE_ACTION_MESSAGE,
    EloRequest,
    abilities,
    fragment,
    list_page,
)

# --- products -----------------------------------------------------------------------------


@login_required
def product_list(request: EloRequest) -> HttpResponse:
    form = ProductFilterForm(request.GET)
    page, total = list_page(request, form, selectors.product_page_for, selectors.product_list_for)
    context = {"form": form, "page": page, "total": total, **abilities(request.user)}
    template = fragment(request, "sales/catalog/product_list.html", "results")
    response = render(request, template, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def product_detail(request: EloRequest, pk: int) -> HttpResponse:
    product = selectors.product_get(pk)
    context = {
        "product": product,
        "prices": selectors.product_prices(product),
        **abilities(request.user),
    }
    return render(request, "sales/catalog/product_detail.html", context)


@permission_required("sales.configure")
def product_create(request: EloRequest) -> HttpResponse:
    form = ProductForm(posted(request))
    if form.is_bound and form.is_valid():
        try:
            product = catalog.product_create(actor=request.user, data=form.service_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Added %(name)s.") % {"name": product})
            return redirect("sales:product_detail", product.pk)
    return render(request, "sales/catalog/product_form.html", {"form": form, "product": None})


@permission_required("sales.configure")
def product_edit(request: EloRequest, pk: int) -> HttpResponse:
    product = selectors.product_get(pk)
    form = ProductForm(posted(request), product=product)
    if form.is_bound and form.is_valid():
        with service_errors(form) as submission:
            catalog.product_update(
                actor=request.user,
                product=product,
                data=form.service_data(),
                expected_version=form.cleaned_data["version"],
            )
        if submission.ok:
            messages.success(request, _("Saved %(name)s.") % {"name": product})
            return redirect("sales:product_detail", product.pk)
    return render(request, "sales/catalog/product_form.html", {"form": form, "product": product})


@permission_required("sales.configure")
@require_POST
def product_set_active(request: EloRequest, pk: int) -> HttpResponse:
    """Deactivates (or activates again) a product from its page."""
    product = selectors.product_get(pk)
    form = ProductActiveForm(request.POST)
    form.is_valid()
    active = bool(form.cleaned_data.get("is_active"))
    try:
        catalog.product_update(
            actor=request.user,
            product=product,
            data={"is_active": active},
            expected_version=form.cleaned_data.get("version"),
        )
    except PreconditionFailed:
        messages.error(request, str(STALE_ACTION_MESSAGE))
    else:
        done = _("Activated %(name)s.") if active else _("Deactivated %(name)s.")
        messages.success(request, done % {"name": product})
    return redirect("sales:product_detail", product.pk)


# --- price lists --------------------------------------------------------------------------


@login_required
def price_list_list(request: EloRequest) -> HttpResponse:
    context = {"price_lists": selectors.price_lists(), **abilities(request.user)}
    return render(request, "sales/catalog/price_list_list.html", context)


@login_required
def price_list_detail(request: EloRequest, pk: int) -> HttpResponse:
    context = {"price_list": selectors.price_list_get(pk), **abilities(request.user)}
    return render(request, "sales/catalog/price_list_detail.html", context)


def _price_list_forms(request: EloRequest, price_list: PriceList | None) -> tuple[Any, Any]:
    initial = price_initial(price_list)
    products = selectors.product_choices([row["product"] for row in initial])
    inactive = _("%(product)s (inactive)")
    choices = [
        (item.pk, str(item) if item.is_active else inactive % {"product": item})
        for item in products
    ]
    form = PriceListForm(posted(request), price_list=price_list)
    prices = PriceFormSet(
        posted(request), initial=initial, prefix="prices", form_kwargs={"products": choices}
    )
    return form, prices


def _price_list_save(
    request: EloRequest, form: Any, prices: Any, price_list: PriceList | None
) -> PriceList | None:
    """Saves valid input through the service; None (errors on the form) when refused."""
    if not (form.is_bound and form.is_valid() and prices.is_valid()):
        return None
    try:
        return catalog.price_list_save(
            actor=request.user,
            data={**form.service_data(), "prices": prices.prices()},
            price_list=price_list,
            expected_version=form.cleaned_data["version"] if price_list else None,
        )
    except PreconditionFailed as error:
        form.add_error(None, str(STALE_MESSAGE))
        form.mark_stale(error.current_version)
    except ValidationError as error:
        add_service_errors(form, error)
    return None


@permission_required("sales.configure")
def price_list_create(request: EloRequest) -> HttpResponse:
    form, prices = _price_list_forms(request, None)
    saved = _price_list_save(request, form, prices, None)
    if saved is not None:
        messages.success(request, _("Added %(name)s.") % {"name": saved})
        return redirect("sales:price_list_detail", saved.pk)
    context = {"form": form, "prices": prices, "price_list": None}
    return render(request, "sales/catalog/price_list_form.html", context)


@permission_required("sales.configure")
def price_list_edit(request: EloRequest, pk: int) -> HttpResponse:
    price_list = selectors.price_list_get(pk)
    form, prices = _price_list_forms(request, price_list)
    saved = _price_list_save(request, form, prices, price_list)
    if saved is not None:
        messages.success(request, _("Saved %(name)s.") % {"name": saved})
        return redirect("sales:price_list_detail", saved.pk)
    context = {"form": form, "prices": prices, "price_list": price_list}
    return render(request, "sales/catalog/price_list_form.html", context)
