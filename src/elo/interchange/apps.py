from django.apps import AppConfig


class InterchangeConfig(AppConfig):
    name = "elo.interchange"
    label = "interchange"
    verbose_name = "Import and export"
