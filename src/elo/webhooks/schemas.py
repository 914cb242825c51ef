"""API schemas of webhook subscriptions, deliveries and attempts."""

from __future__ import annotations

import datetime
from typing import Any

from ninja import Field, Schema

from elo.contacts.schemas import UserRef, user_ref

CONDITIONS_HELP = (
    "A condition over the event payload (see the workflow conditions: all/any/not groups and "
    '{"field", "op", "value"} leaves); null delivers every event of the subscribed types'
)


class SubscriptionIn(Schema):
    url: str = Field(..., description="http(s) URL; internal addresses need an admin allow-list")
    event_types: list[str] = Field(
        ..., description='Event names or shell patterns, e.g. ["sales.deal.won", "contacts.*"]'
    )
    description: str = ""
    conditions: dict[str, Any] | None = Field(None, description=CONDITIONS_HELP)


class SubscriptionPatch(Schema):
    url: str | None = None
    event_types: list[str] | None = None
    description: str | None = None
    conditions: dict[str, Any] | None = Field(None, description=CONDITIONS_HELP)


class SubscriptionOut(Schema):
    id: int
    url: str
    description: str
    event_types: list[str]
    conditions: dict[str, Any] | None
    enabled: bool
    disabled_at: datetime.datetime | None
    disabled_reason: str
    failing_since: datetime.datetime | None = Field(
        None, description="Since when every attempt failed; null while deliveries succeed"
    )
    previous_secret_expires_at: datetime.datetime | None = Field(
        None, description="Until then deliveries are also signed with the previous secret"
    )
    owner: UserRef
    created_at: datetime.datetime
    updated_at: datetime.datetime
    version: int

    @staticmethod
    def resolve_owner(obj: Any) -> dict[str, Any] | None:
        return user_ref(obj.owner)


class SubscriptionWithSecret(SubscriptionOut):
    secret: str = Field(
        ..., description="The signing secret (whsec_...), shown only in this response"
    )


class SubscriptionList(Schema):
    next: str | None
    items: list[SubscriptionOut]


class AttemptOut(Schema):
    number: int
    started_at: datetime.datetime
    status_code: int | None
    duration_ms: int
    response_excerpt: str = Field(..., description="The first 1 KB of the response body")
    error: str


class DeliveryOut(Schema):
    id: int
    event_id: int
    event_name: str
    message_id: str = Field(..., description="The webhook-id header, the same on every attempt")
    status: str
    attempt_count: int
    next_attempt_at: datetime.datetime | None
    created_at: datetime.datetime
    finished_at: datetime.datetime | None
    payload: dict[str, Any]
    attempts: list[AttemptOut]

    @staticmethod
    def resolve_attempt_count(obj: Any) -> int:
        return int(obj.attempts)

    @staticmethod
    def resolve_attempts(obj: Any) -> list[Any]:
        return list(obj.attempt_set.all())


class DeliveryList(Schema):
    next: str | None
    items: list[DeliveryOut]


class RedeliverIn(Schema):
    delivery: int = Field(..., description="The id of the delivery to attempt again now")


class RotateSecretIn(Schema):
    grace_hours: int = Field(
        24, ge=0, le=168, description="How long the previous secret still signs deliveries"
    )
