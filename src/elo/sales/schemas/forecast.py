"""API schemas of the forecast, quotas and exchange rates."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from elo.contacts.schemas import UserRef


class ForecastOut(Schema):
    period: str
    start: datetime.date
    end: datetime.date
    currency: str
    closed_won: Decimal
    commit: Decimal
    best_case: Decimal
    pipeline: Decimal
    weighted: Decimal
    quota: Decimal | None
    attainment: Decimal | None = Field(None, description="closed won as % of the quota")
    deals: int
    unconverted: list[str] = Field(description="currencies left out for want of a rate")


class OwnerForecastOut(ForecastOut):
    owner: UserRef


class QuotaIn(Schema):
    period: str = Field(..., description="a month (2026-11) or a quarter (2026-Q4)")
    user: int | None = None
    team: int | None = None
    amount: Decimal | None = Field(None, description="empty removes the quota")


class QuotaOut(Schema):
    id: int
    period: str
    user: int | None
    team: int | None
    amount: Decimal

    @staticmethod
    def resolve_user(obj: Any) -> int | None:
        return obj.user_id

    @staticmethod
    def resolve_team(obj: Any) -> int | None:
        return obj.team_id


class RateIn(Schema):
    currency: str
    rate: Decimal
    valid_from: datetime.date


class RateImportOut(Schema):
    loaded: int


class RateOut(Schema):
    id: int
    currency: str
    rate: Decimal
    valid_from: datetime.date
