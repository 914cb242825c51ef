from django.apps import AppConfig


class ActivitiesConfig(AppConfig):
    name = "elo.activities"
    label = "activities"
    verbose_name = "Activities"
