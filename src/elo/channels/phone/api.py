"""The phone channel's API: call events from telephony systems (public, signed) and the
screen-pop look-up of a caller (signed-in users)."""

from __future__ import annotations

import json
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema

from elo.channels.phone import selectors, services
from elo.channels.phone.choices import Provider
from elo.channels.phone.reports import read_generic, read_twilio
from elo.channels.phone.schemas import CallerCard, CallEventAccepted, CallEventIn
from elo.channels.phone.signatures import twilio_signature_valid
from elo.core import context
from elo.core.api import problem
from elo.core.ratelimit import over_limit
from elo.core.signatures import signature_valid

router = Router(tags=["channels"])

EVENT_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": CallEventIn.model_json_schema(by_alias=True)},
            "application/x-www-form-urlencoded": {
                "schema": {
                    "type": "object",
                    "description": "A Twilio Voice status callback, signed with"
                    " X-Twilio-Signature.",
                    "properties": {
                        name: {"type": "string"}
                        for name in (
                            "CallSid",
                            "From",
                            "To",
                            "Direction",
                            "CallStatus",
                            "CallDuration",
                            "Timestamp",
                            "RecordingUrl",
                        )
                    },
                }
            },
        },
    },
    "responses": {
        403: {"description": "The signature is missing or wrong, or no secret is configured."},
        413: {"description": "The body is larger than ELO_PHONE_MAX_BODY_BYTES."},
        429: {"description": "Too many requests from this address this minute."},
    },
}


def _refused() -> HttpResponse:
    return problem(403, "signature_invalid", _("The request's signature is not valid."))


def _body(request: HttpRequest) -> bytes | None:
    limit = settings.ELO_PHONE_MAX_BODY_BYTES
    try:
        declared = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        declared = 0
    if declared > limit:
        return None
    body = request.body
    return None if len(body) > limit else body


@router.post(
    "/channels/phone/events",
    auth=None,
    response={202: CallEventAccepted, 204: None},
    summary="Report a telephone call (a telephony system's webhook)",
    description=(
        "Public endpoint for telephony systems. A generic JSON event signed with"
        " `X-Elo-Signature: sha256=<hex HMAC-SHA256 of the body with the shared secret>`, or"
        " Twilio's Voice status callback signed with `X-Twilio-Signature`. Each call is logged"
        " once per call id; later events update it. The answer is the same whether or not the"
        " number belongs to someone. Refused (403) while no secret is configured."
    ),
    openapi_extra=EVENT_BODY,
)
def report_call(request: HttpRequest) -> Any:
    if over_limit(request, scope="phone-events", limit=settings.ELO_PHONE_RATE_LIMIT):
        return problem(429, "rate_limited", _("Too many requests; try again in a minute."))
    body = _body(request)
    if body is None:
        return problem(413, "too_large", _("The request is too large."))
    if "X-Twilio-Signature" in request.headers:
        params = [(key, value) for key, values in request.POST.lists() for value in values]
        url = settings.ELO_TWILIO_WEBHOOK_URL or request.build_absolute_uri()
        if not twilio_signature_valid(
            settings.ELO_TWILIO_AUTH_TOKEN, url, params, request.headers["X-Twilio-Signature"]
        ):
            return _refused()
        report = read_twilio(request.POST.dict())
    else:
        signature = request.headers.get("X-Elo-Signature", "")
        if not signature_valid(settings.ELO_PHONE_WEBHOOK_SECRET, body, signature):
            return _refused()
        try:
            data = json.loads(body)
        except ValueError:
            return problem(400, "invalid_json", _("The body is not valid JSON."))
        if not isinstance(data, dict):
            raise ValidationError(_("Send one JSON object."), code="invalid")
        report = read_generic(data)
    context.set_actor(context.Actor(kind="system", label=f"phone:{report.provider}"))
    services.call_event_record(report=report)
    if report.provider == Provider.TWILIO:
        return 204, None
    return 202, {"received": True, "call_id": report.call_id}


class PhoneLookupQuery(Schema):
    number: str


@router.get(
    "/lookup/phone",
    response=CallerCard,
    summary="Who is calling: the card of the person with this number (screen-pop)",
    description=(
        "The number is read in the site's default region unless it has a country code."
        " 404 when no person you can see has it."
    ),
)
def lookup_phone(request: HttpRequest, query: Query[PhoneLookupQuery]) -> dict[str, Any]:
    card = selectors.caller_card_for(request.user, query.number)
    if card is None:
        raise Http404
    return card
