"""The kanban board and moving deals between stages: htmx gets the two affected columns,
swapped out of band; a plain post redirects (or shows a refused move on the deal page)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from elo.core.errors import PreconditionFailed
from elo.core.forms import add_service_errors
from elo.sales import selectors, services
from elo.sales.forms import (
    DealFilterForm,
    MoveForm,
)
from elo.sales.models import Deal, Pipeline
from elo.sales.views.deals import deal_for, deal_page
from elo.sales.views.pages import (
    STALE_ACTION_MESSAGE,
    EloRequest,
    abilities,
    fragment,
    safe_next_url,
)


def _board_pipeline(pipelines: list[Pipeline], pipeline_id: int | None) -> Pipeline:
    """The pipeline `pipeline_id`, or the default one (else the first)."""
    if pipeline_id is None:
        chosen = next((p for p in pipelines if p.is_default), pipelines[0] if pipelines else None)
    else:
        chosen = next((p for p in pipelines if p.pk == pipeline_id), None)
    if chosen is None:
        raise Http404
    return chosen


@login_required
def board(request: EloRequest, pipeline_id: int | None = None) -> HttpResponse:
    pipelines = list(selectors.pipelines())
    pipeline = _board_pipeline(pipelines, pipeline_id)
    form = DealFilterForm(request.GET, user=request.user, pipelines=pipelines, board=True)
    columns = (
        selectors.board_for(request.user, pipeline, **form.filters()) if form.is_valid() else []
    )
    context = {
        "pipeline": pipeline,
        "pipelines": pipelines,
        "columns": columns,
        "stages": list(pipeline.stages.all()),
        "form": form,
        "next": request.get_full_path(),
        **abilities(request.user),
    }
    response = render(request, fragment(request, "sales/board.html", "board"), context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_POST
def deal_move(request: EloRequest, pk: int) -> HttpResponse:
    """Moves a deal to another stage. htmx gets the affected columns re-rendered (the card
    in its new place, or snapped back on a refusal, with a 412 or 422); a plain post
    redirects back."""
    deal = deal_for(request, pk, "sales.change")
    pipeline = selectors.pipeline_get(deal.pipeline_id)
    stages = list(pipeline.stages.all())
    form = MoveForm(request.POST, deal=deal, stages=stages)
    status, text, level = 200, "", messages.SUCCESS
    if form.is_valid():
        target = next(stage for stage in stages if stage.pk == form.cleaned_data["stage"])
        try:
            services.deal_move(
                actor=request.user,
                deal=deal,
                stage=target,
                reason=form.cleaned_data["reason"],
                expected_version=form.cleaned_data["version"],
            )
        except PreconditionFailed:
            status, text, level = 412, str(STALE_ACTION_MESSAGE), messages.ERROR
        except ValidationError as error:
            status, text, level = 422, " ".join(error.messages), messages.ERROR
            add_service_errors(form, error)
        else:
            text = _("Moved %(deal)s to %(stage)s.") % {"deal": deal, "stage": target}
    else:
        status, level = 422, messages.ERROR
        text = " ".join(str(error) for errors in form.errors.values() for error in errors)
    if not request.htmx and status == 422:
        return deal_page(request, deal, "timeline", move_form=form)
    if not request.htmx:
        messages.add_message(request, level, text)
        fallback = reverse("sales:deal_detail", args=[deal.pk])
        return redirect(safe_next_url(request, request.POST.get("next"), fallback))
    return _moved_columns(request, deal, pipeline, stages, status=status, text=text)


def _moved_columns(
    request: EloRequest,
    deal: Deal,
    pipeline: Pipeline,
    stages: list[Any],
    *,
    status: int,
    text: str,
) -> HttpResponse:
    """The columns the card left and entered (or was dropped on), as the board's filters
    show them, and the outcome for the board's status line."""
    filters = DealFilterForm(request.POST, user=request.user, pipelines=[pipeline], board=True)
    current = selectors.deal_get_for(request.user, deal.pk)
    wanted = {deal.stage_id, current.stage_id}
    dropped_on = request.POST.get("stage", "")
    if dropped_on.isdigit():
        wanted.add(int(dropped_on))
    columns = (
        selectors.board_for(request.user, pipeline, **filters.filters())
        if filters.is_valid()
        else []
    )
    context = {
        "columns": [column for column in columns if column.stage.pk in wanted],
        "stages": stages,
        "text": text,
        "is_error": status != 200,
        "next": request.POST.get("next", ""),
        **abilities(request.user),
    }
    return render(request, "sales/board_moved.html", context, status=status)
