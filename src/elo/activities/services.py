"""Every write to the timeline: notes, tasks, calls, meetings and logged emails."""

from __future__ import annotations

import datetime
import secrets
from collections.abc import Mapping, Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from elo.activities.choices import ActivityKind, CallDirection, CallOutcome
from elo.activities.models import Activity, CalendarFeedToken
from elo.contacts.models import Organization, Person
from elo.core import audit, bulk, events, markdown
from elo.core.dates import parse_moment
from elo.core.errors import check_version
from elo.core.permissions import require
from elo.identity.models import User

AUDITED = [
    "kind",
    "subject",
    "body",
    "person",
    "organization",
    "occurred_at",
    "due_at",
    "done_at",
    "assignee",
    "direction",
    "duration_seconds",
    "outcome",
    "starts_at",
    "ends_at",
    "email_from",
    "email_to",
    "owner",
]
MOMENTS = ["occurred_at", "due_at", "done_at", "starts_at", "ends_at"]


class ActivityContext:
    """Look-ups for validating one activity or a batch, cached."""

    def __init__(self, actor: Any) -> None:
        self.actor = actor
        self.people: dict[int, Person | None] = {}
        self.organizations: dict[int, Organization | None] = {}
        self.users: dict[int, User | None] = {}
        self.leads: dict[int, Any] = {}
        self.deals: dict[int, Any] = {}

    def preload_people(self, pks: list[int]) -> None:
        wanted = {pk for pk in pks if pk not in self.people}
        if not wanted:
            return
        found = {
            person.pk: person
            for person in Person.objects.visible_to(self.actor)
            .alive()
            .filter(pk__in=wanted)
            .only("id", "owner_id", "team_id", "given_name", "family_name", "primary_email")
        }
        for pk in wanted:
            self.people[pk] = found.get(pk)

    def person(self, pk: int) -> Person | None:
        self.preload_people([pk])
        return self.people[pk]

    def organization(self, pk: int) -> Organization | None:
        if pk not in self.organizations:
            self.organizations[pk] = (
                Organization.objects.visible_to(self.actor).alive().filter(pk=pk).first()
            )
        return self.organizations[pk]

    def lead(self, pk: int) -> Any:
        from elo.sales.models import Lead

        if pk not in self.leads:
            self.leads[pk] = Lead.objects.visible_to(self.actor).alive().filter(pk=pk).first()
        return self.leads[pk]

    def deal(self, pk: int) -> Any:
        from elo.sales.models import Deal

        if pk not in self.deals:
            self.deals[pk] = Deal.objects.visible_to(self.actor).alive().filter(pk=pk).first()
        return self.deals[pk]

    def user(self, pk: int) -> User | None:
        if pk not in self.users:
            self.users[pk] = User.objects.filter(pk=pk, is_active=True).first()
        return self.users[pk]


def _id(value: Any) -> int | None:
    if value in (None, ""):
        return None
    value = getattr(value, "pk", value)
    try:
        return int(value)
    except (TypeError, ValueError):
        return -1


def clean_activity(
    ctx: ActivityContext, data: Mapping[str, Any], *, instance: Activity | None = None
) -> tuple[dict[str, Any], list[int] | None]:
    errors: dict[str, list[str]] = {}
    fields: dict[str, Any] = {}
    kind = data.get("kind", instance.kind if instance else None)
    if kind not in ActivityKind.values:
        errors["kind"] = [_("Pick note, task, call, meeting or email.")]
    elif instance is None or "kind" in data:
        fields["kind"] = kind
    for name, limit in (("subject", 300), ("email_from", 254)):
        if name in data:
            value = " ".join(str(data[name] or "").split())
            if len(value) > limit:
                errors[name] = [_("At most %(limit)d characters.") % {"limit": limit}]
            fields[name] = value
    for name in ("body", "email_to"):
        if name in data:
            fields[name] = str(data[name] or "").strip()
    if "external_id" in data:
        fields["external_id"] = str(data["external_id"] or "").strip()[:100]
    for name in MOMENTS:
        if name in data:
            try:
                fields[name] = parse_moment(data[name])
            except ValidationError as error:
                errors[name] = error.messages
    if "occurred_at" in fields and fields["occurred_at"] is None:
        fields["occurred_at"] = timezone.now()
    subjects = (
        ("person", ctx.person),
        ("organization", ctx.organization),
        ("lead", ctx.lead),
        ("deal", ctx.deal),
    )
    for name, lookup in subjects:
        if name in data:
            pk = _id(data[name])
            if pk is None:
                fields[f"{name}_id"] = None
            elif lookup(pk) is None:
                errors[name] = [_("This record does not exist.")]
            else:
                fields[f"{name}_id"] = pk
    linked = [
        fields.get(f"{name}_id", getattr(instance, f"{name}_id") if instance else None)
        for name, _lookup in subjects
    ]
    if all(pk is None for pk in linked) and not {name for name, _ in subjects} & set(errors):
        errors["person"] = [_("Link the activity to a person, an organization, a lead or a deal.")]
    if "assignee" in data:
        pk = _id(data["assignee"])
        if pk is not None and ctx.user(pk) is None:
            errors["assignee"] = [_("Pick an active user.")]
        fields["assignee_id"] = pk
    if "direction" in data:
        if (data["direction"] or "") not in CallDirection.values:
            errors["direction"] = [_("Pick inbound or outbound.")]
        fields["direction"] = data["direction"] or ""
    if "outcome" in data:
        if (data["outcome"] or "") not in CallOutcome.values:
            errors["outcome"] = [_("Pick an outcome from the list.")]
        fields["outcome"] = data["outcome"] or ""
    if "duration_seconds" in data:
        raw = data["duration_seconds"]
        if raw in (None, ""):
            fields["duration_seconds"] = None
        else:
            try:
                seconds = int(raw)
                if seconds < 0:
                    raise ValueError
                fields["duration_seconds"] = seconds
            except (TypeError, ValueError):
                errors["duration_seconds"] = [_("Enter a whole number of seconds, 0 or more.")]
    subject = fields.get("subject", instance.subject if instance else "")
    body = fields.get("body", instance.body if instance else "")
    if kind == ActivityKind.TASK and not subject and "subject" not in errors:
        errors["subject"] = [_("Say what the task is.")]
    if kind == ActivityKind.NOTE and not body and not subject and "body" not in errors:
        errors["body"] = [_("Write the note.")]
    if kind == ActivityKind.MEETING:
        starts = fields.get("starts_at", instance.starts_at if instance else None)
        if starts is None and data.get("occurred_at") and fields.get("occurred_at"):
            # A meeting logged after the fact (an import) started when it took place.
            starts = fields["starts_at"] = fields["occurred_at"]
        ends = fields.get("ends_at", instance.ends_at if instance else None)
        if starts is None and "starts_at" not in errors:
            errors["starts_at"] = [_("Enter when the meeting starts.")]
        elif starts and ends and ends < starts:
            errors["ends_at"] = [_("The meeting cannot end before it starts.")]
        if starts and "occurred_at" not in data:
            fields["occurred_at"] = starts
    attendees: list[int] | None = None
    if "attendees" in data:
        attendees = []
        pks = [pk for pk in (_id(item) for item in data["attendees"] or []) if pk is not None]
        ctx.preload_people([pk for pk in pks if pk > 0])
        for pk in pks:
            if pk < 0 or ctx.people.get(pk) is None:
                errors.setdefault("attendees", []).append(
                    _("Attendee %(id)s does not exist.") % {"id": pk}
                )
            elif pk not in attendees:
                attendees.append(pk)
    if "body" in fields:
        fields["body_html"] = markdown.render(fields["body"])
    if errors:
        raise ValidationError(errors)
    return fields, attendees


def _team_for(ctx: ActivityContext, fields: Mapping[str, Any], owner_id: int) -> int | None:
    """The activity belongs to the team of the record it is about, else the owner's team."""
    if fields.get("person_id"):
        person = ctx.person(fields["person_id"])
        if person is not None and person.team_id:
            return person.team_id
    if fields.get("organization_id"):
        organization = ctx.organization(fields["organization_id"])
        if organization is not None and organization.team_id:
            return organization.team_id
    for name, lookup in (("lead", ctx.lead), ("deal", ctx.deal)):
        if fields.get(f"{name}_id"):
            record = lookup(fields[f"{name}_id"])
            if record is not None and record.team_id:
                return int(record.team_id)
    owner = ctx.user(owner_id)
    return owner.team_id if owner else None


def activity_create(*, actor: Any, data: Mapping[str, Any]) -> Activity:
    require(actor, "activities.add")
    ctx = ActivityContext(actor)
    fields, attendees = clean_activity(ctx, data)
    with transaction.atomic():
        activity = Activity(**fields)
        activity.owner_id = actor.pk
        activity.team_id = _team_for(ctx, fields, actor.pk)
        if activity.kind == ActivityKind.TASK and activity.assignee_id is None:
            activity.assignee_id = actor.pk
        if activity.kind == ActivityKind.TASK and "occurred_at" not in data:
            activity.occurred_at = timezone.now()
        activity.save()
        if attendees:
            activity.attendees.set(attendees)
        audit.record(
            action=f"activities.{activity.kind}.created",
            instance=activity,
            changes=audit.diff({}, audit.snapshot(activity, AUDITED)),
        )
        events.emit(
            "activities.activity.created",
            {
                "id": activity.pk,
                "kind": activity.kind,
                "person": activity.person_id,
                "organization": activity.organization_id,
                "lead": activity.lead_id,
                "deal": activity.deal_id,
            },
        )
    return activity


def activity_update(
    *,
    actor: Any,
    activity: Activity,
    data: Mapping[str, Any],
    expected_version: int | None = None,
) -> Activity:
    require(actor, "activities.change")
    ctx = ActivityContext(actor)
    with transaction.atomic():
        locked = Activity.objects.select_for_update().get(pk=activity.pk)
        check_version(expected_version, locked.version)
        fields, attendees = clean_activity(ctx, data, instance=locked)
        before = audit.snapshot(locked, AUDITED)
        for name, value in fields.items():
            setattr(locked, name, value)
        changes = audit.diff(before, audit.snapshot(locked, AUDITED))
        if attendees is not None:
            current = sorted(locked.attendees.values_list("pk", flat=True))
            if sorted(attendees) != current:
                changes["attendees"] = [current, sorted(attendees)]
                locked.attendees.set(attendees)
        if changes:
            locked.version += 1
            locked.updated_at = timezone.now()
            locked.save()
            audit.record(
                action=f"activities.{locked.kind}.updated", instance=locked, changes=changes
            )
            events.emit(
                "activities.activity.updated", {"id": locked.pk, "changed": sorted(changes)}
            )
    return locked


def task_set_done(*, actor: Any, activity: Activity, done: bool = True) -> Activity:
    """Marks a task done (or open again); completing twice changes nothing."""
    require(actor, "activities.change")
    if activity.kind != ActivityKind.TASK:
        raise ValidationError(_("Only tasks can be completed."), code="not_a_task")
    with transaction.atomic():
        locked = Activity.objects.select_for_update().get(pk=activity.pk)
        if (locked.done_at is not None) == done:
            return locked
        before = locked.done_at
        locked.done_at = timezone.now() if done else None
        locked.version += 1
        locked.updated_at = timezone.now()
        locked.save(update_fields=["done_at", "version", "updated_at"])
        verb = "completed" if done else "reopened"
        audit.record(
            action=f"activities.task.{verb}",
            instance=locked,
            changes={"done_at": [audit.jsonable(before), audit.jsonable(locked.done_at)]},
        )
        events.emit(f"activities.task.{verb}", {"id": locked.pk})
    return locked


def activity_delete(
    *, actor: Any, activity: Activity, expected_version: int | None = None
) -> Activity:
    require(actor, "activities.delete")
    with transaction.atomic():
        locked = Activity.objects.select_for_update().get(pk=activity.pk)
        check_version(expected_version, locked.version)
        if locked.deleted_at is None:
            locked.deleted_at = timezone.now()
            locked.version += 1
            locked.save(update_fields=["deleted_at", "version"])
            audit.record(action=f"activities.{locked.kind}.deleted", instance=locked)
            events.emit("activities.activity.deleted", {"id": locked.pk})
    return locked


def activities_import_batch(
    *, actor: Any, rows: Sequence[Mapping[str, Any]], skip_invalid: bool = False
) -> dict[str, Any]:
    """Adds timeline entries from importer rows in one transaction; rows whose
    `external_id` is already loaded are left as they are, so a re-run adds nothing."""
    require(actor, "activities.add")
    ctx = ActivityContext(actor)
    ctx.preload_people(
        [int(row["person"]) for row in rows if str(row.get("person") or "").isdigit()]
    )
    external_ids = [str(row.get("external_id") or "") for row in rows]
    loaded = set(
        Activity.objects.filter(external_id__in=[i for i in external_ids if i]).values_list(
            "external_id", flat=True
        )
    )
    rejected: dict[int, dict[str, list[str]]] = {}
    unchanged: list[int] = []
    fresh: list[tuple[int, Activity, list[int] | None]] = []
    seen: set[str] = set()
    for index, row in enumerate(rows):
        external_id = str(row.get("external_id") or "")
        if external_id and (external_id in loaded or external_id in seen):
            unchanged.append(index)
            continue
        seen.add(external_id)
        try:
            fields, attendees = clean_activity(ctx, row)
        except ValidationError as error:
            rejected[index] = error.message_dict
            continue
        activity = Activity(**fields)
        activity.owner_id = actor.pk
        activity.team_id = _team_for(ctx, fields, actor.pk)
        activity.created_at = activity.updated_at = activity.occurred_at
        if activity.kind == ActivityKind.TASK and activity.assignee_id is None:
            activity.assignee_id = actor.pk
        fresh.append((index, activity, attendees))
    if rejected and not skip_invalid:
        return {"created": [], "unchanged": unchanged, "rejected": rejected}
    with transaction.atomic():
        activities = [activity for _index, activity, _attendees in fresh]
        for activity, pk in zip(
            activities, bulk.reserve_ids(Activity, len(activities)), strict=True
        ):
            activity.pk = pk
        bulk.insert(Activity, activities)
        Link = Activity.attendees.through
        bulk.insert(
            Link,
            [
                Link(activity_id=activity.pk, person_id=pk)
                for _index, activity, attendees in fresh
                for pk in attendees or []
            ],
        )
        audit.record_rows(
            (f"activities.{activity.kind}.created", activity, {"via": "import"})
            for activity in activities
        )
        if activities:
            events.emit_many(
                "activities.activity.created",
                [
                    {"id": a.pk, "kind": a.kind, "person": a.person_id, "via": "import"}
                    for a in activities
                ],
            )
    return {"created": [a.pk for a in activities], "unchanged": unchanged, "rejected": rejected}


FEED_PREFIX = "elocal_"


def calendar_feed_reset(*, actor: Any, user: User) -> str:
    """A new private calendar feed secret for `user`, replacing any old one (whose URL then
    answers 404). The secret is returned once and never stored."""
    if actor.pk != user.pk:
        require(actor, "settings.manage")
    secret = FEED_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        CalendarFeedToken.objects.filter(user=user).delete()
        token = CalendarFeedToken.objects.create(
            user=user, prefix=secret[:12], digest=CalendarFeedToken.digest_of(secret)
        )
        audit.record(action="activities.calendar_feed.reset", instance=token)
    return secret


def calendar_feed_user(secret: str) -> Any:
    """The active user owning the feed secret, or None."""
    if not secret.startswith(FEED_PREFIX):
        return None
    token = (
        CalendarFeedToken.objects.select_related("user")
        .filter(digest=CalendarFeedToken.digest_of(secret))
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > datetime.timedelta(minutes=5):
        CalendarFeedToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
