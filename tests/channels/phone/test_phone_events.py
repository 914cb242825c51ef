"""Call events from telephony systems: the generic signed JSON webhook and Twilio's callbacks."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from pathlib import Path
from typing import Any
from urllib.parse import parse_qsl

import pytest
from django.core.cache import cache
from django.test import Client

from elo.activities.models import Activity
from elo.channels.phone.models import CallEvent
from elo.core.models import AuditEntry, OutboxEvent

pytestmark = pytest.mark.django_db

URL = "/api/v1/channels/phone/events"
SECRET = "whsec-test-4f1c"
TOKEN = "twilio-auth-token-12345"
FIXTURES = Path(__file__).parents[2] / "fixtures" / "phone"


@pytest.fixture(autouse=True)
def phone_settings(settings: Any) -> None:
    settings.ELO_DEFAULT_REGION = "BR"
    settings.ELO_PHONE_WEBHOOK_SECRET = SECRET
    settings.ELO_TWILIO_AUTH_TOKEN = TOKEN
    cache.clear()


def sign(body: bytes, secret: str = SECRET) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post_generic(data: dict[str, Any], signature: str | None = None) -> Any:
    body = json.dumps(data).encode()
    headers = {"X-Elo-Signature": signature if signature is not None else sign(body)}
    return Client().post(URL, body, content_type="application/json", headers=headers)


def twilio_signature(url: str, params: list[tuple[str, str]], token: str = TOKEN) -> str:
    """Computed as Twilio documents it: the full URL, then each POST parameter's name and
    value sorted by name, HMAC-SHA1 with the auth token, base64."""
    signed = url + "".join(name + value for name, value in sorted(params))
    return base64.b64encode(
        hmac.new(token.encode(), signed.encode(), hashlib.sha1).digest()
    ).decode()


def post_twilio(fixture: str, token: str = TOKEN) -> Any:
    body = (FIXTURES / fixture).read_text().strip()
    params = parse_qsl(body, keep_blank_values=True)
    signature = twilio_signature("http://testserver" + URL, params, token)
    return Client().post(
        URL,
        body,
        content_type="application/x-www-form-urlencoded",
        headers={"X-Twilio-Signature": signature},
    )


def generic_event(**changes: Any) -> dict[str, Any]:
    data = json.loads((FIXTURES / "generic_inbound.json").read_text())
    data.update(changes)
    return data


def test_the_twilio_signature_matches_twilios_documented_example() -> None:
    from elo.channels.phone.signatures import twilio_signature as ours

    params = {
        "CallSid": "CA1234567890ABCDE",
        "Caller": "+14158675310",
        "Digits": "1234",
        "From": "+14158675310",
        "To": "+18005551212",
    }
    url = "https://mycompany.com/myapp.php?foo=1&bar=2"
    assert ours("12345", url, params.items()) == "GvWf1cFY/Q7PnoempGyD5oXAezc="


def test_generic_inbound_call_lands_on_the_callers_timeline(rep: Any, make_person: Any) -> None:
    person = make_person(phones=["(11) 91234-5678"])
    response = post_generic(generic_event())
    assert response.status_code == 202
    assert response.json() == {"received": True, "call_id": "pbx-2026-000123"}
    call = CallEvent.objects.get()
    activity = Activity.objects.get(person=person)
    assert call.activity == activity and call.person == person
    assert (activity.kind, activity.direction, activity.outcome) == ("call", "inbound", "connected")
    assert activity.duration_seconds == 192
    assert activity.assignee == rep and activity.owner == rep
    assert activity.occurred_at.isoformat() == "2026-03-02T14:05:00+00:00"
    assert "https://pbx.example.com/recordings/pbx-2026-000123.mp3" in activity.body
    assert call.customer_number == "+5511912345678"
    assert call.recording_url.endswith("pbx-2026-000123.mp3")
    event = OutboxEvent.objects.get(name="channels_phone.call.logged")
    assert event.payload["person"] == person.pk and event.payload["first"] is True
    assert AuditEntry.objects.filter(
        action="channels_phone.call.logged", actor_label="phone:generic"
    ).exists()


def test_outbound_call_is_matched_on_the_number_called(make_person: Any) -> None:
    person = make_person(phones=["+351912345678"])
    post_generic(
        generic_event(
            call_id="out-1", direction="outbound", **{"from": "+551130031000"}, to="+351912345678"
        )
    )
    assert Activity.objects.get().person == person


@pytest.mark.parametrize(
    "signature",
    [
        pytest.param("", id="missing"),
        pytest.param("sha256=" + "0" * 64, id="wrong"),
        pytest.param(None, id="other-secret"),
    ],
)
def test_badly_signed_generic_events_change_nothing(signature: str | None) -> None:
    body = json.dumps(generic_event()).encode()
    value = sign(body, "not-the-secret") if signature is None else signature
    response = Client().post(
        URL, body, content_type="application/json", headers={"X-Elo-Signature": value}
    )
    assert response.status_code == 403
    assert response.json()["code"] == "signature_invalid"
    assert not CallEvent.objects.exists()


def test_events_are_refused_while_no_secret_is_set(settings: Any) -> None:
    settings.ELO_PHONE_WEBHOOK_SECRET = ""
    body = json.dumps(generic_event()).encode()
    response = Client().post(
        URL, body, content_type="application/json", headers={"X-Elo-Signature": sign(body, "")}
    )
    assert response.status_code == 403
    assert not CallEvent.objects.exists()


def test_the_same_event_twice_is_logged_once(make_person: Any) -> None:
    make_person(phones=["+5511912345678"])
    assert post_generic(generic_event()).status_code == 202
    assert post_generic(generic_event()).status_code == 202
    assert CallEvent.objects.count() == 1
    assert Activity.objects.count() == 1
    assert OutboxEvent.objects.filter(name="channels_phone.call.logged").count() == 1


def test_later_events_update_the_same_call(make_person: Any) -> None:
    person = make_person(phones=["+5511912345678"])
    ringing = generic_event(outcome="ringing", duration_seconds=None, recording_url="")
    for name in ("answered_at", "ended_at"):
        ringing.pop(name)
    post_generic(ringing)
    activity = Activity.objects.get(person=person)
    assert (activity.outcome, activity.duration_seconds) == ("", None)
    post_generic(generic_event())
    activity.refresh_from_db()
    assert (activity.outcome, activity.duration_seconds, activity.version) == ("connected", 192, 2)
    # A late "ringing" does not undo the completed call.
    post_generic(ringing)
    call = CallEvent.objects.get()
    assert call.status == "completed"
    assert Activity.objects.count() == 1


@pytest.mark.parametrize(
    ("status", "outcome"),
    [
        ("completed", "connected"),
        ("busy", "busy"),
        ("no-answer", "no_answer"),
        ("canceled", "no_answer"),
        ("failed", ""),
    ],
)
def test_provider_statuses_map_to_call_outcomes(
    make_person: Any, status: str, outcome: str
) -> None:
    make_person(phones=["+5511912345678"])
    post_generic(generic_event(outcome=status))
    assert Activity.objects.get().outcome == outcome


def test_an_unknown_number_is_logged_without_a_person_and_the_answer_is_the_same(
    make_person: Any,
) -> None:
    make_person(phones=["+5511912345678"])
    known = post_generic(generic_event())
    unknown = post_generic(generic_event(call_id="pbx-2", **{"from": "+5521998887777"}))
    assert unknown.status_code == known.status_code == 202
    assert set(unknown.json()) == set(known.json())
    call = CallEvent.objects.get(call_id="pbx-2")
    assert call.person is None and call.activity is None
    assert call.customer_number == "+5521998887777"
    assert Activity.objects.count() == 1


def test_invalid_fields_are_reported_after_the_signature(make_person: Any) -> None:
    response = post_generic({"call_id": "", "direction": "sideways", "duration_seconds": -3})
    assert response.status_code == 422
    fields = {error["field"] for error in response.json()["errors"]}
    assert fields == {"call_id", "direction", "duration_seconds"}
    assert not CallEvent.objects.exists()


def test_a_too_large_body_is_refused(settings: Any) -> None:
    settings.ELO_PHONE_MAX_BODY_BYTES = 200
    response = post_generic(generic_event(recording_url="https://x.example/" + "a" * 300))
    assert response.status_code == 413
    assert not CallEvent.objects.exists()


def test_too_many_requests_from_one_address_are_refused(settings: Any) -> None:
    settings.ELO_PHONE_RATE_LIMIT = 2
    codes = [post_generic(generic_event(), signature="bad").status_code for _ in range(3)]
    assert codes == [403, 403, 429]


def test_twilio_ringing_then_completed_updates_one_call(make_person: Any) -> None:
    person = make_person(phones=["+14158675310"])
    assert post_twilio("twilio_inbound_ringing.txt").status_code == 204
    activity = Activity.objects.get(person=person)
    assert (activity.direction, activity.outcome, activity.duration_seconds) == (
        "inbound",
        "",
        None,
    )
    assert activity.occurred_at.isoformat() == "2010-08-16T03:45:01+00:00"
    assert post_twilio("twilio_inbound_completed.txt").status_code == 204
    call = CallEvent.objects.get()
    activity.refresh_from_db()
    assert (call.provider, call.call_id) == ("twilio", "CA42ed11f93dc08b952027ffbc406d0868")
    assert (call.status, call.duration_seconds) == ("completed", 83)
    assert call.from_number == "+14158675310" and call.to_number == "+15017122661"
    assert call.ended_at is not None and call.ended_at.isoformat() == "2010-08-16T03:46:27+00:00"
    assert (activity.outcome, activity.duration_seconds) == ("connected", 83)
    assert call.recording_url in activity.body
    assert Activity.objects.count() == 1


def test_twilio_outbound_api_call_is_outbound_and_matched_on_to(make_person: Any) -> None:
    person = make_person(phones=["+351212345678"])
    post_twilio("twilio_outbound_busy.txt")
    activity = Activity.objects.get()
    assert (activity.person, activity.direction, activity.outcome) == (person, "outbound", "busy")


def test_twilio_callback_with_a_wrong_signature_changes_nothing(make_person: Any) -> None:
    make_person(phones=["+14158675310"])
    assert post_twilio("twilio_inbound_ringing.txt", token="someone-elses").status_code == 403
    assert not CallEvent.objects.exists()


def test_twilio_callback_is_refused_without_an_auth_token(settings: Any) -> None:
    settings.ELO_TWILIO_AUTH_TOKEN = ""
    assert post_twilio("twilio_inbound_ringing.txt", token="").status_code == 403
    assert not CallEvent.objects.exists()


def test_a_tampered_twilio_parameter_breaks_the_signature(make_person: Any) -> None:
    body = (FIXTURES / "twilio_inbound_completed.txt").read_text().strip()
    params = parse_qsl(body, keep_blank_values=True)
    signature = twilio_signature("http://testserver" + URL, params)
    response = Client().post(
        URL,
        body.replace("CallDuration=83", "CallDuration=9999"),
        content_type="application/x-www-form-urlencoded",
        headers={"X-Twilio-Signature": signature},
    )
    assert response.status_code == 403
    assert not CallEvent.objects.exists()


def test_twilio_signature_uses_the_configured_public_url(settings: Any, make_person: Any) -> None:
    """Behind a proxy, Elo checks the signature against the URL Twilio was told to call."""
    public = "https://crm.example.com/api/v1/channels/phone/events"
    settings.ELO_TWILIO_WEBHOOK_URL = public
    body = (FIXTURES / "twilio_inbound_ringing.txt").read_text().strip()
    params = parse_qsl(body, keep_blank_values=True)
    response = Client().post(
        URL,
        body,
        content_type="application/x-www-form-urlencoded",
        headers={"X-Twilio-Signature": twilio_signature(public, params)},
    )
    assert response.status_code == 204
    assert CallEvent.objects.get().call_id == "CA42ed11f93dc08b952027ffbc406d0868"
    assert post_twilio("twilio_inbound_ringing.txt").status_code == 403
