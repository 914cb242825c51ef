"""Forms of the back-office pages. They check the shape of input only; the billing services
decide what is allowed (how much is left to invoice, what is still due)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from elo.billing.choices import InvoiceStatus, OrderStatus, PaymentMethod
from elo.billing.models import Order
from elo.billing.services import INVOICE_SERIES
from elo.core.forms import BootstrapForm

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
OVERDUE = "overdue"


def _amount_field() -> forms.DecimalField:
    return forms.DecimalField(
        label=_("Amount"),
        max_digits=16,
        decimal_places=2,
        min_value=Decimal("0.01"),
        localize=True,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )


class OrderFilterForm(BootstrapForm):
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *OrderStatus.choices]
    )

    def filters(self) -> dict[str, Any]:
        return {"status": self.cleaned_data["status"]}


class InvoiceFilterForm(BootstrapForm):
    customer = forms.CharField(label=_("Customer"), required=False, max_length=200)
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("Any status")), (OVERDUE, _("Overdue")), *InvoiceStatus.choices],
    )

    def filters(self) -> dict[str, Any]:
        status = self.cleaned_data["status"]
        return {
            "status": "" if status == OVERDUE else status,
            "overdue": status == OVERDUE,
            "customer": self.cleaned_data["customer"].strip(),
        }


class InvoiceDraftForm(BootstrapForm):
    """How much of each order line to invoice (what is left, by default), the numbering
    series and the payment term."""

    series = forms.CharField(
        label=_("Series"),
        max_length=20,
        initial=INVOICE_SERIES,
        help_text=_("The numbering series; the number is taken when the invoice is issued."),
    )
    due_in_days = forms.IntegerField(
        label=_("Due in (days)"),
        min_value=0,
        max_value=365,
        initial=30,
        help_text=_("Counted from today; an invoice issued later is due no earlier than that."),
    )

    def __init__(
        self, *args: Any, order: Order, series: list[str] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.known_series = series or []
        self.fields["series"].widget.attrs["list"] = "invoice-series"
        self.order_lines = list(order.lines.all())
        for line in self.order_lines:
            field = forms.DecimalField(
                label=line.description,
                min_value=Decimal(0),
                max_digits=12,
                decimal_places=3,
                localize=True,
                initial=line.remaining_quantity.normalize(),
                widget=forms.TextInput(
                    attrs={"inputmode": "decimal", "class": "form-control text-end"}
                ),
            )
            self.fields[f"line_{line.pk}"] = field

    def line_rows(self) -> list[tuple[Any, forms.BoundField]]:
        return [(line, self[f"line_{line.pk}"]) for line in self.order_lines]

    def clean_series(self) -> str:
        return str(self.cleaned_data["series"]).strip()

    def service_data(self) -> dict[str, Any]:
        return {
            "quantities": {
                line.pk: self.cleaned_data[f"line_{line.pk}"] for line in self.order_lines
            },
            "series": self.cleaned_data["series"],
            "due_in_days": self.cleaned_data["due_in_days"],
        }


class ActionForm(BootstrapForm):
    """One of several forms on the invoice page: its field ids start with its own prefix so
    that labels stay unique, while field names stay plain."""

    id_prefix = "action"

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"{self.id_prefix}_%s")
        super().__init__(*args, **kwargs)


class IssueForm(ActionForm):
    id_prefix = "issue"
    version = forms.IntegerField(widget=forms.HiddenInput)
    issue_date = forms.DateField(
        label=_("Issue date"),
        required=False,
        widget=DATE,
        help_text=_("Today when left empty."),
    )


class PaymentForm(ActionForm):
    id_prefix = "payment"
    amount = _amount_field()
    method = forms.ChoiceField(label=_("Method"), choices=PaymentMethod.choices)
    paid_on = forms.DateField(label=_("Paid on"), widget=DATE, initial=timezone.localdate)
    reference = forms.CharField(label=_("Reference"), max_length=100, required=False)


class CreditNoteForm(ActionForm):
    id_prefix = "credit"
    amount = _amount_field()
    reason = forms.CharField(label=_("Reason"), max_length=300)


class SendForm(ActionForm):
    id_prefix = "send"
    to = forms.EmailField(label=_("Send to"), max_length=254)
