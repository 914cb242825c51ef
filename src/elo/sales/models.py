"""Leads, pipelines with their stages, deals with stage history, and assignment rules."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from elo.contacts.choices import OrganizationSize

if TYPE_CHECKING:
    from elo.contacts.models import Person
from elo.core.models import Record
from elo.sales.choices import (
    AssignmentEntity,
    AssignmentStrategy,
    CapacityPeriod,
    DealStatus,
    LeadSource,
    LeadStatus,
    QuoteStatus,
    StageKind,
)


class Pipeline(models.Model):
    name = models.CharField(_("name"), max_length=100, unique=True)
    position = models.PositiveIntegerField(default=0)
    is_default = models.BooleanField(_("default pipeline"), default=False)
    is_archived = models.BooleanField(_("archived"), default=False)
    created_at = models.DateTimeField(default=timezone.now)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class Stage(models.Model):
    pipeline = models.ForeignKey(Pipeline, on_delete=models.CASCADE, related_name="stages")
    name = models.CharField(_("name"), max_length=100)
    position = models.PositiveIntegerField(default=0)
    kind = models.CharField(_("kind"), max_length=10, choices=StageKind.choices)
    probability = models.PositiveSmallIntegerField(_("win probability (%)"), default=0)
    rotting_days = models.PositiveIntegerField(_("rotting after (days)"), null=True, blank=True)

    class Meta:
        ordering = ["pipeline_id", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["pipeline", "name"], name="stage_name_unique"),
            models.CheckConstraint(
                condition=models.Q(probability__lte=100), name="stage_probability_range"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class StageTask(models.Model):
    """A playbook step: entering the stage gives the deal's owner this task."""

    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="playbook")
    subject = models.CharField(_("task"), max_length=300)
    due_in_days = models.PositiveSmallIntegerField(_("due in (days)"), default=1)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["stage_id", "position", "id"]

    def __str__(self) -> str:
        return self.subject


class Deal(Record):
    title = models.CharField(_("title"), max_length=200)
    pipeline = models.ForeignKey(Pipeline, on_delete=models.PROTECT, related_name="deals")
    stage = models.ForeignKey(Stage, on_delete=models.PROTECT, related_name="deals")
    status = models.CharField(
        _("status"), max_length=10, choices=DealStatus.choices, default=DealStatus.OPEN
    )
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2, default=Decimal(0))
    currency = models.CharField(_("currency"), max_length=3)
    probability = models.PositiveSmallIntegerField(_("win probability (%)"), null=True, blank=True)
    expected_close = models.DateField(_("expected close"), null=True, blank=True)
    organization = models.ForeignKey(
        "contacts.Organization",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="deals",
        verbose_name=_("organization"),
    )
    people: models.ManyToManyField[Person, DealPerson] = models.ManyToManyField(
        "contacts.Person", through="DealPerson", related_name="deals", blank=True
    )
    source_lead = models.ForeignKey(
        "sales.Lead", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    stage_entered_at = models.DateTimeField(default=timezone.now)
    closed_at = models.DateTimeField(_("closed"), null=True, blank=True)
    close_reason = models.CharField(_("reason"), max_length=200, blank=True)
    external_id = models.CharField(_("external id"), max_length=100, blank=True, default="")

    class Meta:
        indexes = [
            models.Index(fields=["pipeline", "stage", "status"], name="deal_board"),
            # The board's cards (newest in a stage first) and the per-stage totals of the
            # board and the pipeline summary, read from the index alone, for live deals.
            models.Index(
                fields=["pipeline", "stage", "stage_entered_at", "id"],
                condition=models.Q(deleted_at__isnull=True),
                name="deal_board_cards",
            ),
            models.Index(
                fields=["pipeline", "stage", "probability", "amount"],
                condition=models.Q(deleted_at__isnull=True),
                name="deal_stage_totals",
            ),
            models.Index(fields=["owner", "status"], name="deal_owner_status"),
            models.Index(fields=["expected_close"], name="deal_expected_close"),
            models.Index(fields=["created_at", "id"], name="deal_created"),
            models.Index(fields=["updated_at", "id"], name="deal_updated"),
            models.Index(fields=["external_id"], name="deal_external_id"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~models.Q(external_id=""),
                name="deal_external_id_unique",
            ),
            models.CheckConstraint(condition=models.Q(amount__gte=0), name="deal_amount_positive"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def effective_probability(self) -> int:
        if self.probability is not None:
            return self.probability
        return self.stage.probability

    def is_rotting(self, now: datetime.datetime | None = None) -> bool:
        days = self.stage.rotting_days
        if self.status != DealStatus.OPEN or not days:
            return False
        return ((now or timezone.now()) - self.stage_entered_at).days >= days


class DealPerson(models.Model):
    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="contacts")
    person = models.ForeignKey("contacts.Person", on_delete=models.CASCADE, related_name="+")
    role = models.CharField(_("role"), max_length=100, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["deal", "person"], name="deal_person_unique")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} ({self.role})" if self.role else str(self.person_id)


class DealStageChange(models.Model):
    """When a deal entered a stage and when it left; the open row has `left_at` empty."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="stage_history")
    stage = models.ForeignKey(Stage, on_delete=models.CASCADE, related_name="+")
    entered_at = models.DateTimeField(default=timezone.now)
    left_at = models.DateTimeField(null=True, blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["entered_at", "id"]
        indexes = [models.Index(fields=["deal", "entered_at"], name="deal_stage_history")]

    def __str__(self) -> str:
        return f"{self.deal_id} in {self.stage_id} from {self.entered_at:%Y-%m-%d}"


class PricedLine(models.Model):
    """A priced line of a quote or a deal: a product (or a free description), quantity, unit
    price, discount and tax rate, and the amounts computed from them (see sales.money)."""

    position = models.PositiveSmallIntegerField(default=0)
    product = models.ForeignKey(
        "sales.Product", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    description = models.CharField(_("description"), max_length=300)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3)
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=2)
    discount = models.DecimalField(
        _("discount (%)"), max_digits=5, decimal_places=2, default=Decimal(0)
    )
    tax_rate = models.DecimalField(
        _("tax rate (%)"), max_digits=5, decimal_places=2, default=Decimal(0)
    )
    net = models.DecimalField(max_digits=16, decimal_places=2)
    tax = models.DecimalField(max_digits=16, decimal_places=2)
    total = models.DecimalField(max_digits=16, decimal_places=2)

    class Meta:
        abstract = True
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.description


class DealLine(PricedLine):
    """A product or service the deal is about; with lines, the deal's amount is their net sum."""

    deal = models.ForeignKey(Deal, on_delete=models.CASCADE, related_name="lines")


class Lead(Record):
    given_name = models.CharField(_("given name"), max_length=100, blank=True)
    family_name = models.CharField(_("family name"), max_length=100, blank=True)
    email = models.CharField(_("email"), max_length=254, blank=True)
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    company = models.CharField(_("company"), max_length=200, blank=True)
    job_title = models.CharField(_("job title"), max_length=100, blank=True)
    website = models.CharField(_("website"), max_length=200, blank=True)
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    size = models.CharField(
        _("size"), max_length=10, choices=OrganizationSize.choices, blank=True, default=""
    )
    country = models.CharField(_("country"), max_length=2, blank=True)
    region = models.CharField(_("state or region"), max_length=100, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    message = models.TextField(_("message"), blank=True)
    source = models.CharField(
        _("source"), max_length=20, choices=LeadSource.choices, default=LeadSource.OTHER
    )
    utm_source = models.CharField("utm_source", max_length=100, blank=True)
    utm_medium = models.CharField("utm_medium", max_length=100, blank=True)
    utm_campaign = models.CharField("utm_campaign", max_length=100, blank=True)
    utm_term = models.CharField("utm_term", max_length=100, blank=True)
    utm_content = models.CharField("utm_content", max_length=100, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=LeadStatus.choices, default=LeadStatus.NEW
    )
    disqualify_reason = models.CharField(_("disqualify reason"), max_length=200, blank=True)
    score = models.IntegerField(_("score"), default=0)
    person = models.ForeignKey(
        "contacts.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="leads"
    )
    organization = models.ForeignKey(
        "contacts.Organization",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="leads",
    )
    deal = models.ForeignKey(
        Deal, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    converted_at = models.DateTimeField(_("converted"), null=True, blank=True)
    external_id = models.CharField(_("external id"), max_length=100, blank=True, default="")
    # Set when the lead was anonymized (erasure of its person, or a retention policy).
    erased_at = models.DateTimeField(_("erased"), null=True, blank=True, editable=False)

    class Meta:
        indexes = [
            models.Index(fields=["status", "created_at"], name="lead_status"),
            models.Index(fields=["owner", "status"], name="lead_owner_status"),
            models.Index(fields=["email"], name="lead_email"),
            models.Index(fields=["created_at", "id"], name="lead_created"),
            # Retention policies select leads not updated since a cutoff.
            models.Index(fields=["updated_at", "id"], name="lead_updated"),
        ]

    def __str__(self) -> str:
        name = " ".join(part for part in (self.given_name, self.family_name) if part)
        return name or self.email or self.company or f"#{self.pk}"


class AssignmentRule(models.Model):
    """Who gets new leads or deals that match `conditions`, tried in `priority` order."""

    name = models.CharField(_("name"), max_length=100)
    entity = models.CharField(_("applies to"), max_length=10, choices=AssignmentEntity.choices)
    priority = models.PositiveIntegerField(_("priority"), default=100)
    is_active = models.BooleanField(_("active"), default=True)
    conditions = models.JSONField(_("conditions"), default=list, blank=True)
    strategy = models.CharField(_("strategy"), max_length=20, choices=AssignmentStrategy.choices)
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="+", verbose_name=_("members")
    )
    capacity = models.PositiveIntegerField(_("capacity"), null=True, blank=True)
    capacity_period = models.CharField(
        _("capacity period"),
        max_length=5,
        choices=CapacityPeriod.choices,
        default=CapacityPeriod.DAY,
    )
    turn = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["entity", "priority", "id"]

    def __str__(self) -> str:
        return self.name


class Assignment(models.Model):
    """One automatic or manual assignment, the ledger that capacity and fairness count."""

    entity = models.CharField(max_length=10, choices=AssignmentEntity.choices)
    object_id = models.PositiveBigIntegerField()
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    rule = models.ForeignKey(
        AssignmentRule, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reason = models.CharField(max_length=20)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [
            models.Index(fields=["rule", "user", "created_at"], name="assignment_rule_user"),
            models.Index(fields=["entity", "object_id"], name="assignment_object"),
        ]

    def __str__(self) -> str:
        return f"{self.entity} {self.object_id} -> {self.user_id} ({self.reason})"


class DefaultOwner(models.Model):
    """Who gets a new lead or deal that no rule takes."""

    entity = models.CharField(max_length=10, choices=AssignmentEntity.choices, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")

    def __str__(self) -> str:
        return f"{self.entity}: {self.user_id}"


class ExchangeRate(models.Model):
    """How many units of the base currency (ELO_BASE_CURRENCY) one unit of `currency` was
    worth from `valid_from` on; reports convert with the newest rate on their date."""

    currency = models.CharField(_("currency"), max_length=3)
    rate = models.DecimalField(_("rate"), max_digits=18, decimal_places=8)
    valid_from = models.DateField(_("valid from"))
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["currency", "-valid_from"]
        constraints = [
            models.UniqueConstraint(fields=["currency", "valid_from"], name="rate_unique_day"),
            models.CheckConstraint(condition=models.Q(rate__gt=0), name="rate_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.currency} {self.rate} from {self.valid_from}"


class Quota(models.Model):
    """A sales target for one user or one team over a month or a quarter, in the base
    currency."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    team = models.ForeignKey(
        "identity.Team", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    period = models.CharField(_("period"), max_length=7)  # "2026-11" or "2026-Q4"
    amount = models.DecimalField(_("amount"), max_digits=14, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "period"], name="quota_user_period"),
            models.UniqueConstraint(fields=["team", "period"], name="quota_team_period"),
            models.CheckConstraint(
                condition=(models.Q(user__isnull=False) & models.Q(team__isnull=True))
                | (models.Q(user__isnull=True) & models.Q(team__isnull=False)),
                name="quota_user_or_team",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.period}: {self.amount}"


class Product(models.Model):
    """Something the business sells: a product or a service, priced per price list."""

    name = models.CharField(_("name"), max_length=200)
    sku = models.CharField(_("SKU"), max_length=64, unique=True)
    unit = models.CharField(_("unit"), max_length=30, default="unit")
    description = models.TextField(_("description"), blank=True)
    tax_rate = models.DecimalField(
        _("tax rate (%)"), max_digits=5, decimal_places=2, default=Decimal(0)
    )
    is_active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(tax_rate__gte=0) & models.Q(tax_rate__lte=100),
                name="product_tax_rate_range",
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.sku})"


class PriceList(models.Model):
    """Prices in one currency; a product is sold at its price on the quote's price list."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    currency = models.CharField(_("currency"), max_length=3)
    is_default = models.BooleanField(_("default price list"), default=False)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.currency})"


class Price(models.Model):
    price_list = models.ForeignKey(PriceList, on_delete=models.CASCADE, related_name="prices")
    product = models.ForeignKey(Product, on_delete=models.CASCADE, related_name="prices")
    unit_price = models.DecimalField(_("unit price"), max_digits=14, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["price_list", "product"], name="price_unique"),
            models.CheckConstraint(condition=models.Q(unit_price__gte=0), name="price_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.product_id} at {self.unit_price}"


class Quote(Record):
    """An offer to a customer: priced lines with discounts and taxes, valid until a date."""

    title = models.CharField(_("title"), max_length=200)
    deal = models.ForeignKey(
        Deal, on_delete=models.SET_NULL, null=True, blank=True, related_name="quotes"
    )
    organization = models.ForeignKey(
        "contacts.Organization",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="quotes",
    )
    person = models.ForeignKey(
        "contacts.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="quotes"
    )
    price_list = models.ForeignKey(
        PriceList, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    currency = models.CharField(_("currency"), max_length=3)
    status = models.CharField(
        _("status"), max_length=10, choices=QuoteStatus.choices, default=QuoteStatus.DRAFT
    )
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    revision = models.PositiveIntegerField(_("revision"), default=1)
    net_total = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal(0))
    tax_total = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal(0))
    total = models.DecimalField(max_digits=16, decimal_places=2, default=Decimal(0))
    sent_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["status", "valid_until"], name="quote_status"),
            models.Index(fields=["created_at", "id"], name="quote_created"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def reference(self) -> str:
        """How the customer and the documents name the quote, e.g. "Q-42"."""
        return f"Q-{self.pk}"


class QuoteLine(PricedLine):
    quote = models.ForeignKey(Quote, on_delete=models.CASCADE, related_name="lines")
