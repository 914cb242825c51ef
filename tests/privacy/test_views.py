"""The consent section of a person's page and the purposes settings pages."""

from __future__ import annotations

from typing import Any

from django.urls import reverse

from elo.privacy import selectors
from elo.privacy.models import ConsentEvent, ConsentPurpose


def test_person_page_loads_the_consent_section(web: Any, rep: Any, make_person: Any) -> None:
    person = make_person()
    page = web(rep).get(reverse("contacts:person_detail", args=[person.pk]))
    assert reverse("privacy:person_consents", args=[person.pk]).encode() in page.content


def test_agent_records_a_grant_and_sees_it_in_the_matrix(
    web: Any, rep: Any, make_person: Any
) -> None:
    person = make_person()
    url = reverse("privacy:person_consents", args=[person.pk])
    reply = web(rep).post(
        url,
        {
            "purpose": "marketing",
            "channel": "sms",
            "action": "granted",
            "basis": "consent",
            "text": "May we text you offers? Yes.",
        },
        headers={"HX-Request": "true"},
    )
    assert reply.status_code == 200
    html = reply.content.decode()
    assert 'data-channel="sms" data-state="granted"' in html
    event = ConsentEvent.objects.get(person=person)
    assert (event.source, event.actor_user_id, event.text) == (
        "agent",
        rep.pk,
        "May we text you offers? Yes.",
    )
    assert selectors.consent_allows(person.pk, "marketing", "sms")


def test_a_grant_without_the_text_is_refused_on_the_form(
    web: Any, rep: Any, make_person: Any
) -> None:
    person = make_person()
    reply = web(rep).post(
        reverse("privacy:person_consents", args=[person.pk]),
        {"purpose": "marketing", "channel": "email", "action": "granted", "basis": "consent"},
        headers={"HX-Request": "true"},
    )
    assert 'data-field-error="text"' in reply.content.decode()
    assert not ConsentEvent.objects.exists()


def test_reader_sees_the_matrix_but_cannot_record(
    web: Any, reader: Any, make_person: Any, rep: Any
) -> None:
    person = make_person()
    client = web(reader)
    url = reverse("privacy:person_consents", args=[person.pk])
    page = client.get(url)
    assert page.status_code == 200 and b"data-consent-matrix" in page.content
    assert b"<form" not in page.content
    reply = client.post(url, {"purpose": "marketing", "channel": "email", "action": "withdrawn"})
    assert reply.status_code == 403
    assert not ConsentEvent.objects.exists()


def test_outsider_cannot_see_the_section(web: Any, outsider: Any, make_person: Any) -> None:
    person = make_person()
    assert (
        web(outsider).get(reverse("privacy:person_consents", args=[person.pk])).status_code == 404
    )


def test_matrix_section_query_count(
    web: Any, rep: Any, make_person: Any, django_assert_max_num_queries: Any
) -> None:
    from elo.privacy import services

    person = make_person()
    for channel in ("email", "sms", "phone", "post"):
        services.consent_record(
            actor=rep,
            person=person,
            purpose="marketing",
            channel=channel,
            action="granted",
            text="Yes",
        )
    client = web(rep)
    url = reverse("privacy:person_consents", args=[person.pk])
    client.get(url)
    # session + user + role, the person, purposes, latest events
    with django_assert_max_num_queries(8) as captured:
        assert client.get(url).status_code == 200
    counted = len(captured.captured_queries)
    services.consent_record(
        actor=rep, person=person, purpose="profiling", channel="email", action="granted", text="Y"
    )
    with django_assert_max_num_queries(counted):
        client.get(url)


def test_purposes_settings_pages(web: Any, admin: Any) -> None:
    client = web(admin)
    assert (
        reverse("privacy:purpose_list").encode() in client.get(reverse("identity:settings")).content
    )
    listing = client.get(reverse("privacy:purpose_list"))
    assert b"Marketing" in listing.content
    reply = client.post(
        reverse("privacy:purpose_create"),
        {"key": "surveys", "name": "Surveys", "consent_required": "on", "active": "on"},
    )
    assert reply.status_code == 302
    purpose = ConsentPurpose.objects.get(key="surveys")
    reply = client.post(
        reverse("privacy:purpose_edit", args=[purpose.pk]),
        {"name": "Polls", "version": purpose.version},
    )
    assert reply.status_code == 302
    purpose.refresh_from_db()
    assert (purpose.name, purpose.active, purpose.consent_required) == ("Polls", False, False)
    stale = client.post(
        reverse("privacy:purpose_edit", args=[purpose.pk]), {"name": "Old", "version": 1}
    )
    assert stale.status_code == 200
    purpose.refresh_from_db()
    assert purpose.name == "Polls"


def test_purposes_settings_need_settings_manage(web: Any, rep: Any) -> None:
    assert web(rep).get(reverse("privacy:purpose_list")).status_code == 403


def test_the_purposes_page_costs_the_same_with_more_purposes(
    web: Any, admin: Any, django_assert_max_num_queries: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from elo.privacy import services

    client = web(admin)
    url = "/settings/consent-purposes/"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for number in range(8):
        services.purpose_create(
            actor=admin, data={"key": f"extra_{number}", "name": f"Extra {number}"}
        )
    with django_assert_max_num_queries(len(few)):
        assert "Extra 7" in client.get(url).content.decode()
