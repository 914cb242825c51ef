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


class UpsertKey(models.TextChoices):
    EXTERNAL_ID = "external_id", _("External id (then email)")
    EMAIL = "email", _("Email (then external id)")


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
    preset = models.CharField(max_length=30, blank=True)
    # [[header, field], ...] in the file's column order; "" for an ignored column
    mapping = models.JSONField(default=list, blank=True)
    upsert_by = models.CharField(
        max_length=20, choices=UpsertKey.choices, default=UpsertKey.EXTERNAL_ID
    )
    dry_run = models.BooleanField(default=False)
    # How many of the people or organizations it created look like records that were there
    # before (scored as the duplicates review queue scores); such rows are not rejected.
    similar_count = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["created_by", "-created_at", "-id"])]

    def __str__(self) -> str:
        return f"{self.entity} {self.filename}"

    @property
    def headers(self) -> list[str]:
        return [pair[0] for pair in self.mapping]


class ImportUpload(models.Model):
    """A file uploaded for the mapping screen, kept until it is imported or a day has passed.
    Kept in the database so that any web server of a pool can read it back."""

    entity = models.CharField(max_length=20, choices=ImportEntity.choices)
    filename = models.CharField(max_length=255, blank=True)
    content_type = models.CharField(max_length=100, blank=True)
    data = models.BinaryField()
    size = models.PositiveIntegerField(default=0)
    preset = models.CharField(max_length=30, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self) -> str:
        return self.filename
