from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "elo.identity"
    label = "identity"
    verbose_name = "Identity"
