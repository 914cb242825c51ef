from django.apps import AppConfig


class SalesConfig(AppConfig):
    name = "elo.sales"
    label = "sales"
    verbose_name = "Sales"
