"""Sales settings: pipelines with their stages and playbooks, assignment rules, default
owners."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from elo.core.forms import add_service_errors, service_errors
from elo.core.views import permission_required, posted
from elo.identity.selectors import user_list_for
from elo.sales import selectors, services
from elo.sales.forms import (
    ConditionFormSet,
    DefaultOwnersForm,
    PipelineForm,
    RuleForm,
    StageFormSet,
    condition_initial,
    stage_initial,
)
from elo.sales.models import AssignmentRule, Pipeline
from elo.sales.views.pages import (
    EloRequest,
)


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
        with service_errors(form) as submission:
            services.pipeline_update(
                actor=request.user,
                pipeline=pipeline,
                data=data,
                expected_version=data.pop("version"),
            )
        if submission.ok:
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
        with service_errors(form) as submission:
            services.rule_update(
                actor=request.user,
                rule=rule,
                data=data,
                expected_version=form.cleaned_data["version"],
            )
        if submission.ok:
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
