"""Tasks and meetings as iCalendar (RFC 5545), written by the `icalendar` library."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.utils import timezone
from icalendar import Calendar, Event, Todo, vCalAddress, vText

from elo.activities.choices import ActivityKind

PRODID = "-//Elo CRM//Elo//EN"


def _host() -> str:
    local = {"*", "", "localhost", "127.0.0.1", "testserver", "[::1]"}
    hosts = [host for host in getattr(settings, "ALLOWED_HOSTS", []) if host not in local]
    host = hosts[0].lstrip(".") if hosts else "elo"
    return host or "elo"


def _utc(moment: datetime.datetime) -> datetime.datetime:
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment)
    return moment.astimezone(datetime.UTC)


def _common(component: Any, activity: Any, host: str, stamp: datetime.datetime) -> None:
    component.add("uid", f"activity-{activity.pk}@{host}")
    component.add("dtstamp", stamp)
    component.add("summary", activity.subject or activity.get_kind_display())
    if activity.body:
        component.add("description", activity.body)
    modified = getattr(activity, "updated_at", None) or getattr(activity, "created_at", None)
    if modified is not None:
        component.add("last-modified", _utc(modified))
    location = getattr(activity, "location", "")
    if location:
        component.add("location", location)
    priority = getattr(activity, "priority", None)
    if priority:
        component.add("priority", int(priority))


def _event(activity: Any, host: str, stamp: datetime.datetime) -> Event:
    event = Event()
    _common(event, activity, host, stamp)
    starts = activity.starts_at or activity.occurred_at
    event.add("dtstart", _utc(starts))
    if activity.ends_at:
        event.add("dtend", _utc(activity.ends_at))
    event.add("status", "CONFIRMED")
    for person in activity.attendees.all():
        if person.primary_email:
            attendee = vCalAddress(f"mailto:{person.primary_email}")
            attendee.params["cn"] = vText(str(person))
            attendee.params["role"] = vText("REQ-PARTICIPANT")
            event.add("attendee", attendee, encode=False)
    return event


def _todo(activity: Any, host: str, stamp: datetime.datetime) -> Todo:
    todo = Todo()
    _common(todo, activity, host, stamp)
    if activity.due_at:
        todo.add("due", _utc(activity.due_at))
    if activity.done_at:
        todo.add("status", "COMPLETED")
        todo.add("completed", _utc(activity.done_at))
    else:
        todo.add("status", "NEEDS-ACTION")
    return todo


def calendar_for(activities: Iterable[Any], *, name: str = "Elo") -> bytes:
    """Meetings as VEVENT and tasks as VTODO; other kinds are skipped. Load `attendees`
    with `prefetch_related` to keep the query count flat."""
    calendar = Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("x-wr-calname", name)
    host = _host()
    stamp = timezone.now().astimezone(datetime.UTC)
    for activity in activities:
        if activity.kind == ActivityKind.MEETING:
            calendar.add_component(_event(activity, host, stamp))
        elif activity.kind == ActivityKind.TASK:
            calendar.add_component(_todo(activity, host, stamp))
    return bytes(calendar.to_ical())
