"""Retention policies: personal data is kept no longer than needed. A policy names the
records (leads or people) that are anonymized after some months without activity; a dry
run lists them and touches nothing; a run anonymizes them through the erasure functions,
one record per transaction, so a run that stops half way loses nothing and the next run
carries on where it stopped. Enabled policies run daily on the schedule."""

from __future__ import annotations

import calendar
import datetime
import logging
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Exists, F, OuterRef, Q
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from elo.activities.models import Activity
from elo.billing.models import Invoice, Order
from elo.contacts.choices import LifecycleStage
from elo.contacts.models import Person
from elo.core import audit, context, events
from elo.core.errors import check_version
from elo.core.pagination import Page, paginate
from elo.core.permissions import require
from elo.privacy.choices import RequestStatus, RetentionEntity
from elo.privacy.models import ConsentEvent, RetentionPolicy, RetentionRun, SubjectRequest
from elo.sales.choices import LeadStatus
from elo.sales.models import DealPerson, Lead, Quote

logger = logging.getLogger(__name__)

POLICY_FIELDS = ["name", "entity", "inactive_months", "statuses", "enabled"]
# A run or dry run stores at most this many record ids (the counts are always exact).
STORED_IDS_LIMIT = 10_000
MAX_MONTHS = 1200
# A run writes the ids it anonymized to its row every this many records.
FLUSH_EVERY = 100
BATCH = 500
CLOSED_REQUESTS = (RequestStatus.COMPLETED, RequestStatus.REJECTED)


def status_choices(entity: str) -> list[tuple[str, str]]:
    """The statuses a policy for `entity` may be limited to: lead statuses or lifecycle
    stages of people."""
    if entity == RetentionEntity.LEADS:
        return [(value, str(label)) for value, label in LeadStatus.choices]
    if entity == RetentionEntity.PEOPLE:
        return [(value, str(label)) for value, label in LifecycleStage.choices]
    return []


# --- policies -------------------------------------------------------------------------------


def _clean_months(value: Any, errors: dict[str, list[str]]) -> int:
    if isinstance(value, bool):
        value = None
    try:
        months = int(value)
    except (TypeError, ValueError):
        errors["inactive_months"] = [_("Enter a whole number of months.")]
        return 0
    if months < 1:
        errors["inactive_months"] = [_("At least one month.")]
    elif months > MAX_MONTHS:
        errors["inactive_months"] = [_("At most %(months)s months.") % {"months": MAX_MONTHS}]
    return months


def _clean_statuses(value: Any, entity: str, errors: dict[str, list[str]]) -> list[str]:
    if value is None or value == "":
        return []
    if not isinstance(value, list | tuple):
        errors["statuses"] = [_("Give a list of statuses.")]
        return []
    allowed = [choice for choice, _label in status_choices(entity)]
    chosen = [str(item) for item in value]
    unknown = [item for item in chosen if item not in allowed]
    if unknown and allowed:
        errors["statuses"] = [
            _("Not a status of these records: %(unknown)s. Choose from: %(values)s.")
            % {"unknown": ", ".join(unknown), "values": ", ".join(allowed)}
        ]
    return [choice for choice in allowed if choice in chosen]


def _clean_policy(
    data: Mapping[str, Any], *, instance: RetentionPolicy | None = None
) -> dict[str, Any]:
    """The policy's fields from `data` (on an update, only the keys present)."""
    errors: dict[str, list[str]] = {}
    fields: dict[str, Any] = {}
    if instance is None or "name" in data:
        name = " ".join(str(data.get("name") or "").split())
        if not name:
            errors["name"] = [_("Enter a name.")]
        elif len(name) > 100:
            errors["name"] = [_("At most 100 characters.")]
        else:
            taken = RetentionPolicy.objects.filter(name__iexact=name)
            if instance is not None:
                taken = taken.exclude(pk=instance.pk)
            if taken.exists():
                errors["name"] = [_("A policy with this name exists.")]
        fields["name"] = name
    entity = instance.entity if instance is not None else ""
    if instance is None or "entity" in data:
        entity = str(data.get("entity") or "")
        if entity not in RetentionEntity.values:
            errors["entity"] = [
                _("Choose one of: %(values)s.") % {"values": ", ".join(RetentionEntity.values)}
            ]
        fields["entity"] = entity
    if instance is None or "inactive_months" in data:
        fields["inactive_months"] = _clean_months(data.get("inactive_months"), errors)
    if "statuses" in data or "entity" in fields:
        current = instance.statuses if instance is not None else []
        statuses = data.get("statuses", current)
        if "entity" not in errors:
            fields["statuses"] = _clean_statuses(statuses, entity, errors)
    if "enabled" in data and data["enabled"] is not None:
        fields["enabled"] = bool(data["enabled"])
    if errors:
        raise ValidationError(errors)
    return fields


def policy_create(*, actor: Any, data: Mapping[str, Any]) -> RetentionPolicy:
    require(actor, "settings.manage")
    fields = _clean_policy(data)
    with transaction.atomic():
        policy = RetentionPolicy.objects.create(**fields, created_by=actor)
        audit.record(
            action="privacy.retention_policy.created",
            instance=policy,
            changes=audit.snapshot(policy, POLICY_FIELDS),
        )
    return policy


def policy_update(
    *,
    actor: Any,
    policy: RetentionPolicy,
    data: Mapping[str, Any],
    expected_version: int | None = None,
) -> RetentionPolicy:
    """Applies the fields present in `data`; refuses a stale `expected_version`."""
    require(actor, "settings.manage")
    with transaction.atomic():
        locked = RetentionPolicy.objects.select_for_update().get(pk=policy.pk)
        check_version(expected_version, locked.version)
        fields = _clean_policy(data, instance=locked)
        before = audit.snapshot(locked, POLICY_FIELDS)
        for name, value in fields.items():
            setattr(locked, name, value)
        changes = audit.diff(before, audit.snapshot(locked, POLICY_FIELDS))
        if changes:
            locked.version += 1
            locked.updated_at = timezone.now()
            locked.save()
            audit.record(
                action="privacy.retention_policy.updated", instance=locked, changes=changes
            )
    return locked


def policy_delete(
    *, actor: Any, policy: RetentionPolicy, expected_version: int | None = None
) -> None:
    """Deletes the policy and its run history; the anonymized records stay anonymized."""
    require(actor, "settings.manage")
    with transaction.atomic():
        locked = RetentionPolicy.objects.select_for_update().get(pk=policy.pk)
        check_version(expected_version, locked.version)
        audit.record(
            action="privacy.retention_policy.deleted",
            instance=locked,
            changes=audit.snapshot(locked, POLICY_FIELDS),
        )
        locked.delete()


# --- selection ------------------------------------------------------------------------------


def months_before(moment: datetime.datetime, months: int) -> datetime.datetime:
    """`moment` minus `months` calendar months (the 31st becomes the month's last day)."""
    index = moment.year * 12 + moment.month - 1 - months
    year, month = divmod(index, 12)
    day = min(moment.day, calendar.monthrange(year, month + 1)[1])
    return moment.replace(year=year, month=month + 1, day=day)


def cutoff_for(policy: RetentionPolicy, now: datetime.datetime) -> datetime.datetime:
    return months_before(now, policy.inactive_months)


def _touched_since(cutoff: datetime.datetime, prefix: str = "") -> Q:
    return Q(**{f"{prefix}created_at__gte": cutoff}) | Q(**{f"{prefix}updated_at__gte": cutoff})


def _recent_activity(cutoff: datetime.datetime, **link: Any) -> models.QuerySet[Activity]:
    """Timeline entries on the record (not in the trash) that happened, were logged or were
    changed since the cutoff; a meeting or task dated later counts too."""
    return Activity.objects.filter(deleted_at__isnull=True, **link).filter(
        Q(occurred_at__gte=cutoff) | _touched_since(cutoff)
    )


def lead_candidates(policy: RetentionPolicy, cutoff: datetime.datetime) -> models.QuerySet[Lead]:
    """Leads not changed and without timeline activity since the cutoff, not yet erased,
    in the policy's statuses (if any). Leads in the trash are included: they still hold
    personal data."""
    leads = Lead.objects.filter(
        erased_at__isnull=True, updated_at__lt=cutoff, created_at__lt=cutoff
    ).filter(~Exists(_recent_activity(cutoff, lead=OuterRef("pk"))))
    if policy.statuses:
        leads = leads.filter(status__in=policy.statuses)
    return leads


def person_candidates(
    policy: RetentionPolicy, cutoff: datetime.datetime
) -> models.QuerySet[Person]:
    """People not changed since the cutoff and with nothing about them since: no timeline
    entry (their own or a meeting they attended), no deal, order, invoice, quote or lead
    created or changed, no consent recorded; not under an open data subject request, not
    erased, not merged into another person; in the policy's lifecycle stages (if any).
    People in the trash are included: they still hold personal data."""
    person = OuterRef("pk")
    attended = Activity.attendees.through.objects.filter(
        person_id=person,
        activity__deleted_at__isnull=True,
    ).filter(Q(activity__occurred_at__gte=cutoff) | _touched_since(cutoff, "activity__"))
    people = Person.objects.filter(
        erased_at__isnull=True,
        merged_into__isnull=True,
        updated_at__lt=cutoff,
        created_at__lt=cutoff,
    ).filter(
        ~Exists(_recent_activity(cutoff, person=person)),
        ~Exists(attended),
        ~Exists(DealPerson.objects.filter(_touched_since(cutoff, "deal__"), person=person)),
        ~Exists(Order.objects.filter(_touched_since(cutoff), person=person)),
        ~Exists(Invoice.objects.filter(_touched_since(cutoff), person=person)),
        ~Exists(Quote.objects.filter(_touched_since(cutoff), person=person)),
        ~Exists(ConsentEvent.objects.filter(person=person, created_at__gte=cutoff)),
        ~Exists(SubjectRequest.objects.filter(person=person).exclude(status__in=CLOSED_REQUESTS)),
    )
    # Few leads name a person, so an index on the link tells the planner little (SQLite then
    # scans the leads once per person); the people of recently touched leads are one set.
    recent_leads = Lead.objects.filter(_touched_since(cutoff), person__isnull=False)
    people = people.exclude(pk__in=recent_leads.values("person_id"))
    if policy.statuses:
        people = people.filter(lifecycle_stage__in=policy.statuses)
    return people


def candidates(policy: RetentionPolicy, now: datetime.datetime) -> models.QuerySet[Any]:
    """The records a run of `policy` at `now` anonymizes, as one set-based query."""
    cutoff = cutoff_for(policy, now)
    if policy.entity == RetentionEntity.LEADS:
        return lead_candidates(policy, cutoff)
    return person_candidates(policy, cutoff)


# --- runs -----------------------------------------------------------------------------------


def _start(policy: RetentionPolicy, actor: Any, now: datetime.datetime, dry_run: bool) -> Any:
    user = actor if getattr(actor, "pk", None) else None
    return RetentionRun(
        policy=policy,
        dry_run=dry_run,
        started_at=now,
        cutoff=cutoff_for(policy, now),
        actor=user,
    )


def policy_dry_run(*, actor: Any, policy: RetentionPolicy) -> RetentionRun:
    """Counts and lists the records a run would anonymize now (the first STORED_IDS_LIMIT
    ids, lowest first) and stores that as a dry run. Touches no record."""
    require(actor, "settings.manage")
    now = timezone.now()
    run = _start(policy, actor, now, dry_run=True)
    found = candidates(policy, now)
    run.matched = found.count()
    run.record_ids = list(found.order_by("pk").values_list("pk", flat=True)[:STORED_IDS_LIMIT])
    run.finished_at = timezone.now()
    run.save()
    return run


def _erase_one(run: RetentionRun, actor: Any, record_id: int, reason: str) -> bool:
    """Anonymizes one record in its own transaction, counted on the run in the same
    transaction, when it is still a candidate (someone may have worked on it since the run
    listed it); returns whether it did."""
    from elo.privacy import erasure

    policy = run.policy
    with transaction.atomic():
        found = candidates(policy, run.started_at).filter(pk=record_id)
        record = found.select_for_update(of=("self",)).first()
        if record is None:
            return False
        if policy.entity == RetentionEntity.LEADS:
            erasure.lead_anonymize(actor=actor, lead=record, reason=reason)
        else:
            erasure.person_erase(actor=actor, person=record, reason=reason)
        RetentionRun.objects.filter(pk=run.pk).update(anonymized=F("anonymized") + 1)
    return True


def _begin(*, actor: Any, policy: RetentionPolicy) -> RetentionRun:
    now = timezone.now()
    run: RetentionRun = _start(policy, actor, now, dry_run=False)
    run.matched = candidates(policy, now).count()
    run.save()
    return run


def _run(*, actor: Any, policy: RetentionPolicy) -> RetentionRun:
    return _carry_out(_begin(actor=actor, policy=policy), actor)


def _carry_out(run: RetentionRun, actor: Any) -> RetentionRun:
    policy = run.policy
    found = candidates(policy, run.started_at)
    reason = _("Retention policy “%(name)s”: no activity since %(cutoff)s.") % {
        "name": policy.name,
        "cutoff": run.cutoff.date().isoformat(),
    }
    done: list[int] = []
    skipped: list[str] = []
    last = 0
    try:
        while True:
            batch = list(
                found.filter(pk__gt=last).order_by("pk").values_list("pk", flat=True)[:BATCH]
            )
            if not batch:
                break
            for record_id in batch:
                last = record_id
                try:
                    erased = _erase_one(run, actor, record_id, reason)
                except ValidationError as error:
                    skipped.append(f"#{record_id}: {' '.join(error.messages)}")
                    continue
                if erased:
                    done.append(record_id)
                    if len(done) % FLUSH_EVERY == 0:
                        _flush(run, done)
    except Exception as error:
        logger.exception("retention policy %s stopped at record %s", policy.pk, last)
        run.error = _("Stopped at record #%(id)s: %(error)s") % {
            "id": last,
            "error": f"{type(error).__name__}: {error}"[:1000],
        }
    if skipped:
        lines = "\n".join(skipped[:50])
        run.error = "\n".join(
            part for part in (run.error, _("Refused by the erasure:") + "\n" + lines) if part
        )
    return _finish(policy, run, done)


def _flush(run: RetentionRun, done: list[int]) -> None:
    """Saves the ids anonymized so far (the count is kept with each record)."""
    RetentionRun.objects.filter(pk=run.pk).update(record_ids=done[:STORED_IDS_LIMIT])


def _finish(policy: RetentionPolicy, run: RetentionRun, done: list[int]) -> RetentionRun:
    with transaction.atomic():
        run.anonymized = len(done)
        run.record_ids = done[:STORED_IDS_LIMIT]
        run.finished_at = timezone.now()
        run.save()
        RetentionPolicy.objects.filter(pk=policy.pk).update(
            last_run_at=run.started_at, last_run_count=run.anonymized
        )
        policy.last_run_at, policy.last_run_count = run.started_at, run.anonymized
        payload = {
            "policy": policy.pk,
            "run": run.pk,
            "entity": policy.entity,
            "cutoff": run.cutoff,
            "matched": run.matched,
            "anonymized": run.anonymized,
            "failed": bool(run.error),
        }
        audit.record(
            action="privacy.retention.ran",
            instance=policy,
            changes={**payload, "error": run.error[:2000]},
        )
        events.emit("privacy.retention.ran", payload)
    return run


def policy_run(*, actor: Any, policy: RetentionPolicy) -> RetentionRun:
    """Anonymizes every record the policy selects now, one record per transaction, and
    records the run. A record someone worked on since the run started is left alone; one
    the erasure refuses is skipped and named in the run's `error`; any other failure stops
    the run there (what was done stays done, and the next run carries on)."""
    require(actor, "settings.manage")
    return _run(actor=actor, policy=policy)


def policy_run_start(*, actor: Any, policy: RetentionPolicy) -> RetentionRun:
    """ "Run now" from a page or the API: records the run and its count now, and leaves the
    anonymizing to the task worker (a run of thousands of records outlasts a web request).
    The run shows as not finished until the worker is done; the caller must not hold a
    transaction open, so the worker finds the run."""
    from elo.privacy.tasks import carry_out_retention_run

    require(actor, "settings.manage")
    run = _begin(actor=actor, policy=policy)
    carry_out_retention_run.enqueue(run.pk, actor.pk)
    run.refresh_from_db()
    return run


def carry_out(run_id: int, actor_id: int | None) -> RetentionRun | None:
    """The worker's half of `policy_run_start`; a run already finished is left alone."""
    from elo.identity.models import User

    run = RetentionRun.objects.select_related("policy").filter(pk=run_id).first()
    if run is None or run.finished_at is not None:
        return run
    actor = User.objects.filter(pk=actor_id).first() if actor_id else None
    if actor is None or context.current_actor() is not None:
        return _carry_out(run, actor)
    # In the worker: the changes are the user's who started the run.
    label = f"{actor.get_username()} (retention run)"
    with context.acting(context.Actor(kind="user", user_id=actor.pk, label=label)):
        return _carry_out(run, actor)


def run_enabled_policies() -> list[RetentionRun]:
    """The daily job: runs every enabled policy as the system. A policy that fails does not
    stop the others; the job then raises so that the schedule records the failure."""
    runs = [
        _run(actor=None, policy=policy)
        for policy in RetentionPolicy.objects.filter(enabled=True).order_by("pk")
    ]
    failed = [run for run in runs if run.error]
    if failed:
        names = ", ".join(str(run.policy) for run in failed)
        raise RuntimeError(f"retention policies with errors: {names}")
    return runs


# --- reads ----------------------------------------------------------------------------------


def policy_list_for(
    user: Any, *, cursor: str | None = None, size: int = 50
) -> Page[RetentionPolicy]:
    require(user, "settings.manage")
    return paginate(RetentionPolicy.objects.all(), keys=["name", "id"], cursor=cursor, size=size)


def policy_get_for(user: Any, pk: Any) -> RetentionPolicy:
    require(user, "settings.manage")
    try:
        return RetentionPolicy.objects.get(pk=int(pk))
    except (RetentionPolicy.DoesNotExist, TypeError, ValueError) as error:
        raise Http404 from error


def run_list_for(
    user: Any, policy: RetentionPolicy, *, cursor: str | None = None, size: int = 50
) -> Page[RetentionRun]:
    """The policy's runs, newest first, without their (long) lists of ids."""
    require(user, "settings.manage")
    runs = RetentionRun.objects.filter(policy=policy).defer("record_ids").select_related("actor")
    return paginate(runs, keys=["-started_at", "-id"], cursor=cursor, size=size)


def run_get_for(user: Any, policy: RetentionPolicy, pk: Any) -> RetentionRun:
    require(user, "settings.manage")
    try:
        return RetentionRun.objects.select_related("actor").get(policy=policy, pk=int(pk))
    except (RetentionRun.DoesNotExist, TypeError, ValueError) as error:
        raise Http404 from error


def run_records(run: RetentionRun, *, user: Any, limit: int = 50) -> list[Any]:
    """The first `limit` records of a run's stored ids, in that order, for a page that
    links them; records the user may not see come back as None (the page shows the id)."""
    ids = [int(pk) for pk in run.record_ids[:limit]]
    model: Any = Lead if run.policy.entity == RetentionEntity.LEADS else Person
    found = {record.pk: record for record in model.objects.visible_to(user).filter(pk__in=ids)}
    return [(pk, found.get(pk)) for pk in ids]


def candidates_count(policy: RetentionPolicy) -> int:
    """How many records a run would anonymize now (for the confirmation page)."""
    return candidates(policy, timezone.now()).count()
