from django.db import models
from django.utils.translation import gettext_lazy as _


class ActivityKind(models.TextChoices):
    NOTE = "note", _("Note")
    TASK = "task", _("Task")
    CALL = "call", _("Call")
    MEETING = "meeting", _("Meeting")
    EMAIL = "email", _("Email")


class CallDirection(models.TextChoices):
    NONE = "", _("Not set")
    INBOUND = "inbound", _("Inbound")
    OUTBOUND = "outbound", _("Outbound")


class CallOutcome(models.TextChoices):
    NONE = "", _("Not set")
    CONNECTED = "connected", _("Connected")
    VOICEMAIL = "voicemail", _("Left voicemail")
    NO_ANSWER = "no_answer", _("No answer")
    BUSY = "busy", _("Busy")
    WRONG_NUMBER = "wrong_number", _("Wrong number")
