"""CSV import: through the services, all-or-nothing per batch, reported, re-runnable."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.core.management import call_command

from elo.activities.models import Activity
from elo.contacts.models import Organization, Person
from elo.interchange.services import import_text

pytestmark = pytest.mark.django_db

COMPANIES = """id,name,email,phone,city,website,created_at
1,Perez LLC 1,info@perez1.example.com,+1-555-8255764,Milan,https://perez1.example.com,2020-05-08T15:34:10Z
2,Smith Ltd 2,info@smith2.example.com,+1-555-1234567,Porto,https://smith2.example.com,2021-01-01T00:00:00Z
"""
CONTACTS = """id,first_name,last_name,email,phone,company_id,city,created_at
1,Donald,Okafor,donald.okafor.1@example.com,+1-555-4906738,1,Brussels,2020-10-11T12:08:38Z
2,Mary,Johnson,mary.johnson.2@example.com,+1-555-4906738,2,Lisbon,2021-10-11T12:08:38Z
"""
ACTIVITIES = """id,contact_id,kind,subject,body,created_at
1,2,email,email meeting 1,Discussed meeting and contract with contact 2.,2022-02-09T15:21:22Z
2,1,call,call demo 2,Discussed demo and budget with contact 1.,2022-03-09T15:21:22Z
"""


def test_workload_files_load_with_links_and_created_at(admin: Any) -> None:
    assert import_text(actor=admin, entity="organizations", text=COMPANIES).created_count == 2
    run = import_text(actor=admin, entity="people", text=CONTACTS)
    assert (run.created_count, run.rejected_count) == (2, 0)
    assert import_text(actor=admin, entity="activities", text=ACTIVITIES).created_count == 2
    mary = Person.objects.get(external_id="2")
    assert mary.primary_email == "mary.johnson.2@example.com"
    assert mary.primary_phone == "+15554906738"
    assert mary.city == "Lisbon"
    assert mary.created_at.isoformat() == "2021-10-11T12:08:38+00:00"
    assert [e.organization.name for e in mary.employments.all()] == ["Smith Ltd 2"]
    perez = Organization.objects.get(external_id="1")
    assert perez.domains == ["perez1.example.com"]
    assert perez.addresses == [
        {"label": "", "street": "", "city": "Milan", "region": "", "postal_code": "", "country": ""}
    ]
    email = Activity.objects.get(external_id="1")
    assert (email.kind, email.person_id, email.subject) == ("email", mary.pk, "email meeting 1")


def test_rerun_creates_no_duplicates(admin: Any) -> None:
    import_text(actor=admin, entity="organizations", text=COMPANIES)
    import_text(actor=admin, entity="people", text=CONTACTS)
    import_text(actor=admin, entity="activities", text=ACTIVITIES)
    again = import_text(actor=admin, entity="people", text=CONTACTS)
    assert (again.created_count, again.unchanged_count) == (0, 2)
    assert import_text(actor=admin, entity="activities", text=ACTIVITIES).created_count == 0
    assert import_text(actor=admin, entity="organizations", text=COMPANIES).created_count == 0
    assert (Person.objects.count(), Activity.objects.count(), Organization.objects.count()) == (
        2,
        2,
        2,
    )


def test_rerun_with_changed_row_updates_it(admin: Any) -> None:
    import_text(
        actor=admin,
        entity="people",
        text=CONTACTS.replace(",1,Brussels", ",,Brussels").replace(",2,Lisbon", ",,Lisbon"),
    )
    changed = (
        CONTACTS.replace("Lisbon", "Faro")
        .replace(",1,Brussels", ",,Brussels")
        .replace(",2,Faro", ",,Faro")
    )
    run = import_text(actor=admin, entity="people", text=changed)
    assert (run.created_count, run.updated_count, run.unchanged_count) == (0, 1, 1)
    assert Person.objects.get(external_id="2").city == "Faro"


def test_upsert_by_email_without_external_id(admin: Any) -> None:
    text = "first_name,last_name,email\nAna,Lima,ana@ex.com\n"
    import_text(actor=admin, entity="people", text=text)
    run = import_text(actor=admin, entity="people", text=text.replace("Lima", "Lima Souza"))
    assert (run.created_count, run.updated_count) == (0, 1)
    assert Person.objects.get().family_name == "Lima Souza"


def test_batch_with_a_bad_row_writes_nothing_and_reports_every_bad_row(admin: Any) -> None:
    text = (
        "first_name,last_name,email,phone\n"
        "Ana,Lima,ana@ex.com,\n"
        "Bia,Reis,not-an-email,\n"
        "Caio,Melo,caio@ex.com,123\n"
        "Dora,Cruz,dora@ex.com,\n"
    )
    run = import_text(actor=admin, entity="people", text=text, batch_size=10)
    assert run.created_count == 0 and Person.objects.count() == 0
    assert [item["line"] for item in run.rejected] == [3, 4]
    assert "emails" in run.rejected[0]["errors"]
    assert "phones" in run.rejected[1]["errors"]
    assert (run.batches, run.batches_failed) == (1, 1)


def test_other_batches_still_load(admin: Any) -> None:
    text = "first_name,email\nAna,ana@ex.com\nBia,bad\nCaio,caio@ex.com\nDora,dora@ex.com\n"
    run = import_text(actor=admin, entity="people", text=text, batch_size=2)
    assert [item["line"] for item in run.rejected] == [3]
    assert sorted(Person.objects.values_list("given_name", flat=True)) == ["Caio", "Dora"]


def test_skip_invalid_loads_the_good_rows(admin: Any) -> None:
    text = "first_name,email\nAna,ana@ex.com\nBia,bad\n"
    run = import_text(actor=admin, entity="people", text=text, skip_invalid=True)
    assert (run.created_count, run.rejected_count) == (1, 1)


def test_repeated_row_in_one_file_is_rejected(admin: Any) -> None:
    text = "first_name,email\nAna,ana@ex.com\nAna again,ANA@ex.com\n"
    run = import_text(actor=admin, entity="people", text=text, skip_invalid=True)
    assert run.created_count == 1 and run.rejected[0]["line"] == 3


def test_import_needs_permission(rep: Any) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        import_text(actor=rep, entity="people", text=CONTACTS)


def test_api_import(api: Any, admin: Any, client: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    token_client = api(admin)
    response = token_client.client.post(
        "/api/v1/imports",
        {"entity": "organizations", "file": SimpleUploadedFile("c.csv", COMPANIES.encode())},
        headers=token_client.headers,
    )
    assert response.status_code == 201
    assert response.json()["created_count"] == 2
    bad = token_client.client.post(
        "/api/v1/imports",
        {"entity": "planets", "file": SimpleUploadedFile("c.csv", COMPANIES.encode())},
        headers=token_client.headers,
    )
    assert bad.status_code == 422


def test_cli_import(admin: Any, tmp_path: Any) -> None:
    path = tmp_path / "companies.csv"
    path.write_text(COMPANIES)
    out = io.StringIO()
    call_command("import_file", str(path), entity="organizations", stdout=out)
    assert "2 created" in out.getvalue()
    assert Organization.objects.count() == 2


def test_export_round_trips_through_import(
    admin: Any, rep: Any, make_person: Any, make_organization: Any
) -> None:
    from elo.contacts.filters import RecordFilter
    from elo.core.services import custom_field_create
    from elo.interchange.exports import export_rows

    custom_field_create(
        actor=admin,
        entity="person",
        key="tier",
        label="Tier",
        field_type="choice",
        choices=["a", "b"],
    )
    organization = make_organization(name="Acme")
    make_person(given_name="Ana", family_name="Lima", emails=["ana@ex.com"], phones=["+5511988887777"],
                organizations=[{"organization": organization.pk, "job_title": "CFO"}], tags=["vip"],
                custom={"tier": "a"})  # fmt: skip
    rows = list(export_rows(actor=admin, entity="people", filters=RecordFilter()))
    header, row = rows[0], dict(zip(rows[0], rows[1], strict=True))
    assert header[-1] == "cf_tier"
    assert (row["emails"], row["phones"], row["organization"], row["job_title"], row["tags"], row["cf_tier"]) == (
        "ana@ex.com", "+5511988887777", "Acme", "CFO", "vip", "a")  # fmt: skip
    import csv

    buffer = io.StringIO()
    csv.writer(buffer).writerows(
        [header, [value if key != "city" else "Recife" for key, value in row.items()]]
    )
    run = import_text(actor=admin, entity="people", text=buffer.getvalue())
    assert (run.created_count, run.updated_count, run.rejected_count) == (0, 1, 0)
    person = Person.objects.get()
    assert person.city == "Recife" and person.custom == {"tier": "a"}
    assert [e.organization_id for e in person.employments.all()] == [organization.pk]


def test_export_needs_permission_and_respects_visibility(
    rep: Any, manager: Any, web: Any, make_person: Any, other_rep: Any
) -> None:
    make_person(owner=rep, given_name="Mine")
    make_person(owner=other_rep, given_name="Theirs")
    assert web(rep).get("/export/people.csv").status_code == 403
    response = web(manager).get("/export/people.csv")
    assert response.status_code == 200
    body = b"".join(response.streaming_content).decode()
    assert "Mine" in body and "Theirs" not in body


def test_import_page(admin: Any, web: Any) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = web(admin)
    assert client.get("/import/").status_code == 200
    response = client.post(
        "/import/",
        {"entity": "organizations", "file": SimpleUploadedFile("c.csv", COMPANIES.encode())},
    )
    assert response.status_code == 302
    assert Organization.objects.count() == 0
    form = client.get(response["Location"]).context["form"]
    chosen = {name: form[name].initial or "" for name in form.fields if name.startswith("column_")}
    response = client.post(
        response["Location"], {**chosen, "upsert_by": "external_id", "import": "1"}
    )
    assert response.status_code == 302
    assert Organization.objects.count() == 2


def test_imported_rows_have_history_events_and_fresh_ids(admin: Any) -> None:
    from elo.core import context
    from elo.core.models import AuditEntry, OutboxEvent

    with context.acting(context.Actor(kind="user", user_id=admin.pk, label=admin.email)):
        import_text(actor=admin, entity="organizations", text=COMPANIES)
        import_text(actor=admin, entity="people", text=CONTACTS)
    mary = Person.objects.get(external_id="2")
    entry = AuditEntry.objects.get(action="contacts.person.created", object_id=str(mary.pk))
    assert (entry.actor_user_id, entry.object_repr) == (admin.pk, str(mary))
    assert entry.changes == {"via": "import", "emails": ["mary.johnson.2@example.com"]}
    assert entry.created_at is not None
    created = OutboxEvent.objects.filter(name="contacts.person.created")
    assert sorted(event.payload["id"] for event in created) == sorted(
        Person.objects.values_list("pk", flat=True)
    )
    assert all(event.delivered_at is None and event.attempts == 0 for event in created)
    # Ids reserved for a batch never collide with rows created afterwards one by one.
    later = Person.objects.create(given_name="Later", owner=admin)
    assert later.pk > max(Person.objects.exclude(pk=later.pk).values_list("pk", flat=True))
    assert mary.emails.get().email == "mary.johnson.2@example.com"
    assert mary.phones.get().number == "+15554906738"


def test_meeting_rows_without_a_start_begin_when_they_took_place(admin: Any) -> None:
    import_text(actor=admin, entity="organizations", text=COMPANIES)
    import_text(actor=admin, entity="people", text=CONTACTS)
    text = (
        "id,contact_id,kind,subject,body,created_at\n"
        "7,1,meeting,meeting demo 7,Discussed demo and budget with contact 1.,2023-04-05T10:00:00Z\n"
    )
    run = import_text(actor=admin, entity="activities", text=text)
    assert (run.created_count, run.rejected_count) == (1, 0)
    meeting = Activity.objects.get(external_id="7")
    assert meeting.starts_at is not None
    assert (
        meeting.starts_at.isoformat()
        == "2023-04-05T10:00:00+00:00"
        == meeting.occurred_at.isoformat()
    )
    assert meeting.body_html == "<p>Discussed demo and budget with contact 1.</p>"


def test_done_tasks_import_with_their_done_time(admin: Any) -> None:
    import_text(actor=admin, entity="organizations", text=COMPANIES)
    import_text(actor=admin, entity="people", text=CONTACTS)
    text = "id,contact_id,kind,subject,due_at,done_at\n9,1,task,Send quote,2024-01-02,2024-01-03T09:00:00Z\n"
    run = import_text(actor=admin, entity="activities", text=text)
    assert run.rejected_count == 0, run.rejected
    task = Activity.objects.get(external_id="9")
    assert task.done_at is not None and task.done_at.isoformat() == "2024-01-03T09:00:00+00:00"


def _people_csv(count: int, *, phone: str = "+351 912 345 678", tag: str = "vip") -> str:
    rows = [
        f'{n},Ana{n},Lima,"ana{n}@ex.com, ana{n}@work.ex.com",{phone},{tag},Rua {n}'
        for n in range(1, count + 1)
    ]
    return "id,first_name,last_name,email,phone,tags,street\n" + "\n".join(rows) + "\n"


def test_rerunning_a_file_reads_each_batch_once_however_many_rows(admin: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    costs = []
    for count in (5, 40):
        Person.objects.all().delete()
        import_text(actor=admin, entity="people", text=_people_csv(count))
        with CaptureQueriesContext(connection) as captured:
            run = import_text(actor=admin, entity="people", text=_people_csv(count))
        assert (run.created_count, run.updated_count, run.unchanged_count) == (0, 0, count)
        costs.append(len(captured.captured_queries))
    assert costs[0] == costs[1]


@pytest.mark.parametrize(
    ("change", "field"),
    [({"phone": "+351 913 000 000"}, "primary_phone"), ({"tag": "gold"}, "tags")],
)
def test_a_rerun_that_changes_only_a_phone_or_a_tag_updates(
    admin: Any, change: dict[str, str], field: str
) -> None:
    import_text(actor=admin, entity="people", text=_people_csv(3))
    run = import_text(actor=admin, entity="people", text=_people_csv(3, **change))
    assert (run.updated_count, run.unchanged_count) == (3, 0)
    person = Person.objects.get(external_id="2")
    if field == "tags":
        assert [tag.name for tag in person.tags.all()] == ["gold"]
    else:
        assert person.primary_phone == "+351913000000"
