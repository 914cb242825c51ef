from django.db import models
from django.utils.translation import gettext_lazy as _


class Provider(models.TextChoices):
    GENERIC = "generic", _("Generic webhook")
    TWILIO = "twilio", _("Twilio")


class CallStatus(models.TextChoices):
    """Where a call stands, in the words telephony providers share."""

    QUEUED = "queued", _("Queued")
    RINGING = "ringing", _("Ringing")
    IN_PROGRESS = "in-progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    BUSY = "busy", _("Busy")
    NO_ANSWER = "no-answer", _("No answer")
    FAILED = "failed", _("Failed")
    CANCELED = "canceled", _("Canceled")


class LinkScheme(models.TextChoices):
    SITE = "", _("As the site prefers")
    TEL = "tel", _("Phone (tel:)")
    SIP = "sip", _("Softphone (sip:)")
