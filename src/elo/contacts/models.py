from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from elo.contacts.choices import LifecycleStage, OrganizationSize, TaxIdKind
from elo.core.models import Record


def _record_indexes(prefix: str) -> list[models.Index]:
    return [
        models.Index(fields=["sort_name", "id"], name=f"{prefix}_sort_name"),
        models.Index(fields=["created_at", "id"], name=f"{prefix}_created"),
        models.Index(fields=["updated_at", "id"], name=f"{prefix}_updated"),
        # The unique constraint's index is partial, which SQLite cannot use for `= %s`.
        models.Index(fields=["external_id"], name=f"{prefix}_external_id"),
        # Counting the records that are not deleted reads this small index, not the table.
        models.Index(
            fields=["id"], condition=models.Q(deleted_at__isnull=True), name=f"{prefix}_alive"
        ),
    ]


def _external_id_unique(prefix: str) -> models.UniqueConstraint:
    return models.UniqueConstraint(
        fields=["external_id"],
        condition=~models.Q(external_id=""),
        name=f"{prefix}_external_id_unique",
    )


class Organization(Record):
    """A customer company."""

    name = models.CharField(_("name"), max_length=200)
    sort_name = models.CharField(max_length=200, editable=False)
    domains = models.JSONField(_("domains"), default=list, blank=True)
    industry = models.CharField(_("industry"), max_length=100, blank=True)
    size = models.CharField(
        _("size"), max_length=10, choices=OrganizationSize.choices, default="", blank=True
    )
    tax_id = models.CharField(_("tax id"), max_length=40, blank=True)
    tax_id_kind = models.CharField(max_length=10, choices=TaxIdKind.choices, default="", blank=True)
    website = models.URLField(_("website"), blank=True)
    phones = models.JSONField(_("phones"), default=list, blank=True)
    addresses = models.JSONField(_("addresses"), default=list, blank=True)
    external_id = models.CharField(_("external id"), max_length=100, blank=True, default="")
    search_text = models.TextField(editable=False, default="")
    # Set when this organization was merged into another (then it is soft-deleted).
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    # Set by the on-demand "Check domains" action: when the domains were last resolved and
    # whether every one of them did (null: never checked).
    domain_checked_at = models.DateTimeField(null=True, blank=True, editable=False)
    domain_resolves = models.BooleanField(null=True, blank=True, editable=False)

    class Meta:
        indexes = _record_indexes("org")
        constraints = [_external_id_unique("org")]

    def __str__(self) -> str:
        return self.name


class Person(Record):
    given_name = models.CharField(_("given name"), max_length=100, blank=True)
    family_name = models.CharField(_("family name"), max_length=100, blank=True)
    sort_name = models.CharField(max_length=210, editable=False)
    primary_email = models.CharField(_("email"), max_length=254, blank=True, editable=False)
    primary_phone = models.CharField(_("phone"), max_length=32, blank=True, editable=False)
    street = models.CharField(_("street"), max_length=200, blank=True)
    city = models.CharField(_("city"), max_length=100, blank=True)
    region = models.CharField(_("state or region"), max_length=100, blank=True)
    postal_code = models.CharField(_("postal code"), max_length=20, blank=True)
    country = models.CharField(_("country"), max_length=2, blank=True)
    preferred_language = models.CharField(_("preferred language"), max_length=10, blank=True)
    lifecycle_stage = models.CharField(
        _("lifecycle stage"),
        max_length=30,
        choices=LifecycleStage.choices,
        default=LifecycleStage.LEAD,
    )
    source = models.CharField(_("source"), max_length=100, blank=True)
    external_id = models.CharField(_("external id"), max_length=100, blank=True, default="")
    organizations: models.ManyToManyField[Organization, Employment] = models.ManyToManyField(
        Organization, through="Employment", related_name="people", blank=True
    )
    search_text = models.TextField(editable=False, default="")
    # Set when this person was merged into another: the record is soft-deleted and its old
    # links redirect to the survivor.
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    # Set when the person was erased (a data subject request or a retention policy): every
    # personal value has been replaced, and the record can no longer be restored or merged.
    erased_at = models.DateTimeField(_("erased"), null=True, blank=True, editable=False)

    class Meta:
        indexes = [
            *_record_indexes("person"),
            models.Index(fields=["lifecycle_stage"], name="person_stage"),
        ]
        constraints = [_external_id_unique("person")]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return " ".join(part for part in (self.given_name, self.family_name) if part) or (
            self.primary_email or f"#{self.pk}"
        )


class PersonEmail(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="emails")
    email = models.CharField(max_length=254, db_index=True)
    is_primary = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)
    # Set when mail to this address bounced (inbound mail and campaigns report it).
    bounced_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "email"], name="person_email_once")
        ]

    def __str__(self) -> str:
        return self.email


class PersonPhone(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="phones")
    number = models.CharField(max_length=32, db_index=True)
    is_primary = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.number


class Employment(models.Model):
    """A person's place at an organization."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="employments")
    organization = models.ForeignKey(
        Organization, on_delete=models.CASCADE, related_name="employments"
    )
    job_title = models.CharField(_("job title"), max_length=100, blank=True)
    is_primary = models.BooleanField(default=False)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["person", "organization"], name="employment_once")
        ]

    def __str__(self) -> str:
        return f"{self.person_id} @ {self.organization_id}"


class DuplicateDismissal(models.Model):
    """A pair of records a user said are not duplicates; never suggested again.

    Plain ids rather than foreign keys, so that merging people does not drag dismissals along
    (`first_id` < `second_id`)."""

    entity = models.CharField(max_length=20)
    first_id = models.BigIntegerField()
    second_id = models.BigIntegerField()
    dismissed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["entity", "first_id", "second_id"], name="duplicate_dismissal_once"
            ),
            models.CheckConstraint(
                condition=models.Q(first_id__lt=models.F("second_id")),
                name="duplicate_dismissal_ordered",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.entity} {self.first_id}/{self.second_id}"
