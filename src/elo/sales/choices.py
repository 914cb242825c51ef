from django.db import models
from django.utils.translation import gettext_lazy as _


class LeadStatus(models.TextChoices):
    NEW = "new", _("New")
    WORKING = "working", _("Working")
    QUALIFIED = "qualified", _("Qualified")
    DISQUALIFIED = "disqualified", _("Disqualified")
    CONVERTED = "converted", _("Converted")


class LeadSource(models.TextChoices):
    WEB_FORM = "web_form", _("Web form")
    IMPORT = "import", _("Import")
    API = "api", _("API")
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    CHAT = "chat", _("Chat")
    SOCIAL = "social", _("Social media")
    REFERRAL = "referral", _("Referral")
    EVENT = "event", _("Event")
    OTHER = "other", _("Other")


class StageKind(models.TextChoices):
    OPEN = "open", _("Open")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


class DealStatus(models.TextChoices):
    OPEN = "open", _("Open")
    WON = "won", _("Won")
    LOST = "lost", _("Lost")


class AssignmentStrategy(models.TextChoices):
    ROUND_ROBIN = "round_robin", _("Round robin")
    LOWEST_LOAD = "lowest_load", _("Lowest open load")
    CAPACITY = "capacity", _("Capacity")


class CapacityPeriod(models.TextChoices):
    DAY = "day", _("Per day")
    THIRTY_DAYS = "30d", _("Per 30 days")


class AssignmentEntity(models.TextChoices):
    LEAD = "lead", _("Lead")
    DEAL = "deal", _("Deal")


class ConditionOperator(models.TextChoices):
    EQUALS = "eq", _("is")
    NOT_EQUALS = "ne", _("is not")
    IN = "in", _("is one of")
    PREFIX = "prefix", _("starts with")
    CONTAINS = "contains", _("contains")
    GTE = "gte", _("at least")
    LTE = "lte", _("at most")
    HAS_TAG = "tag", _("has tag")


class QuoteStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SENT = "sent", _("Sent")
    ACCEPTED = "accepted", _("Accepted")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Expired")
