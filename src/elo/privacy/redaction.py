"""Original values and their mentions: what an erasure looks for and how it replaces it.

`Needles` holds a person's (or lead's) original values: `strong` ones identify them on
their own anywhere (an email, a phone number, the full name), `weak` ones (a given name, a
city) only inside a record already known to be about them. `Redactor` replaces mentions of
either, in text and inside JSON values, with `MARKER`."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

from elo.core.text import fold

MARKER = "[erased]"
# A value at least this long identifies the person on its own anywhere (emails, phones, the
# full name, the street, ...); shorter ones are redacted only in records about the person.
STRONG_LENGTH = 6
WEAK_LENGTH = 2
PHONE_GAP = r"[\s.\-/()]{0,3}"
# Keys of audit changes that hold a person's or lead's own values: blanked whole.
PERSONAL_KEYS = frozenset(
    [
        "given_name",
        "family_name",
        "emails",
        "phones",
        "email",
        "phone",
        "primary_email",
        "primary_phone",
        "street",
        "city",
        "region",
        "postal_code",
        "external_id",
        "custom",
        "job_title",
        "website",
        "message",
        "preferred_language",
        "identity_check",
        "notes",
        "to",
    ]
)


# --- values and their mentions ---------------------------------------------------------------


@dataclass
class Needles:
    """The original values to find: `strong` ones identify the person anywhere, `weak` ones
    (a given name, a city) only within a record already known to be about them."""

    strong: set[str] = field(default_factory=set)
    weak: set[str] = field(default_factory=set)
    phones: set[str] = field(default_factory=set)

    def add(self, value: Any, *, strong: bool | None = None) -> None:
        text = " ".join(str(value or "").split())
        if len(text) < WEAK_LENGTH:
            return
        is_strong = len(text) >= STRONG_LENGTH if strong is None else strong
        variants = {text, fold(text)}
        for variant in variants:
            if len(variant) < WEAK_LENGTH:
                continue
            (self.strong if is_strong and len(variant) >= STRONG_LENGTH else self.weak).add(variant)

    def add_phone(self, number: str) -> None:
        if not number:
            return
        digits = number.lstrip("+")
        self.add(number, strong=True)
        self.add(digits, strong=True)
        self.phones.add(digits)
        for prefix in ("55", "351"):
            if digits.startswith(prefix) and len(digits) - len(prefix) >= STRONG_LENGTH:
                self.add(digits[len(prefix) :], strong=True)
                self.phones.add(digits[len(prefix) :])

    def add_name(self, given: str, family: str) -> None:
        self.add(given, strong=False)
        self.add(family, strong=False)
        if given and family:
            for full in (f"{given} {family}", f"{family} {given}", f"{family}, {given}"):
                self.add(full, strong=True)

    @property
    def all(self) -> set[str]:
        return self.strong | self.weak

    def pattern(self) -> re.Pattern[str] | None:
        values = sorted(self.all, key=lambda value: (-len(value), value))
        if not values:
            return None
        # a phone number as people write it: "+351 912 345 678", "(11) 98765-4321"
        phones = [
            r"\+?\(?" + PHONE_GAP.join(re.escape(digit) for digit in digits)
            for digits in sorted(self.phones, key=lambda digits: (-len(digits), digits))
        ]
        choices = "|".join([*phones, *(re.escape(value) for value in values)])
        return re.compile(rf"(?<!\w)(?:{choices})(?!\w)", re.IGNORECASE)

    def lookups(self) -> list[str]:
        """What to look for in the database: each strong value, and its JSON-escaped form
        where that differs (SQLite stores JSON with non-ASCII characters escaped)."""
        found: set[str] = set()
        for value in self.strong:
            found.add(value)
            found.add(json.dumps(value)[1:-1])
        return sorted(found)


def _blank(value: Any) -> Any:
    """Every non-empty leaf of a JSON value replaced with the marker (keys and shape stay)."""
    if isinstance(value, dict):
        return {key: _blank(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_blank(item) for item in value]
    if value is None or value == "" or isinstance(value, bool):
        return value
    return MARKER


class Redactor:
    """Replaces mentions of the needles in text and inside JSON values."""

    def __init__(self, needles: Needles) -> None:
        self.needles = needles
        self.regex = needles.pattern()

    def text(self, value: str) -> str:
        if not value or self.regex is None:
            return value
        return self.regex.sub(MARKER, value)

    def json(self, value: Any, *, personal_keys: bool = False) -> Any:
        if isinstance(value, str):
            return self.text(value)
        if isinstance(value, list):
            return [self.json(item, personal_keys=personal_keys) for item in value]
        if isinstance(value, dict):
            result = {}
            for key, item in value.items():
                if personal_keys and key in PERSONAL_KEYS:
                    result[key] = _blank(item)
                else:
                    result[key] = self.json(item, personal_keys=personal_keys)
            return result
        return value
