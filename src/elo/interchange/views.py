from __future__ import annotations

import io

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from elo.interchange import services
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
