"""Taking in mail: one raw message becomes one stored EmailMessage and one timeline entry
on the person (or lead) it belongs to."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from elo.activities.choices import ActivityKind, CallDirection
from elo.activities.models import Activity
from elo.activities.services import activities_import_batch
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
    refused: str = ""


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


@dataclass
class _Thread:
    thread_id: str
    person_id: int | None
    lead_id: int | None


@dataclass
class _Item:
    index: int
    raw: bytes
    parsed: ParsedEmail
    key: str
    sender: str


class _Lookups:
    """What a batch needs to know, fetched in a few queries: earlier messages of its threads,
    which senders are users, people by address and open leads of unknown senders."""

    def __init__(self, items: list[_Item]) -> None:
        keys = {item.key for item in items}
        references = {
            ref
            for item in items
            for ref in [item.parsed.in_reply_to, *item.parsed.references]
            if ref and ref not in keys
        }
        self.threads: dict[str, _Thread] = {
            message_id: _Thread(thread_id, person_id, lead_id)
            for message_id, thread_id, person_id, lead_id in EmailMessage.objects.filter(
                message_id__in=references
            ).values_list("message_id", "thread_id", "activity__person_id", "activity__lead_id")
        }
        senders = {item.sender for item in items if item.sender}
        self.users = set(
            User.objects.filter(email__in=senders, is_active=True).values_list("email", flat=True)
        )
        addresses = set(senders)
        for item in items:
            addresses.update(normalise_address(a) for a in item.parsed.recipients)
            if item.parsed.forwarded_from:
                addresses.add(normalise_address(item.parsed.forwarded_from))
        self.people: dict[str, int] = dict(
            PersonEmail.objects.filter(email__in=addresses, person__deleted_at__isnull=True)
            .order_by("-person_id")
            .values_list("email", "person_id")
        )
        self.leads: dict[str, int] = {}
        unknown = senders - self.users - set(self.people)
        if unknown and settings.ELO_EMAIL_UNKNOWN_SENDER == "lead":
            from elo.sales.choices import LeadStatus
            from elo.sales.models import Lead

            self.leads = dict(
                Lead.objects.alive()
                .filter(email__in=unknown, status__in=[LeadStatus.NEW, LeadStatus.WORKING])
                .order_by("-pk")
                .values_list("email", "pk")
            )

    def earlier(self, parsed: ParsedEmail) -> _Thread | None:
        for key in [parsed.in_reply_to, *reversed(parsed.references)]:
            if key and key in self.threads:
                return self.threads[key]
        return None

    def person(self, addresses: list[str]) -> int | None:
        return next((self.people[a] for a in addresses if a in self.people), None)


def _file(*, actor: Any, item: _Item, lookups: _Lookups, earlier: _Thread | None) -> _Filing | None:
    """Which record the message goes on, or None to leave it out."""
    parsed, sender = item.parsed, item.sender
    from_user = sender in lookups.users
    filing = _Filing(direction=CallDirection.OUTBOUND if from_user else CallDirection.INBOUND)
    if earlier is not None and (earlier.person_id or earlier.lead_id):
        filing.person_id, filing.lead_id = earlier.person_id, earlier.lead_id
        return filing
    if from_user:
        # Mail a user sent, BCC'd or forwarded: it belongs to the person they wrote to, or
        # for a forward to the person who wrote the forwarded message.
        if parsed.forwarded_from:
            counterparts = [normalise_address(parsed.forwarded_from)]
            filing.direction = CallDirection.INBOUND
        else:
            counterparts = [normalise_address(address) for address in parsed.recipients]
        filing.person_id = lookups.person(counterparts)
        return filing if filing.person_id else None
    filing.person_id = lookups.person([sender])
    if filing.person_id:
        return filing
    if settings.ELO_EMAIL_UNKNOWN_SENDER != "lead" or not sender:
        return None
    if sender in lookups.leads:
        filing.lead_id = lookups.leads[sender]
        return filing
    lead_id = _lead_create(actor=actor, parsed=parsed, sender=sender)
    if lead_id is None:
        return None
    lookups.leads[sender] = lead_id
    filing.lead_id, filing.lead_created = lead_id, True
    return filing


def _lead_create(*, actor: Any, parsed: ParsedEmail, sender: str) -> int | None:
    from elo.sales.choices import LeadSource
    from elo.sales.services.leads import lead_create

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
    return int(lead.pk)


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
    (result,) = email_ingest_many(actor=actor, raws=[raw], via=via)
    if result.refused:
        raise ValidationError({"message": [result.refused]}, code="refused")
    return result


def email_ingest_many(*, actor: Any, raws: Sequence[bytes], via: str = "cli") -> list[IngestResult]:
    """`email_ingest` for many messages (an mbox) in one transaction and a few queries; a
    message may answer one earlier in the same batch."""
    require(actor, "activities.add")
    results: dict[int, IngestResult] = {}
    items: list[_Item] = []
    for index, raw in enumerate(raws):
        if len(raw) > settings.ELO_EMAIL_MAX_MESSAGE_BYTES:
            refused = _("The message is larger than the limit.")
            results[index] = IngestResult("", None, False, refused=refused)
            continue
        try:
            parsed = parse(raw)
        except Exception:  # the email package gave up on it: report it, take the rest
            results[index] = IngestResult("", None, False, refused=_("The message is unreadable."))
            continue
        key = message_key(parsed, raw)
        items.append(_Item(index, raw, parsed, key, normalise_address(parsed.from_address)))
    saved: list[str] = []
    try:
        with transaction.atomic():
            results.update(_ingest(actor=actor, items=items, via=via, saved=saved))
    except Exception as error:
        if not _unique_violation(error):
            raise
        # Another worker stored one of these messages first: theirs stands, ours rolled
        # back; take the batch again one message at a time.
        storage = attachment_storage()
        for name in saved:
            storage.delete(name)
        if len(items) > 1:
            for item in items:
                (results[item.index],) = email_ingest_many(actor=actor, raws=[item.raw], via=via)
        elif items:
            existing = EmailMessage.objects.filter(message_id=items[0].key).first()
            if existing is None:
                raise
            results[items[0].index] = IngestResult(items[0].key, existing, False)
    return [results[index] for index in range(len(raws))]


def _unique_violation(error: Exception) -> bool:
    """A unique constraint refused a row: Django's IntegrityError, or the driver's own error
    when the rows went in by COPY (see elo.core.bulk)."""
    return isinstance(error, IntegrityError) or getattr(error, "sqlstate", None) == "23505"


def _ingest(
    *, actor: Any, items: list[_Item], via: str, saved: list[str]
) -> dict[int, IngestResult]:
    results: dict[int, IngestResult] = {}
    existing = {
        message.message_id: message
        for message in EmailMessage.objects.filter(message_id__in={item.key for item in items})
    }
    lookups = _Lookups([item for item in items if item.key not in existing])
    first_of: dict[str, int] = {}
    fresh: list[tuple[_Item, _Filing, str]] = []
    for item in items:
        if item.key in existing:
            results[item.index] = IngestResult(item.key, existing[item.key], False)
            continue
        if item.key in first_of:
            continue
        first_of[item.key] = item.index
        earlier = lookups.earlier(item.parsed)
        filing = _file(actor=actor, item=item, lookups=lookups, earlier=earlier)
        if filing is None:
            results[item.index] = IngestResult(item.key, None, False)
            continue
        thread_id = earlier.thread_id if earlier is not None else item.key
        lookups.threads[item.key] = _Thread(thread_id, filing.person_id, filing.lead_id)
        fresh.append((item, filing, thread_id))
    stored = _store(actor=actor, fresh=fresh, via=via, saved=saved)
    for item in items:
        if item.index in results:
            continue
        message = stored.get(item.key)
        first = first_of.get(item.key) == item.index
        results[item.index] = IngestResult(item.key, message, first and message is not None)
    return results


def _activity_row(item: _Item, filing: _Filing) -> dict[str, Any]:
    parsed = item.parsed
    return {
        "kind": ActivityKind.EMAIL,
        "subject": parsed.subject[:300],
        "body": parsed.new_text or parsed.text,
        "email_from": _addresses_text([(parsed.from_name, parsed.from_address)])[:254],
        "email_to": _addresses_text(parsed.to),
        "occurred_at": min(parsed.date or timezone.now(), timezone.now()),
        "person": filing.person_id,
        "lead": filing.lead_id,
        "direction": filing.direction,
        "external_id": _external_id(item.key),
    }


def _store(
    *, actor: Any, fresh: list[tuple[_Item, _Filing, str]], via: str, saved: list[str]
) -> dict[str, EmailMessage]:
    if not fresh:
        return {}
    activities_import_batch(
        actor=actor,
        rows=[_activity_row(item, filing) for item, filing, _thread in fresh],
        skip_invalid=True,
    )
    activity_ids = dict(
        Activity.objects.filter(
            external_id__in=[_external_id(item.key) for item, _filing, _thread in fresh]
        ).values_list("external_id", "pk")
    )
    kept = [entry for entry in fresh if _external_id(entry[0].key) in activity_ids]
    messages = EmailMessage.objects.bulk_create(
        [
            EmailMessage(
                message_id=item.key,
                thread_id=thread_id,
                in_reply_to=item.parsed.in_reply_to,
                references=" ".join(item.parsed.references),
                activity_id=activity_ids[_external_id(item.key)],
                subject=item.parsed.subject[:300],
                from_name=item.parsed.from_name[:200],
                from_address=item.parsed.from_address[:254],
                to=_addresses_text(item.parsed.to),
                cc=_addresses_text(item.parsed.cc),
                sent_at=item.parsed.date,
                text=item.parsed.new_text,
                quoted_text=item.parsed.quoted_text,
                html=item.parsed.html,
                size=len(item.raw),
                via=via[:20],
            )
            for item, _filing, thread_id in kept
        ]
    )
    counts = [
        _attachments(message, item.parsed, saved) if item.parsed.attachments else 0
        for message, (item, _filing, _thread) in zip(messages, kept, strict=True)
    ]
    audit.record_rows(
        (
            "channels_email.message.received",
            message,
            {"from": item.parsed.from_address, "thread": message.thread_id, "via": via},
        )
        for message, (item, _filing, _thread) in zip(messages, kept, strict=True)
    )
    events.emit_many(
        "channels_email.message.received",
        [
            {
                "id": message.pk,
                "message_id": message.message_id,
                "thread": message.thread_id,
                "activity": message.activity_id,
                "direction": filing.direction,
                "person": filing.person_id,
                "lead": filing.lead_id,
                "lead_created": filing.lead_created,
                "attachments": count,
                "via": via,
            }
            for message, (_item, filing, _thread), count in zip(messages, kept, counts, strict=True)
        ],
    )
    return {message.message_id: message for message in messages}


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
