"""Reads of the personal data access log for the data protection officer: newest first,
filtered by user, person, kind and date range. The same filter serves the page, its CSV
download and the API."""

from __future__ import annotations

import datetime
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _

from elo.core.pagination import Page, paginate
from elo.core.permissions import require
from elo.privacy.choices import AccessKind
from elo.privacy.models import PersonalDataAccess

ORDER = ["-at", "-id"]
CSV_CHUNK = 2000


@dataclass(frozen=True)
class AccessLogFilter:
    """Which entries to show: by `user` id, `person` id, `kind`, and the days `since` to
    `until` (both included, in the site's time zone)."""

    user: int | None = None
    person: int | None = None
    kind: str = ""
    since: datetime.date | None = None
    until: datetime.date | None = None

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> AccessLogFilter:
        """The filter from query parameters; raises ValidationError naming each bad one."""
        errors: dict[str, list[str]] = {}

        def number(name: str) -> int | None:
            raw = str(params.get(name) or "").strip()
            if not raw:
                return None
            if not raw.isdigit():
                errors[name] = [_("Enter a whole number.")]
                return None
            return int(raw)

        def day(name: str) -> datetime.date | None:
            raw = params.get(name)
            if isinstance(raw, datetime.date):
                return raw
            text = str(raw or "").strip()
            if not text:
                return None
            try:
                return datetime.date.fromisoformat(text)
            except ValueError:
                errors[name] = [_("Enter a date like 2026-01-31.")]
                return None

        kind = str(params.get("kind") or "").strip()
        if kind and kind not in AccessKind.values:
            errors["kind"] = [_("Pick a kind from the list.")]
        found = cls(
            user=number("user"),
            person=number("person"),
            kind=kind,
            since=day("since"),
            until=day("until"),
        )
        if found.since and found.until and found.since > found.until:
            errors["until"] = [_("The end date is before the start date.")]
        if errors:
            raise ValidationError(errors)
        return found


def _start_of(day: datetime.date) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime.combine(day, datetime.time.min))


def access_log_for(user: Any, filters: AccessLogFilter) -> models.QuerySet[PersonalDataAccess]:
    """Every entry matching `filters`; only those who manage settings read the log."""
    require(user, "settings.manage")
    queryset = PersonalDataAccess.objects.select_related("user", "person")
    if filters.user is not None:
        queryset = queryset.filter(user_id=filters.user)
    if filters.person is not None:
        queryset = queryset.filter(person_id=filters.person)
    if filters.kind:
        queryset = queryset.filter(kind=filters.kind)
    if filters.since:
        queryset = queryset.filter(at__gte=_start_of(filters.since))
    if filters.until:
        queryset = queryset.filter(at__lt=_start_of(filters.until + datetime.timedelta(days=1)))
    return queryset


def access_log_page(
    user: Any, filters: AccessLogFilter, *, cursor: str | None = None, size: int = 50
) -> Page[PersonalDataAccess]:
    """One page of the log, newest first."""
    return paginate(access_log_for(user, filters), keys=ORDER, cursor=cursor, size=size)


def access_log_rows(user: Any, filters: AccessLogFilter) -> Iterator[list[Any]]:
    """The header and rows of the filtered log for a CSV download, newest first, read a
    chunk at a time. The permission is checked now."""
    queryset = access_log_for(user, filters)
    return _rows(queryset)


def _rows(queryset: models.QuerySet[PersonalDataAccess]) -> Iterator[list[Any]]:
    yield ["at", "user_id", "user", "kind", "what", "records", "person_id", "path", "ip_address"]
    cursor: str | None = None
    while True:
        page = paginate(queryset, keys=ORDER, cursor=cursor, size=CSV_CHUNK)
        for entry in page.items:
            yield [
                entry.at.isoformat(),
                entry.user_id or "",
                entry.user.email if entry.user else "",
                entry.kind,
                entry.what,
                entry.record_count,
                entry.person_id or "",
                entry.path,
                entry.ip_address or "",
            ]
        if page.next_cursor is None:
            return
        cursor = page.next_cursor
