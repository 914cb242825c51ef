"""Downloads of any list with its filters: CSV, XLSX, vCard (people) and iCalendar
(tasks and meetings)."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.views.decorators.http import require_GET

from elo.interchange import exports
from elo.interchange.export_registry import ENTITIES


@login_required
@require_GET
def export_file(request: HttpRequest, entity: str, file_format: str = "csv") -> HttpResponseBase:
    """The list `entity` as the signed-in user sees it with the query string's filters."""
    if entity not in ENTITIES or file_format not in ENTITIES[entity].formats:
        raise Http404
    try:
        export = exports.export_prepare(
            actor=request.user, entity=entity, file_format=file_format, params=request.GET
        )
    except ValidationError as error:
        return HttpResponse("; ".join(error.messages), status=400, content_type="text/plain")
    exports.log_export(export, request=request)
    return exports.export_response(export)


@login_required
@require_GET
def export_vcard(request: HttpRequest) -> HttpResponseBase:
    """The people list (with its filters) as one vCard 4.0 file."""
    return export_file(request, "people", "vcf")
