"""The consent ledger: purposes admins define, and an append-only log of grants and
withdrawals per person, purpose and channel. The current state is derived (see selectors)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from elo.contacts.models import Person
from elo.privacy.choices import (
    AccessKind,
    Channel,
    ConsentAction,
    ConsentSource,
    LawfulBasis,
    PrivacyLaw,
    RequestKind,
    RequestStatus,
    RetentionEntity,
)


class ConsentPurpose(models.Model):
    """Why a person may be contacted or their data used: marketing, profiling, sharing."""

    key = models.SlugField(_("key"), max_length=50, unique=True)
    name = models.CharField(_("name"), max_length=100)
    description = models.TextField(_("description"), blank=True)
    consent_required = models.BooleanField(
        _("consent required"),
        default=True,
        help_text=_("Without a recorded grant, nobody is contacted for this purpose."),
    )
    active = models.BooleanField(_("active"), default=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class AppendOnlyError(Exception):
    """A consent event was about to be changed or deleted; the ledger only grows."""


class ConsentEventQuerySet(models.QuerySet["ConsentEvent"]):
    def update(self, **kwargs: Any) -> int:
        raise AppendOnlyError("consent events are never updated")

    def delete(self) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("consent events are never deleted")

    def redact(self, texts: Mapping[int, str]) -> int:
        """The one sanctioned change to the ledger, made only by erasure
        (`elo.privacy.erasure`): for each event id, the proof values (IP address, user agent,
        form submission id) are cleared and the text shown becomes the given, redacted text.
        Purpose, channel, action, lawful basis, source and time stay as they happened."""
        changed = 0
        for pk, text in texts.items():
            changed += models.QuerySet.update(
                self.filter(pk=pk), ip_address=None, user_agent="", submission_id="", text=text
            )
        return changed


class ConsentEvent(models.Model):
    """One grant, withdrawal or pending grant, exactly as it happened. Never changed."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="consent_events")
    purpose = models.ForeignKey(ConsentPurpose, on_delete=models.PROTECT, related_name="events")
    channel = models.CharField(_("channel"), max_length=10, choices=Channel.choices)
    action = models.CharField(_("state"), max_length=10, choices=ConsentAction.choices)
    basis = models.CharField(_("lawful basis"), max_length=20, choices=LawfulBasis.choices)
    source = models.CharField(_("source"), max_length=12, choices=ConsentSource.choices)
    text = models.TextField(_("text shown"), blank=True)
    submission_id = models.CharField(_("form submission id"), max_length=100, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=500, blank=True)
    confirmation_of = models.ForeignKey(
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="confirmations"
    )
    actor_kind = models.CharField(max_length=20, default="system")
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(_("time"), default=timezone.now)

    objects = ConsentEventQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["person", "purpose", "channel", "id"], name="consent_latest"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.purpose_id}/{self.channel}: {self.action}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AppendOnlyError("consent events are never updated")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise AppendOnlyError("consent events are never deleted")


class SubjectRequest(models.Model):
    """A data subject request (access, portability, erasure, ...) with its legal deadline."""

    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="subject_requests")
    kind = models.CharField(_("kind"), max_length=20, choices=RequestKind.choices)
    law = models.CharField(_("law"), max_length=10, choices=PrivacyLaw.choices)
    received_at = models.DateTimeField(_("received"), default=timezone.now)
    due_at = models.DateTimeField(_("due"))
    status = models.CharField(
        _("status"), max_length=20, choices=RequestStatus.choices, default=RequestStatus.OPEN
    )
    identity_check = models.TextField(_("identity check"), blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(_("verified"), null=True, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    bundle_built_at = models.DateTimeField(_("bundle built"), null=True, blank=True)
    completed_at = models.DateTimeField(_("completed"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            models.Index(fields=["due_at", "id"], name="subject_request_due"),
            models.Index(fields=["status", "due_at", "id"], name="subject_request_status"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def is_closed(self) -> bool:
        return self.status in (RequestStatus.COMPLETED, RequestStatus.REJECTED)

    @property
    def is_overdue(self) -> bool:
        return not self.is_closed and self.due_at < timezone.now()


class RetentionPolicy(models.Model):
    """Personal data kept no longer than needed: records of `entity` with no activity for
    `inactive_months` (optionally only in some statuses) are anonymized when the policy runs
    on the schedule. A dry run lists what a run would touch."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    entity = models.CharField(_("records"), max_length=20, choices=RetentionEntity.choices)
    inactive_months = models.PositiveIntegerField(_("months without activity"))
    # Lead statuses or person lifecycle stages the policy applies to; empty means all.
    statuses = models.JSONField(_("only in these statuses"), default=list, blank=True)
    enabled = models.BooleanField(_("runs on the schedule"), default=False)
    last_run_at = models.DateTimeField(_("last run"), null=True, blank=True)
    last_run_count = models.PositiveIntegerField(_("anonymized by the last run"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "retention policies"

    def __str__(self) -> str:
        return self.name


class RetentionRun(models.Model):
    """One run of a retention policy, real or dry, with the ids of the records it touched
    (or would touch): ids only, never personal values."""

    policy = models.ForeignKey(RetentionPolicy, on_delete=models.CASCADE, related_name="runs")
    dry_run = models.BooleanField(default=False)
    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    cutoff = models.DateTimeField()
    matched = models.PositiveIntegerField(default=0)
    anonymized = models.PositiveIntegerField(default=0)
    record_ids = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["-started_at", "-id"]
        indexes = [models.Index(fields=["policy", "-started_at"], name="retention_run_policy")]

    def __str__(self) -> str:
        return (
            f"{self.policy} {self.started_at:%Y-%m-%d %H:%M}{' (dry run)' if self.dry_run else ''}"
        )


class PersonalDataAccess(models.Model):
    """Who viewed or exported personal data, and when: the access log the data protection
    officer reads. One row per person page or API read; one row per export, with its count."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=10, choices=AccessKind.choices)
    person = models.ForeignKey(
        Person, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    what = models.CharField(_("what"), max_length=200)
    record_count = models.PositiveIntegerField(_("records"), default=1)
    path = models.CharField(_("path"), max_length=300, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [
            models.Index(fields=["-at", "-id"], name="data_access_at"),
            models.Index(fields=["person", "-at"], name="data_access_person"),
            models.Index(fields=["user", "-at"], name="data_access_user"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.what}"
