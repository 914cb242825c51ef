"""Every write of the phone channel: calls reported by telephony providers, and calls a user
links to a person by hand."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from elo.activities.choices import ActivityKind, CallDirection, CallOutcome
from elo.activities.models import Activity
from elo.channels.phone.choices import CallStatus, LinkScheme
from elo.channels.phone.models import CallEvent, PhonePreference
from elo.channels.phone.reports import TERMINAL, CallReport
from elo.contacts.cleaning import clean_phone, display_phone
from elo.contacts.models import Person, PersonPhone
from elo.core import audit, events, markdown
from elo.core.permissions import require
from elo.identity.models import User

OUTCOMES = {
    CallStatus.COMPLETED: CallOutcome.CONNECTED,
    CallStatus.BUSY: CallOutcome.BUSY,
    CallStatus.NO_ANSWER: CallOutcome.NO_ANSWER,
    CallStatus.CANCELED: CallOutcome.NO_ANSWER,
}
# How far along a call is; a late "ringing" never undoes "completed".
STAGE = {
    CallStatus.QUEUED: 0,
    CallStatus.RINGING: 1,
    CallStatus.IN_PROGRESS: 2,
    **dict.fromkeys(TERMINAL, 3),
}
AUDITED = [
    "direction",
    "status",
    "from_number",
    "to_number",
    "customer_number",
    "started_at",
    "answered_at",
    "ended_at",
    "duration_seconds",
    "recording_url",
    "agent",
    "person",
    "activity",
]
ACTIVITY_FIELDS = ["subject", "body", "direction", "duration_seconds", "outcome", "occurred_at"]


def e164_or_blank(number: str) -> str:
    try:
        return clean_phone(number) if number else ""
    except ValidationError:
        return ""


def person_for_number(e164: str) -> Person | None:
    """The living person who has this number; with several, the one most recently updated."""
    if not e164:
        return None
    link = (
        PersonPhone.objects.filter(
            number=e164,
            person__deleted_at__isnull=True,
            person__erased_at__isnull=True,
        )
        .select_related("person")
        .order_by("-person__updated_at", "-person_id")
        .first()
    )
    return link.person if link else None


def _apply(call: CallEvent, report: CallReport, *, first: bool) -> None:
    """Copies what the report says onto the call, never moving its status backwards."""
    if first or STAGE[CallStatus(report.status)] >= STAGE[CallStatus(call.status)]:
        call.status = report.status
    for name in ("direction", "from_number", "to_number", "recording_url"):
        value = getattr(report, name)
        if value:
            setattr(call, name, value)
    for name in ("answered_at", "ended_at", "duration_seconds"):
        value = getattr(report, name)
        if value is not None:
            setattr(call, name, value)
    if report.started_at is not None and (first or report.started_at < call.started_at):
        call.started_at = report.started_at
    if call.duration_seconds is None and call.answered_at and call.ended_at:
        call.duration_seconds = max(0, int((call.ended_at - call.answered_at).total_seconds()))
    customer = call.to_number if call.direction == CallDirection.OUTBOUND else call.from_number
    call.customer_number = e164_or_blank(customer)


def _activity_values(call: CallEvent) -> dict[str, Any]:
    direction = CallDirection(call.direction or CallDirection.INBOUND)
    subject = _("%(direction)s call") % {"direction": direction.label}
    if call.status != CallStatus.COMPLETED:
        subject = _("%(subject)s (%(status)s)") % {
            "subject": subject,
            "status": CallStatus(call.status).label.lower(),
        }
    lines = [
        _("From %(from)s to %(to)s.")
        % {
            "from": display_phone(call.from_number) or "—",
            "to": display_phone(call.to_number) or "—",
        }
    ]
    if call.recording_url:
        lines.append(_("Recording: <%(url)s>") % {"url": call.recording_url})
    body = "\n\n".join(lines)
    return {
        "subject": subject,
        "body": body,
        "body_html": markdown.render(body),
        "direction": call.direction,
        "duration_seconds": call.duration_seconds,
        "outcome": OUTCOMES.get(CallStatus(call.status), ""),
        "occurred_at": call.started_at,
    }


def _activity_create(call: CallEvent, person: Person, owner_id: int) -> Activity:
    activity = Activity(
        kind=ActivityKind.CALL,
        person=person,
        owner_id=owner_id,
        team_id=person.team_id,
        assignee_id=call.agent_id,
        external_id=f"phone:{call.provider}:{call.call_id}",
        **_activity_values(call),
    )
    activity.save()
    audit.record(
        action="activities.call.created",
        instance=activity,
        changes=audit.diff({}, audit.snapshot(activity, ACTIVITY_FIELDS)),
    )
    events.emit(
        "activities.activity.created",
        {
            "id": activity.pk,
            "kind": activity.kind,
            "person": activity.person_id,
            "organization": None,
            "lead": None,
            "deal": None,
            "via": "phone",
        },
    )
    return activity


def _activity_refresh(call: CallEvent) -> None:
    activity = Activity.objects.select_for_update().get(pk=call.activity_id)
    before = audit.snapshot(activity, ACTIVITY_FIELDS)
    for name, value in _activity_values(call).items():
        setattr(activity, name, value)
    changes = audit.diff(before, audit.snapshot(activity, ACTIVITY_FIELDS))
    if not changes:
        return
    activity.version += 1
    activity.updated_at = timezone.now()
    activity.save()
    audit.record(action="activities.call.updated", instance=activity, changes=changes)
    events.emit("activities.activity.updated", {"id": activity.pk, "changed": sorted(changes)})


def _locked_call(report: CallReport) -> tuple[CallEvent, bool]:
    """The call's row, locked, created on its first event (two first events racing end up
    on one row: the loser of the insert reads the winner's)."""
    lookup = {"provider": report.provider, "call_id": report.call_id}
    call = CallEvent.objects.select_for_update().filter(**lookup).first()
    if call is not None:
        return call, False
    try:
        with transaction.atomic():
            return CallEvent.objects.create(**lookup), True
    except IntegrityError:
        return CallEvent.objects.select_for_update().get(**lookup), False


def call_event_record(*, report: CallReport) -> CallEvent:
    """Logs a provider's event about a call: the first event creates the call (and, when the
    customer's number belongs to a person, a call on their timeline); later events for the
    same call update both. The system acts here, so no user permission applies."""
    with transaction.atomic():
        call, first = _locked_call(report)
        before = {} if first else audit.snapshot(call, AUDITED)
        _apply(call, report, first=first)
        if report.agent_email and call.agent_id is None:
            call.agent = User.objects.filter(
                email__iexact=report.agent_email, is_active=True
            ).first()
        if call.activity_id is None and call.person_id is None:
            call.person = person_for_number(call.customer_number)
        call.updated_at = timezone.now()
        if call.activity_id is None and call.person is not None:
            call.activity = _activity_create(
                call, call.person, owner_id=call.agent_id or call.person.owner_id
            )
        elif call.activity_id is not None:
            _activity_refresh(call)
        call.save()
        changes = audit.diff(before, audit.snapshot(call, AUDITED))
        if changes:
            audit.record(
                action="channels_phone.call.logged",
                instance=call,
                changes={"first": first, **changes},
            )
            events.emit(
                "channels_phone.call.logged",
                {
                    "id": call.pk,
                    "provider": call.provider,
                    "call_id": call.call_id,
                    "direction": call.direction,
                    "status": call.status,
                    "duration_seconds": call.duration_seconds,
                    "person": call.person_id,
                    "activity": call.activity_id,
                    "first": first,
                },
            )
    return call


def call_link_person(*, actor: Any, call: CallEvent, person: Person) -> CallEvent:
    """Puts a call whose number matched nobody on the timeline of a person the user sees."""
    require(actor, "activities.add")
    with transaction.atomic():
        locked = CallEvent.objects.select_for_update().get(pk=call.pk)
        if locked.activity_id is not None:
            raise ValidationError(
                {"person": [_("This call is already on a timeline.")]}, code="already_linked"
            )
        visible = Person.objects.visible_to(actor).alive().filter(pk=person.pk, erased_at=None)
        if not visible.exists():
            raise ValidationError({"person": [_("This record does not exist.")]})
        locked.person = person
        locked.activity = _activity_create(locked, person, owner_id=actor.pk)
        locked.updated_at = timezone.now()
        locked.save(update_fields=["person", "activity", "updated_at"])
        audit.record(
            action="channels_phone.call.linked",
            instance=locked,
            changes={"person": [None, person.pk], "activity": [None, locked.activity_id]},
        )
        events.emit(
            "channels_phone.call.linked",
            {"id": locked.pk, "person": person.pk, "activity": locked.activity_id},
        )
    return locked


def phone_preference_set(*, actor: Any, link_scheme: str) -> PhonePreference:
    """How the user's own click-to-call links open ("" follows the site's setting)."""
    if actor is None or not actor.is_authenticated or not actor.is_active:
        raise PermissionDenied(_("Sign in first."))
    if link_scheme not in LinkScheme.values:
        raise ValidationError({"link_scheme": [_("Pick an option from the list.")]})
    with transaction.atomic():
        preference, _created = PhonePreference.objects.select_for_update().get_or_create(
            user_id=actor.pk
        )
        if preference.link_scheme != link_scheme:
            audit.record(
                action="channels_phone.preference.changed",
                instance=preference,
                changes={"link_scheme": [preference.link_scheme, link_scheme]},
            )
            preference.link_scheme = link_scheme
            preference.save(update_fields=["link_scheme"])
    return preference
