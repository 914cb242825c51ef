"""Downloads of lists, with their filters: CSV in Elo's own columns, vCard."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.utils import timezone
from django.views.decorators.http import require_GET

from elo.contacts.filters import RecordFilter
from elo.interchange import exports


@login_required
@require_GET
def export_file(request: HttpRequest, entity: str) -> HttpResponseBase:
    if entity not in {"people", "organizations", "deals"}:
        return HttpResponse(status=404)
    try:
        filters = RecordFilter.from_params(request.GET)
    except ValidationError as error:
        return HttpResponse("; ".join(error.messages), status=400, content_type="text/plain")
    rows = exports.export_rows(actor=request.user, entity=entity, filters=filters)
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    return exports.csv_download(f"elo-{entity}-{stamp}.csv", rows)


@login_required
@require_GET
def export_vcard(request: HttpRequest) -> HttpResponseBase:
    """The people list (with its filters) as one vCard 4.0 file."""
    try:
        filters = RecordFilter.from_params(request.GET)
    except ValidationError as error:
        return HttpResponse("; ".join(error.messages), status=400, content_type="text/plain")
    cards = exports.export_people_vcards(actor=request.user, filters=filters)
    stamp = timezone.now().strftime("%Y%m%d-%H%M")
    response = StreamingHttpResponse(cards, content_type="text/vcard; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="elo-people-{stamp}.vcf"'
    return response
