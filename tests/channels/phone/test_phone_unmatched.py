"""The "Unmatched calls" page: calls whose number belongs to nobody, and linking one."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.urls import reverse

from elo.activities.models import Activity
from elo.channels.phone.models import CallEvent, PhonePreference
from elo.channels.phone.reports import CallReport
from elo.channels.phone.services import call_event_record
from elo.core.models import OutboxEvent

pytestmark = pytest.mark.django_db

LIST = reverse("channels_phone:unmatched_calls")


def unknown_call(index: int, **changes: Any) -> CallEvent:
    values: dict[str, Any] = {
        "provider": "generic",
        "call_id": f"call-{index}",
        "direction": "inbound",
        "status": "completed",
        "from_number": f"+55219988877{index:02d}",
        "to_number": "+551130031000",
        "started_at": datetime.datetime(2026, 3, 1, 9, 0, tzinfo=datetime.UTC)
        + datetime.timedelta(minutes=index),
        "duration_seconds": 30 + index,
    }
    report = CallReport(**{**values, **changes})
    return call_event_record(report=report)


def test_unmatched_calls_are_listed_newest_first(web: Any, rep: Any, make_person: Any) -> None:
    make_person(phones=["+5521998887700"])
    for index in range(3):
        unknown_call(index)
    page = web(rep).get(LIST)
    assert page.status_code == 200
    html = page.content.decode()
    rows = [call.pk for call in page.context["page"].items]
    assert rows == list(
        CallEvent.objects.filter(call_id__in=["call-2", "call-1"])
        .order_by("-started_at")
        .values_list("pk", flat=True)
    )
    assert 'href="tel:+5521998887702"' in html and "tel:+5521998887700" not in html


def test_unmatched_calls_page_pages_with_a_cursor(web: Any, rep: Any) -> None:
    for index in range(55):
        unknown_call(index)
    client = web(rep)
    first = client.get(LIST).context["page"]
    assert len(first.items) == 50 and first.next_cursor
    second = client.get(LIST, {"cursor": first.next_cursor}).context["page"]
    assert [call.call_id for call in second.items] == [f"call-{i}" for i in range(4, -1, -1)]
    assert second.next_cursor is None


def test_unmatched_calls_page_queries_stay_flat(
    web: Any, rep: Any, django_assert_max_num_queries: Any
) -> None:
    client = web(rep)
    unknown_call(0, agent_email="rita.rep@example.com")
    with django_assert_max_num_queries(20) as few:
        assert client.get(LIST).status_code == 200
    for index in range(1, 30):
        unknown_call(index, agent_email="rita.rep@example.com")
    with django_assert_max_num_queries(len(few)):
        assert client.get(LIST).status_code == 200


def test_users_who_do_not_log_calls_cannot_see_unmatched_calls(web: Any, reader: Any) -> None:
    call = unknown_call(1)
    assert web(reader).get(LIST).status_code == 403
    assert web(reader).get(reverse("channels_phone:call_link", args=[call.pk])).status_code == 403


def test_linking_a_call_puts_it_on_the_persons_timeline(
    web: Any, rep: Any, make_person: Any
) -> None:
    person = make_person()
    call = unknown_call(4)
    url = reverse("channels_phone:call_link", args=[call.pk])
    response = web(rep).post(url, {"person": person.pk})
    assert response.status_code == 302
    assert response["Location"] == reverse("contacts:person_detail", args=[person.pk])
    activity = Activity.objects.get(person=person)
    assert (activity.kind, activity.direction, activity.duration_seconds) == ("call", "inbound", 34)
    assert activity.outcome == "connected"
    call.refresh_from_db()
    assert call.activity == activity
    assert OutboxEvent.objects.filter(name="channels_phone.call.linked").count() == 1
    assert web(rep).get(LIST).context["page"].items == []
    # A linked call is no longer offered for linking.
    assert web(rep).get(url).status_code == 404


def test_linking_to_a_person_the_user_cannot_see_changes_nothing(
    web: Any, rep: Any, other_rep: Any, make_person: Any
) -> None:
    hidden = make_person(owner=other_rep)
    call = unknown_call(5)
    url = reverse("channels_phone:call_link", args=[call.pk])
    response = web(rep).post(url, {"person": hidden.pk})
    assert response.status_code == 200
    assert response.context["form"].errors["person"] == ["This record does not exist."]
    assert not Activity.objects.exists()
    call.refresh_from_db()
    assert call.activity is None and call.person is None


def test_a_later_event_of_a_linked_call_updates_its_activity(rep: Any, make_person: Any) -> None:
    from elo.channels.phone.services import call_link_person

    person = make_person()
    call = unknown_call(6, status="ringing", duration_seconds=None)
    call_link_person(actor=rep, call=call, person=person)
    unknown_call(6, status="completed", duration_seconds=61)
    activity = Activity.objects.get(person=person)
    assert (activity.outcome, activity.duration_seconds) == ("connected", 61)


def test_user_chooses_how_call_links_open(web: Any, rep: Any, settings: Any) -> None:
    settings.ELO_SIP_DOMAIN = "pbx.example.com"
    client = web(rep)
    url = reverse("channels_phone:preferences")
    assert client.post(url, {"link_scheme": "sip"}).status_code == 302
    assert PhonePreference.objects.get(user=rep).link_scheme == "sip"
    unknown_call(7)
    assert 'href="sip:+5521998887707@pbx.example.com"' in client.get(LIST).content.decode()
    response = client.post(url, {"link_scheme": "fax"})
    assert response.status_code == 200 and "link_scheme" in response.context["form"].errors
    assert PhonePreference.objects.get(user=rep).link_scheme == "sip"


def test_a_call_is_logged_by_hand_from_the_person_page(
    web: Any, rep: Any, make_person: Any
) -> None:
    person = make_person()
    client = web(rep)
    detail = reverse("contacts:person_detail", args=[person.pk])
    page = client.get(detail).content.decode()
    for name in ("call-direction", "call-duration_minutes", "call-outcome"):
        assert f'name="{name}"' in page
    response = client.post(
        reverse("activities:add"),
        {
            "kind": "call",
            "call-subject": "Called about the quote",
            "call-direction": "outbound",
            "call-duration_minutes": "4",
            "call-outcome": "voicemail",
            "call-person": person.pk,
            "call-next": detail,
        },
    )
    assert response.status_code == 302
    activity = Activity.objects.get(person=person)
    assert (activity.direction, activity.duration_seconds, activity.outcome) == (
        "outbound",
        240,
        "voicemail",
    )
