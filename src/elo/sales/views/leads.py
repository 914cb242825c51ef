"""Lead pages: the list, the detail with its timeline and history, add, edit, convert and
disqualify."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from elo.activities import selectors as timeline_selectors
from elo.core.errors import PreconditionFailed
from elo.core.forms import add_service_errors, service_errors
from elo.core.permissions import require
from elo.core.views import permission_required, posted
from elo.privacy.access import log_view
from elo.sales import selectors, services
from elo.sales.forms import (
    ConvertForm,
    DisqualifyForm,
    LeadFilterForm,
    LeadForm,
)
from elo.sales.models import Lead
from elo.sales.views.pages import (
    STALE_ACTION_MESSAGE,
    EloRequest,
    abilities,
    custom_rows,
    fragment,
    history_rows,
    list_page,
    timeline_page,
)


def _lead(request: EloRequest, pk: int, permission: str = "") -> Lead:
    """The visible lead `pk` (404 otherwise), and 403 without `permission`."""
    lead = selectors.lead_get_for(request.user, pk)
    if permission:
        require(request.user, permission)
    return lead


@login_required
def lead_list(request: EloRequest) -> HttpResponse:
    form = LeadFilterForm(request.GET, user=request.user)
    page, total = list_page(request, form, selectors.lead_page_for, selectors.lead_list_for)
    context = {"form": form, "page": page, "total": total, **abilities(request.user)}
    response = render(request, fragment(request, "sales/lead_list.html", "results"), context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _lead_page(
    request: EloRequest,
    lead: Lead,
    *,
    convert_form: ConvertForm | None = None,
    disqualify_form: DisqualifyForm | None = None,
    tab: str = "timeline",
) -> HttpResponse:
    pipelines = list(selectors.pipelines())
    initial = {"version": lead.version}
    context: dict[str, Any] = {
        "lead": lead,
        "tab": tab,
        "custom_rows": custom_rows("lead", lead.custom),
        "convert_form": convert_form
        or ConvertForm(
            pipelines=pipelines, initial={**initial, "title": lead.company or str(lead)}
        ),
        "disqualify_form": disqualify_form or DisqualifyForm(initial=initial),
        "is_open": lead.status not in ("converted", "disqualified"),
        **abilities(request.user),
    }
    if tab == "history":
        context["history"] = history_rows(request.user, lead)
    else:
        context["timeline"] = timeline_page(request, timeline_selectors.lead_timeline, lead)
    return render(request, fragment(request, "sales/lead_detail.html", "tab"), context)


@login_required
def lead_detail(request: EloRequest, pk: int) -> HttpResponse:
    lead = _lead(request, pk)
    log_view(request, what=f"Lead #{lead.pk} page")
    return _lead_page(request, lead)


@login_required
def lead_history(request: EloRequest, pk: int) -> HttpResponse:
    lead = _lead(request, pk)
    log_view(request, what=f"Lead #{lead.pk} page")
    return _lead_page(request, lead, tab="history")


@permission_required("sales.add")
def lead_create(request: EloRequest) -> HttpResponse:
    form = LeadForm(posted(request), user=request.user)
    if form.is_bound and form.is_valid():
        try:
            lead = services.lead_create(actor=request.user, data=form.service_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Added %(name)s.") % {"name": lead})
            return redirect("sales:lead_detail", lead.pk)
    return render(request, "sales/lead_form.html", {"form": form, "lead": None})


@login_required
def lead_edit(request: EloRequest, pk: int) -> HttpResponse:
    lead = _lead(request, pk, "sales.change")
    form = LeadForm(posted(request), user=request.user, lead=lead)
    if form.is_bound and form.is_valid():
        with service_errors(form) as submission:
            services.lead_update(
                actor=request.user,
                lead=lead,
                data=form.service_data(),
                expected_version=form.cleaned_data["version"],
            )
        if submission.ok:
            messages.success(request, _("Saved %(name)s.") % {"name": lead})
            return redirect("sales:lead_detail", lead.pk)
    return render(request, "sales/lead_form.html", {"form": form, "lead": lead})


@login_required
@require_POST
def lead_convert(request: EloRequest, pk: int) -> HttpResponse:
    lead = _lead(request, pk, "sales.change")
    form = ConvertForm(request.POST, pipelines=list(selectors.pipelines()))
    if form.is_valid():
        try:
            lead = services.lead_convert(
                actor=request.user,
                lead=lead,
                deal=form.deal(),
                expected_version=form.cleaned_data["version"],
            )
        except PreconditionFailed:
            messages.error(request, str(STALE_ACTION_MESSAGE))
            return redirect("sales:lead_detail", lead.pk)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Converted %(name)s.") % {"name": lead})
            return redirect("sales:lead_detail", lead.pk)
    return _lead_page(request, lead, convert_form=form)


@login_required
@require_POST
def lead_disqualify(request: EloRequest, pk: int) -> HttpResponse:
    lead = _lead(request, pk, "sales.change")
    form = DisqualifyForm(request.POST)
    if form.is_valid():
        try:
            services.lead_disqualify(
                actor=request.user,
                lead=lead,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except PreconditionFailed:
            messages.error(request, str(STALE_ACTION_MESSAGE))
            return redirect("sales:lead_detail", lead.pk)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Disqualified %(name)s.") % {"name": lead})
            return redirect("sales:lead_detail", lead.pk)
    return _lead_page(request, lead, disqualify_form=form)
