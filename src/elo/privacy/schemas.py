"""API shapes of the consent ledger: input checks shape only, the services decide."""

from __future__ import annotations

import datetime

from ninja import Field, Schema

from elo.privacy.models import ConsentEvent, SubjectRequest


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


class SubjectRequestIn(Schema):
    person: int
    kind: str = Field(
        ..., description="access, portability, rectification, erasure, restriction or objection"
    )
    law: str = Field(..., description="lgpd (15 days) or gdpr (one month)")
    received_at: datetime.datetime | None = Field(None, description="Default: now.")
    notes: str = ""


class SubjectRequestPatch(Schema):
    status: str = Field(
        ...,
        description="identity_verified (with `identity_check`), in_progress, completed or rejected",
    )
    identity_check: str | None = Field(
        None, description="How the requester's identity was verified."
    )
    notes: str | None = None


class SubjectRequestOut(Schema):
    id: int
    person: int
    person_name: str
    kind: str
    law: str
    received_at: datetime.datetime
    due_at: datetime.datetime
    overdue: bool
    status: str
    identity_check: str
    verified_by: int | None
    verified_at: datetime.datetime | None
    notes: str
    bundle_built_at: datetime.datetime | None
    completed_at: datetime.datetime | None
    version: int
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def from_request(request: SubjectRequest) -> dict[str, object]:
        return {
            "id": request.pk,
            "person": request.person_id,
            "person_name": str(request.person),
            "kind": request.kind,
            "law": request.law,
            "received_at": request.received_at,
            "due_at": request.due_at,
            "overdue": request.is_overdue,
            "status": request.status,
            "identity_check": request.identity_check,
            "verified_by": request.verified_by_id,
            "verified_at": request.verified_at,
            "notes": request.notes,
            "bundle_built_at": request.bundle_built_at,
            "completed_at": request.completed_at,
            "version": request.version,
            "created_at": request.created_at,
            "updated_at": request.updated_at,
        }


class SubjectRequestList(Schema):
    items: list[SubjectRequestOut]
    next: str | None


class SubjectRequestQuery(Schema):
    status: str | None = None
    overdue: bool | None = None
    cursor: str | None = None
    limit: int | None = Field(None, ge=1)
