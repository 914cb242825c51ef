"""API schemas of leads: create, patch, read, convert and disqualify."""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import Any

from ninja import Field, Schema

from elo.contacts.schemas import UserRef, user_ref
from elo.sales.models import Lead


class LeadIn(Schema):
    given_name: str = ""
    family_name: str = ""
    email: str = ""
    phone: str = ""
    company: str = ""
    job_title: str = ""
    website: str = ""
    industry: str = ""
    size: str = ""
    country: str = ""
    region: str = ""
    city: str = ""
    postal_code: str = ""
    message: str = ""
    source: str = "api"
    utm_source: str = ""
    utm_medium: str = ""
    utm_campaign: str = ""
    utm_term: str = ""
    utm_content: str = ""
    score: int = 0
    owner: int | None = Field(None, description="Leave out to let the assignment rules choose")
    team: int | None = None
    tags: list[str] = []
    custom: dict[str, Any] = {}
    external_id: str = ""


class LeadPatch(Schema):
    given_name: str | None = None
    family_name: str | None = None
    email: str | None = None
    phone: str | None = None
    company: str | None = None
    job_title: str | None = None
    website: str | None = None
    industry: str | None = None
    size: str | None = None
    country: str | None = None
    region: str | None = None
    city: str | None = None
    postal_code: str | None = None
    message: str | None = None
    source: str | None = None
    status: str | None = Field(None, description="new, working or qualified")
    score: int | None = None
    owner: int | None = None
    team: int | None = None
    tags: list[str] | None = None
    custom: dict[str, Any] | None = None


class LeadOut(Schema):
    id: int
    given_name: str
    family_name: str
    email: str
    phone: str
    company: str
    job_title: str
    website: str
    industry: str
    size: str
    country: str
    region: str
    city: str
    postal_code: str
    message: str
    source: str
    utm_source: str
    utm_medium: str
    utm_campaign: str
    utm_term: str
    utm_content: str
    status: str
    disqualify_reason: str
    score: int
    owner: UserRef
    team: int | None
    tags: list[str]
    custom: dict[str, Any]
    person: int | None
    organization: int | None
    deal: int | None
    converted_at: datetime.datetime | None
    version: int
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def resolve_owner(obj: Lead) -> dict[str, Any] | None:
        return user_ref(obj.owner)

    @staticmethod
    def resolve_team(obj: Lead) -> int | None:
        return obj.team_id

    @staticmethod
    def resolve_tags(obj: Lead) -> list[str]:
        return [tag.name for tag in obj.tags.all()]

    @staticmethod
    def resolve_person(obj: Lead) -> int | None:
        return obj.person_id

    @staticmethod
    def resolve_organization(obj: Lead) -> int | None:
        return obj.organization_id

    @staticmethod
    def resolve_deal(obj: Lead) -> int | None:
        return obj.deal_id


class LeadList(Schema):
    next: str | None
    items: list[LeadOut]


class ConvertIn(Schema):
    create_deal: bool = False
    deal_title: str = ""
    amount: Decimal | None = None
    currency: str = ""
    pipeline: int | None = None


class DisqualifyIn(Schema):
    reason: str
