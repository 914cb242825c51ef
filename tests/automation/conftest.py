"""Fixtures for workflows: a pipeline, a deal owned by the rep, and a way to deliver events."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from elo.automation import services
from elo.core import events


@pytest.fixture
def pipeline(db: Any) -> Any:
    from elo.sales.services import pipeline_ensure_default

    return pipeline_ensure_default()


@pytest.fixture
def make_deal(rep: Any, pipeline: Any) -> Callable[..., Any]:
    from elo.sales.services import deal_create

    def make(**data: Any) -> Any:
        data.setdefault("title", "Big deal")
        data.setdefault("amount", "5000")
        return deal_create(actor=data.pop("actor", rep), data=data)

    return make


@pytest.fixture
def deliver(db: Any) -> Callable[[], int]:
    """Delivers the outbox until it is empty, as the worker would (tests never commit)."""

    def run() -> int:
        total = 0
        for _round in range(50):
            handled = events.deliver_pending()
            if not handled:
                return total
            total += handled
        raise AssertionError("events keep coming: a loop")

    return run


@pytest.fixture
def make_workflow(admin: Any) -> Callable[..., Any]:
    def make(**data: Any) -> Any:
        data.setdefault("name", "Rule")
        data.setdefault("trigger", {"type": "event", "event": "sales.deal.stage_changed"})
        data.setdefault("actions", [{"type": "add_tag", "tag": "touched"}])
        return services.workflow_create(actor=data.pop("actor", admin), data=data)

    return make


def stage(pipeline: Any, name: str) -> Any:
    return pipeline.stages.get(name=name)
