"""Provider payloads read into one shape, `CallReport`, that the services log.

Reading checks shape only (a ValidationError with field errors when a payload is unusable);
what a report means for the timeline is decided in `services`."""

from __future__ import annotations

import datetime
import email.utils
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.utils.translation import gettext as _

from elo.activities.choices import CallDirection
from elo.channels.phone.choices import CallStatus, Provider
from elo.core.dates import parse_moment

MAX_CALL_ID = 64


@dataclass
class CallReport:
    """What one provider event says about one call; None means "not said in this event"."""

    provider: str
    call_id: str
    direction: str = ""
    status: str = CallStatus.RINGING
    from_number: str = ""
    to_number: str = ""
    started_at: datetime.datetime | None = None
    answered_at: datetime.datetime | None = None
    ended_at: datetime.datetime | None = None
    duration_seconds: int | None = None
    recording_url: str = ""
    agent_email: str = ""


def _text(value: Any, limit: int) -> str:
    return str(value or "").strip()[:limit]


def _duration(value: Any, errors: dict[str, list[str]], name: str) -> int | None:
    if value in (None, ""):
        return None
    try:
        seconds = int(value)
        if seconds < 0 or seconds > 7 * 24 * 3600:
            raise ValueError
    except (TypeError, ValueError):
        errors[name] = [_("Enter a whole number of seconds, 0 or more.")]
        return None
    return seconds


def _recording(value: Any, errors: dict[str, list[str]], name: str) -> str:
    url = _text(value, 1000)
    if not url:
        return ""
    try:
        URLValidator(schemes=["https", "http"])(url)
        if len(url) > 500:
            raise ValidationError("too long")
    except ValidationError:
        errors[name] = [_("Enter a web address (https://…) of at most 500 characters.")]
        return ""
    return url


def _call_id(value: Any, errors: dict[str, list[str]], name: str) -> str:
    call_id = str(value or "").strip()
    if not call_id or len(call_id) > MAX_CALL_ID or not call_id.isprintable():
        errors[name] = [_("Give the call's id, at most 64 characters.")]
    return call_id


GENERIC_DIRECTIONS = {"inbound": CallDirection.INBOUND, "outbound": CallDirection.OUTBOUND}


def read_generic(data: Mapping[str, Any]) -> CallReport:
    """The generic JSON event: {call_id, direction, from, to, started_at, answered_at,
    ended_at, duration_seconds, outcome, recording_url, agent_email}."""
    errors: dict[str, list[str]] = {}
    call_id = _call_id(data.get("call_id"), errors, "call_id")
    direction = GENERIC_DIRECTIONS.get(str(data.get("direction") or ""))
    if direction is None:
        errors["direction"] = [_("Pick inbound or outbound.")]
    status = str(data.get("outcome") or CallStatus.RINGING)
    if status not in CallStatus.values:
        errors["outcome"] = [
            _("Pick one of: %(values)s.") % {"values": ", ".join(CallStatus.values)}
        ]
    moments: dict[str, datetime.datetime | None] = {}
    for name in ("started_at", "answered_at", "ended_at"):
        try:
            moments[name] = parse_moment(data.get(name)) if data.get(name) else None
        except ValidationError as error:
            errors[name] = error.messages
    report = CallReport(
        provider=Provider.GENERIC,
        call_id=call_id,
        direction=direction or "",
        status=status,
        from_number=_text(data.get("from"), 40),
        to_number=_text(data.get("to"), 40),
        duration_seconds=_duration(data.get("duration_seconds"), errors, "duration_seconds"),
        recording_url=_recording(data.get("recording_url"), errors, "recording_url"),
        agent_email=_text(data.get("agent_email"), 254),
        **moments,
    )
    if errors:
        raise ValidationError(errors)
    return report


def _twilio_moment(value: str) -> datetime.datetime | None:
    """Twilio's `Timestamp`, RFC 2822 ("Mon, 16 Aug 2010 03:45:01 +0000")."""
    if not value:
        return None
    try:
        moment = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=datetime.UTC)
    return moment


TERMINAL = {
    CallStatus.COMPLETED,
    CallStatus.BUSY,
    CallStatus.NO_ANSWER,
    CallStatus.FAILED,
    CallStatus.CANCELED,
}


def read_twilio(params: Mapping[str, str]) -> CallReport:
    """A Twilio Voice status callback (or the voice request itself): CallSid, From, To,
    Direction (inbound, outbound-api, outbound-dial), CallStatus, CallDuration, Timestamp,
    RecordingUrl."""
    errors: dict[str, list[str]] = {}
    call_id = _call_id(params.get("CallSid"), errors, "CallSid")
    raw_direction = str(params.get("Direction") or "")
    direction = (
        CallDirection.OUTBOUND if raw_direction.startswith("outbound") else CallDirection.INBOUND
    )
    status = str(params.get("CallStatus") or CallStatus.RINGING)
    if status == "initiated":
        status = CallStatus.QUEUED
    if status not in CallStatus.values:
        errors["CallStatus"] = [
            _("Pick one of: %(values)s.") % {"values": ", ".join(CallStatus.values)}
        ]
    moment = _twilio_moment(str(params.get("Timestamp") or ""))
    report = CallReport(
        provider=Provider.TWILIO,
        call_id=call_id,
        direction=direction,
        status=status,
        from_number=_text(params.get("From"), 40),
        to_number=_text(params.get("To"), 40),
        started_at=moment if status in (CallStatus.QUEUED, CallStatus.RINGING) else None,
        answered_at=moment if status == CallStatus.IN_PROGRESS else None,
        ended_at=moment if status in TERMINAL else None,
        duration_seconds=_duration(params.get("CallDuration"), errors, "CallDuration"),
        recording_url=_recording(params.get("RecordingUrl"), errors, "RecordingUrl"),
    )
    if errors:
        raise ValidationError(errors)
    return report
