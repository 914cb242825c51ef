"""Forms for the quote pages: the list's filters, the quote with its lines, sending it and
changing its status."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from elo.contacts import selectors as contact_selectors
from elo.core.forms import BLANK, BootstrapForm, add_service_errors, styled
from elo.sales import selectors
from elo.sales.choices import QuoteStatus
from elo.sales.forms.common import DATE, PEOPLE_CHOICES, StaleMixin, owner_choices, set_choices
from elo.sales.models import Deal, Quote

LINE_FIELDS = ("product", "description", "quantity", "unit_price", "discount", "tax_rate")


class QuoteFilterForm(BootstrapForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *QuoteStatus.choices]
    )
    owner = forms.TypedChoiceField(label=_("Owner"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self.fields["owner"], [("", _("Anyone")), *owner_choices(user)])

    def filters(self) -> dict[str, Any]:
        """The cleaned filters as `quote_list_for` takes them."""
        return {name: value for name, value in self.cleaned_data.items() if value}


class QuoteForm(StaleMixin, BootstrapForm):
    """The quote's header. Title and currency are checked by the service, which also fills
    the currency from the price list when it is left empty."""

    title = forms.CharField(label=_("Title"), required=False, max_length=200)
    deal = forms.TypedChoiceField(label=_("Deal"), required=False, coerce=int, empty_value=None)
    organization = forms.TypedChoiceField(
        label=_("Organization"), required=False, coerce=int, empty_value=None
    )
    person = forms.TypedChoiceField(
        label=_("Contact person"), required=False, coerce=int, empty_value=None
    )
    price_list = forms.TypedChoiceField(
        label=_("Price list"),
        required=False,
        coerce=int,
        empty_value=None,
        help_text=_("Lines with a product and no unit price are priced from this list."),
    )
    currency = forms.CharField(
        label=_("Currency"),
        required=False,
        max_length=3,
        help_text=_("Three letters; empty: the price list's currency."),
    )
    valid_until = forms.DateField(label=_("Valid until"), required=False, widget=DATE)
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int, required=False)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        user: Any,
        quote: Quote | None = None,
        deal: Deal | None = None,
    ) -> None:
        self.quote = quote
        price_lists = list(selectors.price_lists())
        super().__init__(data, initial=self._initial(quote, deal, price_lists))
        deal_id = quote.deal_id if quote else deal.pk if deal else None
        deals = selectors.deal_choices_for(user, include=[deal_id] if deal_id else [])
        set_choices(self.fields["deal"], [BLANK, *deals])
        organization_id = self.initial.get("organization")
        organizations = contact_selectors.organization_choices_for(
            user, include=[organization_id] if organization_id else []
        )
        set_choices(self.fields["organization"], [BLANK, *organizations])
        set_choices(self.fields["person"], [BLANK, *self._people(user, self.initial.get("person"))])
        set_choices(self.fields["price_list"], [BLANK, *((p.pk, str(p)) for p in price_lists)])
        nobody = _("Me") if quote is None else BLANK[1]
        set_choices(self.fields["owner"], [("", nobody), *owner_choices(user)])

    @staticmethod
    def _people(user: Any, chosen: int | None) -> list[tuple[int, str]]:
        """The first visible people by name, plus the one already chosen."""
        queryset = contact_selectors.person_queryset_for(user).alive().order_by("sort_name", "id")
        choices = [(person.pk, str(person)) for person in queryset[:PEOPLE_CHOICES]]
        if chosen and chosen not in {pk for pk, _name in choices}:
            choices += [(person.pk, str(person)) for person in queryset.filter(pk=chosen)]
        return choices

    @staticmethod
    def _initial(quote: Quote | None, deal: Deal | None, price_lists: list[Any]) -> dict[str, Any]:
        if quote is not None:
            return {
                "title": quote.title,
                "deal": quote.deal_id,
                "organization": quote.organization_id,
                "person": quote.person_id,
                "price_list": quote.price_list_id,
                "currency": quote.currency,
                "valid_until": quote.valid_until,
                "owner": quote.owner_id,
                "version": quote.version,
            }
        default = next((p for p in price_lists if p.is_default), None)
        if deal is None:
            return {
                "price_list": default.pk if default else None,
                "currency": default.currency if default else "",
            }
        same_currency = [p for p in price_lists if p.currency == deal.currency]
        price_list = default if default in same_currency else next(iter(same_currency), None)
        contact = next(iter(deal.contacts.all()), None)
        return {
            "title": deal.title,
            "deal": deal.pk,
            "organization": deal.organization_id,
            "person": contact.person_id if contact else None,
            "currency": deal.currency,
            "price_list": price_list.pk if price_list else None,
        }

    def service_data(self, lines: list[dict[str, Any]]) -> dict[str, Any]:
        """The cleaned header with `lines` as `quote_create` / `quote_update` take them."""
        data = self.cleaned_data
        result = {
            name: data[name]
            for name in (
                "title",
                "deal",
                "organization",
                "person",
                "price_list",
                "currency",
                "valid_until",
            )
        }
        if data.get("owner"):
            result["owner"] = data["owner"]
        result["lines"] = lines
        return result


def _number(label: Any, *, digits: int, places: int) -> forms.DecimalField:
    """An optional decimal typed the way the user's language writes numbers."""
    return forms.DecimalField(
        label=label,
        required=False,
        max_digits=digits,
        decimal_places=places,
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal"}),
    )


class QuoteLineForm(BootstrapForm):
    """One line: a product (priced from the price list when the unit price is empty) or a
    description with a unit price."""

    product = forms.TypedChoiceField(
        label=_("Product"), required=False, coerce=int, empty_value=None
    )
    description = forms.CharField(label=_("Description"), required=False, max_length=300)
    quantity = _number(_("Quantity"), digits=12, places=3)
    unit_price = _number(_("Unit price"), digits=14, places=2)
    discount = _number(_("Discount (%)"), digits=5, places=2)
    tax_rate = _number(_("Tax rate (%)"), digits=5, places=2)

    def __init__(self, *args: Any, products: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self.fields["product"], [BLANK, *products])

    def is_blank(self) -> bool:
        data = getattr(self, "cleaned_data", {})
        return not any(data.get(name) not in (None, "") for name in LINE_FIELDS)


class BaseQuoteLineFormSet(forms.BaseFormSet):
    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        form.fields["DELETE"].label = _("Remove")
        styled(form.fields["DELETE"])

    def lines(self) -> list[dict[str, Any]]:
        """The lines to keep, in order, as the quote services take them: removed and empty
        rows left out; empty numbers left for the service to fill."""
        return [
            {name: _blank_if_none(form.cleaned_data[name]) for name in LINE_FIELDS}
            for form in self.forms
            if not form.cleaned_data.get("DELETE") and not form.is_blank()
        ]


def _blank_if_none(value: Any) -> Any:
    return "" if value is None else value


QuoteLineFormSet = forms.formset_factory(
    QuoteLineForm, formset=BaseQuoteLineFormSet, extra=1, can_delete=True
)
LINES_PREFIX = "lines"


def line_forms(
    data: Mapping[str, Any] | None, quote: Quote | Deal | None, *, add_row: bool = False
) -> BaseQuoteLineFormSet:
    """The line formset: the lines of `quote` (a quote, or a deal whose products start a new
    quote) plus an empty row, or the posted rows (one more with `add_row`, the "Add a line"
    button that works without JavaScript)."""
    initial = [
        {
            "product": line.product_id,
            "description": line.description,
            "quantity": line.quantity,
            "unit_price": line.unit_price,
            "discount": line.discount,
            "tax_rate": line.tax_rate,
        }
        for line in (quote.lines.all() if quote else [])
    ]
    chosen = [line.product_id for line in (quote.lines.all() if quote else []) if line.product_id]
    if data is not None and add_row:
        data = data.copy()  # type: ignore[attr-defined]
        key = f"{LINES_PREFIX}-TOTAL_FORMS"
        with contextlib.suppress(ValueError):
            data[key] = str(int(data.get(key) or 0) + 1)  # type: ignore[index]
    if data is not None:
        chosen += [
            int(value)
            for key, value in data.items()
            if key.startswith(f"{LINES_PREFIX}-") and key.endswith("-product") and value.isdigit()
        ]
    products = [(p.pk, str(p)) for p in selectors.product_choices(chosen)]
    formset = QuoteLineFormSet(
        data, initial=initial, prefix=LINES_PREFIX, form_kwargs={"products": products}
    )
    return cast(BaseQuoteLineFormSet, formset)


def add_quote_errors(form: forms.Form, lines: BaseQuoteLineFormSet, error: ValidationError) -> None:
    """A service's errors: the lines' above the lines, the others on their fields."""
    if hasattr(error, "error_dict") and "lines" in error.error_dict:
        errors = dict(error.error_dict)
        lines.non_form_errors().extend(ValidationError(errors.pop("lines")).messages)
        if not errors:
            return
        error = ValidationError(errors)
    add_service_errors(form, error)


class QuoteSendForm(BootstrapForm):
    to = forms.CharField(
        label=_("Recipient's email"),
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )


class QuoteStatusForm(forms.Form):
    """A status change from the quote page, with the version the user saw."""

    status = forms.ChoiceField(
        choices=[(value, label) for value, label in QuoteStatus.choices if value != "draft"]
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
