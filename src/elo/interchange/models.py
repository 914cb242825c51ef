from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ImportEntity(models.TextChoices):
    PEOPLE = "people", _("People")
    ORGANIZATIONS = "organizations", _("Organizations")
    ACTIVITIES = "activities", _("Activities")
    DEALS = "deals", _("Deals")


class ImportRun(models.Model):
    """One file loaded by `elo import`, the API or the UI, with what became of each row."""

    entity = models.CharField(max_length=20, choices=ImportEntity.choices)
    filename = models.CharField(max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    total_rows = models.PositiveIntegerField(default=0)
    created_count = models.PositiveIntegerField(default=0)
    updated_count = models.PositiveIntegerField(default=0)
    unchanged_count = models.PositiveIntegerField(default=0)
    rejected_count = models.PositiveIntegerField(default=0)
    batches = models.PositiveIntegerField(default=0)
    batches_failed = models.PositiveIntegerField(default=0)
    rejected = models.JSONField(default=list, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.entity} {self.filename}"
