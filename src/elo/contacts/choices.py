from django.db import models
from django.utils.translation import gettext_lazy as _


class LifecycleStage(models.TextChoices):
    SUBSCRIBER = "subscriber", _("Subscriber")
    LEAD = "lead", _("Lead")
    MARKETING_QUALIFIED = "marketing_qualified", _("Marketing qualified")
    SALES_QUALIFIED = "sales_qualified", _("Sales qualified")
    OPPORTUNITY = "opportunity", _("Opportunity")
    CUSTOMER = "customer", _("Customer")
    EVANGELIST = "evangelist", _("Evangelist")
    OTHER = "other", _("Other")


class OrganizationSize(models.TextChoices):
    UNKNOWN = "", _("Unknown")
    MICRO = "1-9", _("1-9 employees")
    SMALL = "10-49", _("10-49 employees")
    MEDIUM = "50-249", _("50-249 employees")
    LARGE = "250-999", _("250-999 employees")
    ENTERPRISE = "1000+", _("1000 or more employees")


class TaxIdKind(models.TextChoices):
    NONE = "", _("None")
    CNPJ = "cnpj", "CNPJ"
    NIF = "nif", "NIF"
    VAT = "vat", _("EU VAT")
