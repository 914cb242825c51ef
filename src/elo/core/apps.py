from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "elo.core"
    label = "core"
    verbose_name = "Core"
