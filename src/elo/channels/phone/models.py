from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from elo.activities.choices import CallDirection
from elo.channels.phone.choices import CallStatus, LinkScheme, Provider


class CallEvent(models.Model):
    """One telephone call as a provider reported it, kept once per provider call id. Later
    events for the same call update this row and its timeline activity. A call whose number
    matches nobody waits here, without an activity, until a user links it to a person."""

    provider = models.CharField(max_length=20, choices=Provider.choices)
    call_id = models.CharField(max_length=100)
    direction = models.CharField(
        _("direction"), max_length=10, choices=CallDirection.choices, default="", blank=True
    )
    status = models.CharField(
        _("status"), max_length=20, choices=CallStatus.choices, default=CallStatus.RINGING
    )
    from_number = models.CharField(_("from"), max_length=40, blank=True)
    to_number = models.CharField(_("to"), max_length=40, blank=True)
    # The customer's side (From for inbound, To for outbound) in E.164, or "" when unreadable.
    customer_number = models.CharField(_("number"), max_length=32, blank=True, db_index=True)
    started_at = models.DateTimeField(_("started"), default=timezone.now)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    ended_at = models.DateTimeField(_("ended"), null=True, blank=True)
    duration_seconds = models.PositiveIntegerField(_("duration (seconds)"), null=True, blank=True)
    recording_url = models.URLField(_("recording"), max_length=500, blank=True)
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("agent"),
    )
    person = models.ForeignKey(
        "contacts.Person", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    activity = models.OneToOneField(
        "activities.Activity",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="call_event",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["provider", "call_id"], name="call_event_once")
        ]
        indexes = [
            # The "Unmatched calls" list, newest first.
            models.Index(
                fields=["-started_at", "-id"],
                condition=models.Q(activity__isnull=True),
                name="call_event_unmatched",
            )
        ]

    def __str__(self) -> str:
        return f"{self.provider}:{self.call_id}"


class PhonePreference(models.Model):
    """How one user's click-to-call links open: a phone (tel:) or a softphone (sip:)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="phone_preference"
    )
    link_scheme = models.CharField(
        _("call links open"), max_length=3, choices=LinkScheme.choices, default="", blank=True
    )

    def __str__(self) -> str:
        return f"{self.user_id}: {self.link_scheme or 'site'}"
