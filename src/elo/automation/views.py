"""Settings pages for workflows: the list (enable/disable), a rule with its runs, the form."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from elo.automation import selectors, services
from elo.automation.forms import WorkflowForm, show_errors
from elo.core.forms import service_errors
from elo.core.views import permission_required, posted

PERMISSION = "settings.manage"


@permission_required(PERMISSION)
def workflow_list(request: HttpRequest) -> HttpResponse:
    workflows = selectors.workflow_list_for(request.user)
    return render(request, "automation/workflow_list.html", {"workflows": workflows})


@permission_required(PERMISSION)
def workflow_detail(request: HttpRequest, pk: int) -> HttpResponse:
    workflow = selectors.workflow_get_for(request.user, pk)
    cursor = request.GET.get("cursor") or None
    page = selectors.run_page(workflow, cursor=cursor, size=25)
    context = {
        "workflow": workflow,
        "runs": page.items,
        "next_url": f"?{urlencode({'cursor': page.next_cursor})}" if page.next_cursor else None,
        "first_url": "?" if cursor else None,
    }
    return render(request, "automation/workflow_detail.html", context)


def _form(request: HttpRequest, workflow: Any) -> HttpResponse:
    initial = WorkflowForm.initial_for(workflow) if workflow else None
    form = WorkflowForm(posted(request), initial=initial)
    if form.is_valid():
        data = form.service_data()
        with service_errors(form, show_errors) as submission:
            if workflow is None:
                workflow = services.workflow_create(actor=request.user, data=data)
            else:
                services.workflow_update(
                    actor=request.user,
                    workflow=workflow,
                    data=data,
                    expected_version=form.cleaned_data.get("version"),
                )
        if submission.ok:
            messages.success(request, _("Workflow “%(name)s” saved.") % {"name": data["name"]})
            return redirect("automation:workflow_detail", pk=workflow.pk)
    context = {"form": form, "workflow": workflow}
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
