from __future__ import annotations

import datetime
from typing import Any

from ninja import Field, Schema

from elo.automation.models import Workflow


class WorkflowIn(Schema):
    name: str
    description: str = ""
    enabled: bool = True
    trigger: dict[str, Any] = Field(
        ...,
        description=(
            '{"type": "event", "event": "sales.deal.stage_changed"} (add "field", "from", "to" '
            'for a field change), {"type": "date", "entity": "deal", "field": "expected_close", '
            '"offset_days": -3} or {"type": "schedule", "cron": "0 9 * * 1"}'
        ),
    )
    conditions: dict[str, Any] | None = Field(
        None, description='{"all"|"any": [...]}, {"not": ...}, {"field", "op", "value"}'
    )
    actions: list[dict[str, Any]] = Field(
        ..., description='Ordered actions, e.g. {"type": "add_tag", "tag": "vip"}'
    )
    rate_limit_per_hour: int = 100
    owner: int | None = Field(None, description="The user the rule acts as (default: you)")


class WorkflowPatch(Schema):
    name: str | None = None
    description: str | None = None
    enabled: bool | None = None
    trigger: dict[str, Any] | None = None
    conditions: dict[str, Any] | None = None
    actions: list[dict[str, Any]] | None = None
    rate_limit_per_hour: int | None = None
    owner: int | None = None


class WorkflowOut(Schema):
    id: int
    name: str
    description: str
    enabled: bool
    trigger: dict[str, Any]
    conditions: dict[str, Any]
    actions: list[dict[str, Any]]
    rate_limit_per_hour: int
    owner: int
    version: int
    failure_count: int
    last_failure_at: datetime.datetime | None
    last_failure: str
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_owner(obj: Workflow) -> int:
        return int(obj.owner_id)


class WorkflowList(Schema):
    next: str | None
    items: list[WorkflowOut]


class StepOut(Schema):
    position: int
    path: str
    action_type: str
    outcome: str
    detail: dict[str, Any]
    duration_ms: int
    attempts: int
    next_retry_at: datetime.datetime | None
    started_at: datetime.datetime


class RunOut(Schema):
    id: int
    workflow: int
    trigger: dict[str, Any]
    event_id: int | None
    record_type: str
    record_id: int | None
    matched: bool | None
    checks: list[dict[str, Any]]
    status: str
    depth: int
    test_mode: bool
    started_at: datetime.datetime
    finished_at: datetime.datetime | None
    resume_at: datetime.datetime | None
    error: str
    steps: list[StepOut]

    @staticmethod
    def resolve_workflow(obj: Any) -> int:
        return int(obj.workflow_id)

    @staticmethod
    def resolve_steps(obj: Any) -> list[Any]:
        return list(obj.steps.all())


class RunList(Schema):
    next: str | None
    items: list[RunOut]


class TestIn(Schema):
    record_type: str = Field(..., description="person, organization, lead, deal or activity")
    record_id: int
