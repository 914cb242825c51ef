"""Cell values for exported spreadsheets, safe against formula injection (OWASP "CSV
injection"): a spreadsheet must never run what a customer typed into a name or a note.

CSV has no types, so a risky text gets a leading apostrophe, which spreadsheets read as
"this is text" and hide; the importer strips it back. XLSX stores text cells as strings
(see `xlsx_value`), never as formulas, so its text is written as it is.
"""

from __future__ import annotations

import datetime
import decimal
import json
import re
from typing import Any

from django.utils import timezone

# What a number, a phone or a date may hold after a leading + or -: "-12.50", "+351 912 345
# 678", "-(1,000.00)", "+1 555/0100".
_NUMBER_LIKE = re.compile(r"[0-9 .,()\-/]*[0-9][0-9 .,()\-/]*")
# Control characters an XLSX file may not hold (tab, line feed and carriage return may).
_ILLEGAL_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
XLSX_MAX_TEXT = 32_767


def spreadsheet_safe(text: str) -> str:
    """`text` with a leading apostrophe when a spreadsheet would read it as a formula: it
    starts with = or @, with a tab or a carriage return, or with + or - followed by more
    than digits, spaces and . , ( ) - / (so phone numbers and negative numbers stay as
    they are)."""
    first = text[:1]
    if first in ("=", "@", "\t", "\r"):
        return "'" + text
    if first in ("+", "-") and not _NUMBER_LIKE.fullmatch(text[1:]):
        return "'" + text
    return text


def plain_text(value: Any) -> str:
    """A value as the text Elo's own CSV columns hold: ISO 8601 dates, `true`/`false`,
    lists joined by "|", nothing for None."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return "|".join(plain_text(item) for item in value)
    if isinstance(value, dict):
        return json.dumps(value, ensure_ascii=False, sort_keys=True)
    return str(value)


def csv_cell(value: Any) -> str:
    """One CSV cell: the value's text, made safe to open in a spreadsheet."""
    return spreadsheet_safe(plain_text(value))


def xlsx_value(value: Any) -> Any:
    """A value as an XLSX cell takes it: numbers and booleans as they are, dates and times
    as local dates and times (XLSX has no time zones), everything else as text. Text is
    returned as `XlsxText` so the writer stores it as a string, never a formula."""
    if value is None or isinstance(value, bool | int | float | decimal.Decimal):
        return value
    if isinstance(value, datetime.datetime):
        if timezone.is_aware(value):
            value = timezone.localtime(value)
        return value.replace(tzinfo=None)
    if isinstance(value, datetime.date):
        return value
    text = _ILLEGAL_XML.sub("", plain_text(value))
    return XlsxText(text[:XLSX_MAX_TEXT])


class XlsxText(str):
    """Text for an XLSX cell: always written as a string cell."""

    __slots__ = ()
