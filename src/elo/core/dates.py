from __future__ import annotations

import datetime
from typing import Any

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _


def parse_moment(value: Any) -> datetime.datetime | None:
    """A timezone-aware datetime from a datetime, a date or an ISO 8601 string ("Z" allowed)."""
    if value in (None, ""):
        return None
    if isinstance(value, datetime.datetime):
        moment = value
    elif isinstance(value, datetime.date):
        moment = datetime.datetime.combine(value, datetime.time(9, 0))
    else:
        try:
            moment = datetime.datetime.fromisoformat(str(value).strip())
        except ValueError as error:
            raise ValidationError(
                _("Enter a date and time like 2026-03-01 14:30."), code="invalid_datetime"
            ) from error
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment
