"""Reading an uploaded table (CSV in any of the encodings and delimiters spreadsheets write,
or the first sheet of an XLSX workbook) as a header and a stream of rows of text."""

from __future__ import annotations

import codecs
import csv
import datetime
import io
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from typing import IO, Any, cast

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

CHUNK = 1 << 20
XLSX_EXTENSIONS = (".xlsx", ".xlsm")
ZIP_MAGIC = b"PK\x03\x04"


@dataclass
class Table:
    headers: list[str]
    rows: Iterator[list[str]]
    kind: str  # "csv" or "xlsx"
    encoding: str = ""
    delimiter: str = ""


def unreadable() -> ValidationError:
    return ValidationError(
        {"file": [_("Elo cannot read this file: send a CSV, an XLSX workbook or a vCard file.")]},
        code="unreadable",
    )


def is_xlsx(stream: IO[bytes], filename: str = "") -> bool:
    if filename.lower().endswith(XLSX_EXTENSIONS):
        return True
    start = stream.read(4)
    stream.seek(0)
    return start == ZIP_MAGIC


def seekable(stream: IO[bytes]) -> IO[bytes]:
    """The stream, or a copy in memory when it cannot go back to its start."""
    try:
        if stream.seekable():
            return stream
    except (AttributeError, ValueError):
        pass
    return io.BytesIO(stream.read())


def open_table(stream: IO[bytes], filename: str = "") -> Table:
    """The file's header line and its rows; an unreadable or empty file is a field error."""
    stream = seekable(stream)
    if is_xlsx(stream, filename):
        return _xlsx(stream)
    return _csv(stream)


# --- CSV ----------------------------------------------------------------------------------


def detect_encoding(stream: IO[bytes]) -> str:
    """UTF-8 (with or without a BOM) unless the bytes are not UTF-8: then UTF-16 when it has
    its BOM, else Windows-1252 (what Excel writes on Windows), else Latin-1. The whole file is
    checked in chunks, so a wrong guess never surfaces halfway through the import."""
    start = stream.read(4)
    stream.seek(0)
    if start.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    for encoding in ("utf-8-sig", "cp1252"):
        decoder = codecs.getincrementaldecoder(encoding)()
        try:
            while chunk := stream.read(CHUNK):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            continue
        finally:
            stream.seek(0)
        return encoding
    return "latin-1"


def detect_delimiter(first_line: str) -> str:
    """The separator of the header line: the most frequent of , ; and tab (comma on a tie)."""
    counts = {delimiter: first_line.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=lambda d: (counts[d], d == ","))
    return best if counts[best] else ","


def _csv(stream: IO[bytes]) -> Table:
    encoding = detect_encoding(stream)
    text = io.TextIOWrapper(cast(Any, stream), encoding=encoding, newline="")
    first = text.readline()
    if "\x00" in first:
        raise unreadable()
    text.seek(0)
    delimiter = detect_delimiter(first)
    reader = csv.reader(text, delimiter=delimiter)
    try:
        headers = next(reader, [])
    except csv.Error as error:
        raise unreadable() from error
    headers = [header.strip() for header in headers]
    if not any(headers):
        raise ValidationError({"file": [_("The file is empty or has no header line.")]})

    def rows() -> Iterator[list[str]]:
        try:
            for row in reader:
                if any(cell.strip() for cell in row):
                    yield row
        except csv.Error as error:
            raise ValidationError(
                {
                    "file": [
                        _("Line %(line)s cannot be read: %(error)s")
                        % {"line": reader.line_num, "error": error}
                    ]
                }
            ) from error

    return Table(headers=headers, rows=rows(), kind="csv", encoding=encoding, delimiter=delimiter)


# --- XLSX ---------------------------------------------------------------------------------


def cell_text(value: Any) -> str:
    """A cell as the text a CSV of the same sheet would hold: dates as ISO dates (a time only
    when the cell has one), whole numbers without ".0", empty cells empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime.datetime):
        if value.time() == datetime.time(0):
            return value.date().isoformat()
        return value.isoformat()
    if isinstance(value, datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, float):
        if value.is_integer():
            return str(int(value))
        return repr(value)
    if isinstance(value, Decimal):
        return format(value.normalize(), "f")
    return str(value).strip()


def _xlsx(stream: IO[bytes]) -> Table:
    from openpyxl import load_workbook

    try:
        workbook = load_workbook(stream, read_only=True, data_only=True)
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as error:
        raise unreadable() from error
    if not workbook.worksheets:
        raise unreadable()
    sheet = workbook.worksheets[0]
    values = sheet.iter_rows(values_only=True)
    first = next(values, None)
    headers = [cell_text(cell) for cell in first or ()]
    while headers and not headers[-1]:
        headers.pop()
    if not any(headers):
        workbook.close()
        raise ValidationError({"file": [_("The first sheet is empty or has no header row.")]})

    def rows() -> Iterator[list[str]]:
        try:
            for row in values:
                cells = [cell_text(cell) for cell in row]
                if any(cells):
                    yield cells
        finally:
            workbook.close()

    return Table(headers=headers, rows=rows(), kind="xlsx")
