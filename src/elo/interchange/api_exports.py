"""/api/v1/exports: any list, with its filters, as CSV, XLSX, vCard or iCalendar."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.utils.translation import gettext as _
from ninja import Query, Router

from elo.core.api import field_errors, problem
from elo.interchange import exports
from elo.interchange.export_registry import ENTITIES

router = Router(tags=["export"])


def _description() -> str:
    lines = [
        "Streams the list `entity` as the caller sees it (only records they may see), every "
        "page of it, with the list's own filters as query parameters. Needs the "
        "`exports.run` permission (403 otherwise). An unknown entity or format, or a bad "
        "filter value, answers 400 with the field in `errors`. People, organizations and "
        "deals keep Elo's own columns, which the importer reads back. Text cells that a "
        "spreadsheet would run as a formula start with an apostrophe in CSV; XLSX stores "
        "them as text. Each export is recorded in the personal data access log.",
        "",
        "| entity | format | filters |",
        "|---|---|---|",
    ]
    for name, entity in ENTITIES.items():
        filters = ", ".join(f"`{item}`" for item in entity.filters)
        lines.append(f"| `{name}` | {', '.join(entity.formats)} | {filters} |")
    return "\n".join(lines)


@router.get(
    "/exports/{entity}",
    response={200: None},
    summary="Export a list with its filters (CSV, XLSX, vCard, iCalendar)",
    description=_description(),
    openapi_extra={
        "responses": {
            200: {
                "description": "The file, as an attachment",
                "content": {
                    content_type.split(";")[0]: {}
                    for content_type in exports.CONTENT_TYPES.values()
                },
            }
        }
    },
)
def export_list(
    request: HttpRequest,
    entity: str,
    file_format: str = Query(
        "csv", alias="format", description="csv, xlsx, vcf (people) or ics (activities)"
    ),
) -> HttpResponseBase:
    try:
        export = exports.export_prepare(
            actor=request.user, entity=entity, file_format=file_format, params=request.GET
        )
    except ValidationError as error:
        return problem(
            400, "invalid_export", _("This export cannot be made."), errors=field_errors(error)
        )
    exports.log_export(export, request=request)
    return exports.export_response(export)
