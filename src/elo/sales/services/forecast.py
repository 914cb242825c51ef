"""Exchange rates and quotas: the settings the forecast reads (see elo.sales.forecast)."""

from __future__ import annotations

import datetime
from decimal import ROUND_HALF_EVEN, Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from elo.core import audit, events
from elo.core.permissions import require
from elo.identity.models import Team, User
from elo.sales.forecast import CENT, parse_period
from elo.sales.models import ExchangeRate, Quota


def rate_set(*, actor: Any, currency: str, rate: Any, valid_from: Any) -> ExchangeRate:
    require(actor, "sales.configure")
    errors: dict[str, list[str]] = {}
    code = str(currency or "").strip().upper()
    if len(code) != 3 or not code.isalpha():
        errors["currency"] = [_("Use a three-letter currency code (BRL, EUR, USD).")]
    elif code == settings.ELO_BASE_CURRENCY:
        errors["currency"] = [_("The base currency is always worth 1.")]
    try:
        value = Decimal(str(rate).strip().replace(",", "."))
        if not value.is_finite() or value <= 0:
            raise InvalidOperation
    except (InvalidOperation, ValueError):
        errors["rate"] = [_("Enter a rate above 0, like 5.4321.")]
        value = Decimal(0)
    day = valid_from if isinstance(valid_from, datetime.date) else None
    if day is None:
        try:
            day = datetime.date.fromisoformat(str(valid_from))
        except ValueError:
            errors["valid_from"] = [_("Enter a date like 2026-12-31.")]
    if errors:
        raise ValidationError(errors)
    assert day is not None
    with transaction.atomic():
        found, _created = ExchangeRate.objects.update_or_create(
            currency=code, valid_from=day, defaults={"rate": value}
        )
        audit.record(
            action="sales.exchange_rate.set",
            instance=found,
            changes={"currency": code, "rate": str(value), "valid_from": day.isoformat()},
        )
        events.emit("sales.exchange_rate.set", {"currency": code, "valid_from": day.isoformat()})
    return found


def rates_import(*, actor: Any, stream: Any) -> int:
    """Loads rates from CSV with the columns currency, rate, valid_from (a bank's export
    reshaped, or Elo's own list): all rows or none; every bad row is reported by line."""
    import csv

    require(actor, "sales.configure")
    reader = csv.DictReader(stream)
    missing = {"currency", "rate", "valid_from"} - set(reader.fieldnames or [])
    if missing:
        raise ValidationError(
            {"file": [_("The file needs the columns currency, rate and valid_from.")]}
        )
    problems: list[str] = []
    count = 0
    with transaction.atomic():
        for line, row in enumerate(reader, start=2):
            try:
                with transaction.atomic():
                    rate_set(
                        actor=actor,
                        currency=row["currency"],
                        rate=row["rate"],
                        valid_from=row["valid_from"],
                    )
                count += 1
            except ValidationError as error:
                messages = "; ".join(error.messages)
                problems.append(_("Line %(line)d: %(errors)s") % {"line": line, "errors": messages})
        if problems:
            transaction.set_rollback(True)
            raise ValidationError({"file": problems})
    return count


def quota_set(
    *, actor: Any, period: str, amount: Any, user: User | None = None, team: Team | None = None
) -> Quota | None:
    """Sets (or with an empty amount removes) the quota of one user or one team."""
    require(actor, "sales.configure")
    chosen = parse_period(period)
    if (user is None) == (team is None):
        raise ValidationError({"user": [_("Pick a user or a team.")]})
    value: Decimal | None = None
    if amount not in (None, ""):
        try:
            value = Decimal(str(amount)).quantize(CENT, rounding=ROUND_HALF_EVEN)
            if value < 0:
                raise InvalidOperation
        except (InvalidOperation, ValueError) as error:
            raise ValidationError({"amount": [_("Enter an amount of 0 or more.")]}) from error
    with transaction.atomic():
        lookup: dict[str, Any] = {"user": user, "team": team, "period": chosen.key}
        if value is None:
            Quota.objects.filter(**lookup).delete()
            found = None
        else:
            found, _created = Quota.objects.update_or_create(**lookup, defaults={"amount": value})
        audit.record(
            action="sales.quota.set",
            target_type="sales.quota",
            target_id=f"{'user' if user else 'team'}:{(user or team).pk}:{chosen.key}",  # type: ignore[union-attr]
            changes={"period": chosen.key, "amount": str(value) if value is not None else None},
        )
    return found
