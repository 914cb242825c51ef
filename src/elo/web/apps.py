from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "elo.web"
    label = "web"
    verbose_name = "Web"
