from __future__ import annotations

import datetime

from ninja import Schema
from pydantic import Field


class CallEventIn(Schema):
    """The generic call event a telephony system sends (documentation only: the endpoint
    reads the raw body, whose signature it checks first)."""

    call_id: str
    direction: str
    from_: str = Field("", alias="from")
    to: str = ""
    started_at: datetime.datetime | None = None
    answered_at: datetime.datetime | None = None
    ended_at: datetime.datetime | None = None
    duration_seconds: int | None = None
    outcome: str = "ringing"
    recording_url: str = ""
    agent_email: str = ""


class CallEventAccepted(Schema):
    received: bool
    call_id: str


class CallerOrganization(Schema):
    id: int
    name: str


class CallerOwner(Schema):
    id: int
    name: str
    email: str


class CallerLastActivity(Schema):
    id: int
    kind: str
    subject: str
    occurred_at: datetime.datetime


class CallerCard(Schema):
    id: int
    name: str
    number: str
    organization: CallerOrganization | None
    owner: CallerOwner
    primary_email: str
    open_deals: int
    last_activity: CallerLastActivity | None
