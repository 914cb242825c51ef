"""Retention policies: which records a policy selects, dry runs that touch nothing, runs
that anonymize exactly that set one record at a time, and the daily schedule."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from elo.activities.services import activity_create
from elo.billing.models import Invoice, Order, Series
from elo.contacts.models import Person
from elo.core import schedule
from elo.core.errors import PreconditionFailed
from elo.core.models import AuditEntry, OutboxEvent, ScheduledJob
from elo.privacy import erasure, retention, services
from elo.privacy.models import RetentionPolicy, RetentionRun
from elo.sales.models import Lead, Quote
from elo.sales.services import deal_create, lead_create, pipeline_ensure_default

NOW = datetime.datetime(2026, 6, 15, 12, 0, tzinfo=datetime.UTC)
LONG_AGO = datetime.datetime(2024, 1, 10, 9, 0, tzinfo=datetime.UTC)
# A 12-month policy at NOW keeps what happened on or after this moment.
CUTOFF = datetime.datetime(2025, 6, 15, 12, 0, tzinfo=datetime.UTC)
SECOND = datetime.timedelta(seconds=1)


@pytest.fixture(autouse=True)
def clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def at(moment: datetime.datetime) -> Any:
    return time_machine.travel(moment, tick=False)


@pytest.fixture
def old_lead(rep: Any) -> Callable[..., Lead]:
    def make(**data: Any) -> Lead:
        data.setdefault("given_name", "Lia")
        data.setdefault("email", f"lia{Lead.objects.count()}@example.com")
        with at(LONG_AGO):
            return lead_create(actor=rep, data=data)

    return make


@pytest.fixture
def old_person(make_person: Any) -> Callable[..., Person]:
    def make(**data: Any) -> Person:
        with at(LONG_AGO):
            person: Person = make_person(**data)
        return person

    return make


def _policy(admin: Any, entity: str = "leads", **data: Any) -> RetentionPolicy:
    name = data.pop("name", f"{entity} {RetentionPolicy.objects.count()}")
    fields = {"name": name, "entity": entity, "inactive_months": 12, **data}
    return retention.policy_create(actor=admin, data=fields)


def _selected(policy: RetentionPolicy) -> set[int]:
    return set(retention.candidates(policy, NOW).values_list("pk", flat=True))


def _note(rep: Any, moment: datetime.datetime, **about: Any) -> None:
    with at(moment):
        activity_create(
            actor=rep, data={"kind": "note", "body": "Called", "occurred_at": moment, **about}
        )


# --- policies -------------------------------------------------------------------------------


def test_cutoff_counts_calendar_months() -> None:
    march_end = datetime.datetime(2026, 3, 31, 8, 30, tzinfo=datetime.UTC)
    assert retention.months_before(march_end, 1) == datetime.datetime(
        2026, 2, 28, 8, 30, tzinfo=datetime.UTC
    )
    assert retention.months_before(march_end, 15).date() == datetime.date(2024, 12, 31)
    assert retention.months_before(NOW, 12) == CUTOFF


def test_create_update_delete_are_audited(admin: Any) -> None:
    policy = _policy(admin, "people", name="Old subscribers", statuses=["subscriber"])
    assert (policy.entity, policy.inactive_months, policy.statuses) == (
        "people",
        12,
        ["subscriber"],
    )
    updated = retention.policy_update(
        actor=admin, policy=policy, data={"inactive_months": 36}, expected_version=1
    )
    assert (updated.inactive_months, updated.version) == (36, 2)
    retention.policy_delete(actor=admin, policy=updated, expected_version=2)
    assert not RetentionPolicy.objects.exists()
    actions = list(
        AuditEntry.objects.filter(object_type="privacy.retentionpolicy", object_id=str(policy.pk))
        .order_by("id")
        .values_list("action", "changes")
    )
    assert [action for action, _changes in actions] == [
        "privacy.retention_policy.created",
        "privacy.retention_policy.updated",
        "privacy.retention_policy.deleted",
    ]
    assert actions[1][1] == {"inactive_months": [12, 36]}


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"inactive_months": 0}, "inactive_months"),
        ({"inactive_months": "soon"}, "inactive_months"),
        ({"entity": "organizations"}, "entity"),
        ({"entity": "leads", "statuses": ["customer"]}, "statuses"),
        ({"entity": "people", "statuses": ["disqualified"]}, "statuses"),
        ({"name": "   "}, "name"),
        ({"name": "LEADS POLICY"}, "name"),
    ],
    ids=[
        "zero-months",
        "months-not-a-number",
        "unknown-records",
        "a-stage-on-a-lead-policy",
        "a-lead-status-on-a-people-policy",
        "blank-name",
        "name-taken-in-other-case",
    ],
)
def test_invalid_policies_are_refused_by_field(
    admin: Any, data: dict[str, Any], field: str
) -> None:
    _policy(admin, name="Leads policy")
    with pytest.raises(ValidationError) as caught:
        _policy(admin, **{"name": "Another", **data})
    assert field in caught.value.message_dict
    assert RetentionPolicy.objects.count() == 1


def test_a_stale_update_changes_nothing(admin: Any) -> None:
    policy = _policy(admin)
    retention.policy_update(actor=admin, policy=policy, data={"enabled": True})
    with pytest.raises(PreconditionFailed):
        retention.policy_update(
            actor=admin, policy=policy, data={"inactive_months": 2}, expected_version=1
        )
    policy.refresh_from_db()
    assert (policy.inactive_months, policy.enabled, policy.version) == (12, True, 2)


def test_only_settings_managers_manage_or_run_policies(admin: Any, manager: Any) -> None:
    policy = _policy(admin)
    with pytest.raises(PermissionDenied):
        retention.policy_create(
            actor=manager, data={"name": "X", "entity": "leads", "inactive_months": 1}
        )
    with pytest.raises(PermissionDenied):
        retention.policy_update(actor=manager, policy=policy, data={"enabled": True})
    with pytest.raises(PermissionDenied):
        retention.policy_dry_run(actor=manager, policy=policy)
    with pytest.raises(PermissionDenied):
        retention.policy_run(actor=manager, policy=policy)
    with pytest.raises(PermissionDenied):
        retention.policy_delete(actor=manager, policy=policy)
    assert list(RetentionPolicy.objects.values_list("name", "enabled")) == [(policy.name, False)]
    assert not RetentionRun.objects.exists()


# --- selection ------------------------------------------------------------------------------


def test_lead_activity_just_before_the_cutoff_does_not_keep_it(
    admin: Any, rep: Any, old_lead: Any
) -> None:
    before, exactly, after, silent = (old_lead() for _ in range(4))
    _note(rep, CUTOFF - SECOND, lead=before.pk)
    _note(rep, CUTOFF, lead=exactly.pk)
    _note(rep, CUTOFF + SECOND, lead=after.pk)
    assert _selected(_policy(admin)) == {before.pk, silent.pk}


def test_a_lead_changed_since_the_cutoff_is_kept(admin: Any, rep: Any, old_lead: Any) -> None:
    changed, unchanged = old_lead(), old_lead()
    Lead.objects.filter(pk=changed.pk).update(updated_at=CUTOFF + SECOND)
    Lead.objects.filter(pk=unchanged.pk).update(updated_at=CUTOFF - SECOND)
    assert _selected(_policy(admin)) == {unchanged.pk}


def test_a_deleted_activity_does_not_keep_a_lead(admin: Any, rep: Any, old_lead: Any) -> None:
    lead = old_lead()
    _note(rep, CUTOFF + SECOND, lead=lead.pk)
    from elo.activities.models import Activity

    Activity.objects.filter(lead=lead).update(deleted_at=CUTOFF + SECOND)
    assert _selected(_policy(admin)) == {lead.pk}


def test_lead_statuses_limit_the_policy(admin: Any, old_lead: Any) -> None:
    new, working = old_lead(), old_lead(status="working")
    assert _selected(_policy(admin, statuses=["working"])) == {working.pk}
    assert _selected(_policy(admin)) == {new.pk, working.pk}


def test_erased_leads_are_not_selected_again(admin: Any, old_lead: Any) -> None:
    lead, erased = old_lead(), old_lead()
    Lead.objects.filter(pk=erased.pk).update(erased_at=LONG_AGO)
    assert _selected(_policy(admin)) == {lead.pk}


def test_a_new_lead_is_not_selected(admin: Any, rep: Any) -> None:
    lead_create(actor=rep, data={"given_name": "Fresh"})
    assert _selected(_policy(admin, inactive_months=1)) == set()


def _touch_deal(rep: Any, person: Person) -> None:
    pipeline_ensure_default()
    deal_create(actor=rep, data={"title": "Renewal", "amount": "10", "people": [person.pk]})


def _touch_quote(rep: Any, person: Person) -> None:
    Quote.objects.create(owner=rep, title="Offer", currency="EUR", person=person)


def _touch_order(rep: Any, person: Person) -> None:
    Order.objects.create(owner=rep, title="Order", currency="EUR", person=person)


def _touch_invoice(rep: Any, person: Person) -> None:
    series, _created = Series.objects.get_or_create(code="FT")
    Invoice.objects.create(owner=rep, series=series, currency="EUR", person=person)


def _touch_activity(rep: Any, person: Person) -> None:
    activity_create(actor=rep, data={"kind": "note", "body": "Hello", "person": person.pk})


def _touch_meeting(rep: Any, person: Person) -> None:
    """A meeting on an organization's timeline that the person attended."""
    from elo.contacts.services import organization_create

    start = datetime.datetime.now(datetime.UTC)
    organization = organization_create(actor=rep, data={"name": "Acme"})
    activity_create(
        actor=rep,
        data={
            "kind": "meeting",
            "organization": organization.pk,
            "subject": "Demo",
            "starts_at": start,
            "ends_at": start + datetime.timedelta(hours=1),
            "attendees": [person.pk],
        },
    )


def _touch_consent(rep: Any, person: Person) -> None:
    services.consent_record(
        actor=rep,
        person=person,
        purpose="marketing",
        channel="email",
        action="withdrawn",
    )


def _touch_lead(rep: Any, person: Person) -> None:
    lead = lead_create(actor=rep, data={"given_name": "Again"})
    Lead.objects.filter(pk=lead.pk).update(person=person)


def _touch_open_request(rep: Any, person: Person) -> None:
    from elo.privacy.models import SubjectRequest

    SubjectRequest.objects.create(
        person=person, kind="access", law="gdpr", received_at=LONG_AGO, due_at=LONG_AGO
    )


TOUCHES = {
    "timeline-entry": _touch_activity,
    "meeting-attended": _touch_meeting,
    "deal": _touch_deal,
    "quote": _touch_quote,
    "order": _touch_order,
    "invoice": _touch_invoice,
    "consent": _touch_consent,
    "lead": _touch_lead,
}


@pytest.mark.parametrize("touch", list(TOUCHES.values()), ids=list(TOUCHES))
def test_anything_about_a_person_after_the_cutoff_keeps_them(
    admin: Any, rep: Any, old_person: Any, touch: Any
) -> None:
    kept, before, silent = old_person(), old_person(), old_person()
    with at(CUTOFF + SECOND):
        touch(rep, kept)
    with at(CUTOFF - SECOND):
        touch(rep, before)
    assert _selected(_policy(admin, "people")) == {before.pk, silent.pk}


def test_an_open_subject_request_protects_a_person_a_closed_one_does_not(
    admin: Any, rep: Any, old_person: Any
) -> None:
    open_request, closed_request = old_person(), old_person()
    _touch_open_request(rep, open_request)
    _touch_open_request(rep, closed_request)
    from elo.privacy.models import SubjectRequest

    SubjectRequest.objects.filter(person=closed_request).update(status="rejected")
    assert _selected(_policy(admin, "people")) == {closed_request.pk}


def test_erased_and_merged_people_are_not_selected(admin: Any, old_person: Any) -> None:
    survivor, merged, erased, trashed = (old_person() for _ in range(4))
    Person.objects.filter(pk=merged.pk).update(merged_into=survivor, deleted_at=LONG_AGO)
    Person.objects.filter(pk=erased.pk).update(erased_at=LONG_AGO)
    Person.objects.filter(pk=trashed.pk).update(deleted_at=LONG_AGO)
    assert _selected(_policy(admin, "people")) == {survivor.pk, trashed.pk}


def test_lifecycle_stages_limit_a_people_policy(admin: Any, old_person: Any) -> None:
    customer, subscriber = (
        old_person(lifecycle_stage="customer"),
        old_person(lifecycle_stage="subscriber"),
    )
    assert _selected(_policy(admin, "people", statuses=["subscriber"])) == {subscriber.pk}
    assert _selected(_policy(admin, "people")) == {customer.pk, subscriber.pk}


def test_selection_is_one_query_whatever_the_size(
    admin: Any, old_person: Any, django_assert_num_queries: Any
) -> None:
    policy = _policy(admin, "people")
    old_person()
    with django_assert_num_queries(1):
        assert len(_selected(policy)) == 1
    for _ in range(5):
        old_person()
    with django_assert_num_queries(1):
        assert len(_selected(policy)) == 6


# --- dry runs and runs ----------------------------------------------------------------------


def _rows() -> list[tuple[Any, ...]]:
    return [
        *Lead.objects.order_by("pk").values_list(
            "pk", "given_name", "email", "updated_at", "erased_at", "version"
        ),
        *Person.objects.order_by("pk").values_list(
            "pk", "given_name", "primary_email", "updated_at", "erased_at", "version"
        ),
    ]


def test_a_dry_run_lists_what_a_run_would_touch_and_touches_nothing(
    admin: Any, rep: Any, old_lead: Any
) -> None:
    leads = [old_lead() for _ in range(3)]
    _note(rep, NOW, lead=leads[1].pk)
    policy = _policy(admin)
    rows, audits, events = _rows(), AuditEntry.objects.count(), OutboxEvent.objects.count()
    run = retention.policy_dry_run(actor=admin, policy=policy)
    assert (run.dry_run, run.matched, run.anonymized) == (True, 2, 0)
    assert run.record_ids == [leads[0].pk, leads[2].pk]
    assert (run.cutoff, run.actor_id, run.finished_at) == (CUTOFF, admin.pk, NOW)
    assert _rows() == rows
    assert (AuditEntry.objects.count(), OutboxEvent.objects.count()) == (audits, events)
    policy.refresh_from_db()
    assert (policy.last_run_at, policy.last_run_count) == (None, 0)


def test_a_dry_run_stores_at_most_the_limit_of_ids(
    admin: Any, old_lead: Any, monkeypatch: Any
) -> None:
    leads = [old_lead() for _ in range(3)]
    monkeypatch.setattr(retention, "STORED_IDS_LIMIT", 2)
    run = retention.policy_dry_run(actor=admin, policy=_policy(admin))
    assert (run.matched, run.record_ids) == (3, [leads[0].pk, leads[1].pk])


def test_a_run_anonymizes_exactly_the_dry_runs_set(
    admin: Any, rep: Any, old_lead: Any, old_person: Any
) -> None:
    leads = [old_lead(given_name=f"Lead{index}") for index in range(4)]
    _note(rep, NOW, lead=leads[2].pk)
    bystander = old_person(given_name="Bystander")
    policy = _policy(admin, name="Stale leads")
    dry = retention.policy_dry_run(actor=admin, policy=policy)
    run = retention.policy_run(actor=admin, policy=policy)
    assert (run.dry_run, run.matched, run.anonymized, run.error) == (False, 3, 3, "")
    assert run.record_ids == dry.record_ids
    erased = set(Lead.objects.filter(erased_at__isnull=False).values_list("pk", flat=True))
    assert erased == set(dry.record_ids) == {leads[0].pk, leads[1].pk, leads[3].pk}
    assert not Lead.objects.filter(given_name__in=["Lead0", "Lead1", "Lead3"]).exists()
    assert Lead.objects.get(pk=leads[2].pk).given_name == "Lead2"
    assert Person.objects.get(pk=bystander.pk).given_name == "Bystander"
    policy.refresh_from_db()
    assert (policy.last_run_at, policy.last_run_count, policy.version) == (NOW, 3, 1)
    entry = AuditEntry.objects.get(action="privacy.retention.ran")
    assert (entry.object_id, entry.changes["anonymized"], run.actor_id) == (
        str(policy.pk),
        3,
        admin.pk,
    )
    event = OutboxEvent.objects.get(name="privacy.retention.ran")
    assert event.payload == {
        "policy": policy.pk,
        "run": run.pk,
        "entity": "leads",
        "cutoff": CUTOFF.isoformat(),
        "matched": 3,
        "anonymized": 3,
        "failed": False,
    }
    assert AuditEntry.objects.filter(action="privacy.lead.anonymized").count() == 3


def test_running_again_changes_nothing(admin: Any, old_lead: Any) -> None:
    for _ in range(2):
        old_lead()
    policy = _policy(admin)
    retention.policy_run(actor=admin, policy=policy)
    rows = _rows()
    again = retention.policy_run(actor=admin, policy=policy)
    assert (again.matched, again.anonymized, again.record_ids) == (0, 0, [])
    assert _rows() == rows


def test_people_are_erased_through_the_erasure(admin: Any, old_person: Any) -> None:
    person = old_person(given_name="Joana", family_name="Prado", emails=["joana@example.com"])
    run = retention.policy_run(actor=admin, policy=_policy(admin, "people"))
    assert (run.matched, run.anonymized, run.record_ids) == (1, 1, [person.pk])
    erased = Person.objects.get(pk=person.pk)
    assert erased.erased_at == NOW
    assert "Joana" not in erased.full_name and erased.primary_email != "joana@example.com"


def test_a_crash_mid_run_keeps_what_was_done_and_the_next_run_finishes(
    admin: Any, old_lead: Any, monkeypatch: Any
) -> None:
    leads = [old_lead() for _ in range(5)]
    policy = _policy(admin)
    real = erasure.lead_anonymize
    calls: list[int] = []

    def crash_on_third(*, actor: Any, lead: Any, reason: str) -> None:
        calls.append(lead.pk)
        if len(calls) == 3:
            # Each record is counted with its erasure: a process killed here keeps count.
            assert RetentionRun.objects.get(dry_run=False).anonymized == 2
            raise RuntimeError("the database went away")
        real(actor=actor, lead=lead, reason=reason)

    monkeypatch.setattr(erasure, "lead_anonymize", crash_on_third)
    broken = retention.policy_run(actor=admin, policy=policy)
    assert (broken.matched, broken.anonymized) == (5, 2)
    assert f"#{leads[2].pk}" in broken.error and "RuntimeError" in broken.error
    erased = Lead.objects.filter(erased_at__isnull=False).values_list("pk", flat=True)
    assert sorted(erased) == [leads[0].pk, leads[1].pk]
    assert OutboxEvent.objects.get(name="privacy.retention.ran").payload["failed"] is True

    monkeypatch.setattr(erasure, "lead_anonymize", real)
    finished = retention.policy_run(actor=admin, policy=policy)
    assert (finished.matched, finished.anonymized, finished.error) == (3, 3, "")
    assert finished.record_ids == [lead.pk for lead in leads[2:]]
    assert not Lead.objects.filter(erased_at__isnull=True).exists()


def test_a_record_the_erasure_refuses_is_skipped_and_named(
    admin: Any, old_lead: Any, monkeypatch: Any
) -> None:
    leads = [old_lead() for _ in range(3)]
    real = erasure.lead_anonymize

    def refuse_second(*, actor: Any, lead: Any, reason: str) -> None:
        if lead.pk == leads[1].pk:
            raise ValidationError("This lead is on legal hold.")
        real(actor=actor, lead=lead, reason=reason)

    monkeypatch.setattr(erasure, "lead_anonymize", refuse_second)
    run = retention.policy_run(actor=admin, policy=_policy(admin))
    assert (run.matched, run.anonymized) == (3, 2)
    assert f"#{leads[1].pk}: This lead is on legal hold." in run.error
    assert run.record_ids == [leads[0].pk, leads[2].pk]


def test_a_record_worked_on_during_the_run_is_left_alone(
    admin: Any, rep: Any, old_lead: Any, monkeypatch: Any
) -> None:
    leads = [old_lead() for _ in range(3)]
    real = erasure.lead_anonymize

    def someone_calls_the_second(*, actor: Any, lead: Any, reason: str) -> None:
        if lead.pk == leads[0].pk:
            _note(rep, NOW, lead=leads[1].pk)
        real(actor=actor, lead=lead, reason=reason)

    monkeypatch.setattr(erasure, "lead_anonymize", someone_calls_the_second)
    run = retention.policy_run(actor=admin, policy=_policy(admin))
    assert (run.matched, run.anonymized, run.record_ids) == (3, 2, [leads[0].pk, leads[2].pk])
    assert Lead.objects.get(pk=leads[1].pk).erased_at is None


def test_the_reason_names_the_policy(admin: Any, old_lead: Any) -> None:
    lead = old_lead()
    retention.policy_run(actor=admin, policy=_policy(admin, name="Two years"))
    entry = AuditEntry.objects.get(action="privacy.lead.anonymized", object_id=str(lead.pk))
    assert "Two years" in entry.changes["reason"]


# --- the schedule ---------------------------------------------------------------------------


def test_the_daily_job_runs_only_enabled_policies(admin: Any, old_lead: Any) -> None:
    lead = old_lead()
    enabled = _policy(admin, name="On", enabled=True)
    disabled = _policy(admin, name="Off")
    assert schedule.registered()["privacy.retention"].spec == "@daily"
    schedule.run_due(NOW)
    assert not RetentionRun.objects.exists()
    tomorrow = NOW + datetime.timedelta(days=1)
    with at(tomorrow):
        schedule.run_due(tomorrow)
    job = ScheduledJob.objects.get(key="privacy.retention")
    assert (job.runs, job.failures, job.last_error) == (1, 0, "")
    run = RetentionRun.objects.get()
    assert (run.policy_id, run.actor_id, run.anonymized, run.dry_run) == (
        enabled.pk,
        None,
        1,
        False,
    )
    assert Lead.objects.get(pk=lead.pk).erased_at == tomorrow
    assert not disabled.runs.exists()
    entry = AuditEntry.objects.get(action="privacy.retention.ran")
    assert (entry.actor_kind, entry.actor_label) == ("system", "schedule:privacy.retention")


def test_a_failing_policy_does_not_stop_the_others_and_the_job_reports_it(
    admin: Any, old_lead: Any, old_person: Any, monkeypatch: Any
) -> None:
    old_lead()
    person = old_person()
    _policy(admin, name="Leads", enabled=True)
    _policy(admin, "people", name="People", enabled=True)

    def broken(**kwargs: Any) -> None:
        raise RuntimeError("boom")

    monkeypatch.setattr(erasure, "lead_anonymize", broken)
    with pytest.raises(RuntimeError, match="Leads"):
        retention.run_enabled_policies()
    assert Person.objects.get(pk=person.pk).erased_at == NOW
    assert sorted(RetentionRun.objects.values_list("policy__name", "anonymized")) == [
        ("Leads", 0),
        ("People", 1),
    ]


def test_run_now_leaves_the_work_to_the_worker_which_acts_as_the_user(
    admin: Any, old_lead: Any, settings: Any
) -> None:
    from django_tasks_db.models import DBTaskResult

    leads = [old_lead(), old_lead()]
    policy = retention.policy_create(
        actor=admin, data={"name": "Old leads", "entity": "leads", "inactive_months": 12}
    )
    # A real queue (the suite's default backend runs tasks at once); the setting change
    # resets django-tasks' backends.
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    run = retention.policy_run_start(actor=admin, policy=policy)
    assert (run.matched, run.anonymized, run.finished_at) == (2, 0, None)
    assert not Lead.objects.filter(erased_at__isnull=False).exists()
    queued = DBTaskResult.objects.get()
    assert queued.args_kwargs["args"] == [run.pk, admin.pk]
    done = retention.carry_out(run.pk, admin.pk)  # what the worker calls
    assert done is not None and (done.anonymized, done.error) == (2, "")
    assert done.finished_at is not None
    assert {lead.pk for lead in Lead.objects.filter(erased_at__isnull=False)} == {
        lead.pk for lead in leads
    }
    entry = AuditEntry.objects.get(action="privacy.retention.ran")
    assert (entry.actor_kind, entry.actor_user_id) == ("user", admin.pk)
    assert retention.carry_out(run.pk, admin.pk).anonymized == 2  # once only
