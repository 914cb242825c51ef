"""Settings pages for the shared tables (custom fields, tags), and the permission guard
every settings page uses."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from elo.core import health, selectors, services
from elo.core.errors import PreconditionFailed
from elo.core.forms import CompanyProfileForm, CustomFieldForm, add_service_errors
from elo.core.models import CustomFieldEntity
from elo.core.permissions import require

View = Callable[..., HttpResponse]


def permission_required(permission: str) -> Callable[[View], View]:
    """Sends anonymous visitors to sign in and answers 403 to users without `permission`."""

    def decorator(view: View) -> View:
        @login_required
        @wraps(view)
        def guarded(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            require(request.user, permission)
            return view(request, *args, **kwargs)

        return guarded

    return decorator


def posted(request: HttpRequest) -> Any:
    """The submitted data on POST (even when empty, e.g. every box unticked), else None."""
    return request.POST if request.method == "POST" else None


@permission_required("settings.manage")
def custom_field_list(request: HttpRequest) -> HttpResponse:
    fields = list(selectors.custom_field_list())
    sections = [
        {"entity": entity, "label": label, "fields": [f for f in fields if f.entity == entity]}
        for entity, label in CustomFieldEntity.choices
    ]
    return render(request, "core/custom_field_list.html", {"sections": sections})


@permission_required("settings.manage")
def custom_field_create(request: HttpRequest) -> HttpResponse:
    entity = request.GET.get("entity", "")
    initial = {"entity": entity} if entity in CustomFieldEntity.values else {}
    form = CustomFieldForm(posted(request), initial=initial)
    if form.is_valid():
        try:
            field = services.custom_field_create(actor=request.user, **form.definition())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Custom field “%(label)s” added.") % {"label": field})
            return redirect("core:custom_field_list")
    return render(request, "core/custom_field_form.html", {"form": form, "field": None})


@permission_required("settings.manage")
def custom_field_edit(request: HttpRequest, pk: int) -> HttpResponse:
    field = selectors.custom_field_get(pk)
    form = CustomFieldForm(
        posted(request), initial=CustomFieldForm.initial_for(field), editing=True
    )
    if form.is_valid():
        try:
            services.custom_field_update(actor=request.user, field=field, **form.definition())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Custom field “%(label)s” saved.") % {"label": field})
            return redirect("core:custom_field_list")
    return render(request, "core/custom_field_form.html", {"form": form, "field": field})


@permission_required("settings.manage")
def custom_field_delete(request: HttpRequest, pk: int) -> HttpResponse:
    field = selectors.custom_field_get(pk)
    if request.method == "POST":
        services.custom_field_delete(actor=request.user, field=field)
        messages.success(request, _("Custom field “%(label)s” deleted.") % {"label": field})
        return redirect("core:custom_field_list")
    return render(request, "core/custom_field_delete.html", {"field": field})


@permission_required("settings.manage")
def tag_list(request: HttpRequest) -> HttpResponse:
    return render(request, "core/tag_list.html", {"tags": selectors.tag_list()})


@permission_required("settings.manage")
def tag_delete(request: HttpRequest, pk: int) -> HttpResponse:
    tag = selectors.tag_get(pk)
    if request.method == "POST":
        services.tag_delete(actor=request.user, tag=tag)
        messages.success(request, _("Tag “%(name)s” deleted.") % {"name": tag})
        return redirect("core:tag_list")
    return render(request, "core/tag_delete.html", {"tag": tag})


@permission_required("settings.manage")
def company_profile(request: HttpRequest) -> HttpResponse:
    profile = selectors.company_profile()
    fields = services.PROFILE_FIELDS
    if request.method == "POST":
        form = CompanyProfileForm(request.POST, request.FILES)
        if form.is_valid():
            upload = form.cleaned_data["logo"]
            try:
                services.company_profile_save(
                    actor=request.user,
                    data={name: form.cleaned_data[name] for name in fields},
                    logo=upload.read() if upload else None,
                    remove_logo=form.cleaned_data["remove_logo"],
                    version=form.cleaned_data["version"],
                )
            except ValidationError as error:
                add_service_errors(form, error)
            except PreconditionFailed as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, _("Company profile saved."))
                return redirect("core:company_profile")
    else:
        initial = {name: getattr(profile, name) for name in fields}
        form = CompanyProfileForm(initial={**initial, "version": profile.version})
    return render(request, "core/company_profile.html", {"form": form, "profile": profile})


@permission_required("settings.manage")
def company_logo(request: HttpRequest) -> HttpResponse:
    profile = selectors.company_profile()
    if not profile.logo:
        raise Http404
    response = HttpResponse(bytes(profile.logo), content_type=profile.logo_type)
    response["Cache-Control"] = "private, max-age=60"
    return response


def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and uptime checks: no sign-in, 503 when the database is away."""
    if health.database_answers():
        return JsonResponse({"status": "ok", "database": "ok"})
    return JsonResponse({"status": "error", "database": "unavailable"}, status=503)


@permission_required("settings.manage")
def system_status(request: HttpRequest) -> HttpResponse:
    status = health.system_status()
    workers = [
        (worker, health.worker_alive(worker, status.checked_at)) for worker in status.workers
    ]
    return render(request, "core/system_status.html", {"status": status, "workers": workers})
