"""Reads of import runs and uploads: each user sees their own, an admin sees every run."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from django.db import models
from django.http import Http404

from elo.core.permissions import require
from elo.interchange.models import ImportRun, ImportUpload

# A cell a spreadsheet would read as a formula: = or @ first, or + or - first unless the
# cell is only digits, spaces and . , ( ) - / (a phone number or a negative amount).
_PLAIN_NUMBER = re.compile(r"^[+-][\d\s.,()\-/]*$")


def spreadsheet_safe(value: Any) -> str:
    text = "" if value is None else str(value)
    if text[:1] in {"=", "@", "\t", "\r"} or (
        text[:1] in {"+", "-"} and not _PLAIN_NUMBER.match(text)
    ):
        return f"'{text}"
    return text


def import_run_list_for(user: Any) -> models.QuerySet[ImportRun]:
    require(user, "imports.run")
    runs = ImportRun.objects.defer("rejected", "mapping")
    if not getattr(user, "is_admin", False):
        runs = runs.filter(created_by=user)
    return runs


def import_run_get_for(user: Any, pk: int) -> ImportRun:
    require(user, "imports.run")
    runs = ImportRun.objects.all()
    if not getattr(user, "is_admin", False):
        runs = runs.filter(created_by=user)
    run = runs.filter(pk=pk).first()
    if run is None:
        raise Http404
    return run


def upload_get_for(user: Any, pk: int) -> ImportUpload:
    """The user's own upload; anyone else's (even an admin's look) is not found."""
    require(user, "imports.run")
    upload = ImportUpload.objects.filter(pk=pk, created_by=user).first()
    if upload is None:
        raise Http404
    return upload


def error_report_rows(run: ImportRun) -> Iterator[list[str]]:
    """The rejected rows as CSV rows: the row's number, the reasons per field, then the row's
    values as the file had them; every cell safe to open in a spreadsheet."""
    headers = run.headers
    width = max([len(headers), *(len(item.get("values") or []) for item in run.rejected)])
    extra = [f"column_{index + 1}" for index in range(len(headers), width)]
    yield [spreadsheet_safe(cell) for cell in ["row", "errors", *headers, *extra]]
    for item in run.rejected:
        reasons = "; ".join(
            f"{field}: {' '.join(str(message) for message in messages)}"
            for field, messages in (item.get("errors") or {}).items()
        )
        values = list(item.get("values") or [])
        values += [""] * (width - len(values))
        yield [spreadsheet_safe(cell) for cell in [item.get("line", ""), reasons, *values]]
