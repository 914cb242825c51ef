"""The fixed vocabularies of the consent ledger."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Channel(models.TextChoices):
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    PHONE = "phone", _("Phone")
    WHATSAPP = "whatsapp", _("WhatsApp")
    POST = "post", _("Post")


class ConsentAction(models.TextChoices):
    GRANTED = "granted", _("Granted")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    PENDING = "pending", _("Awaiting confirmation")


class LawfulBasis(models.TextChoices):
    CONSENT = "consent", _("Consent")
    CONTRACT = "contract", _("Contract")
    LEGITIMATE_INTEREST = "legitimate_interest", _("Legitimate interest")
    LEGAL_OBLIGATION = "legal_obligation", _("Legal obligation")


class ConsentSource(models.TextChoices):
    FORM = "form", _("Form")
    IMPORT = "import", _("Import")
    API = "api", _("API")
    AGENT = "agent", _("Agent")
    EMAIL_LINK = "email_link", _("Email link")


class RequestKind(models.TextChoices):
    ACCESS = "access", _("Access")
    PORTABILITY = "portability", _("Portability")
    RECTIFICATION = "rectification", _("Rectification")
    ERASURE = "erasure", _("Erasure")
    RESTRICTION = "restriction", _("Restriction")
    OBJECTION = "objection", _("Objection")


class PrivacyLaw(models.TextChoices):
    LGPD = "lgpd", _("LGPD (Brazil)")
    GDPR = "gdpr", _("GDPR (EU)")


class RequestStatus(models.TextChoices):
    OPEN = "open", _("Open")
    IDENTITY_VERIFIED = "identity_verified", _("Identity verified")
    IN_PROGRESS = "in_progress", _("In progress")
    COMPLETED = "completed", _("Completed")
    REJECTED = "rejected", _("Rejected")


class RetentionEntity(models.TextChoices):
    LEADS = "leads", _("Leads")
    PEOPLE = "people", _("People")


class AccessKind(models.TextChoices):
    VIEW = "view", _("Viewed")
    EXPORT = "export", _("Exported")
    BUNDLE = "bundle", _("Subject bundle downloaded")
