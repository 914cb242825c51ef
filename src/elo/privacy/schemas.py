"""API shapes of the consent ledger: input checks shape only, the services decide."""

from __future__ import annotations

import datetime

from ninja import Field, Schema

from elo.privacy.models import ConsentEvent


class PurposeIn(Schema):
    key: str = Field(..., max_length=50)
    name: str = Field(..., max_length=100)
    description: str = ""
    consent_required: bool = True
    active: bool = True


class PurposePatch(Schema):
    name: str | None = Field(None, max_length=100)
    description: str | None = None
    consent_required: bool | None = None
    active: bool | None = None


class PurposeOut(Schema):
    id: int
    key: str
    name: str
    description: str
    consent_required: bool
    active: bool
    version: int


class PurposeList(Schema):
    items: list[PurposeOut]


class ConsentIn(Schema):
    person: int
    purpose: str = Field(..., description="The purpose's key, e.g. `marketing`.")
    channel: str = Field(..., description="email, sms, phone, whatsapp or post")
    action: str = Field(..., description="granted or withdrawn")
    basis: str = Field(
        "consent", description="consent, contract, legitimate_interest or legal_obligation"
    )
    source: str = Field("api", description="form, import, api or agent")
    text: str = Field("", description="The exact text shown to the person.")
    submission_id: str = ""
    ip_address: str | None = None
    user_agent: str = ""
    confirm_by_email: bool = Field(
        False,
        description="Double opt-in: record the email grant as pending and email the person"
        " a confirmation link (sources form and import).",
    )


class ConsentEventOut(Schema):
    id: int
    person: int
    purpose: str
    channel: str
    action: str
    basis: str
    source: str
    text: str
    submission_id: str
    ip_address: str | None
    user_agent: str
    confirmation_of: int | None
    actor_kind: str
    actor_user: int | None
    actor_label: str
    created_at: datetime.datetime

    @staticmethod
    def from_event(event: ConsentEvent) -> dict[str, object]:
        return {
            "id": event.pk,
            "person": event.person_id,
            "purpose": event.purpose.key,
            "channel": event.channel,
            "action": event.action,
            "basis": event.basis,
            "source": event.source,
            "text": event.text,
            "submission_id": event.submission_id,
            "ip_address": event.ip_address,
            "user_agent": event.user_agent,
            "confirmation_of": event.confirmation_of_id,
            "actor_kind": event.actor_kind,
            "actor_user": event.actor_user_id,
            "actor_label": event.actor_label,
            "created_at": event.created_at,
        }


class ConsentCellOut(Schema):
    purpose: str
    channel: str
    state: str = Field(..., description="granted, withdrawn, pending or unknown")
    allowed: bool
    basis: str | None
    source: str | None
    at: datetime.datetime | None
    event: int | None


class ConsentsOut(Schema):
    person: int
    matrix: list[ConsentCellOut]
    items: list[ConsentEventOut]
    next: str | None


class ConsentsQuery(Schema):
    person: int
    cursor: str | None = None
    limit: int | None = Field(None, ge=1)
