"""API schemas of assignment rules."""

from __future__ import annotations

from typing import Any

from ninja import Schema


class ConditionIn(Schema):
    field: str
    op: str
    value: Any = None


class RuleIn(Schema):
    name: str
    entity: str
    priority: int = 100
    is_active: bool = True
    conditions: list[ConditionIn] = []
    strategy: str
    members: list[int]
    capacity: int | None = None
    capacity_period: str = "day"


class RulePatch(Schema):
    name: str | None = None
    priority: int | None = None
    is_active: bool | None = None
    conditions: list[ConditionIn] | None = None
    strategy: str | None = None
    members: list[int] | None = None
    capacity: int | None = None
    capacity_period: str | None = None


class RuleOut(Schema):
    id: int
    name: str
    entity: str
    priority: int
    is_active: bool
    conditions: list[dict[str, Any]]
    strategy: str
    members: list[int]
    capacity: int | None
    capacity_period: str
    version: int

    @staticmethod
    def resolve_members(obj: Any) -> list[int]:
        return sorted(user.pk for user in obj.members.all())
