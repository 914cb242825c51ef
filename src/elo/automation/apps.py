from __future__ import annotations

import logging

from django.apps import AppConfig

logger = logging.getLogger(__name__)


class AutomationConfig(AppConfig):
    name = "elo.automation"
    label = "automation"
    verbose_name = "Automation"

    def ready(self) -> None:
        from elo.automation import engine
        from elo.core import events

        events.subscribe("*", engine.on_event)
        try:
            from elo.core import schedule  # type: ignore[attr-defined,unused-ignore]
        except ImportError:
            logger.info("elo.core.schedule is not there: date and schedule triggers wait for it")
            return
        schedule.register("automation.fire_due", "every 1m", engine.fire_due)
        schedule.register("automation.resume_due", "every 1m", engine.resume_due)
