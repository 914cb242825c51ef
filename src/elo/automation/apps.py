from __future__ import annotations

from django.apps import AppConfig


class AutomationConfig(AppConfig):
    name = "elo.automation"
    label = "automation"
    verbose_name = "Automation"
