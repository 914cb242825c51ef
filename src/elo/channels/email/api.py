"""The email channel's inbound endpoint, for mail providers that push messages: the raw
RFC 5322 message is the body, signed with the shared secret instead of a user token."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema

from elo.channels.email import services
from elo.core import context
from elo.core.api import problem
from elo.core.ratelimit import over_limit
from elo.core.signatures import signature_valid

router = Router(tags=["channels"])
INBOUND_ACTOR = context.Actor(kind="system", label="email inbound endpoint")


class InboundOut(Schema):
    status: str
    message_id: str


def _rate_limited(request: HttpRequest) -> bool:
    return over_limit(request, scope="email-inbound", limit=settings.ELO_EMAIL_INBOUND_PER_MINUTE)


@router.post(
    "/channels/email/inbound",
    auth=None,
    response={202: InboundOut},
    summary="Receive one raw email message (signed)",
    description=(
        "The body is one RFC 5322 message (`Content-Type: message/rfc822`), signed with the"
        " shared secret: `X-Elo-Signature: sha256=<hex of HMAC-SHA256(body)>`. The answer is"
        " the same whether or not the sender is known; a message sent twice is stored once."
    ),
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"message/rfc822": {"schema": {"type": "string", "format": "binary"}}},
        },
        "responses": {
            401: {"description": "Missing or wrong signature, or no secret configured."},
            413: {"description": "The message is larger than the limit."},
            429: {"description": "Too many messages from this address; try again later."},
        },
    },
)
def receive_inbound(request: HttpRequest) -> Any:
    if _rate_limited(request):
        return problem(429, "rate_limited", _("Too many requests."), headers={"Retry-After": "60"})
    limit = settings.ELO_EMAIL_MAX_MESSAGE_BYTES
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return _too_large()
    raw = request.read(limit + 1)
    if len(raw) > limit:
        return _too_large()
    secret = settings.ELO_EMAIL_INBOUND_SECRET
    if not signature_valid(secret, raw, request.headers.get("X-Elo-Signature", "")):
        return problem(401, "bad_signature", _("The signature is missing or wrong."))
    actor = services.ingest_actor()
    if actor is None or not raw.strip():
        return problem(
            503 if actor is None else 400,
            "not_configured" if actor is None else "empty",
            _("Mail cannot be taken in now.") if actor is None else _("The message is empty."),
        )
    with context.acting(INBOUND_ACTOR):
        result = services.email_ingest(actor=actor, raw=raw, via="api")
    return 202, {"status": "accepted", "message_id": result.message_id}


def _too_large() -> HttpResponse:
    return problem(413, "too_large", _("The message is larger than the limit."))
