"""Forecasts against quotas, in the base currency, and the exchange rates they convert with.

For a period (a month "2026-11" or a quarter "2026-Q4") and the deals a user can see:

- closed won: won deals closed in the period;
- commit: closed won plus open deals expected to close in the period at 75 % or more;
- best case: closed won plus open deals expected in the period at 50 % or more;
- pipeline: every open deal expected to close in the period;
- weighted: the open deals expected in the period, each times its win probability.

Amounts in another currency convert with the newest rate valid on the period's last day;
deals in a currency without a rate are left out and named in `unconverted`.
"""

from __future__ import annotations

import calendar
import datetime
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_EVEN, Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from elo.identity.models import User
from elo.sales.choices import DealStatus
from elo.sales.models import ExchangeRate, Quota
from elo.sales.selectors import deals_for

CENT = Decimal("0.01")
COMMIT, BEST_CASE = 75, 50
_PERIOD = re.compile(r"(\d{4})-(?:(0[1-9]|1[0-2])|Q([1-4]))")


@dataclass(frozen=True)
class Period:
    key: str
    start: datetime.date
    end: datetime.date  # inclusive

    def months(self) -> list[str]:
        return [
            f"{self.start.year}-{month:02d}"
            for month in range(self.start.month, self.end.month + 1)
        ]


def parse_period(text: str) -> Period:
    match = _PERIOD.fullmatch((text or "").strip().upper())
    if match is None:
        raise ValidationError(
            {"period": [_("Use a month like 2026-11 or a quarter like 2026-Q4.")]}
        )
    year = int(match.group(1))
    if match.group(2):
        first = last = int(match.group(2))
    else:
        first = (int(match.group(3)) - 1) * 3 + 1
        last = first + 2
    end = datetime.date(year, last, calendar.monthrange(year, last)[1])
    return Period(key=match.group(0), start=datetime.date(year, first, 1), end=end)


def current_quarter(today: datetime.date | None = None) -> str:
    day = today or timezone.localdate()
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


# --- exchange rates -----------------------------------------------------------------------


def rates_on(day: datetime.date) -> dict[str, Decimal]:
    """Currency -> base units per unit, the newest rate valid on `day`; the base is 1."""
    rates: dict[str, Decimal] = {settings.ELO_BASE_CURRENCY: Decimal(1)}
    for currency, rate in (
        ExchangeRate.objects.filter(valid_from__lte=day)
        .order_by("currency", "-valid_from")
        .values_list("currency", "rate")
    ):
        rates.setdefault(currency, rate)
    return rates


def _quota(period: Period, owner: int | None, team: int | None) -> Decimal | None:
    """The quota of the owner or team for the period: its own, else the sum of its months."""
    if owner is None and team is None:
        return None
    who = Q(user_id=owner) if owner is not None else Q(team_id=team)
    own = Quota.objects.filter(who, period=period.key).values_list("amount", flat=True).first()
    if own is not None:
        return Decimal(own)
    monthly = Quota.objects.filter(who, period__in=period.months()).aggregate(total=Sum("amount"))
    return Decimal(monthly["total"]) if monthly["total"] is not None else None


# --- the forecast -------------------------------------------------------------------------


@dataclass
class Forecast:
    period: Period
    currency: str
    closed_won: Decimal = Decimal(0)
    commit: Decimal = Decimal(0)
    best_case: Decimal = Decimal(0)
    pipeline: Decimal = Decimal(0)
    weighted: Decimal = Decimal(0)
    quota: Decimal | None = None
    deals: int = 0
    unconverted: list[str] = field(default_factory=list)

    @property
    def attainment(self) -> Decimal | None:
        """Closed won as a percentage of the quota."""
        if not self.quota:
            return None
        return (self.closed_won * 100 / self.quota).quantize(Decimal("0.1"))

    def as_dict(self) -> dict[str, Any]:
        return {
            "period": self.period.key,
            "start": self.period.start,
            "end": self.period.end,
            "currency": self.currency,
            "closed_won": self.closed_won,
            "commit": self.commit,
            "best_case": self.best_case,
            "pipeline": self.pipeline,
            "weighted": self.weighted,
            "quota": self.quota,
            "attainment": self.attainment,
            "deals": self.deals,
            "unconverted": self.unconverted,
        }


def _window(chosen: Period) -> Q:
    start = datetime.datetime.combine(chosen.start, datetime.time.min, tzinfo=datetime.UTC)
    end = datetime.datetime.combine(
        chosen.end + datetime.timedelta(days=1), datetime.time.min, tzinfo=datetime.UTC
    )
    won = Q(status=DealStatus.WON, closed_at__gte=start, closed_at__lt=end)
    expected = Q(
        status=DealStatus.OPEN, expected_close__gte=chosen.start, expected_close__lte=chosen.end
    )
    return won | expected


def _add(result: Forecast, rates: Mapping[str, Decimal], row: tuple[Any, ...]) -> None:
    status, amount, currency, probability, stage_probability = row
    rate = rates.get(currency)
    if rate is None:
        if currency not in result.unconverted:
            result.unconverted.append(currency)
        return
    value = Decimal(amount) * rate
    result.deals += 1
    if status == DealStatus.WON:
        result.closed_won += value
        return
    chance = stage_probability if probability is None else probability
    result.pipeline += value
    result.weighted += value * chance / 100
    if chance >= COMMIT:
        result.commit += value
    if chance >= BEST_CASE:
        result.best_case += value


def _finish(result: Forecast) -> Forecast:
    result.commit += result.closed_won
    result.best_case += result.closed_won
    for name in ("closed_won", "commit", "best_case", "pipeline", "weighted"):
        setattr(result, name, getattr(result, name).quantize(CENT, rounding=ROUND_HALF_EVEN))
    result.unconverted.sort()
    return result


COLUMNS = ("status", "amount", "currency", "probability", "stage__probability")


def forecast(
    user: Any, period: str, *, owner: int | None = None, team: int | None = None
) -> Forecast:
    chosen = parse_period(period)
    rates = rates_on(chosen.end)
    queryset = deals_for(user).filter(_window(chosen))
    if owner is not None:
        queryset = queryset.filter(owner_id=owner)
    if team is not None:
        queryset = queryset.filter(team_id=team)
    result = Forecast(period=chosen, currency=settings.ELO_BASE_CURRENCY)
    for row in queryset.values_list(*COLUMNS).order_by().iterator():
        _add(result, rates, row)
    result.quota = _quota(chosen, owner, team)
    return _finish(result)


def forecast_by_owner(user: Any, period: str, *, team: int | None = None) -> list[dict[str, Any]]:
    """One forecast per owner of the visible deals in the period, from one pass over them."""
    chosen = parse_period(period)
    rates = rates_on(chosen.end)
    queryset = deals_for(user).filter(_window(chosen))
    if team is not None:
        queryset = queryset.filter(team_id=team)
    results: dict[int, Forecast] = {}
    for owner_id, *row in queryset.values_list("owner_id", *COLUMNS).order_by().iterator():
        result = results.setdefault(
            owner_id, Forecast(period=chosen, currency=settings.ELO_BASE_CURRENCY)
        )
        _add(result, rates, tuple(row))
    people: Mapping[int, User] = User.objects.in_bulk(list(results))
    quotas = dict(
        Quota.objects.filter(user_id__in=list(results), period=chosen.key).values_list(
            "user_id", "amount"
        )
    )
    rows = []
    for pk, result in sorted(results.items(), key=lambda item: str(people[item[0]])):
        _finish(result)
        result.quota = quotas.get(pk)
        row = result.as_dict()
        row["owner"] = {"id": pk, "name": str(people[pk])}
        rows.append(row)
    return rows
