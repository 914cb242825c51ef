from __future__ import annotations

from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "elo.privacy"
    label = "privacy"
    verbose_name = "Privacy"

    def ready(self) -> None:
        from elo.core import schedule
        from elo.privacy import retention

        # Every day: the enabled retention policies anonymize what they select.
        schedule.register("privacy.retention", "@daily", retention.run_enabled_policies)
