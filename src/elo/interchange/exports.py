"""Exports of any list, with its filters: CSV in Elo's own columns (which the importer reads
back), XLSX, people as vCard 4.0 and tasks and meetings as iCalendar.

`export_prepare` checks the permission, reads the filters and counts the rows; the rows are
then read lazily in id order, a chunk at a time with each chunk's relations prefetched, so
memory stays flat however long the list is.
"""

from __future__ import annotations

import csv
import tempfile
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import models
from django.http import FileResponse, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.utils.translation import gettext as _

from elo.contacts.filters import RecordFilter
from elo.core.custom_fields import definitions
from elo.core.permissions import require
from elo.interchange.export_cells import XlsxText, csv_cell, plain_text, xlsx_value
from elo.interchange.export_registry import CSV, ENTITIES, FORMATS, ICS, VCF, XLSX, ExportEntity

CHUNK = 2000
CONTENT_TYPES = {
    CSV: "text/csv; charset=utf-8",
    XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    VCF: "text/vcard; charset=utf-8",
    ICS: "text/calendar; charset=utf-8",
}
# Query parameters that shape a page of the list, not which rows it holds.
NOT_FILTERS = {"cursor", "format", "limit"}


class _Echo:
    def write(self, value: str) -> str:
        return value


def _chunked(
    queryset: models.QuerySet[Any], attach: Callable[[list[Any]], None] | None = None
) -> Iterator[Any]:
    """Rows in id order, a chunk at a time, each chunk with its relations prefetched (or
    given to `attach`, which loads them as plain values)."""
    last = 0
    while True:
        chunk = list(queryset.filter(pk__gt=last).order_by("pk")[:CHUNK])
        if not chunk:
            return
        if attach is not None:
            attach(chunk)
        yield from chunk
        last = chunk[-1].pk


@dataclass
class Export:
    """One export about to be written: what, for whom, with which filters, how many rows."""

    actor: Any
    entity: ExportEntity
    file_format: str
    filters: Any
    params: dict[str, str] = field(default_factory=dict)
    count: int = 0

    def queryset(self) -> models.QuerySet[Any]:
        queryset = self.entity.queryset(self.actor, self.filters)
        if self.file_format == ICS:
            from elo.activities.selectors import CALENDAR_KINDS

            queryset = queryset.filter(kind__in=CALENDAR_KINDS)
        return queryset

    def records(self) -> Iterator[Any]:
        return _chunked(self.queryset(), self.entity.attach)

    def rows(self) -> Iterator[list[Any]]:
        """The header, then one row of typed values per record."""
        keys = (
            [item.key for item in definitions(self.entity.custom_fields)]
            if (self.entity.custom_fields)
            else []
        )
        yield [*self.entity.columns, *(f"cf_{key}" for key in keys)]
        for record in self.records():
            custom = record.custom if keys else {}
            yield [*self.entity.row(record), *(custom.get(key) for key in keys)]

    @property
    def description(self) -> str:
        """How the access log names it: "People list, XLSX, tag=vip"."""
        filters = ", ".join(f"{key}={value}" for key, value in sorted(self.params.items()))
        return ", ".join(
            part for part in (str(self.entity.label), self.file_format.upper(), filters) if part
        )

    @property
    def filename(self) -> str:
        stamp = timezone.now().strftime("%Y%m%d-%H%M")
        return f"elo-{self.entity.name}-{stamp}.{self.file_format}"


def export_prepare(
    *, actor: Any, entity: str, file_format: str, params: Mapping[str, Any]
) -> Export:
    """An export of the list `entity` as `actor` sees it with the list's filters in
    `params`, counted; the rows are read when written.

    PermissionDenied without exports.run; ValidationError (by field: `entity`, `format` or
    the filter's name) for an unknown list, a format the list has not, or a bad filter."""
    require(actor, "exports.run")
    spec = ENTITIES.get(entity)
    if spec is None:
        raise ValidationError(
            {"entity": _("Export one of: %s.") % ", ".join(ENTITIES)}, code="unknown_entity"
        )
    if file_format not in spec.formats:
        raise ValidationError(
            {"format": _("This list exports as: %s.") % ", ".join(spec.formats)},
            code="unknown_format",
        )
    filters = spec.parse(params)
    export = Export(
        actor=actor,
        entity=spec,
        file_format=file_format,
        filters=filters,
        params={
            str(key): str(value)
            for key, value in params.items()
            if key not in NOT_FILTERS and value not in (None, "")
        },
    )
    export.count = export.queryset().count()
    return export


# --- writers ------------------------------------------------------------------------------


def stream_csv(rows: Iterable[list[Any]]) -> Iterator[str]:
    """CSV lines of `rows`, each cell safe to open in a spreadsheet."""
    writer = csv.writer(_Echo())
    for row in rows:
        yield writer.writerow([csv_cell(value) for value in row])


def write_xlsx(rows: Iterable[list[Any]], handle: IO[bytes], *, title: str = "Elo") -> None:
    """An XLSX workbook of `rows` (the first is the header: bold, frozen) written to
    `handle`. openpyxl's write-only mode keeps memory flat; text cells are strings, never
    formulas, numbers are numbers and dates are dates."""
    from openpyxl import Workbook
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.cell.cell import ERROR_CODES
    from openpyxl.styles import Font

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    sheet.freeze_panes = "A2"
    bold = Font(bold=True)

    def cell(value: Any, header: bool = False) -> Any:
        value = xlsx_value(value)
        # openpyxl would store text starting with "=" as a formula and "#N/A" as an error:
        # those cells are set to text by hand; other values go in as they are (quicker).
        misread = isinstance(value, XlsxText) and (value[:1] == "=" or value in ERROR_CODES)
        if not header and not misread:
            return str(value) if isinstance(value, XlsxText) else value
        written = WriteOnlyCell(sheet, value=str(value) if value is not None else None)
        if isinstance(value, XlsxText):
            written.data_type = "s"
        if header:
            written.font = bold
        return written

    iterator = iter(rows)
    header = next(iterator, None)
    if header is not None:
        sheet.append([cell(value, header=True) for value in header])
    for row in iterator:
        sheet.append([cell(value) for value in row])
    workbook.save(handle)


def write_export(export: Export, handle: IO[bytes]) -> None:
    """The export's file, written to a binary `handle` (the CLI's output file)."""
    if export.file_format == XLSX:
        write_xlsx(export.rows(), handle, title=str(export.entity.label))
    elif export.file_format == ICS:
        handle.write(_calendar(export))
    else:
        for text in _text_chunks(export):
            handle.write(text.encode("utf-8"))


def _text_chunks(export: Export) -> Iterator[str]:
    if export.file_format == VCF:
        from elo.contacts.selectors import people_for_list
        from elo.interchange.vcard import person_vcard

        people = _chunked(people_for_list(export.actor, export.filters))
        return (person_vcard(person).serialize() for person in people)
    return stream_csv(export.rows())


def _calendar(export: Export) -> bytes:
    from elo.activities.calendar import calendar_for

    return calendar_for(export.records(), name=str(export.entity.label))


def export_response(export: Export) -> HttpResponseBase:
    """The export as a download: CSV and vCard streamed, XLSX written to a temporary file
    first (a ZIP cannot be streamed as it is written) and sent from there."""
    content_type = CONTENT_TYPES[export.file_format]
    disposition = f'attachment; filename="{export.filename}"'
    response: HttpResponseBase
    if export.file_format == XLSX:
        handle = tempfile.TemporaryFile()  # noqa: SIM115 (FileResponse closes it)
        write_xlsx(export.rows(), handle, title=str(export.entity.label))
        handle.seek(0)
        response = FileResponse(handle, content_type=content_type)
    elif export.file_format == ICS:
        response = HttpResponse(_calendar(export), content_type=content_type)
    else:
        response = StreamingHttpResponse(_text_chunks(export), content_type=content_type)
    response["Content-Disposition"] = disposition
    response["Cache-Control"] = "private, no-store"
    return response


# --- the first exports' entry points, kept for their callers ------------------------------


def csv_download(filename: str, rows: Iterable[list[Any]]) -> StreamingHttpResponse:
    """A streamed CSV download of `rows` (a header first) named `filename`."""
    response = StreamingHttpResponse(stream_csv(rows), content_type=CONTENT_TYPES[CSV])
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _record_params(filters: RecordFilter, entity: str) -> dict[str, Any]:
    if entity in ("people", "organizations"):
        return {}
    values = {"q": filters.q, "owner": filters.owner, "team": filters.team, "tag": filters.tag}
    return {key: value for key, value in values.items() if value not in (None, "")}


def export_rows(*, actor: Any, entity: str, filters: RecordFilter) -> Iterator[list[str]]:
    """The header and rows, as text, of the people, organizations or deals `actor` sees with
    `filters` (deals take q, owner, team and tag); the permission is checked now."""
    if entity not in ("people", "organizations", "deals"):
        raise ValidationError({"entity": _("Export people, organizations or deals.")})
    export = Export(
        actor=actor,
        entity=ENTITIES[entity],
        file_format=CSV,
        filters=filters
        if entity != "deals"
        else ENTITIES["deals"].parse(_record_params(filters, entity)),
    )
    require(actor, "exports.run")
    return ([plain_text(value) for value in row] for row in export.rows())


def export_people_vcards(*, actor: Any, filters: RecordFilter) -> Iterator[str]:
    """vCard 4.0 text, one card per person `actor` sees with `filters`, read a chunk at a
    time; the permission is checked now."""
    require(actor, "exports.run")
    export = Export(actor=actor, entity=ENTITIES["people"], file_format=VCF, filters=filters)
    return _text_chunks(export)


__all__ = [
    "CHUNK",
    "FORMATS",
    "Export",
    "csv_download",
    "export_prepare",
    "export_response",
    "export_rows",
    "log_export",
    "stream_csv",
    "write_export",
    "write_xlsx",
]


def log_export(export: Export, *, request: Any = None) -> None:
    """One access log entry for the export, with the row count taken before writing (rows
    added or removed while the file is written are not counted)."""
    from elo.privacy.access import AccessKind, log_access, log_access_by

    if request is not None:
        log_access(request, kind=AccessKind.EXPORT, what=export.description, count=export.count)
    else:
        log_access_by(
            export.actor, kind=AccessKind.EXPORT, what=export.description, count=export.count
        )
