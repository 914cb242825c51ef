"""iCalendar export of tasks and meetings, the "My tasks" download and the private feed."""

from __future__ import annotations

import datetime
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from icalendar import Calendar

from elo.activities.calendar import calendar_for
from elo.activities.models import Activity
from elo.activities.services import activity_create
from elo.contacts.services import person_create

pytestmark = pytest.mark.django_db

SAO_PAULO = ZoneInfo("America/Sao_Paulo")


def _link(actor: Any, data: dict[str, Any]) -> None:
    if "person" not in data:
        person = person_create(actor=actor, data={"given_name": "Ana", "family_name": "Lima"})
        data["person"] = person.pk


def _meeting(actor: Any, **data: Any) -> Activity:
    _link(actor, data)
    start = timezone.now() + datetime.timedelta(days=3)
    data.setdefault("starts_at", start)
    data.setdefault("ends_at", data["starts_at"] + datetime.timedelta(hours=1))
    return activity_create(actor=actor, data={"kind": "meeting", "subject": "Demo", **data})


def _task(actor: Any, **data: Any) -> Activity:
    _link(actor, data)
    return activity_create(actor=actor, data={"kind": "task", "subject": "Call back", **data})


def _parse(content: bytes) -> tuple[list[Any], list[Any]]:
    calendar = Calendar.from_ical(content)
    return list(calendar.walk("VEVENT")), list(calendar.walk("VTODO"))


def test_meeting_is_a_vevent_in_utc_with_attendees_and_stable_uid(
    rep: Any, make_person: Any
) -> None:
    person = make_person(given_name="João", family_name="Conceição", emails=["joao@example.com"])
    start = datetime.datetime(2026, 3, 10, 14, 0, tzinfo=SAO_PAULO)
    meeting = _meeting(
        rep,
        subject="Reunião de orçamento",
        body="Pauta: preços\nPróximos passos",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
        attendees=[person.pk],
    )
    meeting = Activity.objects.prefetch_related("attendees").get(pk=meeting.pk)
    content = calendar_for([meeting])
    assert "Reunião".encode() in content
    events, todos = _parse(content)
    assert todos == []
    (event,) = events
    assert event.decoded("dtstart") == datetime.datetime(2026, 3, 10, 17, 0, tzinfo=datetime.UTC)
    assert b"DTSTART:20260310T170000Z" in content
    assert event.decoded("dtend") == datetime.datetime(2026, 3, 10, 18, 0, tzinfo=datetime.UTC)
    assert str(event["summary"]) == "Reunião de orçamento"
    assert str(event["description"]) == "Pauta: preços\nPróximos passos"
    assert str(event["uid"]) == f"activity-{meeting.pk}@elo"
    assert str(event["status"]) == "CONFIRMED"
    assert "dtstamp" in event and "last-modified" in event
    assert str(event["attendee"]) == "mailto:joao@example.com"
    assert calendar_for([meeting]).count(b"UID:") == 1


def test_tasks_are_vtodos_with_status_due_and_completed(rep: Any) -> None:
    due = datetime.datetime(2026, 4, 1, 9, 30, tzinfo=datetime.UTC)
    open_task = _task(rep, subject="Send proposal", due_at=due, assignee=rep.pk)
    done_task = _task(rep, subject="Old one", assignee=rep.pk)
    done_task.done_at = datetime.datetime(2026, 1, 2, 8, 0, tzinfo=datetime.UTC)
    _events, todos = _parse(calendar_for([open_task, done_task]))
    by_summary = {str(todo["summary"]): todo for todo in todos}
    assert str(by_summary["Send proposal"]["status"]) == "NEEDS-ACTION"
    assert by_summary["Send proposal"].decoded("due") == due
    assert "completed" not in by_summary["Send proposal"]
    assert str(by_summary["Old one"]["status"]) == "COMPLETED"
    assert by_summary["Old one"].decoded("completed") == done_task.done_at


def test_commas_semicolons_and_newlines_are_escaped_and_long_lines_folded(rep: Any) -> None:
    subject = "Ligar: Silva, Souza; e depois\\ revisar " + "á" * 80
    task = _task(rep, subject=subject, body="linha um\nlinha dois, três; fim")
    content = calendar_for([task])
    assert b"Silva\\, Souza\\; e depois\\\\ revisar" in content
    assert b"linha um\\nlinha dois\\, tr" in content
    assert all(len(line) <= 75 for line in content.split(b"\r\n"))
    _events, (todo,) = _parse(content)
    assert str(todo["summary"]) == subject
    assert str(todo["description"]) == "linha um\nlinha dois, três; fim"


def test_my_tasks_page_links_the_download_of_open_tasks_and_upcoming_meetings(
    web: Any, rep: Any, other_rep: Any
) -> None:
    _task(rep, subject="Mine", assignee=rep.pk)
    done = _task(rep, subject="Finished", assignee=rep.pk)
    Activity.objects.filter(pk=done.pk).update(done_at=timezone.now())
    _meeting(rep, subject="Upcoming")
    _meeting(rep, subject="Past", starts_at=timezone.now() - datetime.timedelta(days=2))
    _meeting(other_rep, subject="Theirs")
    client = web(rep)
    page = client.get("/tasks/").content.decode()
    assert 'href="/tasks/export.ics"' in page
    response = client.get("/tasks/export.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    events, todos = _parse(response.content)
    assert [str(e["summary"]) for e in events] == ["Upcoming"]
    assert [str(t["summary"]) for t in todos] == ["Mine"]


def test_download_needs_a_session(client: Any) -> None:
    assert client.get("/tasks/export.ics").status_code == 302


def test_api_export_honours_visibility_and_kind(api: Any, rep: Any, other_rep: Any) -> None:
    _meeting(rep, subject="My meeting")
    _meeting(other_rep, subject="Their meeting")
    _task(rep, subject="My task", assignee=rep.pk)
    _task(rep, kind="note", body="not exported")
    response = api(rep).get("/api/v1/activities/export.ics")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    events, todos = _parse(response.content)
    assert [str(e["summary"]) for e in events] == ["My meeting"]
    assert [str(t["summary"]) for t in todos] == ["My task"]
    events, todos = _parse(api(rep).get("/api/v1/activities/export.ics?kind=meeting").content)
    assert (len(events), len(todos)) == (1, 0)
    assert api(rep).get("/api/v1/activities/export.ics?kind=note").status_code == 422
    assert api(None).get("/api/v1/activities/export.ics").status_code == 401


def test_api_export_query_count_is_constant(api: Any, rep: Any, make_person: Any) -> None:
    client = api(rep)
    person = make_person(emails=["a@example.com"])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/api/v1/activities/export.ics").status_code == 200
        return len(queries)

    _meeting(rep, attendees=[person.pk])
    _task(rep, assignee=rep.pk)
    count()  # the first call stamps the token's last use
    before = count()
    for _ in range(5):
        _meeting(rep, attendees=[person.pk])
        _task(rep, assignee=rep.pk)
    assert count() == before


def _feed_path(secret: str) -> str:
    return f"/calendar/{secret}.ics"


def test_feed_secret_is_stored_hashed_and_audited(rep: Any) -> None:
    from elo.activities.models import CalendarFeedToken
    from elo.activities.services import calendar_feed_reset
    from elo.core.models import AuditEntry

    secret = calendar_feed_reset(actor=rep, user=rep)
    token = CalendarFeedToken.objects.get(user=rep)
    assert secret not in (token.digest, token.prefix)
    assert token.digest == CalendarFeedToken.digest_of(secret)
    assert AuditEntry.objects.filter(action="activities.calendar_feed.reset").exists()


def test_feed_serves_my_items_without_a_session_and_a_reset_token_is_404(
    client: Any, rep: Any, other_rep: Any, make_person: Any
) -> None:
    from elo.activities.services import calendar_feed_reset

    now = timezone.now()
    _task(rep, subject="Open task", assignee=rep.pk)
    recent = _task(rep, subject="Done recently", assignee=rep.pk)
    old = _task(rep, subject="Done long ago", assignee=rep.pk)
    Activity.objects.filter(pk=recent.pk).update(done_at=now - datetime.timedelta(days=3))
    Activity.objects.filter(pk=old.pk).update(done_at=now - datetime.timedelta(days=60))
    _task(other_rep, subject="Their task", assignee=other_rep.pk)
    _meeting(rep, subject="Mine upcoming")
    _meeting(rep, subject="Mine last week", starts_at=now - datetime.timedelta(days=7))
    _meeting(rep, subject="Too old", starts_at=now - datetime.timedelta(days=45))
    _meeting(rep, subject="Too far", starts_at=now + datetime.timedelta(days=400))
    _meeting(other_rep, subject="Their meeting")
    me = make_person(owner=other_rep, given_name="Rep", emails=[rep.email])
    _meeting(other_rep, subject="I attend", attendees=[me.pk])

    secret = calendar_feed_reset(actor=rep, user=rep)
    response = client.get(_feed_path(secret))
    assert response.status_code == 200
    assert response["Content-Type"] == "text/calendar; charset=utf-8"
    events, todos = _parse(response.content)
    assert sorted(str(e["summary"]) for e in events) == [
        "I attend",
        "Mine last week",
        "Mine upcoming",
    ]
    assert sorted(str(t["summary"]) for t in todos) == ["Done recently", "Open task"]

    fresh = calendar_feed_reset(actor=rep, user=rep)
    assert client.get(_feed_path(secret)).status_code == 404
    assert client.get(_feed_path(fresh)).status_code == 200
    assert client.get(_feed_path("elocal_nope")).status_code == 404
    assert client.get(_feed_path("garbage")).status_code == 404


def test_feed_query_count_is_constant(client: Any, rep: Any, make_person: Any) -> None:
    from elo.activities.services import calendar_feed_reset

    secret = calendar_feed_reset(actor=rep, user=rep)
    person = make_person(emails=["a@example.com"])

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(_feed_path(secret)).status_code == 200
        return len(queries)

    _meeting(rep, attendees=[person.pk])
    _task(rep, assignee=rep.pk)
    count()  # the first call stamps the token's last use
    before = count()
    for _ in range(5):
        _meeting(rep, attendees=[person.pk])
        _task(rep, assignee=rep.pk)
    assert count() == before


def test_my_tasks_page_creates_and_resets_the_feed_url_shown_once(web: Any, rep: Any) -> None:
    client = web(rep)
    assert "Create my calendar feed URL" in client.get("/tasks/").content.decode()
    html = client.post("/tasks/calendar-feed/reset/").content.decode()
    url = re.search(r'value="http://testserver(/calendar/[^"]+\.ics)"', html)
    assert url is not None
    assert client.get(url.group(1)).status_code == 200
    page = client.get("/tasks/").content.decode()
    assert url.group(1) not in page and "Reset my calendar feed URL" in page
    client.post("/tasks/calendar-feed/reset/")
    assert client.get(url.group(1)).status_code == 404


def test_only_a_settings_manager_resets_another_users_feed(rep: Any, other_rep: Any) -> None:
    from django.core.exceptions import PermissionDenied

    from elo.activities.services import calendar_feed_reset

    with pytest.raises(PermissionDenied):
        calendar_feed_reset(actor=rep, user=other_rep)
