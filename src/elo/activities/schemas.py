from __future__ import annotations

import datetime
from typing import Any, Literal

from ninja import Field, Schema

from elo.activities.models import Activity


class ActivityIn(Schema):
    kind: str = Field(..., description="note, task, call, meeting or email")
    subject: str = ""
    body: str = Field("", description="Markdown")
    person: int | None = None
    organization: int | None = None
    lead: int | None = None
    deal: int | None = None
    occurred_at: datetime.datetime | None = None
    due_at: datetime.datetime | None = None
    assignee: int | None = None
    direction: str = ""
    duration_seconds: int | None = None
    outcome: str = ""
    starts_at: datetime.datetime | None = None
    ends_at: datetime.datetime | None = None
    attendees: list[int] = []
    email_from: str = ""
    email_to: str = ""
    external_id: str = ""


class ActivityPatch(Schema):
    subject: str | None = None
    body: str | None = None
    person: int | None = None
    organization: int | None = None
    occurred_at: datetime.datetime | None = None
    due_at: datetime.datetime | None = None
    assignee: int | None = None
    direction: str | None = None
    duration_seconds: int | None = None
    outcome: str | None = None
    starts_at: datetime.datetime | None = None
    ends_at: datetime.datetime | None = None
    attendees: list[int] | None = None
    email_from: str | None = None
    email_to: str | None = None
    done: bool | None = None


class ActivityOut(Schema):
    id: int
    kind: str
    subject: str
    body: str
    body_html: str
    person: int | None
    organization: int | None
    lead: int | None
    deal: int | None
    occurred_at: datetime.datetime
    due_at: datetime.datetime | None
    done_at: datetime.datetime | None
    assignee: int | None
    direction: str
    duration_seconds: int | None
    outcome: str
    starts_at: datetime.datetime | None
    ends_at: datetime.datetime | None
    attendees: list[int]
    email_from: str
    email_to: str
    owner: int
    version: int
    created_at: datetime.datetime

    @staticmethod
    def resolve_person(obj: Activity) -> int | None:
        return obj.person_id

    @staticmethod
    def resolve_organization(obj: Activity) -> int | None:
        return obj.organization_id

    @staticmethod
    def resolve_lead(obj: Activity) -> int | None:
        return obj.lead_id

    @staticmethod
    def resolve_deal(obj: Activity) -> int | None:
        return obj.deal_id

    @staticmethod
    def resolve_assignee(obj: Activity) -> int | None:
        return obj.assignee_id

    @staticmethod
    def resolve_owner(obj: Activity) -> int:
        return obj.owner_id

    @staticmethod
    def resolve_attendees(obj: Activity) -> list[int]:
        return [person.pk for person in obj.attendees.all()]


class ActivityQuery(Schema):
    kind: str | None = None
    person: int | None = None
    organization: int | None = None
    lead: int | None = None
    deal: int | None = None
    assignee: int | None = None
    open: bool | None = None
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)


class CalendarExportQuery(Schema):
    kind: Literal["task", "meeting"] | None = None
    assignee: int | None = None
    open: bool | None = None


class ActivityList(Schema):
    next: str | None
    items: list[ActivityOut]


def patch_data(payload: ActivityPatch) -> dict[str, Any]:
    data = payload.dict(exclude_unset=True)
    data.pop("done", None)
    return data
