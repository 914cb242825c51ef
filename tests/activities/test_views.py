"""Adding to a timeline, completing tasks and the "My tasks" page, as a user sees them."""

from __future__ import annotations

import datetime
import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from elo.activities.models import Activity
from elo.activities.services import activity_create, task_set_done

pytestmark = pytest.mark.django_db

HTMX = {"HX-Request": "true"}


def _task(actor: Any, **data: Any) -> Activity:
    return activity_create(actor=actor, data={"kind": "task", "subject": "Call back", **data})


def test_quick_add_note_with_htmx_returns_the_entry_and_it_stays_on_the_timeline(
    web: Any, rep: Any, make_person: Any
) -> None:
    person = make_person()
    client = web(rep)
    response = client.post(
        "/activities/add/",
        {"kind": "note", "note-person": person.pk, "note-body": "Prefers *email*", "note-next": ""},
        headers=HTMX,
    )
    assert response.status_code == 200
    html = response.content.decode()
    note = Activity.objects.get()
    assert (note.kind, note.person_id, note.owner_id) == ("note", person.pk, rep.pk)
    assert html.lstrip().startswith(
        f'<li class="timeline-item" data-kind="note" id="activity-{note.pk}"'
    )
    assert "<em>email</em>" in html
    assert 'id="quick-add-note"' in html and 'hx-swap-oob="true"' in html
    page = client.get(f"/people/{person.pk}/").content.decode()
    assert f'id="activity-{note.pk}"' in page
    assert "<em>email</em>" in page


def test_quick_add_without_javascript_redirects_back(web: Any, rep: Any, make_person: Any) -> None:
    person = make_person()
    response = web(rep).post(
        "/activities/add/",
        {
            "kind": "note",
            "note-person": person.pk,
            "note-body": "Met at the fair",
            "note-next": f"/people/{person.pk}/",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"/people/{person.pk}/"
    assert Activity.objects.get().body == "Met at the fair"


def test_quick_add_refuses_a_next_address_on_another_site(
    web: Any, rep: Any, make_person: Any
) -> None:
    person = make_person()
    response = web(rep).post(
        "/activities/add/",
        {
            "kind": "note",
            "note-person": person.pk,
            "note-body": "x",
            "note-next": "https://evil.example.com/",
        },
    )
    assert response["Location"] == "/tasks/"


def test_quick_add_task_call_and_meeting_store_their_details(
    web: Any, rep: Any, teammate: Any, make_person: Any
) -> None:
    person = make_person()
    client = web(rep)
    client.post(
        "/activities/add/",
        {
            "kind": "task",
            "task-person": person.pk,
            "task-subject": "Send the quote",
            "task-due_at": "2026-05-04T15:30",
            "task-assignee": teammate.pk,
        },
        headers=HTMX,
    )
    client.post(
        "/activities/add/",
        {
            "kind": "call",
            "call-person": person.pk,
            "call-direction": "outbound",
            "call-duration_minutes": "5",
            "call-outcome": "connected",
        },
        headers=HTMX,
    )
    client.post(
        "/activities/add/",
        {
            "kind": "meeting",
            "meeting-person": person.pk,
            "meeting-subject": "Demo",
            "meeting-starts_at": "2026-05-05T10:00",
            "meeting-ends_at": "2026-05-05T11:00",
        },
        headers=HTMX,
    )
    task = Activity.objects.get(kind="task")
    assert task.due_at == datetime.datetime(2026, 5, 4, 15, 30, tzinfo=datetime.UTC)
    assert task.assignee_id == teammate.pk
    call = Activity.objects.get(kind="call")
    assert (call.direction, call.duration_seconds, call.outcome) == ("outbound", 300, "connected")
    meeting = Activity.objects.get(kind="meeting")
    assert meeting.starts_at == datetime.datetime(2026, 5, 5, 10, 0, tzinfo=datetime.UTC)
    assert meeting.ends_at == datetime.datetime(2026, 5, 5, 11, 0, tzinfo=datetime.UTC)


def test_quick_add_with_an_error_returns_the_form_in_place_and_adds_nothing(
    web: Any, rep: Any, make_person: Any
) -> None:
    person = make_person()
    response = web(rep).post(
        "/activities/add/",
        {
            "kind": "meeting",
            "meeting-person": person.pk,
            "meeting-starts_at": "2026-05-05T10:00",
            "meeting-ends_at": "2026-05-05T09:00",
        },
        headers=HTMX,
    )
    assert response.status_code == 200
    assert response["HX-Retarget"] == "#quick-add-meeting"
    assert response["HX-Reswap"] == "outerHTML"
    html = response.content.decode()
    assert 'data-field-error="ends_at">The meeting cannot end before it starts.' in html
    assert 'value="2026-05-05T10:00"' in html
    assert Activity.objects.count() == 0


def test_quick_add_error_without_javascript_shows_a_page_with_the_form(
    web: Any, rep: Any, make_person: Any
) -> None:
    person = make_person()
    response = web(rep).post("/activities/add/", {"kind": "note", "note-person": person.pk})
    assert response.status_code == 200
    assert "Write the note." in response.content.decode()
    assert Activity.objects.count() == 0


def test_quick_add_for_an_invisible_person_adds_nothing(
    web: Any, rep: Any, other_rep: Any, make_person: Any
) -> None:
    person = make_person(owner=other_rep)
    response = web(rep).post(
        "/activities/add/",
        {"kind": "note", "note-person": person.pk, "note-body": "sneaky"},
        headers=HTMX,
    )
    assert "This record does not exist." in response.content.decode()
    assert Activity.objects.count() == 0


def test_reader_may_not_add_to_the_timeline(
    web: Any, rep: Any, reader: Any, make_person: Any
) -> None:
    person = make_person(owner=rep)
    client = web(reader)
    assert 'id="quick-add-note"' not in client.get(f"/people/{person.pk}/").content.decode()
    response = client.post(
        "/activities/add/", {"kind": "note", "note-person": person.pk, "note-body": "x"}
    )
    assert response.status_code == 403
    assert Activity.objects.count() == 0


def test_quick_add_on_an_organization(web: Any, rep: Any, make_organization: Any) -> None:
    organization = make_organization()
    response = web(rep).post(
        "/activities/add/",
        {"kind": "note", "note-organization": organization.pk, "note-body": "Org news"},
        headers=HTMX,
    )
    assert response.status_code == 200
    assert Activity.objects.get().organization_id == organization.pk


def test_task_toggle_with_htmx_marks_done_and_open_again(
    web: Any, rep: Any, make_person: Any
) -> None:
    task = _task(rep, person=make_person().pk)
    client = web(rep)
    url = f"/activities/{task.pk}/toggle/"
    response = client.post(url, {"done": "1", "fragment": "task"}, headers=HTMX)
    html = response.content.decode()
    assert html.lstrip().startswith(
        f'<li class="list-group-item d-flex gap-2 align-items-start" id="task-{task.pk}"'
    )
    assert 'aria-pressed="true"' in html
    task.refresh_from_db()
    assert task.done_at is not None
    response = client.post(url, {"done": "0", "fragment": "timeline"}, headers=HTMX)
    assert f'id="activity-{task.pk}"' in response.content.decode()
    assert "Mark done" in response.content.decode()
    task.refresh_from_db()
    assert task.done_at is None


def test_task_toggle_without_javascript_redirects_back(
    web: Any, rep: Any, make_person: Any
) -> None:
    person = make_person()
    task = _task(rep, person=person.pk)
    response = web(rep).post(
        f"/activities/{task.pk}/toggle/", {"done": "1", "next": f"/people/{person.pk}/"}
    )
    assert response["Location"] == f"/people/{person.pk}/"
    task.refresh_from_db()
    assert task.done_at is not None


def test_only_tasks_can_be_toggled_and_only_by_who_may(
    web: Any, rep: Any, reader: Any, other_rep: Any, make_person: Any
) -> None:
    person = make_person(owner=rep)
    note = activity_create(actor=rep, data={"kind": "note", "person": person.pk, "body": "x"})
    task = _task(rep, person=person.pk)
    assert web(rep).post(f"/activities/{note.pk}/toggle/", {"done": "1"}).status_code == 400
    assert web(reader).post(f"/activities/{task.pk}/toggle/", {"done": "1"}).status_code == 403
    assert web(other_rep).post(f"/activities/{task.pk}/toggle/", {"done": "1"}).status_code == 404
    task.refresh_from_db()
    assert task.done_at is None


def test_my_tasks_lists_my_open_tasks_overdue_first(
    web: Any, rep: Any, teammate: Any, make_person: Any
) -> None:
    person = make_person()
    now = timezone.now()
    _task(rep, person=person.pk, subject="Later", due_at=now + datetime.timedelta(days=3))
    _task(rep, person=person.pk, subject="Overdue", due_at=now - datetime.timedelta(days=1))
    _task(rep, person=person.pk, subject="Someday")
    done = _task(rep, person=person.pk, subject="Finished")
    task_set_done(actor=rep, activity=done)
    _task(rep, person=person.pk, subject="Not mine", assignee=teammate.pk)
    html = web(rep).get("/tasks/").content.decode()
    subjects = re.findall(r'<div class="">([^<]+)</div>', html)
    assert subjects == ["Overdue", "Later", "Someday"]
    overdue = html[html.index("Overdue") :]
    assert 'class="is-overdue"' in overdue[: overdue.index("</li>")]
    assert "Maria Silva" in html


def test_anonymous_visitor_is_sent_to_sign_in(client: Any) -> None:
    assert client.get("/tasks/")["Location"].startswith("/login/?next=")
    assert client.post("/activities/add/", {"kind": "note"})["Location"].startswith("/login/")


def test_my_tasks_queries_do_not_grow_with_tasks(
    web: Any,
    rep: Any,
    make_person: Any,
    make_organization: Any,
    django_assert_num_queries: Any,
) -> None:
    person = make_person()
    organization = make_organization()

    def add(count: int) -> None:
        for index in range(count):
            _task(rep, person=person.pk, subject=f"P{index}")
            _task(rep, organization=organization.pk, subject=f"O{index}")

    client = web(rep)
    add(2)
    with CaptureQueriesContext(connection) as queries:
        client.get("/tasks/")
    add(10)
    with django_assert_num_queries(len(queries)):
        response = client.get("/tasks/")
    assert response.content.decode().count('class="list-group-item d-flex') == 24
