from __future__ import annotations

from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "elo.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"

    def ready(self) -> None:
        from elo.core import events
        from elo.webhooks import delivery

        events.subscribe("*", delivery.on_event)
        try:
            from elo.core import schedule
        except ImportError:  # pragma: no cover - the scheduler ships with core
            return
        schedule.register("webhooks.deliver_due", "every 1m", delivery.deliver_due)
