"""The back office: orders from accepted quotes, invoices numbered per series without gaps,
payments and credit notes. Issued invoices never change; corrections are credit notes."""

from __future__ import annotations

import datetime
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from elo.billing.choices import InvoiceStatus, OrderStatus, PaymentMethod
from elo.core.models import Record

ZERO = Decimal("0.00")


def _money(label: str = "") -> models.DecimalField[Decimal, Decimal]:
    return models.DecimalField(label or None, max_digits=16, decimal_places=2, default=ZERO)


class Order(Record):
    quote = models.OneToOneField(
        "sales.Quote", on_delete=models.PROTECT, null=True, blank=True, related_name="order"
    )
    deal = models.ForeignKey(
        "sales.Deal", on_delete=models.SET_NULL, null=True, blank=True, related_name="orders"
    )
    organization = models.ForeignKey(
        "contacts.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="orders",
    )
    person = models.ForeignKey(
        "contacts.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="orders"
    )
    title = models.CharField(_("title"), max_length=200)
    currency = models.CharField(_("currency"), max_length=3)
    status = models.CharField(
        _("status"), max_length=10, choices=OrderStatus.choices, default=OrderStatus.OPEN
    )
    net_total = _money()
    tax_total = _money()
    total = _money()

    class Meta:
        indexes = [models.Index(fields=["status", "created_at"], name="order_status")]

    def __str__(self) -> str:
        return self.title


class OrderLine(models.Model):
    order = models.ForeignKey(Order, on_delete=models.CASCADE, related_name="lines")
    position = models.PositiveSmallIntegerField(default=0)
    product = models.ForeignKey(
        "sales.Product", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    description = models.CharField(max_length=300)
    quantity = models.DecimalField(max_digits=12, decimal_places=3)
    invoiced_quantity = models.DecimalField(max_digits=12, decimal_places=3, default=Decimal(0))
    unit_price = models.DecimalField(max_digits=14, decimal_places=2)
    discount = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal(0))
    tax_rate = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal(0))

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(invoiced_quantity__lte=models.F("quantity")),
                name="order_line_not_over_invoiced",
            )
        ]

    def __str__(self) -> str:
        return self.description

    @property
    def remaining_quantity(self) -> Decimal:
        """What is still to be invoiced."""
        return self.quantity - self.invoiced_quantity


class Series(models.Model):
    """A numbering series ("FT 2026", "NC 2026"): numbers are taken in order, each once."""

    code = models.CharField(_("code"), max_length=20, unique=True)
    next_number = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name_plural = "series"

    def __str__(self) -> str:
        return self.code


class Invoice(Record):
    order = models.ForeignKey(
        Order, on_delete=models.PROTECT, null=True, blank=True, related_name="invoices"
    )
    organization = models.ForeignKey(
        "contacts.Organization",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="invoices",
    )
    person = models.ForeignKey(
        "contacts.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="invoices"
    )
    series = models.ForeignKey(Series, on_delete=models.PROTECT, related_name="invoices")
    number = models.PositiveIntegerField(_("number"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=InvoiceStatus.choices, default=InvoiceStatus.DRAFT
    )
    currency = models.CharField(_("currency"), max_length=3)
    issue_date = models.DateField(_("issue date"), null=True, blank=True)
    due_date = models.DateField(_("due date"), null=True, blank=True)
    net_total = _money()
    tax_total = _money()
    total = _money()
    paid = _money()
    credited = _money()
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    sent_to = models.CharField(_("sent to"), max_length=254, blank=True, default="")
    # The billed party as it stood when the invoice was issued (name, tax id, address,
    # email, language): an issued invoice keeps its legal fields even when the customer's
    # record changes or is erased. Empty on drafts, which read the customer live.
    billed_to = models.JSONField(_("billed to"), default=dict, blank=True, editable=False)

    class Meta:
        indexes = [
            models.Index(fields=["status", "due_date"], name="invoice_status_due"),
            models.Index(fields=["created_at", "id"], name="invoice_created"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["series", "number"], name="invoice_number_unique"),
            models.CheckConstraint(
                condition=models.Q(paid__gte=0)
                & models.Q(credited__gte=0)
                & models.Q(total__gte=models.F("paid") + models.F("credited")),
                name="invoice_balance_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return self.reference or f"draft #{self.pk}"

    @property
    def reference(self) -> str:
        return f"{self.series.code}/{self.number}" if self.number else ""

    @property
    def balance(self) -> Decimal:
        return self.total - self.paid - self.credited

    def is_overdue(self, today: datetime.date | None = None) -> bool:
        if self.status not in (InvoiceStatus.ISSUED, InvoiceStatus.PARTIALLY_PAID):
            return False
        return bool(self.due_date and self.due_date < (today or timezone.localdate()))


class InvoiceLine(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.CASCADE, related_name="lines")
    order_line = models.ForeignKey(
        OrderLine, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    position = models.PositiveSmallIntegerField(default=0)
    description = models.CharField(max_length=300)
    quantity = models.DecimalField(max_digits=12, decimal_places=3)
    unit_price = models.DecimalField(max_digits=14, decimal_places=2)
    discount = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal(0))
    tax_rate = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal(0))
    net = models.DecimalField(max_digits=16, decimal_places=2)
    tax = models.DecimalField(max_digits=16, decimal_places=2)
    total = models.DecimalField(max_digits=16, decimal_places=2)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.description


class Payment(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    method = models.CharField(_("method"), max_length=20, choices=PaymentMethod.choices)
    paid_on = models.DateField(_("paid on"))
    reference = models.CharField(_("reference"), max_length=100, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["paid_on", "id"]
        constraints = [
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="payment_positive")
        ]

    def __str__(self) -> str:
        return f"{self.amount} on {self.paid_on}"


class CreditNote(models.Model):
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="credit_notes")
    series = models.ForeignKey(Series, on_delete=models.PROTECT, related_name="credit_notes")
    number = models.PositiveIntegerField()
    amount = models.DecimalField(_("amount"), max_digits=16, decimal_places=2)
    reason = models.CharField(_("reason"), max_length=300)
    issue_date = models.DateField(_("issue date"))
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["issue_date", "id"]
        constraints = [
            models.UniqueConstraint(fields=["series", "number"], name="credit_note_number_unique"),
            models.CheckConstraint(condition=models.Q(amount__gt=0), name="credit_note_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.series.code}/{self.number}"
