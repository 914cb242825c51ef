"""API shapes of the personal data access log."""

from __future__ import annotations

import datetime

from ninja import Field, Schema

from elo.privacy.models import PersonalDataAccess


class AccessLogQuery(Schema):
    user: int | None = Field(None, description="Only what this user (id) accessed.")
    person: int | None = Field(None, description="Only accesses to this person (id).")
    kind: str | None = Field(None, description="view, export or bundle")
    since: datetime.date | None = Field(None, description="From this day on (included).")
    until: datetime.date | None = Field(None, description="Up to this day (included).")
    cursor: str | None = None
    limit: int | None = Field(None, ge=1)


class AccessOut(Schema):
    id: int
    at: datetime.datetime
    user: int | None
    user_email: str | None
    kind: str = Field(..., description="view, export or bundle")
    what: str
    record_count: int
    person: int | None
    path: str
    ip_address: str | None

    @staticmethod
    def from_entry(entry: PersonalDataAccess) -> dict[str, object]:
        return {
            "id": entry.pk,
            "at": entry.at,
            "user": entry.user_id,
            "user_email": entry.user.email if entry.user else None,
            "kind": entry.kind,
            "what": entry.what,
            "record_count": entry.record_count,
            "person": entry.person_id,
            "path": entry.path,
            "ip_address": entry.ip_address,
        }


class AccessLogList(Schema):
    items: list[AccessOut]
    next: str | None
