"""Every write to the consent ledger and its purposes. The ledger only grows: services
insert events, never change or delete them."""

from __future__ import annotations

import calendar
import datetime
import os
import re
from collections.abc import Mapping
from typing import Any

from django.conf import settings
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.http import Http404
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from elo.contacts.models import Person
from elo.core import audit, context, events
from elo.core.errors import check_version
from elo.core.permissions import require
from elo.privacy.choices import (
    Channel,
    ConsentAction,
    ConsentSource,
    LawfulBasis,
    PrivacyLaw,
    RequestKind,
    RequestStatus,
)
from elo.privacy.models import ConsentEvent, ConsentPurpose, SubjectRequest

CONFIRM_SALT = "elo.privacy.confirm"
WITHDRAW_SALT = "elo.privacy.withdraw"
CONFIRM_MAX_AGE = datetime.timedelta(days=7)
WITHDRAW_MAX_AGE = datetime.timedelta(days=3 * 366)
KEY_PATTERN = re.compile(r"^[a-z][a-z0-9_]{0,49}$")
LINK_ACTOR = context.Actor(kind="customer", label="the person, by an email link")

# --- purposes -------------------------------------------------------------------------------

PURPOSE_FIELDS = ["key", "name", "description", "consent_required", "active"]


def _clean_purpose(
    data: Mapping[str, Any], *, instance: ConsentPurpose | None = None
) -> dict[str, Any]:
    errors: dict[str, list[str]] = {}
    fields: dict[str, Any] = {}
    if instance is None or "key" in data:
        key = str(data.get("key") or "").strip()
        if instance is not None and key != instance.key:
            errors["key"] = [_("The key of a purpose cannot change.")]
        elif not KEY_PATTERN.match(key):
            errors["key"] = [
                _("Use lowercase letters, digits and underscores, starting with a letter.")
            ]
        elif instance is None and ConsentPurpose.objects.filter(key=key).exists():
            errors["key"] = [_("A purpose with this key exists.")]
        fields["key"] = key
    if instance is None or "name" in data:
        name = " ".join(str(data.get("name") or "").split())
        if not name:
            errors["name"] = [_("Enter a name.")]
        elif len(name) > 100:
            errors["name"] = [_("At most 100 characters.")]
        fields["name"] = name
    if "description" in data:
        fields["description"] = str(data.get("description") or "").strip()[:2000]
    for flag in ("consent_required", "active"):
        if flag in data and data[flag] is not None:
            fields[flag] = bool(data[flag])
    if errors:
        raise ValidationError(errors)
    if instance is not None:
        fields.pop("key", None)
    return fields


def purpose_create(*, actor: Any, data: Mapping[str, Any]) -> ConsentPurpose:
    require(actor, "settings.manage")
    fields = _clean_purpose(data)
    with transaction.atomic():
        purpose = ConsentPurpose.objects.create(**fields)
        audit.record(
            action="privacy.purpose.created",
            instance=purpose,
            changes=audit.snapshot(purpose, PURPOSE_FIELDS),
        )
        events.emit("privacy.purpose.created", {"id": purpose.pk, "key": purpose.key})
    return purpose


def purpose_update(
    *,
    actor: Any,
    purpose: ConsentPurpose,
    data: Mapping[str, Any],
    expected_version: int | None = None,
) -> ConsentPurpose:
    require(actor, "settings.manage")
    fields = _clean_purpose(data, instance=purpose)
    with transaction.atomic():
        locked = ConsentPurpose.objects.select_for_update().get(pk=purpose.pk)
        check_version(expected_version, locked.version)
        before = audit.snapshot(locked, PURPOSE_FIELDS)
        for name, value in fields.items():
            setattr(locked, name, value)
        changes = audit.diff(before, audit.snapshot(locked, PURPOSE_FIELDS))
        if changes:
            locked.version += 1
            locked.updated_at = timezone.now()
            locked.save()
            audit.record(action="privacy.purpose.updated", instance=locked, changes=changes)
            events.emit(
                "privacy.purpose.updated",
                {"id": locked.pk, "key": locked.key, "changed": list(changes)},
            )
    return locked


# --- the ledger -----------------------------------------------------------------------------


def _actor_fields(actor: Any) -> dict[str, Any]:
    current = context.current_actor()
    if current is not None:
        return {
            "actor_kind": current.kind,
            "actor_user_id": current.user_id,
            "actor_label": current.label[:200],
        }
    if actor is not None and getattr(actor, "pk", None):
        return {"actor_kind": "user", "actor_user_id": actor.pk, "actor_label": str(actor)[:200]}
    return {"actor_kind": "system", "actor_user_id": None, "actor_label": ""}


def _insert(*, actor: Any, **fields: Any) -> ConsentEvent:
    """Writes one ledger event with its audit entry and domain event (in a transaction)."""
    event = ConsentEvent.objects.create(**fields, **_actor_fields(actor))
    payload = {
        "id": event.pk,
        "person": event.person_id,
        "purpose": event.purpose.key,
        "channel": event.channel,
        "basis": event.basis,
        "source": event.source,
    }
    name = {
        ConsentAction.GRANTED: "privacy.consent.granted",
        ConsentAction.WITHDRAWN: "privacy.consent.withdrawn",
        ConsentAction.PENDING: "privacy.consent.requested",
    }[ConsentAction(event.action)]
    audit.record(
        action=name,
        target_type="contacts.person",
        target_id=str(event.person_id),
        changes={
            **payload,
            "event": event.pk,
            "text": event.text,
            "submission_id": event.submission_id,
            "ip_address": event.ip_address,
        },
    )
    events.emit(name, payload)
    return event


def _latest(person_id: int, purpose: ConsentPurpose, channel: str) -> ConsentEvent | None:
    return (
        ConsentEvent.objects.filter(person_id=person_id, purpose=purpose, channel=channel)
        .order_by("-id")
        .first()
    )


def _choice(value: Any, choices: Any, name: str, errors: dict[str, list[str]]) -> str:
    text = str(value or "")
    if text not in choices.values:
        errors.setdefault(name, []).append(
            _("Choose one of: %(values)s.") % {"values": ", ".join(choices.values)}
        )
    return text


def consent_record(
    *,
    actor: Any,
    person: Person,
    purpose: str | ConsentPurpose,
    channel: str,
    action: str,
    basis: str = LawfulBasis.CONSENT,
    source: str = ConsentSource.AGENT,
    text: str = "",
    submission_id: str = "",
    ip_address: str | None = None,
    user_agent: str = "",
    confirm_by_email: bool = False,
    base_url: str = "",
) -> ConsentEvent:
    """Records a grant or withdrawal for one purpose and channel. `confirm_by_email` (an
    email grant from a form or import) records it as pending and emails the person a link;
    opening it records the confirmed grant (double opt-in). `actor` None is the system
    (a web form, an importer); a user needs "contacts.change" and must see the person."""
    if actor is not None:
        require(actor, "contacts.change")
    if person.erased_at is not None:
        raise ValidationError(
            {"person": [_("This person was erased; nothing more is recorded about them.")]},
            code="erased",
        )
    errors: dict[str, list[str]] = {}
    if isinstance(purpose, str):
        found = ConsentPurpose.objects.filter(key=purpose).first()
    else:
        found = purpose
    if found is None or not found.active:
        errors["purpose"] = [_("No active purpose has this key.")]
    channel = _choice(channel, Channel, "channel", errors)
    action = str(action or "")
    if action not in (ConsentAction.GRANTED, ConsentAction.WITHDRAWN):
        errors["action"] = [_("Choose granted or withdrawn.")]
    basis = _choice(basis, LawfulBasis, "basis", errors)
    source = _choice(source, ConsentSource, "source", errors)
    text = str(text or "").strip()
    if action == ConsentAction.GRANTED and basis == LawfulBasis.CONSENT and not text:
        errors["text"] = [_("Enter the exact text the person agreed to.")]
    if len(text) > 10000:
        errors["text"] = [_("At most 10,000 characters.")]
    if len(str(submission_id or "")) > 100:
        errors["submission_id"] = [_("At most 100 characters.")]
    if ip_address:
        from django.core.validators import validate_ipv46_address

        try:
            validate_ipv46_address(ip_address)
        except ValidationError:
            errors["ip_address"] = [_("Enter a valid IP address.")]
    if confirm_by_email:
        if action != ConsentAction.GRANTED or channel != Channel.EMAIL:
            errors["confirm_by_email"] = [_("Only an email grant can be confirmed by email.")]
        elif source not in (ConsentSource.FORM, ConsentSource.IMPORT):
            errors["confirm_by_email"] = [_("Only grants from a form or an import need it.")]
        elif not person.primary_email:
            errors["confirm_by_email"] = [_("The person has no email address.")]
        elif not base_url:
            errors["confirm_by_email"] = [_("The site address is missing.")]
    if errors:
        raise ValidationError(errors)
    assert found is not None
    fields = {
        "person": person,
        "purpose": found,
        "channel": channel,
        "basis": basis,
        "source": source,
        "text": text,
        "submission_id": str(submission_id or ""),
        "ip_address": ip_address or None,
        "user_agent": str(user_agent or "")[:500],
    }
    with transaction.atomic():
        Person.objects.select_for_update().filter(pk=person.pk).first()
        if not confirm_by_email:
            return _insert(actor=actor, action=action, **fields)
        latest = _latest(person.pk, found, channel)
        if latest is not None and latest.action == ConsentAction.GRANTED:
            return latest
        pending = _insert(actor=actor, action=ConsentAction.PENDING, **fields)
        _send_confirmation(pending, base_url)
    return pending


def confirmation_token(event: ConsentEvent) -> str:
    return signing.dumps({"e": event.pk}, salt=CONFIRM_SALT)


def _send_confirmation(pending: ConsentEvent, base_url: str) -> None:
    person = pending.person
    link = base_url.rstrip("/") + reverse("privacy:confirm", args=[confirmation_token(pending)])
    withdraw = withdrawal_url(person, pending.purpose.key, pending.channel, base_url)
    with translation.override(person.preferred_language or translation.get_language()):
        subject = _("Please confirm: %(purpose)s") % {"purpose": pending.purpose.name}
        body = render_to_string(
            "privacy/confirm_email.txt",
            {"person": person, "event": pending, "link": link, "max_days": CONFIRM_MAX_AGE.days},
        )
    message = EmailMessage(
        subject=subject,
        body=body,
        from_email=settings.DEFAULT_FROM_EMAIL,
        to=[person.primary_email],
        headers={
            "Auto-Submitted": "auto-generated",
            "List-Unsubscribe": f"<{withdraw}>",
            "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        },
    )
    transaction.on_commit(message.send)


def consent_confirm(*, token: str, ip_address: str | None, user_agent: str) -> ConsentEvent:
    """The person opened the link of a pending grant: records the confirmed grant, with the
    request's IP and user agent as proof. Opening it again changes nothing. Raises Http404
    for a forged or expired link and ValidationError when the grant was overtaken."""
    try:
        data = signing.loads(token, salt=CONFIRM_SALT, max_age=CONFIRM_MAX_AGE)
        pending = ConsentEvent.objects.select_related("purpose", "person").get(
            pk=int(data["e"]), action=ConsentAction.PENDING, person__erased_at__isnull=True
        )
    except (signing.BadSignature, ConsentEvent.DoesNotExist, KeyError, TypeError, ValueError):
        raise Http404 from None
    with transaction.atomic(), context.acting(LINK_ACTOR):
        Person.objects.select_for_update().filter(pk=pending.person_id).first()
        latest = _latest(pending.person_id, pending.purpose, pending.channel)
        if latest is not None and latest.confirmation_of_id == pending.pk:
            return latest
        if latest is None or latest.pk != pending.pk:
            raise ValidationError(_("This confirmation link is no longer valid."))
        return _insert(
            actor=None,
            person=pending.person,
            purpose=pending.purpose,
            channel=pending.channel,
            action=ConsentAction.GRANTED,
            basis=pending.basis,
            source=ConsentSource.EMAIL_LINK,
            text=pending.text,
            submission_id=pending.submission_id,
            ip_address=ip_address or None,
            user_agent=str(user_agent or "")[:500],
            confirmation_of=pending,
        )


def withdrawal_token(person: Person | int, purpose: str, channel: str) -> str:
    person_id = person if isinstance(person, int) else person.pk
    return signing.dumps({"p": person_id, "u": purpose, "c": channel}, salt=WITHDRAW_SALT)


def withdrawal_url(person: Person | int, purpose: str, channel: str, base_url: str) -> str:
    """The one-click withdrawal link for an email's body and its List-Unsubscribe header."""
    token = withdrawal_token(person, purpose, channel)
    return base_url.rstrip("/") + reverse("privacy:withdraw", args=[token])


def withdrawal_for_token(token: str) -> tuple[Person, ConsentPurpose, str]:
    """The person, purpose and channel a withdrawal link names; Http404 when forged,
    expired or naming something that is gone."""
    try:
        data = signing.loads(token, salt=WITHDRAW_SALT, max_age=WITHDRAW_MAX_AGE)
        person = Person.objects.get(
            pk=int(data["p"]), deleted_at__isnull=True, erased_at__isnull=True
        )
        purpose = ConsentPurpose.objects.get(key=str(data["u"]))
        channel = str(data["c"])
    except (
        signing.BadSignature,
        Person.DoesNotExist,
        ConsentPurpose.DoesNotExist,
        KeyError,
        TypeError,
        ValueError,
    ):
        raise Http404 from None
    if channel not in Channel.values:
        raise Http404
    return person, purpose, channel


def consent_withdraw_by_link(
    *, token: str, ip_address: str | None, user_agent: str
) -> ConsentEvent:
    """The person withdrew through the link in an email. Already withdrawn: nothing new."""
    person, purpose, channel = withdrawal_for_token(token)
    with transaction.atomic(), context.acting(LINK_ACTOR):
        Person.objects.select_for_update().filter(pk=person.pk).first()
        latest = _latest(person.pk, purpose, channel)
        if latest is not None and latest.action == ConsentAction.WITHDRAWN:
            return latest
        return _insert(
            actor=None,
            person=person,
            purpose=purpose,
            channel=channel,
            action=ConsentAction.WITHDRAWN,
            basis=latest.basis if latest else LawfulBasis.CONSENT,
            source=ConsentSource.EMAIL_LINK,
            text="Withdrawn with the one-click link in an email.",
            ip_address=ip_address or None,
            user_agent=str(user_agent or "")[:500],
        )


# --- data subject requests ------------------------------------------------------------------

REQUEST_FIELDS = ["person", "kind", "law", "received_at", "due_at", "status", "notes"]
BUNDLE_KINDS = (RequestKind.ACCESS, RequestKind.PORTABILITY)
# status -> the statuses request_set_status may move it to (identity_verified is reached
# only through request_verify_identity, which records how)
TRANSITIONS: dict[str, tuple[str, ...]] = {
    RequestStatus.OPEN: (RequestStatus.REJECTED,),
    RequestStatus.IDENTITY_VERIFIED: (
        RequestStatus.IN_PROGRESS,
        RequestStatus.COMPLETED,
        RequestStatus.REJECTED,
    ),
    RequestStatus.IN_PROGRESS: (RequestStatus.COMPLETED, RequestStatus.REJECTED),
    RequestStatus.COMPLETED: (),
    RequestStatus.REJECTED: (),
}


def _deadline_days(law: str) -> int | None:
    """Days set by ELO_PRIVACY_DEADLINE_DAYS_LGPD / _GDPR, or None for the law's default."""
    raw = os.environ.get(f"ELO_PRIVACY_DEADLINE_DAYS_{law.upper()}", "").strip()
    if not raw:
        return None
    try:
        days = int(raw)
    except ValueError:
        return None
    return days if days > 0 else None


def _add_month(moment: datetime.datetime) -> datetime.datetime:
    year, month = (moment.year + 1, 1) if moment.month == 12 else (moment.year, moment.month + 1)
    day = min(moment.day, calendar.monthrange(year, month)[1])
    return moment.replace(year=year, month=month, day=day)


def request_due_at(law: str, received_at: datetime.datetime) -> datetime.datetime:
    """The answer is due 15 days after receipt under LGPD (art. 19, II) and one month after
    under GDPR (art. 12(3)); either is overridden in days by the environment."""
    days = _deadline_days(law)
    if days is not None:
        return received_at + datetime.timedelta(days=days)
    if law == PrivacyLaw.GDPR:
        return _add_month(received_at)
    return received_at + datetime.timedelta(days=15)


def _request_payload(request: SubjectRequest) -> dict[str, Any]:
    return {
        "id": request.pk,
        "person": request.person_id,
        "kind": request.kind,
        "law": request.law,
        "status": request.status,
        "due_at": request.due_at,
    }


def request_create(
    *,
    actor: Any,
    person: Person,
    kind: str,
    law: str,
    received_at: datetime.datetime | None = None,
    notes: str = "",
) -> SubjectRequest:
    """Logs a request the person made; the deadline follows from the law and receipt."""
    require(actor, "settings.manage")
    errors: dict[str, list[str]] = {}
    kind = _choice(kind, RequestKind, "kind", errors)
    law = _choice(law, PrivacyLaw, "law", errors)
    now = timezone.now()
    received = received_at or now
    if timezone.is_naive(received):
        received = timezone.make_aware(received)
    if received > now + datetime.timedelta(minutes=5):
        errors["received_at"] = [_("The request cannot be received in the future.")]
    notes = str(notes or "").strip()
    if len(notes) > 10000:
        errors["notes"] = [_("At most 10,000 characters.")]
    if person.deleted_at is not None:
        errors["person"] = [_("The person is in the trash.")]
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        request = SubjectRequest.objects.create(
            person=person,
            kind=kind,
            law=law,
            received_at=received,
            due_at=request_due_at(law, received),
            notes=notes,
        )
        audit.record(
            action="privacy.request.created",
            instance=request,
            changes=audit.snapshot(request, REQUEST_FIELDS),
        )
        events.emit("privacy.request.created", _request_payload(request))
    return request


def _locked(request: SubjectRequest, expected_version: int | None) -> SubjectRequest:
    locked = SubjectRequest.objects.select_for_update().get(pk=request.pk)
    check_version(expected_version, locked.version)
    return locked


def _save(locked: SubjectRequest) -> None:
    locked.version += 1
    locked.updated_at = timezone.now()
    locked.save()


def request_verify_identity(
    *,
    actor: Any,
    request: SubjectRequest,
    identity_check: str,
    expected_version: int | None = None,
) -> SubjectRequest:
    """Records how the requester's identity was verified (e.g. "ID card seen, matches the
    email on file"); an open request becomes identity_verified."""
    require(actor, "settings.manage")
    text = str(identity_check or "").strip()
    if not text:
        raise ValidationError({"identity_check": [_("Describe how the identity was verified.")]})
    if len(text) > 5000:
        raise ValidationError({"identity_check": [_("At most 5,000 characters.")]})
    with transaction.atomic():
        locked = _locked(request, expected_version)
        if locked.status != RequestStatus.OPEN:
            raise ValidationError(
                {"status": [_("Only an open request can have its identity verified.")]}
            )
        locked.status = RequestStatus.IDENTITY_VERIFIED
        locked.identity_check = text
        locked.verified_by = actor
        locked.verified_at = timezone.now()
        _save(locked)
        audit.record(
            action="privacy.request.identity_verified",
            instance=locked,
            changes={"identity_check": text, "status": [RequestStatus.OPEN, locked.status]},
        )
        events.emit("privacy.request.identity_verified", _request_payload(locked))
    return locked


def request_set_status(
    *,
    actor: Any,
    request: SubjectRequest,
    status: str,
    notes: str | None = None,
    expected_version: int | None = None,
) -> SubjectRequest:
    """Moves the request on: in_progress, completed or rejected (see TRANSITIONS)."""
    require(actor, "settings.manage")
    status = str(status or "")
    if status not in RequestStatus.values:
        raise ValidationError(
            {"status": [_("Choose one of: %(values)s.") % {"values": ", ".join(RequestStatus)}]}
        )
    with transaction.atomic():
        locked = _locked(request, expected_version)
        before = locked.status
        if status not in TRANSITIONS[before]:
            raise ValidationError(
                {
                    "status": [
                        _("A request that is %(before)s cannot become %(after)s.")
                        % {
                            "before": RequestStatus(before).label,
                            "after": RequestStatus(status).label,
                        }
                    ]
                }
            )
        locked.status = status
        if status in (RequestStatus.COMPLETED, RequestStatus.REJECTED):
            locked.completed_at = timezone.now()
        changes: dict[str, Any] = {"status": [before, status]}
        if notes is not None and str(notes).strip() != locked.notes:
            changes["notes"] = [locked.notes, str(notes).strip()]
            locked.notes = str(notes).strip()[:10000]
        _save(locked)
        audit.record(action=f"privacy.request.{status}", instance=locked, changes=changes)
        events.emit(f"privacy.request.{status}", {**_request_payload(locked), "from": before})
    return locked


def request_build_bundle(
    *, actor: Any, request: SubjectRequest, expected_version: int | None = None
) -> SubjectRequest:
    """The access/portability action: the bundle of everything held about the person becomes
    downloadable and the request is in progress. The ZIP is built afresh on each download
    (`request_bundle_download`), so no extra copy of the personal data is kept."""
    require(actor, "settings.manage")
    with transaction.atomic():
        locked = _locked(request, expected_version)
        if locked.kind not in BUNDLE_KINDS:
            raise ValidationError(
                {"kind": [_("Only access and portability requests get a data bundle.")]}
            )
        if locked.status not in (RequestStatus.IDENTITY_VERIFIED, RequestStatus.IN_PROGRESS):
            raise ValidationError(
                {"status": [_("Verify the requester's identity before building the bundle.")]}
            )
        before = locked.status
        locked.status = RequestStatus.IN_PROGRESS
        locked.bundle_built_at = timezone.now()
        _save(locked)
        audit.record(
            action="privacy.request.bundle_built",
            instance=locked,
            changes={"status": [before, locked.status]},
        )
        events.emit("privacy.request.bundle_built", _request_payload(locked))
    return locked


def request_bundle_download(*, actor: Any, request: SubjectRequest) -> bytes:
    """The ZIP of the person's data for a request whose bundle was built; every download is
    audited on the request and on the person (the access log)."""
    from elo.privacy.access import AccessKind, log_access_by
    from elo.privacy.bundle import bundle_for

    require(actor, "settings.manage")
    if request.bundle_built_at is None or request.status == RequestStatus.REJECTED:
        raise ValidationError({"bundle": [_("Build the bundle first.")]})
    data = bundle_for(request.person)
    with transaction.atomic():
        changes = {"request": request.pk, "bytes": len(data)}
        audit.record(action="privacy.request.bundle_downloaded", instance=request, changes=changes)
        audit.record(
            action="privacy.data.exported",
            target_type="contacts.person",
            target_id=str(request.person_id),
            changes=changes,
        )
        log_access_by(
            actor,
            kind=AccessKind.BUNDLE,
            what=f"Subject request #{request.pk} bundle",
            person_id=request.person_id,
        )
    return data
