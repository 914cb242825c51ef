"""Forms for the catalogue pages: the product list's filters, a product, a price list and
its prices (one row per product)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from elo.core.forms import BLANK, BootstrapForm, styled
from elo.sales.forms.common import StaleMixin, set_choices
from elo.sales.models import PriceList, Product

PRODUCT_STATUS = [("", _("Any status")), ("active", _("Active")), ("inactive", _("Inactive"))]


class ProductFilterForm(BootstrapForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.ChoiceField(label=_("Status"), required=False, choices=PRODUCT_STATUS)

    def filters(self) -> dict[str, Any]:
        """The cleaned filters as `product_list_for` takes them."""
        return {name: value for name, value in self.cleaned_data.items() if value}


class ProductForm(StaleMixin, BootstrapForm):
    sku = forms.CharField(
        label=_("SKU"), max_length=64, help_text=_("The code that identifies it; unique.")
    )
    name = forms.CharField(label=_("Name"), max_length=200)
    unit = forms.CharField(
        label=_("Unit"),
        max_length=30,
        required=False,
        help_text=_("How it is counted: unit, hour, month…"),
    )
    tax_rate = forms.DecimalField(
        label=_("Tax rate (%)"),
        required=False,
        min_value=0,
        max_value=100,
        max_digits=5,
        decimal_places=2,
        localize=True,
    )
    description = forms.CharField(
        label=_("Description"),
        required=False,
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    is_active = forms.BooleanField(
        label=_("Active"),
        required=False,
        help_text=_("Only active products can be added to a price list; prices already set stay."),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(
        self, data: Mapping[str, Any] | None = None, *, product: Product | None = None
    ) -> None:
        initial: dict[str, Any] = {"unit": "unit", "tax_rate": 0, "is_active": True}
        if product is not None:
            initial = {
                "sku": product.sku,
                "name": product.name,
                "unit": product.unit,
                "tax_rate": product.tax_rate,
                "description": product.description,
                "is_active": product.is_active,
                "version": product.version,
            }
        super().__init__(data, initial=initial)

    def service_data(self) -> dict[str, Any]:
        """The cleaned input as `product_create` / `product_update` take it."""
        return {name: value for name, value in self.cleaned_data.items() if name != "version"}


class ProductActiveForm(forms.Form):
    """Activating or deactivating a product from its page, with the version the user saw."""

    is_active = forms.BooleanField(required=False, widget=forms.HiddenInput)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class PriceListForm(StaleMixin, BootstrapForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    currency = forms.CharField(
        label=_("Currency"), max_length=3, help_text=_("Three letters: BRL, EUR, USD…")
    )
    is_default = forms.BooleanField(
        label=_("Default price list"),
        required=False,
        help_text=_("New quotes use the default price list. There is one default at most."),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(
        self, data: Mapping[str, Any] | None = None, *, price_list: PriceList | None = None
    ) -> None:
        initial: dict[str, Any] = {"currency": settings.ELO_BASE_CURRENCY}
        if price_list is not None:
            initial = {
                "name": price_list.name,
                "currency": price_list.currency,
                "is_default": price_list.is_default,
                "version": price_list.version,
            }
        super().__init__(data, initial=initial)
        if price_list is not None and price_list.is_default:
            field = self.fields["is_default"]
            field.disabled = True
            field.help_text = _(
                "This is the default price list. To change that, make another list the default."
            )

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "currency": data["currency"],
            "is_default": data["is_default"],
        }


class PriceForm(BootstrapForm):
    """One price of a price list: a product and its unit price."""

    product = forms.TypedChoiceField(
        label=_("Product"), required=False, coerce=int, empty_value=None
    )
    unit_price = forms.DecimalField(
        label=_("Unit price"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        localize=True,
    )

    def __init__(self, *args: Any, products: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self.fields["product"], [BLANK, *products])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        has_product = data.get("product") is not None
        has_price = data.get("unit_price") is not None
        if has_product and not has_price and "unit_price" not in self.errors:
            self.add_error("unit_price", _("Enter the price, or tick “Remove”."))
        if has_price and not has_product and "product" not in self.errors:
            self.add_error("product", _("Pick the product this price is for."))
        return data


class BasePriceFormSet(forms.BaseFormSet):
    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        styled(form.fields["DELETE"])

    def kept(self) -> list[forms.Form]:
        return [
            form
            for form in self.forms
            if form.cleaned_data.get("product") is not None and not form.cleaned_data.get("DELETE")
        ]

    def clean(self) -> None:
        if any(self.errors):
            return
        seen: set[int] = set()
        for form in self.kept():
            product = form.cleaned_data["product"]
            if product in seen:
                form.add_error("product", _("This product already has a price above."))
            seen.add(product)

    def prices(self) -> list[dict[str, Any]]:
        """The prices kept, as `price_list_save` takes them."""
        return [
            {"product": form.cleaned_data["product"], "unit_price": form.cleaned_data["unit_price"]}
            for form in self.kept()
        ]


PriceFormSet = forms.formset_factory(PriceForm, formset=BasePriceFormSet, extra=3, can_delete=True)


def price_initial(price_list: PriceList | None) -> list[dict[str, Any]]:
    """The price list's prices as the rows of the price formset."""
    if price_list is None:
        return []
    return [
        {"product": price.product_id, "unit_price": price.unit_price}
        for price in price_list.prices.all()
    ]
