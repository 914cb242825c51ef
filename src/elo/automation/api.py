"""Workflow rules: list, create, read, change, delete, their runs, and a test run."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Router

from elo.automation import selectors, services
from elo.automation.schemas import (
    RunList,
    RunOut,
    TestIn,
    WorkflowIn,
    WorkflowList,
    WorkflowOut,
    WorkflowPatch,
)
from elo.core.api import if_match_version, next_link, page_size, set_etag
from elo.core.pagination import paginate

router = Router(tags=["automation"])


@router.get("/workflows", response=WorkflowList, summary="List workflows")
def list_workflows(
    request: HttpRequest, cursor: str | None = None, limit: int | None = None
) -> dict[str, Any]:
    workflows = selectors.workflow_list_for(request.user)
    page = paginate(workflows, keys=["name", "id"], cursor=cursor, size=page_size(limit))
    return {"next": next_link(request, page), "items": page.items}


@router.post("/workflows", response={201: WorkflowOut}, summary="Create a workflow")
def create_workflow(request: HttpRequest, payload: WorkflowIn, response: HttpResponse) -> Any:
    workflow = services.workflow_create(actor=request.user, data=payload.dict())
    set_etag(response, workflow)
    return 201, workflow


@router.get("/workflows/{workflow_id}", response=WorkflowOut, summary="Get a workflow")
def get_workflow(request: HttpRequest, workflow_id: int, response: HttpResponse) -> Any:
    workflow = selectors.workflow_get_for(request.user, workflow_id)
    set_etag(response, workflow)
    return workflow


@router.patch("/workflows/{workflow_id}", response=WorkflowOut, summary="Change a workflow")
def patch_workflow(
    request: HttpRequest, workflow_id: int, payload: WorkflowPatch, response: HttpResponse
) -> Any:
    workflow = selectors.workflow_get_for(request.user, workflow_id)
    workflow = services.workflow_update(
        actor=request.user,
        workflow=workflow,
        data=payload.dict(exclude_unset=True),
        expected_version=if_match_version(request),
    )
    set_etag(response, workflow)
    return workflow


@router.delete("/workflows/{workflow_id}", response={204: None}, summary="Delete a workflow")
def delete_workflow(request: HttpRequest, workflow_id: int) -> Any:
    workflow = selectors.workflow_get_for(request.user, workflow_id)
    services.workflow_delete(
        actor=request.user, workflow=workflow, expected_version=if_match_version(request)
    )
    return 204, None


@router.get("/workflows/{workflow_id}/runs", response=RunList, summary="A workflow's runs")
def list_runs(
    request: HttpRequest, workflow_id: int, cursor: str | None = None, limit: int | None = None
) -> dict[str, Any]:
    """Newest first, each with its steps; test runs included (`test_mode`)."""
    workflow = selectors.workflow_get_for(request.user, workflow_id)
    page = selectors.run_page(workflow, cursor=cursor, size=page_size(limit))
    return {"next": next_link(request, page), "items": page.items}


@router.post(
    "/workflows/{workflow_id}/test", response={201: RunOut}, summary="Test a workflow on a record"
)
def test_workflow(request: HttpRequest, workflow_id: int, payload: TestIn) -> Any:
    """Runs the workflow against the record with every change rolled back and no email or
    webhook sent; returns the recorded test run."""
    workflow = selectors.workflow_get_for(request.user, workflow_id)
    run = services.workflow_test(
        actor=request.user,
        workflow=workflow,
        record_type=payload.record_type,
        record_id=payload.record_id,
    )
    return 201, selectors.run_get(run.pk)
