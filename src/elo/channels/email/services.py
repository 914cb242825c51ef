"""Taking in mail: one raw message becomes one stored EmailMessage and one timeline entry
on the person (or lead) it belongs to."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from elo.activities.choices import ActivityKind, CallDirection
from elo.activities.services import activity_create
from elo.channels.email.models import EmailAttachment, EmailMessage, attachment_storage
from elo.channels.email.parsing import ParsedEmail, parse, raw_digest
from elo.contacts.cleaning import clean_email
from elo.contacts.models import PersonEmail
from elo.core import audit, events
from elo.core.permissions import require
from elo.identity.models import User

UNKNOWN_SENDER_CHOICES = ("lead", "ignore")


@dataclass
class IngestResult:
    """What became of one message: `message` is None when it was not kept (an unknown
    sender under the "ignore" rule); `created` is False when it was already stored."""

    message_id: str
    message: EmailMessage | None
    created: bool


def normalise_address(value: str) -> str:
    """An address as contacts store it (see clean_email), or lower-cased when it is not one
    the validator accepts."""
    value = value.strip()
    if not value:
        return ""
    try:
        return clean_email(value)
    except ValidationError:
        return value.lower()


def ingest_actor() -> User | None:
    """The account inbound mail is filed as: ELO_EMAIL_INGEST_USER, else the first admin."""
    if settings.ELO_EMAIL_INGEST_USER:
        return User.objects.filter(
            email=settings.ELO_EMAIL_INGEST_USER.strip().lower(), is_active=True
        ).first()
    return User.objects.filter(is_superuser=True, is_active=True).order_by("pk").first()


def message_key(parsed: ParsedEmail, raw: bytes) -> str:
    """The Message-ID, or a stable digest of the raw bytes for a message without one."""
    if parsed.message_id and len(parsed.message_id) <= 250:
        return parsed.message_id
    if parsed.message_id:
        return raw_digest(parsed.message_id.encode())
    return raw_digest(raw)


def _external_id(key: str) -> str:
    return "email:" + hashlib.sha256(key.encode()).hexdigest()[:40]


@dataclass
class _Filing:
    person_id: int | None = None
    lead_id: int | None = None
    lead_created: bool = False
    direction: str = CallDirection.INBOUND


def _earlier(parsed: ParsedEmail) -> EmailMessage | None:
    wanted = [key for key in [parsed.in_reply_to, *reversed(parsed.references)] if key]
    if not wanted:
        return None
    found = {
        message.message_id: message
        for message in EmailMessage.objects.filter(message_id__in=wanted).select_related("activity")
    }
    return next((found[key] for key in wanted if key in found), None)


def _person_for(addresses: list[str]) -> int | None:
    addresses = [address for address in addresses if address]
    if not addresses:
        return None
    rows = PersonEmail.objects.filter(
        email__in=addresses, person__deleted_at__isnull=True
    ).values_list("email", "person_id")
    by_address = dict(rows)
    return next((by_address[address] for address in addresses if address in by_address), None)


def _file(*, actor: Any, parsed: ParsedEmail, earlier: EmailMessage | None) -> _Filing | None:
    """Which record the message goes on, or None to leave it out."""
    sender = normalise_address(parsed.from_address)
    from_user = bool(sender) and User.objects.filter(email=sender, is_active=True).exists()
    filing = _Filing(direction=CallDirection.OUTBOUND if from_user else CallDirection.INBOUND)
    if earlier is not None and (earlier.activity.person_id or earlier.activity.lead_id):
        filing.person_id = earlier.activity.person_id
        filing.lead_id = earlier.activity.lead_id
        return filing
    if from_user:
        # Mail a user sent, BCC'd or forwarded: it belongs to the person they wrote to, or
        # for a forward to the person who wrote the forwarded message.
        if parsed.forwarded_from:
            counterparts = [normalise_address(parsed.forwarded_from)]
            filing.direction = CallDirection.INBOUND
        else:
            counterparts = [normalise_address(address) for address in parsed.recipients]
        filing.person_id = _person_for(counterparts)
        return filing if filing.person_id else None
    filing.person_id = _person_for([sender])
    if filing.person_id:
        return filing
    if settings.ELO_EMAIL_UNKNOWN_SENDER != "lead" or not sender:
        return None
    return _lead_for(actor=actor, parsed=parsed, sender=sender, filing=filing)


def _lead_for(*, actor: Any, parsed: ParsedEmail, sender: str, filing: _Filing) -> _Filing | None:
    from elo.sales.choices import LeadSource, LeadStatus
    from elo.sales.models import Lead
    from elo.sales.services.leads import lead_create

    open_lead = (
        Lead.objects.alive()
        .filter(email=sender, status__in=[LeadStatus.NEW, LeadStatus.WORKING])
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    if open_lead:
        filing.lead_id = open_lead
        return filing
    given, _space, family = parsed.from_name.partition(" ")
    try:
        lead = lead_create(
            actor=actor,
            data={
                "given_name": given[:100],
                "family_name": family[:100],
                "email": sender,
                "source": LeadSource.EMAIL,
                "message": parsed.new_text,
            },
        )
    except ValidationError:
        return None
    filing.lead_id, filing.lead_created = lead.pk, True
    return filing


def _attachments(message: EmailMessage, parsed: ParsedEmail, saved: list[str]) -> int:
    storage = attachment_storage()
    limit = settings.ELO_EMAIL_MAX_ATTACHMENT_BYTES
    rows = []
    for item in parsed.attachments:
        row = EmailAttachment(
            message=message,
            filename=item.filename,
            content_type=item.content_type[:100],
            size=item.size,
        )
        if item.size > limit:
            row.omitted = True
        else:
            month = timezone.now().strftime("%Y/%m")
            name = storage.save(f"{month}/{message.pk}/{item.filename}", ContentFile(item.content))
            saved.append(name)
            row.file.name = name
        rows.append(row)
    EmailAttachment.objects.bulk_create(rows)
    return len(rows)


def _addresses_text(pairs: list[tuple[str, str]]) -> str:
    return ", ".join(f"{name} <{address}>" if name else address for name, address in pairs)


def email_ingest(*, actor: Any, raw: bytes, via: str = "cli") -> IngestResult:
    """Stores `raw` once (by Message-ID) and logs it on the timeline of the person it is
    from (or, for a user's own mail, to), the thread's record, or a new lead."""
    require(actor, "activities.add")
    if len(raw) > settings.ELO_EMAIL_MAX_MESSAGE_BYTES:
        raise ValidationError(
            {"message": [_("The message is larger than the limit.")]}, code="too_large"
        )
    parsed = parse(raw)
    key = message_key(parsed, raw)
    existing = EmailMessage.objects.filter(message_id=key).first()
    if existing is not None:
        return IngestResult(key, existing, False)
    saved: list[str] = []
    try:
        with transaction.atomic():
            earlier = _earlier(parsed)
            filing = _file(actor=actor, parsed=parsed, earlier=earlier)
            if filing is None:
                return IngestResult(key, None, False)
            message = _store(
                actor=actor,
                parsed=parsed,
                raw=raw,
                key=key,
                via=via,
                earlier=earlier,
                filing=filing,
                saved=saved,
            )
    except IntegrityError:
        # Another worker stored the same message first: theirs stands, ours rolled back.
        storage = attachment_storage()
        for name in saved:
            storage.delete(name)
        existing = EmailMessage.objects.filter(message_id=key).first()
        if existing is None:
            raise
        return IngestResult(key, existing, False)
    return IngestResult(key, message, True)


def _store(
    *,
    actor: Any,
    parsed: ParsedEmail,
    raw: bytes,
    key: str,
    via: str,
    earlier: EmailMessage | None,
    filing: _Filing,
    saved: list[str],
) -> EmailMessage:
    activity = activity_create(
        actor=actor,
        data={
            "kind": ActivityKind.EMAIL,
            "subject": parsed.subject[:300],
            "body": parsed.new_text or parsed.text,
            "email_from": (_addresses_text([(parsed.from_name, parsed.from_address)]))[:254],
            "email_to": _addresses_text(parsed.to),
            "occurred_at": min(parsed.date or timezone.now(), timezone.now()),
            "person": filing.person_id,
            "lead": filing.lead_id,
            "direction": filing.direction,
            "external_id": _external_id(key),
        },
    )
    message = EmailMessage.objects.create(
        message_id=key,
        thread_id=earlier.thread_id if earlier is not None else key,
        in_reply_to=parsed.in_reply_to,
        references=" ".join(parsed.references),
        activity=activity,
        subject=parsed.subject[:300],
        from_name=parsed.from_name[:200],
        from_address=parsed.from_address[:254],
        to=_addresses_text(parsed.to),
        cc=_addresses_text(parsed.cc),
        sent_at=parsed.date,
        text=parsed.new_text,
        quoted_text=parsed.quoted_text,
        html=parsed.html,
        size=len(raw),
        via=via[:20],
    )
    count = _attachments(message, parsed, saved)
    audit.record(
        action="channels_email.message.received",
        instance=message,
        changes={"from": parsed.from_address, "thread": message.thread_id, "via": via},
    )
    events.emit(
        "channels_email.message.received",
        {
            "id": message.pk,
            "message_id": key,
            "thread": message.thread_id,
            "activity": activity.pk,
            "direction": filing.direction,
            "person": filing.person_id,
            "lead": filing.lead_id,
            "lead_created": filing.lead_created,
            "attachments": count,
            "via": via,
        },
    )
    return message


MBOX_FROM = re.compile(rb"^From \S+.*$")


def split_mbox(data: bytes) -> Iterator[bytes]:
    """The messages of an mbox file (">From " lines unquoted), or the whole input when it
    is one message."""
    if not data.startswith(b"From "):
        yield data
        return
    current: list[bytes] = []
    for line in data.splitlines(keepends=True):
        if line.startswith(b"From ") and MBOX_FROM.match(line.rstrip(b"\r\n")):
            if current:
                yield b"".join(current)
            current = []
            continue
        if re.match(rb"^>+From ", line):
            line = line[1:]
        current.append(line)
    if current:
        yield b"".join(current)
