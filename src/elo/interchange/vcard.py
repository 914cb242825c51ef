"""vCard files: people in (3.0, 4.0 and 2.1 as vobject reads them) and out (4.0).

Import turns each card into the same row dict the people CSV importer takes, so validation,
upsert (external id, then email) and the per-row report are the CSV importer's own.
"""

from __future__ import annotations

import functools
import re
import uuid
from collections.abc import Iterable
from datetime import UTC, date
from typing import Any

import phonenumbers
import vobject
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from elo.contacts.cleaning import clean_phone
from elo.core.custom_fields import definitions
from elo.core.models import CustomFieldType

BDAY_KEYS = ("birthday", "bday", "birth_date", "date_of_birth")
UID_NAMESPACE = uuid.UUID("6f1e6f3a-5d0b-4a4e-9a53-3c4c2c5e0b11")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")


def _decode(data: bytes | str) -> str:
    if isinstance(data, str):
        return data
    for encoding in ("utf-8-sig", "cp1252"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1")


def _text(value: Any) -> str:
    if isinstance(value, bytes):
        value = _decode(value)
    if isinstance(value, list):
        value = " ".join(str(part) for part in value if part)
    return " ".join(str(value or "").split())


def _params(line: Any) -> set[str]:
    """TYPE and PREF as lower-case tokens, whichever way the version spells them."""
    tokens: set[str] = set()
    for key, values in line.params.items():
        for value in values:
            for part in str(value).split(","):
                if key.upper() == "TYPE":
                    tokens.add(part.strip().lower())
                elif key.upper() == "PREF":
                    tokens.add("pref")
                else:
                    tokens.add(key.lower())
    for single in getattr(line, "singletonparams", []) or []:
        tokens.add(str(single).lower())
    return tokens


def _pref_rank(line: Any) -> int:
    pref = line.params.get("PREF")
    if pref:
        try:
            return int(str(pref[0]))
        except ValueError:
            return 1
    return 1 if "pref" in _params(line) else 101


def _ordered(lines: Iterable[Any]) -> list[Any]:
    return sorted(lines, key=_pref_rank)  # stable: file order among equals


def _lines(card: Any, name: str) -> list[Any]:
    return list(card.contents.get(name.lower(), []))


def _first(card: Any, name: str) -> Any:
    found = _lines(card, name)
    return found[0].value if found else None


def _phone(value: Any) -> str:
    text = _text(value)
    if text.lower().startswith("tel:"):
        text = text[4:].split(";", 1)[0]
    return text


COUNTRY_ALIASES = {
    "usa": "US",
    "u.s.a.": "US",
    "u.s.a": "US",
    "u.s.": "US",
    "united states of america": "US",
    "uk": "GB",
    "england": "GB",
    "great britain": "GB",
    "estados unidos": "US",
}


@functools.lru_cache(maxsize=1)
def _country_names() -> dict[str, str]:
    from phonenumbers.geocoder import _region_display_name

    names = dict(COUNTRY_ALIASES)
    for region in phonenumbers.SUPPORTED_REGIONS:
        for language in ("en", "pt", "es", "fr", "de"):
            if name := _region_display_name(region, language):
                names.setdefault(name.lower(), region)
    return names


def _country(value: str) -> str:
    """A two-letter code for an address's country, written as a code or a name; "" when
    the name is unknown (the rest of the address still loads)."""
    text = value.strip()
    if len(text) == 2 and text.isalpha():
        return text.upper()
    return _country_names().get(text.lower(), "")


def _readable_phones(phones: list[str], country: str) -> list[str]:
    """The numbers the people importer can read (in the card's country when they have no
    country code); a card's unreadable extension or fax code does not sink the whole card."""
    readable = []
    for phone in phones:
        try:
            clean_phone(phone, country or None)
        except ValidationError:
            continue
        readable.append(phone)
    return readable


def _birthday_key() -> str:
    for field in definitions("person"):
        if field.field_type == CustomFieldType.DATE and field.key.lower() in BDAY_KEYS:
            return str(field.key)
    return ""


def _bday(value: Any) -> str:
    text = _text(value).replace("-", "")[:8]
    if len(text) == 8 and text.isdigit():
        try:
            return date(int(text[:4]), int(text[4:6]), int(text[6:8])).isoformat()
        except ValueError:
            return ""
    return ""


def _row(card: Any, bday_key: str) -> dict[str, str]:
    row: dict[str, str] = {}
    n = _first(card, "n")
    given = family = ""
    if n is not None and not isinstance(n, str):
        given = _text(n.given)
        family = _text(n.family)
    if not given and not family:
        formatted = _text(_first(card, "fn"))
        given, _sep, family = formatted.partition(" ")
        if not family and given:
            given, family = given, ""
    row["given_name"], row["family_name"] = given, family
    emails = [_text(line.value) for line in _ordered(_lines(card, "email"))]
    # A value without an @ is a label some phones store as an email; it is not an address.
    row["emails"] = ", ".join(email for email in emails if "@" in email)
    phones = [_phone(line.value) for line in _ordered(_lines(card, "tel"))]
    phones = [phone for phone in phones if phone]
    org = _first(card, "org")
    if org:
        row["organization_name"] = _text(org[0] if isinstance(org, list) else org)
    if title := _text(_first(card, "title")):
        row["job_title"] = title
    adrs = _ordered(_lines(card, "adr"))
    if adrs and not isinstance(adrs[0].value, str):
        adr = adrs[0].value
        row["street"] = _text(adr.street)
        row["city"] = _text(adr.city)
        row["region"] = _text(adr.region)
        row["postal_code"] = _text(adr.code)
        row["country"] = _country(_text(adr.country))
    row["phones"] = ", ".join(_readable_phones(phones, row.get("country", "")))
    if note := _first(card, "note"):
        row["note"] = str(note).strip()
    if bday_key and (birthday := _bday(_first(card, "bday"))):
        row[f"cf_{bday_key}"] = birthday
    if uid := _text(_first(card, "uid")):
        row["external_id"] = uid[:100]
    return {key: value for key, value in row.items() if value or key.endswith("_name")}


def people_rows_from_vcards(data: bytes | str) -> list[dict[str, str]]:
    """One people-importer row per card in `data`; a file vobject cannot read is refused."""
    text = _without_binaries(_decode(data))
    bday_key = _birthday_key()
    rows: list[dict[str, str]] = []
    for chunk in _CARD.findall(text):
        for attempt in (chunk, _essentials(chunk)):
            try:
                cards = list(vobject.readComponents(attempt, ignoreUnreadable=True, allowQP=True))
                rows.extend(_row(c, bday_key) for c in cards if c.name.upper() == "VCARD")
                break
            except Exception:  # noqa: S112 - vobject raises ParseError, ValueError...
                continue
        else:
            # An unreadable card still takes its place, so the report names it.
            rows.append({"given_name": "", "family_name": "", "unreadable": "1"})
    if not rows and text.strip():
        raise ValidationError({"file": _("The file is not a readable vCard file.")})
    return rows


_CARD = re.compile(r"^BEGIN:VCARD\s*$.*?^END:VCARD\s*$", re.I | re.M | re.S)
_BINARY = re.compile(r"^(?:[\w-]+\.)?(PHOTO|LOGO|SOUND|KEY|PROFILE)[;:]", re.I)
_PROPERTY = re.compile(r"^(?:[\w-]+\.)?[\w-]+[;:]")


_ESSENTIAL = re.compile(r"^(?:[\w-]+\.)?(BEGIN|END|VERSION|N|FN|EMAIL|TEL|UID)[;:]", re.I)


def _essentials(text: str) -> str:
    """The card with only its name, emails, phones and UID: the second try for a card one of
    whose other properties vobject cannot decode (a broken charset in an ORG, say)."""
    kept: list[str] = []
    keeping = False
    for line in text.splitlines():
        if _PROPERTY.match(line):
            keeping = bool(_ESSENTIAL.match(line))
        if keeping:
            kept.append(line)
    return "\r\n".join(kept) + "\r\n"


def _without_binaries(text: str) -> str:
    """The text without photos, logos, sounds and keys (and their folded or vCard 2.1
    base64 continuation lines): Elo keeps none of them and they are where files break."""
    kept: list[str] = []
    skipping = False
    for line in text.splitlines():
        if _BINARY.match(line):
            skipping = True
            continue
        if skipping and (not line.strip() or line[:1] in " \t" or not _PROPERTY.match(line)):
            continue
        skipping = False
        kept.append(line)
    return "\r\n".join(kept) + "\r\n"


def _clean(value: str) -> str:
    """One line of text: newlines and control characters cannot add properties."""
    return _CONTROL.sub(" ", " ".join(str(value or "").split()))


def person_uid(person: Any) -> str:
    """A stable `urn:uuid:` for the person: kept when the external id already is one."""
    external = str(person.external_id or "")
    if external.lower().startswith("urn:uuid:"):
        return external
    seed = f"external:{external}" if external else f"elo:{person.pk}"
    return f"urn:uuid:{uuid.uuid5(UID_NAMESPACE, seed)}"


def person_vcard(person: Any) -> Any:
    card = vobject.vCard()
    card.add("version").value = "4.0"
    given, family = _clean(person.given_name), _clean(person.family_name)
    emails = list(person.emails.all())
    formatted = " ".join(part for part in (given, family) if part) or (
        emails[0].email if emails else ""
    )
    card.add("fn").value = formatted
    card.add("n").value = vobject.vcard.Name(family=family, given=given)
    for position, item in enumerate(emails, start=1):
        line = card.add("email")
        line.value = _clean(item.email)
        line.params["PREF"] = [str(position)]
    for position, item in enumerate(person.phones.all(), start=1):
        line = card.add("tel")
        line.value = f"tel:{_clean(item.number)}"
        line.params["VALUE"] = ["uri"]
        line.params["PREF"] = [str(position)]
    jobs = list(person.employments.all())
    if jobs:
        card.add("org").value = [_clean(jobs[0].organization.name)]
        if jobs[0].job_title:
            card.add("title").value = _clean(jobs[0].job_title)
    address = [person.street, person.city, person.region, person.postal_code, person.country]
    if any(address):
        card.add("adr").value = vobject.vcard.Address(
            street=_clean(person.street),
            city=_clean(person.city),
            region=_clean(person.region),
            code=_clean(person.postal_code),
            country=_clean(person.country),
        )
    card.add("uid").value = person_uid(person)
    stamp = person.updated_at or timezone.now()
    card.add("rev").value = stamp.astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    return card


def people_to_vcards(queryset: Iterable[Any]) -> str:
    """vCard 4.0 text for every person in `queryset` (already limited to what the user sees)."""
    return "".join(person_vcard(person).serialize() for person in queryset)
