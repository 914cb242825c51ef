"""Deal pages: the list, the detail with its timeline and history, add, edit, delete and
restore."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from elo.activities import selectors as timeline_selectors
from elo.core.errors import PreconditionFailed
from elo.core.forms import STALE_MESSAGE, add_service_errors, service_errors
from elo.core.permissions import require
from elo.core.views import permission_required, posted
from elo.sales import selectors, services
from elo.sales.choices import StageKind
from elo.sales.forms import (
    DealFilterForm,
    DealForm,
    MoveForm,
    VersionForm,
    add_quote_errors,
    line_forms,
)
from elo.sales.models import Deal
from elo.sales.views.pages import (
    PAGE_SIZE,
    STALE_ACTION_MESSAGE,
    EloRequest,
    abilities,
    custom_rows,
    fragment,
    history_rows,
    list_page,
    timeline_page,
)


def deal_for(request: EloRequest, pk: int, permission: str = "") -> Deal:
    """The visible deal `pk` (404 otherwise), and 403 without `permission`."""
    deal = selectors.deal_get_for(request.user, pk)
    if permission:
        require(request.user, permission)
    return deal


@login_required
def deal_list(request: EloRequest) -> HttpResponse:
    form = DealFilterForm(request.GET, user=request.user, pipelines=list(selectors.pipelines()))
    page, total = list_page(request, form, selectors.deal_page_for, selectors.deal_list_for)
    context = {"form": form, "page": page, "total": total, **abilities(request.user)}
    response = render(request, fragment(request, "sales/deal_list.html", "results"), context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def deal_page(
    request: EloRequest, deal: Deal, tab: str, *, move_form: MoveForm | None = None
) -> HttpResponse:
    """The deal page; `move_form` is a refused move, shown with its errors by field."""
    stages = list(deal.pipeline.stages.all())
    next_url = reverse("sales:deal_detail", args=[deal.pk])
    won = next((stage for stage in stages if stage.kind == StageKind.WON), None)
    lost = next((stage for stage in stages if stage.kind == StageKind.LOST), None)
    context: dict[str, Any] = {
        "deal": deal,
        "stages": stages,
        "won_stage": won,
        "lost_stage": lost,
        "custom_rows": custom_rows("deal", deal.custom),
        "move_form": move_form or MoveForm(deal=deal, stages=stages, initial={"next": next_url}),
        "version_form": VersionForm(initial={"version": deal.version}),
        "tab": tab,
        "quotes": selectors.quotes_of_deal(request.user, deal),
        **abilities(request.user),
    }
    if deal.deleted_at is not None:
        context["can_add_activities"] = False
    if tab == "history":
        context["history"] = history_rows(request.user, deal)
    else:
        context["timeline"] = timeline_page(request, timeline_selectors.deal_timeline, deal)
    return render(request, fragment(request, "sales/deal_detail.html", "tab"), context)


def _deal_with_deleted(request: EloRequest, pk: int) -> Deal:
    """The visible deal `pk`; a deleted one only for users who may restore it."""
    deleted = request.user.has_elo_perm("sales.delete")
    return selectors.deal_get_for(request.user, pk, deleted=deleted)


@login_required
def deal_detail(request: EloRequest, pk: int) -> HttpResponse:
    return deal_page(request, _deal_with_deleted(request, pk), "timeline")


@login_required
def deal_history(request: EloRequest, pk: int) -> HttpResponse:
    return deal_page(request, _deal_with_deleted(request, pk), "history")


@permission_required("sales.add")
def deal_create(request: EloRequest) -> HttpResponse:
    form = DealForm(posted(request), user=request.user, pipelines=list(selectors.pipelines()))
    if form.is_bound and form.is_valid():
        try:
            deal = services.deal_create(actor=request.user, data=form.service_data())
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Added %(name)s.") % {"name": deal})
            return redirect("sales:deal_detail", deal.pk)
    return render(request, "sales/deal_form.html", {"form": form, "deal": None})


@login_required
def deal_edit(request: EloRequest, pk: int) -> HttpResponse:
    deal = deal_for(request, pk, "sales.change")
    form = DealForm(
        posted(request), user=request.user, pipelines=list(selectors.pipelines()), deal=deal
    )
    if form.is_bound and form.is_valid():
        with service_errors(form) as submission:
            services.deal_update(
                actor=request.user,
                deal=deal,
                data=form.service_data(),
                expected_version=form.cleaned_data["version"],
            )
        if submission.ok:
            messages.success(request, _("Saved %(name)s.") % {"name": deal})
            return redirect("sales:deal_detail", deal.pk)
    return render(request, "sales/deal_form.html", {"form": form, "deal": deal})


@login_required
@require_POST
def deal_delete(request: EloRequest, pk: int) -> HttpResponse:
    deal = deal_for(request, pk, "sales.delete")
    form = VersionForm(request.POST)
    version = form.cleaned_data.get("version") if form.is_valid() else None
    if version is not None and version != deal.version:
        messages.error(request, str(STALE_ACTION_MESSAGE))
        return redirect("sales:deal_detail", deal.pk)
    services.deal_delete(actor=request.user, deal=deal)
    messages.success(request, _("Deleted %(name)s.") % {"name": deal})
    return redirect("sales:deal_list")


@permission_required("sales.delete")
def deal_deleted_list(request: EloRequest) -> HttpResponse:
    page = selectors.deal_page_for(
        request.user, cursor=request.GET.get("cursor") or None, size=PAGE_SIZE, deleted=True
    )
    return render(request, "sales/deal_deleted.html", {"page": page})


@login_required
@require_POST
def deal_restore(request: EloRequest, pk: int) -> HttpResponse:
    deal = selectors.deal_get_for(request.user, pk, deleted=True)
    require(request.user, "sales.delete")
    services.deal_restore(actor=request.user, deal=deal)
    messages.success(request, _("Restored %(name)s.") % {"name": deal})
    return redirect("sales:deal_detail", deal.pk)


@login_required
def deal_lines(request: EloRequest, pk: int) -> HttpResponse:
    """Editing the deal's products: the same line rows as a quote's; "Add a line" re-renders
    with one more row and saves nothing."""
    deal = deal_for(request, pk, "sales.change")
    data = posted(request)
    add_row = data is not None and "add_line" in data
    lines = line_forms(data, deal, add_row=add_row)
    version = VersionForm(data, initial={"version": deal.version})
    if data is not None and not add_row and lines.is_valid() and version.is_valid():
        try:
            services.deal_lines_set(
                actor=request.user,
                deal=deal,
                lines=lines.lines(),
                expected_version=version.cleaned_data["version"],
            )
        except PreconditionFailed as error:
            # Keep what was typed; saving again overwrites the newer version knowingly.
            version = VersionForm({"version": error.current_version})
            version.is_valid()
            version.add_error(None, str(STALE_MESSAGE))
        except ValidationError as error:
            add_quote_errors(version, lines, error)
        else:
            messages.success(request, _("Saved the products of %(name)s.") % {"name": deal})
            return redirect("sales:deal_detail", deal.pk)
    context = {"deal": deal, "lines": lines, "version_form": version}
    return render(request, "sales/deal_lines.html", context)
