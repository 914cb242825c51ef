"""Lead, deal and board pages: parse input, call a selector or a service, render.

A list URL answers an htmx request with its results fragment only; the board's move view
answers htmx with the two affected columns, swapped out of band; without JavaScript every
form posts and redirects.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from django_htmx.middleware import HtmxDetails

from elo.activities import selectors as timeline_selectors
from elo.core import audit
from elo.core.custom_fields import definitions
from elo.core.errors import PreconditionFailed
from elo.core.forms import add_service_errors
from elo.core.pagination import Page
from elo.core.permissions import require
from elo.core.views import permission_required, posted
from elo.identity.selectors import team_list, user_list_for
from elo.sales import forecast, selectors, services
from elo.sales.choices import StageKind
from elo.sales.forms import (
    ConditionFormSet,
    ConvertForm,
    DealFilterForm,
    DealForm,
    DefaultOwnersForm,
    DisqualifyForm,
    ForecastFilterForm,
    LeadFilterForm,
    LeadForm,
    MoveForm,
    PipelineForm,
    QuotaForm,
    RateForm,
    RuleForm,
    StageFormSet,
    VersionForm,
    condition_initial,
    stage_initial,
)
from elo.sales.models import AssignmentRule, Deal, Lead, Pipeline, Stage

PAGE_SIZE = 50
TIMELINE_SIZE = 50
HISTORY_SIZE = 200
ACTION_LABELS = {
    "created": gettext_lazy("Created"),
    "updated": gettext_lazy("Changed"),
    "deleted": gettext_lazy("Deleted"),
    "restored": gettext_lazy("Restored"),
    "stage_changed": gettext_lazy("Moved"),
    "assigned": gettext_lazy("Assigned"),
    "converted": gettext_lazy("Converted"),
    "disqualified": gettext_lazy("Disqualified"),
}
STALE_MESSAGE = gettext_lazy(
    "Someone else saved this record while you were editing it. Nothing was saved. Your "
    "changes are still below: check the current version (it opens in a new tab), then save "
    "again to replace it with what you typed."
)
STALE_ACTION_MESSAGE = gettext_lazy(
    "Someone changed this record after you opened it, so nothing was done. Check the "
    "changes, then try again."
)


class EloRequest(HttpRequest):
    """A request as these views see it: signed in (login_required) and read by django-htmx."""

    user: Any
    htmx: HtmxDetails


def _abilities(user: Any) -> dict[str, bool]:
    """What to offer on a page; the services check again when the user acts."""
    return {
        "can_add": user.has_elo_perm("sales.add"),
        "can_change": user.has_elo_perm("sales.change"),
        "can_delete": user.has_elo_perm("sales.delete"),
        "can_configure": user.has_elo_perm("sales.configure"),
        "can_add_activities": user.has_elo_perm("activities.add"),
        "can_change_activities": user.has_elo_perm("activities.change"),
    }


def _fragment(request: EloRequest, template: str, partial: str) -> str:
    """The partial of `template` for htmx requests (not history restores), else the page."""
    if request.htmx and not request.htmx.history_restore_request:
        return f"{template}#{partial}"
    return template


def _next_url(request: HttpRequest, candidate: str | None, fallback: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return fallback


def _custom_rows(entity: str, values: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "label": field.label,
            "value": values[field.key],
            "is_list": isinstance(values[field.key], list),
        }
        for field in definitions(entity)
        if values.get(field.key) not in (None, "", [])
    ]


def _list_page(
    request: EloRequest, form: Any, page_for: Any, list_for: Any
) -> tuple[Page[Any], int]:
    """The page of results and the total for a valid filter form; errors go on the form."""
    if not form.is_valid():
        return Page(items=[], next_cursor=None), 0
    filters = form.filters()
    try:
        page = page_for(
            request.user, cursor=request.GET.get("cursor") or None, size=PAGE_SIZE, **filters
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return Page(items=[], next_cursor=None), 0
    return page, list_for(request.user, **filters).count()


def _timeline(request: EloRequest, read: Any, record: Lead | Deal) -> Page[Any]:
    try:
        return read(record, cursor=request.GET.get("before") or None, size=TIMELINE_SIZE)
    except ValidationError as error:
        raise BadRequest(error.messages[0]) from error


def _history_rows(user: Any, record: Lead | Deal) -> list[dict[str, Any]]:
    """The record's audit entries, newest first, as rows of readable changes: owners,
    teams, pipelines and stages by name, choices by label."""
    entries = list(audit.history_for(record).order_by("-id")[:HISTORY_SIZE])
    model = type(record)
    labels = {
        field.name: getattr(field, "verbose_name", field.name) for field in model._meta.get_fields()
    }
    choices = {
        field.name: {str(key): label for key, label in field.flatchoices}
        for field in model._meta.concrete_fields
        if field.choices
    }
    wanted: dict[str, set[int]] = {"owner": set(), "team": set(), "stage": set(), "pipeline": set()}
    for entry in entries:
        for name, change in entry.changes.items():
            if name in wanted and isinstance(change, list):
                wanted[name].update(value for value in change if isinstance(value, int))
    sources: dict[str, Any] = {
        "owner": user_list_for(user),
        "team": team_list(),
        "stage": Stage.objects.all(),
        "pipeline": Pipeline.objects.all(),
    }
    names = {
        name: {item.pk: str(item) for item in sources[name].filter(pk__in=keys)} if keys else {}
        for name, keys in wanted.items()
    }

    def show(name: str, value: Any) -> str:
        if value in (None, "", [], {}):
            return ""
        if name in names:
            return names[name].get(value, f"#{value}")
        if name in choices:
            return str(choices[name].get(str(value), value))
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        if isinstance(value, list):
            return ", ".join(str(item) for item in value)
        return str(value)

    rows = []
    for entry in entries:
        changes = []
        for name, change in entry.changes.items():
            if name in ("deleted_at", "version"):
                continue
            pair = change if isinstance(change, list) and len(change) == 2 else [None, change]
            old, new = show(name, pair[0]), show(name, pair[1])
            if old or new:
                changes.append({"field": labels.get(name, name), "old": old, "new": new})
        verb = entry.action.rsplit(".", 1)[-1]
        rows.append(
            {"entry": entry, "action": ACTION_LABELS.get(verb, entry.action), "changes": changes}
        )
    return rows


# --- leads --------------------------------------------------------------------------------


def _lead(request: EloRequest, pk: int, permission: str = "") -> Lead:
    """The visible lead `pk` (404 otherwise), and 403 without `permission`."""
    lead = selectors.lead_get_for(request.user, pk)
    if permission:
        require(request.user, permission)
    return lead


@login_required
def lead_list(request: EloRequest) -> HttpResponse:
    form = LeadFilterForm(request.GET, user=request.user)
    page, total = _list_page(request, form, selectors.lead_page_for, selectors.lead_list_for)
    context = {"form": form, "page": page, "total": total, **_abilities(request.user)}
    response = render(request, _fragment(request, "sales/lead_list.html", "results"), context)
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
        "custom_rows": _custom_rows("lead", lead.custom),
        "convert_form": convert_form
        or ConvertForm(
            pipelines=pipelines, initial={**initial, "title": lead.company or str(lead)}
        ),
        "disqualify_form": disqualify_form or DisqualifyForm(initial=initial),
        "is_open": lead.status not in ("converted", "disqualified"),
        **_abilities(request.user),
    }
    if tab == "history":
        context["history"] = _history_rows(request.user, lead)
    else:
        context["timeline"] = _timeline(request, timeline_selectors.lead_timeline, lead)
    return render(request, _fragment(request, "sales/lead_detail.html", "tab"), context)


@login_required
def lead_detail(request: EloRequest, pk: int) -> HttpResponse:
    return _lead_page(request, _lead(request, pk))


@login_required
def lead_history(request: EloRequest, pk: int) -> HttpResponse:
    return _lead_page(request, _lead(request, pk), tab="history")


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
        try:
            services.lead_update(
                actor=request.user,
                lead=lead,
                data=form.service_data(),
                expected_version=form.cleaned_data["version"],
            )
        except PreconditionFailed as error:
            form.add_error(None, str(STALE_MESSAGE))
            form.mark_stale(error.current_version)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
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


# --- deals --------------------------------------------------------------------------------


def _deal(request: EloRequest, pk: int, permission: str = "") -> Deal:
    """The visible deal `pk` (404 otherwise), and 403 without `permission`."""
    deal = selectors.deal_get_for(request.user, pk)
    if permission:
        require(request.user, permission)
    return deal


@login_required
def deal_list(request: EloRequest) -> HttpResponse:
    form = DealFilterForm(request.GET, user=request.user, pipelines=list(selectors.pipelines()))
    page, total = _list_page(request, form, selectors.deal_page_for, selectors.deal_list_for)
    context = {"form": form, "page": page, "total": total, **_abilities(request.user)}
    response = render(request, _fragment(request, "sales/deal_list.html", "results"), context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _deal_page(
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
        "custom_rows": _custom_rows("deal", deal.custom),
        "move_form": move_form or MoveForm(deal=deal, stages=stages, initial={"next": next_url}),
        "version_form": VersionForm(initial={"version": deal.version}),
        "tab": tab,
        **_abilities(request.user),
    }
    if tab == "history":
        context["history"] = _history_rows(request.user, deal)
    else:
        context["timeline"] = _timeline(request, timeline_selectors.deal_timeline, deal)
    return render(request, _fragment(request, "sales/deal_detail.html", "tab"), context)


def _deal_with_deleted(request: EloRequest, pk: int) -> Deal:
    """The visible deal `pk`; a deleted one only for users who may restore it."""
    deleted = request.user.has_elo_perm("sales.delete")
    return selectors.deal_get_for(request.user, pk, deleted=deleted)


@login_required
def deal_detail(request: EloRequest, pk: int) -> HttpResponse:
    return _deal_page(request, _deal_with_deleted(request, pk), "timeline")


@login_required
def deal_history(request: EloRequest, pk: int) -> HttpResponse:
    return _deal_page(request, _deal_with_deleted(request, pk), "history")


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
    deal = _deal(request, pk, "sales.change")
    form = DealForm(
        posted(request), user=request.user, pipelines=list(selectors.pipelines()), deal=deal
    )
    if form.is_bound and form.is_valid():
        try:
            services.deal_update(
                actor=request.user,
                deal=deal,
                data=form.service_data(),
                expected_version=form.cleaned_data["version"],
            )
        except PreconditionFailed as error:
            form.add_error(None, str(STALE_MESSAGE))
            form.mark_stale(error.current_version)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Saved %(name)s.") % {"name": deal})
            return redirect("sales:deal_detail", deal.pk)
    return render(request, "sales/deal_form.html", {"form": form, "deal": deal})


@login_required
@require_POST
def deal_delete(request: EloRequest, pk: int) -> HttpResponse:
    deal = _deal(request, pk, "sales.delete")
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


# --- the board ----------------------------------------------------------------------------


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
        **_abilities(request.user),
    }
    response = render(request, _fragment(request, "sales/board.html", "board"), context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
@require_POST
def deal_move(request: EloRequest, pk: int) -> HttpResponse:
    """Moves a deal to another stage. htmx gets the affected columns re-rendered (the card
    in its new place, or snapped back on a refusal, with a 412 or 422); a plain post
    redirects back."""
    deal = _deal(request, pk, "sales.change")
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
        return _deal_page(request, deal, "timeline", move_form=form)
    if not request.htmx:
        messages.add_message(request, level, text)
        fallback = reverse("sales:deal_detail", args=[deal.pk])
        return redirect(_next_url(request, request.POST.get("next"), fallback))
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
        **_abilities(request.user),
    }
    return render(request, "sales/board_moved.html", context, status=status)


# --- settings: pipelines, assignment rules, default owners ----------------------------------


def _pipeline_forms(request: EloRequest, pipeline: Pipeline | None) -> tuple[Any, Any]:
    form = PipelineForm(posted(request), pipeline=pipeline)
    stages = StageFormSet(posted(request), initial=stage_initial(pipeline), prefix="stages")
    return form, stages


@permission_required("sales.configure")
def pipeline_list(request: EloRequest) -> HttpResponse:
    return render(request, "sales/pipeline_list.html", {"pipelines": selectors.pipelines()})


@permission_required("sales.configure")
def pipeline_create(request: EloRequest) -> HttpResponse:
    form, stages = _pipeline_forms(request, None)
    if form.is_bound and form.is_valid() and stages.is_valid():
        try:
            pipeline = services.pipeline_create(
                actor=request.user, data={**form.cleaned_data, "stages": stages.stages()}
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Pipeline “%(name)s” added.") % {"name": pipeline})
            return redirect("sales:pipeline_list")
    context = {"form": form, "stages": stages, "pipeline": None}
    return render(request, "sales/pipeline_form.html", context)


@permission_required("sales.configure")
def pipeline_edit(request: EloRequest, pk: int) -> HttpResponse:
    pipeline = selectors.pipeline_get(pk)
    form, stages = _pipeline_forms(request, pipeline)
    if form.is_bound and form.is_valid() and stages.is_valid():
        data = {**form.cleaned_data, "stages": stages.stages()}
        try:
            services.pipeline_update(
                actor=request.user,
                pipeline=pipeline,
                data=data,
                expected_version=data.pop("version"),
            )
        except PreconditionFailed as error:
            form.add_error(None, str(STALE_MESSAGE))
            form.mark_stale(error.current_version)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Pipeline “%(name)s” saved.") % {"name": pipeline})
            return redirect("sales:pipeline_list")
    context = {"form": form, "stages": stages, "pipeline": pipeline}
    return render(request, "sales/pipeline_form.html", context)


def _rule_forms(request: EloRequest, rule: AssignmentRule | None) -> tuple[Any, Any]:
    form = RuleForm(posted(request), user=request.user, rule=rule)
    conditions = ConditionFormSet(
        posted(request), initial=condition_initial(rule), prefix="conditions"
    )
    return form, conditions


@permission_required("sales.configure")
def rule_list(request: EloRequest) -> HttpResponse:
    owners = selectors.default_owners()
    form = DefaultOwnersForm(
        posted(request),
        user=request.user,
        initial={entity: user.pk for entity, user in owners.items()},
    )
    if form.is_bound and form.is_valid():
        users = {user.pk: user for user in user_list_for(request.user).filter(is_active=True)}
        try:
            for entity in ("lead", "deal"):
                chosen = form.cleaned_data[entity]
                services.default_owner_set(
                    actor=request.user, entity=entity, user=users.get(chosen) if chosen else None
                )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Default owners saved."))
            return redirect("sales:rule_list")
    context = {"rules": selectors.rules(), "owners_form": form}
    return render(request, "sales/rule_list.html", context)


@permission_required("sales.configure")
def rule_create(request: EloRequest) -> HttpResponse:
    form, conditions = _rule_forms(request, None)
    if form.is_bound and form.is_valid() and conditions.is_valid():
        data = {**form.service_data(), "conditions": conditions.conditions()}
        try:
            rule = services.rule_create(actor=request.user, data=data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Rule “%(name)s” added.") % {"name": rule})
            return redirect("sales:rule_list")
    context = {"form": form, "conditions": conditions, "rule": None}
    return render(request, "sales/rule_form.html", context)


@permission_required("sales.configure")
def rule_edit(request: EloRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(selectors.rules(), pk=pk)
    form, conditions = _rule_forms(request, rule)
    if form.is_bound and form.is_valid() and conditions.is_valid():
        data = {**form.service_data(), "conditions": conditions.conditions()}
        try:
            services.rule_update(
                actor=request.user,
                rule=rule,
                data=data,
                expected_version=form.cleaned_data["version"],
            )
        except PreconditionFailed as error:
            form.add_error(None, str(STALE_MESSAGE))
            form.mark_stale(error.current_version)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Rule “%(name)s” saved.") % {"name": rule})
            return redirect("sales:rule_list")
    context = {"form": form, "conditions": conditions, "rule": rule}
    return render(request, "sales/rule_form.html", context)


@permission_required("sales.configure")
@require_POST
def rule_delete(request: EloRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(selectors.rules(), pk=pk)
    services.rule_delete(actor=request.user, rule=rule)
    messages.success(request, _("Rule “%(name)s” deleted.") % {"name": rule})
    return redirect("sales:rule_list")


# --- the forecast -------------------------------------------------------------------------


@login_required
def forecast_page(request: EloRequest) -> HttpResponse:
    today = timezone.localdate()
    form = ForecastFilterForm(
        request.GET or {"period": forecast.current_quarter(today)}, user=request.user, today=today
    )
    context: dict[str, Any] = {"form": form, "totals": None, "owners": []}
    if form.is_valid():
        period, team = form.cleaned_data["period"], form.cleaned_data["team"]
        owner = form.cleaned_data["owner"]
        context["totals"] = forecast.forecast(request.user, period, owner=owner, team=team)
        context["owners"] = forecast.forecast_by_owner(request.user, period, team=team)
    context["can_configure"] = request.user.has_elo_perm("sales.configure")
    return render(request, "sales/forecast.html", context)


def _forecast_settings_page(
    request: EloRequest, *, quota_form: QuotaForm | None = None, rate_form: RateForm | None = None
) -> HttpResponse:
    today = timezone.localdate()
    period = request.GET.get("period") or forecast.current_quarter(today)
    context = {
        "quota_form": quota_form
        or QuotaForm(None, user=request.user, today=today).initial_period(period),
        "rate_form": rate_form or RateForm(None),
        "quotas": selectors.quotas(period),
        "period": period,
        "rates": selectors.exchange_rates(),
        "base_currency": settings.ELO_BASE_CURRENCY,
    }
    return render(request, "sales/forecast_settings.html", context)


@permission_required("sales.configure")
def forecast_settings(request: EloRequest) -> HttpResponse:
    return _forecast_settings_page(request)


@permission_required("sales.configure")
@require_POST
def quota_set(request: EloRequest) -> HttpResponse:
    form = QuotaForm(request.POST, user=request.user, today=timezone.localdate())
    if form.is_valid():
        data = form.cleaned_data
        user = user_list_for(request.user).filter(pk=data["user"]).first() if data["user"] else None
        team = team_list().filter(pk=data["team"]).first() if data["team"] else None
        try:
            forecast.quota_set(
                actor=request.user,
                period=data["period"],
                amount=data["amount"],
                user=user,
                team=team,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Quota saved."))
            return redirect(f"{reverse('sales:forecast_settings')}?period={data['period']}")
    return _forecast_settings_page(request, quota_form=form)


@permission_required("sales.configure")
@require_POST
def rate_set(request: EloRequest) -> HttpResponse:
    form = RateForm(request.POST)
    if form.is_valid():
        try:
            forecast.rate_set(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Exchange rate saved."))
            return redirect("sales:forecast_settings")
    return _forecast_settings_page(request, rate_form=form)
