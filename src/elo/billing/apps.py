from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "elo.billing"
    label = "billing"
    verbose_name = "Billing"
