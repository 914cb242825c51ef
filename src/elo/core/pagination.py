"""Keyset (cursor) pagination over an ordering of one or more columns plus the primary key."""

from __future__ import annotations

import base64
import binascii
import datetime
import json
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext as _

T = TypeVar("T", bound=models.Model)


@dataclass
class Page(Generic[T]):
    items: list[T]
    next_cursor: str | None


def _encode(values: list[Any]) -> str:
    def plain(value: Any) -> Any:
        if isinstance(value, datetime.datetime):
            return {"dt": value.isoformat()}
        return value

    raw = json.dumps([plain(value) for value in values], separators=(",", ":"))
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def _decode(cursor: str, size: int) -> list[Any]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (ValueError, binascii.Error) as error:
        raise ValidationError(_("The cursor is not valid."), code="invalid_cursor") from error
    if not isinstance(values, list) or len(values) != size:
        raise ValidationError(_("The cursor is not valid."), code="invalid_cursor")
    decoded: list[Any] = []
    for value in values:
        if isinstance(value, dict) and "dt" in value:
            try:
                value = datetime.datetime.fromisoformat(value["dt"])
            except (TypeError, ValueError) as error:
                raise ValidationError(
                    _("The cursor is not valid."), code="invalid_cursor"
                ) from error
        decoded.append(value)
    return decoded


def _after(keys: list[str], values: list[Any]) -> models.Q:
    """Rows strictly after `values` in the lexicographic order of `keys` ('-' means descending)."""
    condition = models.Q()
    for index in range(len(keys) - 1, -1, -1):
        key = keys[index]
        name = key.lstrip("-")
        lookup = "lt" if key.startswith("-") else "gt"
        step = models.Q(**{f"{name}__{lookup}": values[index]})
        if index < len(keys) - 1:
            step |= models.Q(**{name: values[index]}) & condition
        condition = step
    return condition


def paginate(
    queryset: models.QuerySet[T], *, keys: list[str], cursor: str | None, size: int
) -> Page[T]:
    """One page of `queryset` ordered by `keys` (the last must be unique, e.g. "id")."""
    ordered = queryset.order_by(*keys)
    if cursor:
        ordered = ordered.filter(_after(keys, _decode(cursor, len(keys))))
    rows = list(ordered[: size + 1])
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1]
        next_cursor = _encode([getattr(last, key.lstrip("-")) for key in keys])
    return Page(items=rows, next_cursor=next_cursor)
