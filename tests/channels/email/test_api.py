"""POST /api/v1/channels/email/inbound: signed raw messages from a mail provider."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.core.cache import cache
from django.test import Client

from elo.channels.email.models import EmailMessage
from elo.core.models import AuditEntry
from elo.core.signatures import sign
from elo.sales.models import Lead

URL = "/api/v1/channels/email/inbound"
SECRET = "inbound-test-secret"
Eml = Callable[[str], bytes]


@pytest.fixture(autouse=True)
def fresh_rate_limit() -> Any:
    cache.clear()
    yield
    cache.clear()


def post(body: bytes, signature: str | None = None, **headers: str) -> Any:
    if signature is not None:
        headers["X-Elo-Signature"] = signature
    return Client().post(URL, data=body, content_type="message/rfc822", headers=headers)


def test_signed_message_is_accepted_and_filed(admin: Any, make_person: Any, eml: Eml) -> None:
    ana = make_person(given_name="Ana", emails=["ana.souza@cliente.com.br"])
    body = eml("thread_1.eml")

    response = post(body, sign(SECRET, body))

    assert response.status_code == 202
    assert response.json() == {
        "status": "accepted",
        "message_id": "thread-1.9f8e@mail.cliente.com.br",
    }
    message = EmailMessage.objects.get()
    assert (message.via, message.activity.person_id) == ("api", ana.pk)
    entry = AuditEntry.objects.get(action="channels_email.message.received")
    assert (entry.actor_kind, entry.actor_label) == ("system", "email inbound endpoint")


def test_answer_does_not_say_whether_the_sender_is_known(
    admin: Any, make_person: Any, eml: Eml, settings: Any
) -> None:
    settings.ELO_EMAIL_UNKNOWN_SENDER = "ignore"
    known, unknown = eml("thread_1.eml"), eml("portuguese_latin1_qp.eml")
    make_person(given_name="Ana", emails=["ana.souza@cliente.com.br"])

    answers = [post(body, sign(SECRET, body)) for body in (known, unknown, known)]

    assert [answer.status_code for answer in answers] == [202, 202, 202]
    assert [sorted(answer.json()) for answer in answers] == [["message_id", "status"]] * 3
    assert [answer.json()["status"] for answer in answers] == ["accepted"] * 3
    assert EmailMessage.objects.count() == 1


@pytest.mark.parametrize(
    "signature",
    [None, "", "sha256=" + "0" * 64, "sha256=deadbeef", sign("another-secret", b"x")],
    ids=["missing", "empty", "wrong", "short", "other-secret"],
)
def test_bad_or_missing_signature_is_refused(admin: Any, eml: Eml, signature: Any) -> None:
    response = post(eml("portuguese_latin1_qp.eml"), signature)

    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "bad_signature"
    assert (EmailMessage.objects.count(), Lead.objects.count()) == (0, 0)


def test_signature_of_another_body_is_refused(admin: Any, eml: Eml) -> None:
    body = eml("portuguese_latin1_qp.eml")

    response = post(body + b"\n", sign(SECRET, body))

    assert response.status_code == 401
    assert Lead.objects.count() == 0


def test_without_a_configured_secret_everything_is_refused(
    admin: Any, eml: Eml, settings: Any
) -> None:
    settings.ELO_EMAIL_INBOUND_SECRET = ""
    body = eml("portuguese_latin1_qp.eml")

    assert post(body, sign("", body)).status_code == 401
    assert Lead.objects.count() == 0


def test_message_over_the_size_limit_gets_413(admin: Any, eml: Eml, settings: Any) -> None:
    settings.ELO_EMAIL_MAX_MESSAGE_BYTES = 400
    body = eml("portuguese_latin1_qp.eml")
    assert len(body) > 400

    response = post(body, sign(SECRET, body))

    assert response.status_code == 413
    assert response.json()["code"] == "too_large"
    assert Lead.objects.count() == 0


def test_default_limit_takes_a_message_past_django_upload_limit(
    admin: Any, make_person: Any, settings: Any
) -> None:
    make_person(given_name="Ana", emails=["ana@cliente.com.br"])
    body = (
        b"From: ana@cliente.com.br\r\nTo: v@elo.example\r\nSubject: big\r\nMessage-ID: <big@x>\r\n"
        b"Content-Type: text/plain\r\n\r\n" + b"a" * 3_000_000 + b"\r\n"
    )
    assert len(body) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE

    assert post(body, sign(SECRET, body)).status_code == 202
    assert EmailMessage.objects.get().size == len(body)


def test_too_many_requests_are_limited(admin: Any, eml: Eml, settings: Any) -> None:
    settings.ELO_EMAIL_INBOUND_PER_MINUTE = 2
    body = eml("portuguese_latin1_qp.eml")

    codes = [post(body, sign(SECRET, body)).status_code for _ in range(3)]

    assert codes == [202, 202, 429]


def test_no_acting_user_is_a_service_error(db: Any, eml: Eml) -> None:
    body = eml("portuguese_latin1_qp.eml")

    response = post(body, sign(SECRET, body))

    assert response.status_code == 503
    assert Lead.objects.count() == 0


def test_endpoint_query_count_stays_flat(
    admin: Any, make_person: Any, eml: Eml, django_assert_max_num_queries: Any
) -> None:
    for number in range(30):
        make_person(given_name=f"P{number}", emails=[f"p{number}@cliente.com.br"])
    make_person(given_name="Ana", emails=["ana.souza@cliente.com.br"])
    post(eml("thread_1.eml"), sign(SECRET, eml("thread_1.eml")))
    body = eml("thread_3.eml")

    with django_assert_max_num_queries(21):
        assert post(body, sign(SECRET, body)).status_code == 202
