"""Double opt-in by email (through a real SMTP server) and one-click withdrawal links."""

from __future__ import annotations

import datetime
import re
from typing import Any
from urllib.parse import urlsplit

import pytest
import time_machine
from django.core import signing
from django.test import Client
from django.urls import reverse

from elo.core.models import AuditEntry, OutboxEvent
from elo.privacy import selectors, services
from elo.privacy.models import ConsentEvent

TEXT = "Send me the monthly newsletter and offers."
BASE = "https://crm.example.com"


def _request_opt_in(person: Any) -> ConsentEvent:
    return services.consent_record(
        actor=None,
        person=person,
        purpose="marketing",
        channel="email",
        action="granted",
        source="form",
        text=TEXT,
        submission_id="form-42",
        ip_address="198.51.100.7",
        user_agent="FormBrowser/1",
        confirm_by_email=True,
        base_url=BASE,
    )


def _link_path(message: Any) -> str:
    body = message.get_body(preferencelist=("plain",)).get_content()
    url = re.search(r"https://crm\.example\.com/privacy/c/\S+", body)
    assert url, body
    return urlsplit(url.group(0)).path


def test_double_opt_in_confirmed_from_the_email(
    smtp: Any, make_person: Any, django_capture_on_commit_callbacks: Any
) -> None:
    person = make_person(emails=["maria@example.com"], preferred_language="pt-br")
    with django_capture_on_commit_callbacks(execute=True):
        pending = _request_opt_in(person)
    assert pending.action == "pending"
    assert not selectors.consent_allows(person.pk, "marketing", "email")
    assert len(smtp.messages) == 1
    message = smtp.messages[0]
    assert message["To"] == "maria@example.com"
    assert "One-Click" in message["List-Unsubscribe-Post"]
    assert "/privacy/w/" in message["List-Unsubscribe"]
    body = message.get_body(preferencelist=("plain",)).get_content()
    assert TEXT in body

    page = Client().get(_link_path(message), REMOTE_ADDR="192.0.2.44", HTTP_USER_AGENT="Mail/9")
    assert page.status_code == 200 and b'data-confirmed="yes"' in page.content
    confirmed = ConsentEvent.objects.filter(person=person).order_by("id").last()
    assert confirmed is not None
    assert (confirmed.action, confirmed.source, confirmed.confirmation_of_id) == (
        "granted",
        "email_link",
        pending.pk,
    )
    assert (confirmed.ip_address, confirmed.user_agent, confirmed.text) == (
        "192.0.2.44",
        "Mail/9",
        TEXT,
    )
    assert confirmed.submission_id == "form-42"
    assert confirmed.actor_kind == "customer"
    entry = AuditEntry.objects.filter(action="privacy.consent.granted").get()
    assert (entry.actor_kind, entry.object_id) == ("customer", str(person.pk))
    assert selectors.consent_allows(person.pk, "marketing", "email")
    assert OutboxEvent.objects.filter(name="privacy.consent.granted").count() == 1

    again = Client().get(_link_path(message))
    assert again.status_code == 200
    assert ConsentEvent.objects.filter(person=person).count() == 2


def test_confirmation_link_expires_and_forgeries_are_refused(
    smtp: Any, make_person: Any, django_capture_on_commit_callbacks: Any
) -> None:
    person = make_person(emails=["maria@example.com"])
    with django_capture_on_commit_callbacks(execute=True):
        _request_opt_in(person)
    path = _link_path(smtp.messages[0])
    assert Client().get(path[:-3] + "xyz/").status_code == 404
    forged = signing.dumps({"e": 1}, salt="someone else")
    assert Client().get(reverse("privacy:confirm", args=[forged])).status_code == 404
    with time_machine.travel(datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=8)):
        assert Client().get(path).status_code == 404
    assert not selectors.consent_allows(person.pk, "marketing", "email")


def test_withdrawal_after_request_makes_the_link_stale(
    smtp: Any, rep: Any, make_person: Any, django_capture_on_commit_callbacks: Any
) -> None:
    person = make_person(emails=["maria@example.com"])
    with django_capture_on_commit_callbacks(execute=True):
        _request_opt_in(person)
    services.consent_record(
        actor=rep, person=person, purpose="marketing", channel="email", action="withdrawn"
    )
    page = Client().get(_link_path(smtp.messages[0]))
    assert page.status_code == 410
    assert not selectors.consent_allows(person.pk, "marketing", "email")


def test_already_granted_sends_no_second_email(
    smtp: Any, rep: Any, make_person: Any, django_capture_on_commit_callbacks: Any
) -> None:
    person = make_person(emails=["maria@example.com"])
    services.consent_record(
        actor=rep, person=person, purpose="marketing", channel="email", action="granted", text="Y"
    )
    with django_capture_on_commit_callbacks(execute=True):
        _request_opt_in(person)
    assert smtp.messages == []
    assert ConsentEvent.objects.filter(person=person).count() == 1


@pytest.fixture
def granted(rep: Any, make_person: Any) -> Any:
    person = make_person(emails=["maria@example.com"])
    services.consent_record(
        actor=rep, person=person, purpose="marketing", channel="email", action="granted", text="Y"
    )
    return person


def test_withdrawal_page_asks_then_records(granted: Any) -> None:
    url = services.withdrawal_url(granted, "marketing", "email", BASE)
    assert url.startswith(BASE + "/privacy/w/")
    path = urlsplit(url).path
    client = Client(enforce_csrf_checks=True)
    page = client.get(path)
    assert page.status_code == 200 and b'data-withdrawn="no"' in page.content
    assert selectors.consent_allows(granted.pk, "marketing", "email")
    done = client.post(path, REMOTE_ADDR="192.0.2.9", HTTP_USER_AGENT="Browser/2")
    assert done.status_code == 200 and b'data-withdrawn="yes"' in done.content
    assert not selectors.consent_allows(granted.pk, "marketing", "email")
    event = ConsentEvent.objects.filter(person=granted).first()
    assert event is not None
    assert (event.action, event.source, event.ip_address, event.user_agent) == (
        "withdrawn",
        "email_link",
        "192.0.2.9",
        "Browser/2",
    )
    client.post(path)
    assert ConsentEvent.objects.filter(person=granted).count() == 2


def test_rfc_8058_one_click_post(granted: Any) -> None:
    path = urlsplit(services.withdrawal_url(granted, "marketing", "email", BASE)).path
    reply = Client(enforce_csrf_checks=True).post(
        path,
        "List-Unsubscribe=One-Click",
        content_type="application/x-www-form-urlencoded",
    )
    assert reply.status_code == 200
    assert not selectors.consent_allows(granted.pk, "marketing", "email")
    assert OutboxEvent.objects.filter(name="privacy.consent.withdrawn").count() == 1


def test_forged_and_expired_withdrawal_tokens_are_refused(granted: Any) -> None:
    token = services.withdrawal_token(granted, "marketing", "email")
    forged = signing.dumps({"p": granted.pk, "u": "marketing", "c": "email"}, salt="other")
    for bad in (token[:-2] + "zz", forged):
        assert Client().post(reverse("privacy:withdraw", args=[bad])).status_code == 404
    later = datetime.datetime.now(datetime.UTC) + datetime.timedelta(days=4 * 366)
    with time_machine.travel(later):
        assert Client().get(reverse("privacy:withdraw", args=[token])).status_code == 404
    assert selectors.consent_allows(granted.pk, "marketing", "email")
