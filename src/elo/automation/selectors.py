"""Reads of workflows and their runs. Workflows are settings: only those who manage settings
see them."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from elo.automation.models import RunStep, Workflow, WorkflowRun
from elo.core.pagination import Page, paginate
from elo.core.permissions import require

PERMISSION = "settings.manage"


def workflow_list_for(user: Any) -> QuerySet[Workflow]:
    require(user, PERMISSION)
    return Workflow.objects.select_related("owner").order_by("name", "id")


def workflow_get_for(user: Any, pk: int) -> Workflow:
    require(user, PERMISSION)
    workflow = Workflow.objects.select_related("owner").filter(pk=pk).first()
    if workflow is None:
        raise Http404
    return workflow


def _with_steps(runs: QuerySet[WorkflowRun]) -> QuerySet[WorkflowRun]:
    return runs.prefetch_related(
        Prefetch("steps", queryset=RunStep.objects.order_by("position", "id"))
    )


def run_page(workflow: Workflow, *, cursor: str | None, size: int) -> Page[WorkflowRun]:
    """The workflow's runs, newest first, with their steps."""
    runs = _with_steps(WorkflowRun.objects.filter(workflow=workflow))
    return paginate(runs, keys=["-id"], cursor=cursor, size=size)


def runs_for_record(record_type: str, record_id: int, limit: int = 50) -> list[WorkflowRun]:
    """The newest runs about one record, for its page."""
    runs = WorkflowRun.objects.filter(record_type=record_type, record_id=record_id)
    return list(_with_steps(runs.select_related("workflow")).order_by("-id")[:limit])


def run_get(pk: int) -> WorkflowRun:
    return _with_steps(WorkflowRun.objects.filter(pk=pk)).get()
