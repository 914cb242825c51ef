"""The import pages: upload a file, map its columns (dry run or import), read a run and
download its rejected rows."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render

from elo.core.forms import add_service_errors
from elo.interchange import selectors, services
from elo.interchange.exports import csv_download
from elo.interchange.forms import MappingForm, UploadForm

RECENT_RUNS = 10


def _require(request: HttpRequest) -> None:
    if not request.user.has_elo_perm("imports.run"):  # type: ignore[union-attr]
        raise PermissionDenied


@login_required
def import_file(request: HttpRequest) -> HttpResponse:
    _require(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        file = form.cleaned_data["file"]
        try:
            upload = services.upload_create(
                actor=request.user,
                entity=form.cleaned_data["entity"],
                data=file.read(),
                filename=file.name or "",
                content_type=file.content_type or "",
                preset=form.cleaned_data["preset"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            return redirect("interchange:import_mapping", upload_id=upload.pk)
    runs = selectors.import_run_list_for(request.user)[:RECENT_RUNS]
    return render(request, "interchange/import.html", {"form": form, "runs": runs})


@login_required
def import_mapping(request: HttpRequest, upload_id: int) -> HttpResponse:
    _require(request)
    upload = selectors.upload_get_for(request.user, upload_id)
    preview = services.upload_preview(actor=request.user, upload=upload)
    form = MappingForm(
        request.POST or None,
        entity=upload.entity,
        headers=preview.headers,
        suggested=preview.plan.fields,
    )
    run = None
    if request.method == "POST" and form.is_valid():
        dry_run = "dry_run" in request.POST
        try:
            run = services.upload_import(
                actor=request.user,
                upload=upload,
                columns=form.column_fields() if preview.headers else None,
                preset=preview.plan.preset,
                upsert_by=form.cleaned_data["upsert_by"],
                skip_invalid=form.cleaned_data["skip_invalid"],
                dry_run=dry_run,
            )
        except ValidationError as error:
            form.add_service_errors(error)
        else:
            if not dry_run:
                return redirect("interchange:import_run", run_id=run.pk)
    columns = list(zip(form.columns(), preview.samples, strict=True))
    context = {"upload": upload, "preview": preview, "form": form, "columns": columns, "run": run}
    return render(request, "interchange/import_mapping.html", context)


@login_required
def import_run(request: HttpRequest, run_id: int) -> HttpResponse:
    run = selectors.import_run_get_for(request.user, run_id)
    return render(request, "interchange/import_run.html", {"run": run})


@login_required
def import_errors(request: HttpRequest, run_id: int) -> HttpResponseBase:
    run = selectors.import_run_get_for(request.user, run_id)
    return csv_download(f"import-{run.pk}-errors.csv", selectors.error_report_rows(run))
