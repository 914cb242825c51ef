from __future__ import annotations

import io

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse, StreamingHttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from elo.contacts.filters import RecordFilter
from elo.interchange import exports, services
from elo.interchange.forms import ImportForm


@login_required
def import_file(request: HttpRequest) -> HttpResponse:
    if not request.user.has_elo_perm("imports.run"):  # type: ignore[union-attr]
        raise PermissionDenied
    form = ImportForm(request.POST or None, request.FILES or None)
    run = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            if services.is_vcard(upload.name or "", upload.content_type or ""):
                run = services.import_vcard(
                    actor=request.user,
                    entity=form.cleaned_data["entity"],
                    data=upload.read(),
                    filename=upload.name,
                    skip_invalid=form.cleaned_data["skip_invalid"],
                )
            else:
                run = services.import_csv(
                    actor=request.user,
                    entity=form.cleaned_data["entity"],
                    stream=io.TextIOWrapper(upload.file, encoding="utf-8-sig", newline=""),
                    filename=upload.name,
                    skip_invalid=form.cleaned_data["skip_invalid"],
                )
        except UnicodeDecodeError:
            form.add_error("file", _("The file is not UTF-8 text."))
        except ValidationError as error:
            form.add_error("file", error.messages)
    return render(request, "interchange/import.html", {"form": form, "run": run})


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
