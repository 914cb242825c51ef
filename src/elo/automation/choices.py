from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class TriggerType(models.TextChoices):
    EVENT = "event", _("Event")
    DATE = "date", _("Date")
    SCHEDULE = "schedule", _("Schedule")


class RunStatus(models.TextChoices):
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")
    STOPPED = "stopped", _("Stopped")
    SKIPPED = "skipped", _("Skipped")
    WAITING = "waiting", _("Waiting")


class StepOutcome(models.TextChoices):
    OK = "ok", _("OK")
    FAILED = "failed", _("Failed")
    SKIPPED = "skipped", _("Skipped")
