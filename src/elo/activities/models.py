from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from elo.activities.choices import ActivityKind, CallDirection, CallOutcome
from elo.activities.querysets import ActivityQuerySet
from elo.core.models import Record


class Activity(Record):
    """One entry on a timeline: a note, task, call, meeting or logged email."""

    kind = models.CharField(_("kind"), max_length=20, choices=ActivityKind.choices)
    subject = models.CharField(_("subject"), max_length=300, blank=True)
    body = models.TextField(_("body"), blank=True)
    body_html = models.TextField(editable=False, blank=True)
    person = models.ForeignKey(
        "contacts.Person",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="activities",
    )
    organization = models.ForeignKey(
        "contacts.Organization",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="activities",
    )
    lead = models.ForeignKey(
        "sales.Lead", on_delete=models.CASCADE, null=True, blank=True, related_name="activities"
    )
    deal = models.ForeignKey(
        "sales.Deal", on_delete=models.CASCADE, null=True, blank=True, related_name="activities"
    )
    occurred_at = models.DateTimeField(_("when"), default=timezone.now)
    due_at = models.DateTimeField(_("due"), null=True, blank=True)
    done_at = models.DateTimeField(_("done"), null=True, blank=True)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_activities",
        verbose_name=_("assignee"),
    )
    direction = models.CharField(
        _("direction"), max_length=10, choices=CallDirection.choices, default="", blank=True
    )
    duration_seconds = models.PositiveIntegerField(_("duration (seconds)"), null=True, blank=True)
    outcome = models.CharField(
        _("outcome"), max_length=20, choices=CallOutcome.choices, default="", blank=True
    )
    starts_at = models.DateTimeField(_("starts"), null=True, blank=True)
    ends_at = models.DateTimeField(_("ends"), null=True, blank=True)
    attendees = models.ManyToManyField(
        "contacts.Person", blank=True, related_name="meetings", verbose_name=_("attendees")
    )
    email_from = models.CharField(_("from"), max_length=254, blank=True)
    email_to = models.TextField(_("to"), blank=True)
    external_id = models.CharField(_("external id"), max_length=100, blank=True, default="")

    objects = ActivityQuerySet.as_manager()  # type: ignore[misc]

    class Meta:
        indexes = [
            models.Index(fields=["person", "-occurred_at", "-id"], name="activity_person_time"),
            models.Index(fields=["organization", "-occurred_at", "-id"], name="activity_org_time"),
            models.Index(fields=["lead", "-occurred_at", "-id"], name="activity_lead_time"),
            models.Index(fields=["deal", "-occurred_at", "-id"], name="activity_deal_time"),
            models.Index(fields=["assignee", "kind", "done_at", "due_at"], name="activity_tasks"),
            models.Index(fields=["created_at", "id"], name="activity_created"),
            models.Index(fields=["external_id"], name="activity_external_id"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["external_id"],
                condition=~models.Q(external_id=""),
                name="activity_external_id_unique",
            )
        ]
        verbose_name_plural = _("activities")

    def __str__(self) -> str:
        return self.subject or self.get_kind_display()

    @property
    def is_overdue(self) -> bool:
        return (
            self.kind == ActivityKind.TASK
            and self.done_at is None
            and self.due_at is not None
            and self.due_at < timezone.now()
        )


class CalendarFeedToken(models.Model):
    """A user's private calendar feed: only a SHA-256 digest of the secret is stored.
    Resetting replaces the row, so the old URL stops working."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed_token"
    )
    prefix = models.CharField(max_length=12)
    digest = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.user} ({self.prefix}…)"

    @staticmethod
    def digest_of(secret: str) -> str:
        return hashlib.sha256(secret.encode()).hexdigest()
