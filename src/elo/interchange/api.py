"""Imports: run one (or dry-run it) with a preset or a column mapping, preview a file's
mapping, list runs, read one and download its rejected rows."""

from __future__ import annotations

import json
from typing import IO, Any, cast

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from ninja import File, Form, Router, UploadedFile

from elo.core.api import next_link, page_size
from elo.core.pagination import paginate
from elo.interchange import presets, selectors, services
from elo.interchange.exports import csv_download
from elo.interchange.mapping import TARGETS
from elo.interchange.schemas import ImportMappingOut, ImportPresetOut, ImportRunList, ImportRunOut

router = Router(tags=["import"])


def _columns(raw: str) -> dict[str, str] | None:
    if not raw.strip():
        return None
    try:
        value = json.loads(raw)
    except ValueError as error:
        raise ValidationError({"mapping": _("Send the mapping as a JSON object.")}) from error
    if not isinstance(value, dict) or not all(
        isinstance(k, str) and isinstance(v, str | None) for k, v in value.items()
    ):
        raise ValidationError(
            {"mapping": _("The mapping is a JSON object of column header to Elo field.")}
        )
    return {key: value or "" for key, value in value.items()}


@router.post("/imports", response={201: ImportRunOut}, summary="Import a CSV, XLSX or vCard file")
def create_import(
    request: HttpRequest,
    entity: Form[str],
    file: File[UploadedFile],
    skip_invalid: Form[bool] = False,
    preset: Form[str] = "",
    mapping: Form[str] = "",
    dry_run: Form[bool] = False,
    upsert_by: Form[str] = "external_id",
) -> Any:
    """Loads `file` as people, organizations, activities or deals: CSV (UTF-8 or
    Windows-1252, comma, semicolon or tab separated), the first sheet of an XLSX workbook, or
    a vCard file (people). `mapping` is a JSON object of column header to Elo field (see
    `POST /imports/mapping`; an empty field ignores the column); without it, `preset` (or the
    preset the headers look like, see `GET /import-presets`) and Elo's own column names
    decide. `dry_run` imports and rolls back, so the counts are exact and nothing changes.
    `upsert_by` is `external_id` (then email) or `email` (then external id; people only)."""
    run = services.import_file(
        actor=request.user,
        entity=entity,
        stream=cast(IO[bytes], file.file),
        filename=file.name or "",
        content_type=file.content_type or "",
        preset=preset,
        columns=_columns(mapping),
        upsert_by=upsert_by,
        dry_run=dry_run,
        skip_invalid=skip_invalid,
    )
    return 201, run


@router.post(
    "/imports/mapping", response=ImportMappingOut, summary="Preview a file's column mapping"
)
def preview_mapping(
    request: HttpRequest, entity: Form[str], file: File[UploadedFile], preset: Form[str] = ""
) -> Any:
    """The file's columns with up to three values each, the preset chosen or detected, and
    the field suggested for each column; nothing is imported."""
    preview = services.preview(
        actor=request.user,
        entity=entity,
        stream=cast(IO[bytes], file.file),
        filename=file.name or "",
        content_type=file.content_type or "",
        preset=preset,
    )
    pairs = list(zip(preview.headers, preview.plan.fields, strict=True))
    return {
        "kind": preview.kind,
        "preset": preview.plan.preset,
        "preset_detected": preview.plan.detected,
        "columns": [
            {"header": header, "samples": samples, "field": field}
            for (header, field), samples in zip(pairs, preview.samples, strict=True)
        ],
        "mapping": dict(pairs),
    }


@router.get("/imports", response=ImportRunList, summary="List import runs")
def list_imports(
    request: HttpRequest, cursor: str | None = None, limit: int | None = None
) -> dict[str, Any]:
    """Newest first: the caller's own runs (an admin sees everyone's), dry runs included."""
    runs = selectors.import_run_list_for(request.user)
    page = paginate(runs, keys=["-created_at", "-id"], cursor=cursor, size=page_size(limit))
    return {"next": next_link(request, page), "items": page.items}


@router.get("/imports/{run_id}", response=ImportRunOut, summary="Get an import run")
def get_import(request: HttpRequest, run_id: int) -> Any:
    return selectors.import_run_get_for(request.user, run_id)


@router.get(
    "/imports/{run_id}/errors",
    summary="Download an import run's rejected rows (CSV)",
    response={200: None},
    openapi_extra={"responses": {200: {"content": {"text/csv": {}}}}},
)
def import_errors(request: HttpRequest, run_id: int) -> HttpResponseBase:
    """One line per rejected row: its number, the reasons per field and its values."""
    run = selectors.import_run_get_for(request.user, run_id)
    return csv_download(f"import-{run.pk}-errors.csv", selectors.error_report_rows(run))


@router.get("/import-presets", response=list[ImportPresetOut], summary="List the import presets")
def list_presets(request: HttpRequest) -> Any:
    """Each preset's column headers mapped to Elo fields, per kind of record."""
    return [
        {
            "name": preset.name,
            "label": str(preset.label),
            "mappings": {
                entity: preset.columns[entity] for entity in TARGETS if entity in preset.columns
            },
        }
        for preset in presets.PRESETS.values()
    ]
