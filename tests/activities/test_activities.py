"""Timeline services and API: kinds, validation, visibility, tasks, query counts."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from elo.activities import selectors, services
from elo.activities.models import Activity
from elo.core.models import AuditEntry, OutboxEvent

pytestmark = pytest.mark.django_db


def test_note_markdown_is_rendered_and_sanitised(rep: Any, make_person: Any) -> None:
    person = make_person()
    note = services.activity_create(
        actor=rep,
        data={
            "kind": "note",
            "body": "**Bold** <script>alert(1)</script> [x](javascript:alert(1)) [ok](https://e.com)",
            "person": person.pk,
        },
    )
    assert "<strong>Bold</strong>" in note.body_html
    assert "<script" not in note.body_html and "javascript:" not in note.body_html
    assert 'href="https://e.com"' in note.body_html
    assert AuditEntry.objects.filter(action="activities.note.created").count() == 1
    assert (
        OutboxEvent.objects.get(name="activities.activity.created").payload["person"] == person.pk
    )


@pytest.mark.parametrize(
    ("data", "fields"),
    [
        ({"kind": "gossip", "person": 0}, {"kind", "person"}),
        ({"kind": "note", "body": ""}, {"body"}),
        ({"kind": "note", "body": "x", "person": None}, {"person"}),
        ({"kind": "task", "subject": ""}, {"subject"}),
        ({"kind": "meeting"}, {"starts_at"}),
        ({"kind": "meeting", "starts_at": "2026-01-01T10:00", "ends_at": "2026-01-01T09:00"}, {"ends_at"}),
        ({"kind": "call", "duration_seconds": -5, "direction": "sideways"}, {"duration_seconds", "direction"}),
        ({"kind": "task", "subject": "x", "due_at": "tomorrow-ish"}, {"due_at"}),
    ],
    ids=["kind", "empty-note", "no-subject-record", "task-subject", "meeting-start", "meeting-order", "call", "due"],
)  # fmt: skip
def test_bad_activity_input_reports_fields(
    rep: Any, make_person: Any, data: dict[str, Any], fields: set[str]
) -> None:
    person = make_person()
    data = {"person": person.pk, **data}
    with pytest.raises(ValidationError) as caught:
        services.activity_create(actor=rep, data=data)
    assert set(caught.value.message_dict) == fields
    assert not Activity.objects.exists()


def test_cannot_log_on_an_invisible_person(rep: Any, other_rep: Any, make_person: Any) -> None:
    theirs = make_person(owner=other_rep)
    with pytest.raises(ValidationError) as caught:
        services.activity_create(actor=rep, data={"kind": "note", "body": "x", "person": theirs.pk})
    assert "person" in caught.value.message_dict


def test_task_defaults_to_actor_and_completes_once(rep: Any, make_person: Any) -> None:
    person = make_person()
    task = services.activity_create(
        actor=rep, data={"kind": "task", "subject": "Call back", "person": person.pk}
    )
    assert task.assignee_id == rep.pk
    services.task_set_done(actor=rep, activity=task)
    services.task_set_done(actor=rep, activity=task)
    task.refresh_from_db()
    assert task.done_at is not None
    assert AuditEntry.objects.filter(action="activities.task.completed").count() == 1


def test_my_tasks_lists_overdue_first(rep: Any, make_person: Any) -> None:
    person = make_person()
    with time_machine.travel("2026-03-10 12:00:00+00:00", tick=False):
        for subject, due in [("later", "2026-03-20T09:00"), ("undated", None),
                             ("overdue", "2026-03-01T09:00"), ("soon", "2026-03-11T09:00")]:  # fmt: skip
            services.activity_create(
                actor=rep,
                data={"kind": "task", "subject": subject, "due_at": due, "person": person.pk},
            )
        tasks = selectors.my_open_tasks(rep)
        assert [t.subject for t in tasks] == ["overdue", "soon", "later", "undated"]
        assert [t.is_overdue for t in tasks] == [True, False, False, False]


def test_organization_timeline_includes_its_people(
    rep: Any, make_person: Any, make_organization: Any
) -> None:
    organization = make_organization()
    person = make_person(organizations=[{"organization": organization.pk}])
    loner = make_person(given_name="Loner")
    services.activity_create(
        actor=rep, data={"kind": "note", "body": "org", "organization": organization.pk}
    )
    services.activity_create(
        actor=rep, data={"kind": "note", "body": "person", "person": person.pk}
    )
    services.activity_create(actor=rep, data={"kind": "note", "body": "other", "person": loner.pk})
    bodies = [a.body for a in selectors.organization_timeline(organization).items]
    assert sorted(bodies) == ["org", "person"]


def test_meeting_with_attendees_and_call_fields(rep: Any, make_person: Any) -> None:
    person = make_person()
    other = make_person(given_name="Bia")
    meeting = services.activity_create(
        actor=rep,
        data={"kind": "meeting", "subject": "Kick-off", "person": person.pk,
              "starts_at": "2026-05-01T10:00", "ends_at": "2026-05-01T11:00",
              "attendees": [person.pk, other.pk]},
    )  # fmt: skip
    assert sorted(meeting.attendees.values_list("pk", flat=True)) == [person.pk, other.pk]
    assert meeting.occurred_at == meeting.starts_at
    call = services.activity_create(
        actor=rep,
        data={"kind": "call", "person": person.pk, "direction": "outbound",
              "duration_seconds": 125, "outcome": "connected"},
    )  # fmt: skip
    assert (call.direction, call.duration_seconds, call.outcome) == ("outbound", 125, "connected")


def test_read_only_cannot_add(reader: Any, make_person: Any) -> None:
    person = make_person()
    with pytest.raises(PermissionDenied):
        services.activity_create(
            actor=reader, data={"kind": "note", "body": "x", "person": person.pk}
        )


def test_api_activity_flow_and_permissions(
    api: Any, rep: Any, teammate: Any, manager: Any, make_person: Any
) -> None:
    person = make_person(owner=rep)
    client = api(rep)
    created = client.post(
        "/api/v1/activities", {"kind": "task", "subject": "Send proposal", "person": person.pk,
                               "due_at": "2026-06-01T09:00:00Z"},
    )  # fmt: skip
    assert created.status_code == 201
    task_id = created.json()["id"]
    assert api(teammate).get(f"/api/v1/activities/{task_id}").status_code == 404
    assert api(manager).get(f"/api/v1/activities/{task_id}").status_code == 200
    done = client.patch(f"/api/v1/activities/{task_id}", {"done": True})
    assert done.status_code == 200 and done.json()["done_at"] is not None
    listed = client.get(f"/api/v1/activities?person={person.pk}&kind=task").json()
    assert [item["id"] for item in listed["items"]] == [task_id]
    bad = client.post("/api/v1/activities", {"kind": "note", "person": person.pk})
    assert bad.status_code == 422
    assert client.delete(f"/api/v1/activities/{task_id}").status_code == 403
    assert api(manager).delete(f"/api/v1/activities/{task_id}").status_code == 204


def test_api_list_query_count(
    api: Any, rep: Any, make_person: Any, django_assert_max_num_queries: Any
) -> None:
    person = make_person()
    client = api(rep)

    def add(count: int) -> None:
        for index in range(count):
            services.activity_create(
                actor=rep,
                data={"kind": "meeting", "person": person.pk, "starts_at": "2026-01-01T10:00",
                      "attendees": [person.pk], "subject": f"m{index}"},
            )  # fmt: skip

    add(2)
    with django_assert_max_num_queries(8) as few:
        client.get("/api/v1/activities")
    add(12)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get("/api/v1/activities").json()["items"]) == 14
    with django_assert_max_num_queries(6):
        first = Activity.objects.first()
        assert first is not None
        assert client.get(f"/api/v1/activities/{first.pk}").status_code == 200
