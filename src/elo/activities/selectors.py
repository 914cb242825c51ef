"""Reads of the timeline and of tasks."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404
from django.utils.translation import gettext as _

from elo.activities.choices import ActivityKind
from elo.activities.models import Activity
from elo.contacts.models import Employment, Organization, Person
from elo.core.pagination import Page, paginate

TIMELINE_KEYS = ["-occurred_at", "-id"]


def _with_related(queryset: models.QuerySet[Activity]) -> models.QuerySet[Activity]:
    # The email details (quoted text, attachments) of email entries: two queries per page.
    return queryset.select_related("owner", "assignee", "person", "organization").prefetch_related(
        "attendees", "email_message__attachments"
    )


TIMELINE_SUMMARY = ["id", "kind", "subject", "body_html", "occurred_at", "due_at", "done_at",
                    "owner_id", "person_id"]  # fmt: skip


def person_timeline(
    person: Person, *, cursor: str | None = None, size: int = 50, summary: bool = False
) -> Page[Activity]:
    """The person's activities, newest first (the caller has already authorised the person).
    `summary=True` loads only `TIMELINE_SUMMARY`, what the API's embedded timeline shows."""
    queryset: models.QuerySet[Activity] = Activity.objects.alive().filter(person=person)
    queryset = queryset.only(*TIMELINE_SUMMARY) if summary else _with_related(queryset)
    return paginate(queryset, keys=TIMELINE_KEYS, cursor=cursor, size=size)


def organization_timeline(
    organization: Organization, *, cursor: str | None = None, size: int = 50
) -> Page[Activity]:
    """The organization's own activities and those of the people who work there."""
    people = Employment.objects.filter(organization=organization).values("person_id")
    queryset = _with_related(
        Activity.objects.alive().filter(
            models.Q(organization=organization) | models.Q(person_id__in=people)
        )
    )
    return paginate(queryset, keys=TIMELINE_KEYS, cursor=cursor, size=size)


def lead_timeline(lead: Any, *, cursor: str | None = None, size: int = 50) -> Page[Activity]:
    """The lead's activities, newest first (the caller has already authorised the lead)."""
    queryset = _with_related(Activity.objects.alive().filter(lead=lead))
    return paginate(queryset, keys=TIMELINE_KEYS, cursor=cursor, size=size)


def deal_timeline(deal: Any, *, cursor: str | None = None, size: int = 50) -> Page[Activity]:
    """The deal's activities, newest first (the caller has already authorised the deal)."""
    queryset = _with_related(Activity.objects.alive().filter(deal=deal))
    return paginate(queryset, keys=TIMELINE_KEYS, cursor=cursor, size=size)


def activity_list_for(
    user: Any,
    *,
    kind: str = "",
    person: int | None = None,
    organization: int | None = None,
    lead: int | None = None,
    deal: int | None = None,
    assignee: int | None = None,
    is_open: bool | None = None,
) -> models.QuerySet[Activity]:
    queryset = Activity.objects.visible_to(user).alive()
    if kind:
        queryset = queryset.filter(kind=kind)
    if person is not None:
        queryset = queryset.filter(person_id=person)
    if organization is not None:
        queryset = queryset.filter(organization_id=organization)
    if lead is not None:
        queryset = queryset.filter(lead_id=lead)
    if deal is not None:
        queryset = queryset.filter(deal_id=deal)
    if assignee is not None:
        queryset = queryset.filter(assignee_id=assignee)
    if is_open is True:
        queryset = queryset.filter(done_at__isnull=True)
    elif is_open is False:
        queryset = queryset.filter(done_at__isnull=False)
    return _with_related(queryset)


def activity_get_for(user: Any, pk: Any, *, action: str = "view") -> Activity:
    try:
        key = int(pk)
    except (TypeError, ValueError) as error:
        raise Http404 from error
    activity = _with_related(Activity.objects.visible_to(user).alive()).filter(pk=key).first()
    if activity is None:
        raise Http404
    permission = {"view": None, "change": "activities.change", "delete": "activities.delete"}[
        action
    ]
    if permission and not user.has_elo_perm(permission):
        raise PermissionDenied(
            _("Your role does not allow %(permission)s.") % {"permission": permission}
        )
    return activity


def my_open_tasks(user: Any, *, limit: int = 100) -> list[Activity]:
    """The user's open tasks: overdue first, then by due date, undated last."""
    queryset = (
        Activity.objects.alive()
        .filter(kind=ActivityKind.TASK, assignee_id=user.pk, done_at__isnull=True)
        .select_related("person", "organization")
        .order_by(models.F("due_at").asc(nulls_last=True), "id")
    )
    return list(queryset[:limit])


CALENDAR_KINDS = (ActivityKind.TASK, ActivityKind.MEETING)


def calendar_export_for(
    user: Any, *, kind: str = "", is_open: bool | None = None, assignee: int | None = None
) -> models.QuerySet[Activity]:
    """Visible tasks and meetings for an iCalendar export (other kinds never appear)."""
    queryset = activity_list_for(user, kind=kind, assignee=assignee, is_open=is_open)
    return queryset.filter(kind__in=CALENDAR_KINDS).order_by("id")


def my_calendar(
    user: Any, *, now: Any = None, recent_days: int = 30, upcoming_only: bool = False
) -> list[Activity]:
    """The user's own calendar: tasks assigned to them (open, or done in the last
    `recent_days`) and meetings they own or attend, from `recent_days` ago to a year ahead.
    `upcoming_only=True` keeps open tasks and meetings from now on (the "My tasks" download)."""
    import datetime

    from django.utils import timezone

    now = now or timezone.now()
    since = now - datetime.timedelta(days=recent_days)
    until = now + datetime.timedelta(days=365)
    if upcoming_only:
        since = now
    tasks = models.Q(kind=ActivityKind.TASK, assignee_id=user.pk) & (
        models.Q(done_at__isnull=True)
        | (models.Q(done_at__gte=since) if not upcoming_only else models.Q(pk=None))
    )
    # Attendees are people, not users: the user attends when a person has the user's address.
    email = getattr(user, "email", "") or ""
    attending = models.Q(attendees__primary_email__iexact=email) if email else models.Q(pk=None)
    meetings = models.Q(kind=ActivityKind.MEETING, starts_at__gte=since, starts_at__lte=until) & (
        models.Q(owner_id=user.pk) | attending
    )
    queryset = _with_related(Activity.objects.alive().filter(tasks | meetings)).distinct()
    return list(queryset.order_by("id"))
