"""Settings pages for workflows: the list (enable/disable), a rule with its runs, the form."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from elo.automation import selectors, services
from elo.automation.forms import (
    Builder,
    WorkflowTestForm,
    as_json,
    describe_actions,
    describe_conditions,
)
from elo.automation.models import Workflow
from elo.core.forms import add_service_errors, service_errors
from elo.core.views import permission_required, posted
from elo.sales.views.pages import EloRequest

PERMISSION = "settings.manage"
MERGE_EXAMPLES = ("{{ record.title }}", "{{ owner.name }}", "{{ organization.name }}")


@permission_required(PERMISSION)
def workflow_list(request: HttpRequest) -> HttpResponse:
    workflows = selectors.workflow_list_for(request.user)
    return render(request, "automation/workflow_list.html", {"workflows": workflows})


def _rule_json(workflow: Workflow | None) -> dict[str, str]:
    if workflow is None:
        return {}
    return {
        "trigger": as_json(workflow.trigger),
        "conditions": as_json(workflow.conditions or {}),
        "actions": as_json(workflow.actions),
    }


def _detail(request: HttpRequest, workflow: Workflow, test_form: Any = None) -> HttpResponse:
    cursor = request.GET.get("cursor") or None
    page = selectors.run_page(workflow, cursor=cursor, size=25)
    context = {
        "workflow": workflow,
        "runs": page.items,
        "next_url": f"?{urlencode({'cursor': page.next_cursor})}" if page.next_cursor else None,
        "first_url": "?" if cursor else None,
        "test_form": test_form or WorkflowTestForm.for_workflow(workflow),
        "rule_json": _rule_json(workflow),
        "conditions_words": describe_conditions(workflow.conditions),
        "actions_words": describe_actions(workflow.actions),
    }
    return render(
        request, "automation/workflow_detail.html", context, status=400 if test_form else 200
    )


@permission_required(PERMISSION)
def workflow_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.workflow_get_for(request.user, pk))


@require_POST
@permission_required(PERMISSION)
def workflow_test(request: HttpRequest, pk: int) -> HttpResponse:
    """Runs the rule against a chosen record in test mode: its run is listed, nothing changes."""
    workflow = selectors.workflow_get_for(request.user, pk)
    form = WorkflowTestForm(request.POST)
    if form.is_valid():
        try:
            run = services.workflow_test(
                actor=request.user,
                workflow=workflow,
                record_type=form.cleaned_data["record_type"],
                record_id=form.cleaned_data["record_id"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            message = _("Test run #%(run)s: %(status)s. Nothing was changed or sent.")
            messages.info(request, message % {"run": run.pk, "status": run.get_status_display()})
            return redirect("automation:workflow_detail", pk=workflow.pk)
    return _detail(request, workflow, form)


def _form(request: HttpRequest, workflow: Workflow | None) -> HttpResponse:
    """The workflow form; a builder button ("Add a condition", remove, move up...) shows the
    form again with its rows changed and saves nothing."""
    data = posted(request)
    builder = Builder.build(data, workflow)
    step = data.get("builder") if data is not None else None
    if step:
        builder = builder.step(str(step), workflow)
    elif data is not None and builder.is_valid():
        values = builder.service_data()
        with service_errors(builder.form, builder.show_errors) as submission:
            if workflow is None:
                workflow = services.workflow_create(actor=request.user, data=values)
            else:
                services.workflow_update(
                    actor=request.user,
                    workflow=workflow,
                    data=values,
                    expected_version=builder.form.cleaned_data.get("version"),
                )
        if submission.ok and workflow is not None:
            messages.success(request, _("Workflow “%(name)s” saved.") % {"name": values["name"]})
            return redirect("automation:workflow_detail", pk=workflow.pk)
    context = {
        "builder": builder,
        "form": builder.form,
        "workflow": workflow,
        "rule_json": _rule_json(workflow),
        "merge_examples": MERGE_EXAMPLES,
    }
    return render(request, "automation/workflow_form.html", context)


@permission_required(PERMISSION)
def workflow_create(request: HttpRequest) -> HttpResponse:
    return _form(request, None)


@permission_required(PERMISSION)
def workflow_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _form(request, selectors.workflow_get_for(request.user, pk))


@require_POST
@permission_required(PERMISSION)
def workflow_toggle(request: HttpRequest, pk: int) -> HttpResponse:
    """Enables or disables a rule; a disabled rule stops its runs before their next step."""
    workflow = selectors.workflow_get_for(request.user, pk)
    enabled = request.POST.get("enabled") == "1"
    workflow = services.workflow_update(
        actor=request.user, workflow=workflow, data={"enabled": enabled}
    )
    if getattr(request, "htmx", False):
        return render(request, "automation/workflow_list.html#workflow-row", {"workflow": workflow})
    return redirect("automation:workflow_list")


def _visible_record(user: Any, record_type: str, pk: int) -> None:
    """404 unless `user` can see the record (people, organizations, leads, deals)."""
    from elo.contacts import selectors as contacts
    from elo.sales import selectors as sales

    getters: dict[str, Callable[[Any, int], Any]] = {
        "person": contacts.person_get_for,
        "organization": contacts.organization_get_for,
        "lead": sales.lead_get_for,
        "deal": sales.deal_get_for,
    }
    getter = getters.get(record_type)
    if getter is None:
        raise Http404
    getter(user, pk)


@login_required
@require_GET
def record_runs(request: EloRequest, record_type: str, pk: int) -> HttpResponse:
    """The workflow runs about one record, loaded into a section of its page."""
    _visible_record(request.user, record_type, pk)
    runs = selectors.runs_for_record(record_type, pk, limit=10)
    context = {"runs": runs, "can_manage": request.user.has_elo_perm(PERMISSION)}
    return render(request, "automation/record_runs.html", context)
