"""API routes for the shared tables (tags, custom field definitions) and the system status."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema

from elo.core import event_types, health, selectors, services
from elo.core.permissions import require
from elo.core.schemas import CustomFieldIn, CustomFieldOut, CustomFieldPatch, TagIn, TagOut

router = Router(tags=["tags and custom fields"])


@router.get("/tags", response=list[TagOut], summary="List tags")
def list_tags(request: HttpRequest) -> Any:
    return list(selectors.tag_list())


@router.post("/tags", response={201: TagOut}, summary="Create a tag (or get the existing one)")
def create_tag(request: HttpRequest, payload: TagIn) -> Any:
    return 201, services.tag_get_or_create(actor=request.user, name=payload.name)


@router.delete("/tags/{tag_id}", response={204: None}, summary="Delete a tag")
def delete_tag(request: HttpRequest, tag_id: int) -> Any:
    services.tag_delete(actor=request.user, tag=selectors.tag_get(tag_id))
    return 204, None


@router.get("/custom-fields", response=list[CustomFieldOut], summary="List custom fields")
def list_custom_fields(request: HttpRequest, entity: str = "") -> Any:
    return list(selectors.custom_field_list(entity))


@router.post("/custom-fields", response={201: CustomFieldOut}, summary="Define a custom field")
def create_custom_field(request: HttpRequest, payload: CustomFieldIn) -> Any:
    return 201, services.custom_field_create(actor=request.user, **payload.dict())


@router.patch("/custom-fields/{field_id}", response=CustomFieldOut)
def patch_custom_field(request: HttpRequest, field_id: int, payload: CustomFieldPatch) -> Any:
    field = selectors.custom_field_get(field_id)
    return services.custom_field_update(actor=request.user, field=field, **payload.changes())


@router.delete("/custom-fields/{field_id}", response={204: None})
def delete_custom_field(request: HttpRequest, field_id: int) -> Any:
    services.custom_field_delete(actor=request.user, field=selectors.custom_field_get(field_id))
    return 204, None


class TaskFailureOut(Schema):
    id: str
    task: str
    error: str
    worker: str
    finished_at: datetime | None


class TaskQueueOut(Schema):
    backend: str
    available: bool
    ready: int
    running: int
    successful: int
    failed: int
    recent_failures: list[TaskFailureOut]


class OutboxStatusOut(Schema):
    pending: int
    failed: int
    oldest_pending_at: datetime | None


class WorkerOut(Schema):
    id: str
    host: str
    pid: int
    backend: str
    alive: bool
    started_at: datetime
    last_seen_at: datetime
    stopped_at: datetime | None
    tasks_done: int
    tasks_failed: int


class ScheduledJobOut(Schema):
    key: str
    spec: str
    next_run_at: datetime
    last_run_at: datetime | None
    last_error: str
    runs: int
    failures: int


class SystemStatusOut(Schema):
    checked_at: datetime
    tasks: TaskQueueOut
    outbox: OutboxStatusOut
    workers: list[WorkerOut]
    schedules: list[ScheduledJobOut]


@router.get(
    "/system/status",
    response=SystemStatusOut,
    tags=["system"],
    summary="Task queue, outbox, workers and scheduled jobs (needs settings.manage)",
)
def system_status(request: HttpRequest) -> Any:
    require(request.user, "settings.manage")
    status = health.system_status()
    return {
        "checked_at": status.checked_at,
        "tasks": status.tasks,
        "outbox": {
            "pending": status.outbox_pending,
            "failed": status.outbox_failed,
            "oldest_pending_at": status.outbox_oldest_pending_at,
        },
        "workers": [
            {**_worker_fields(worker), "alive": health.worker_alive(worker, status.checked_at)}
            for worker in status.workers
        ],
        "schedules": status.schedules,
    }


def _worker_fields(worker: Any) -> dict[str, Any]:
    return {name: getattr(worker, name) for name in WorkerOut.model_fields if name != "alive"}


class EventTypeOut(Schema):
    name: str
    app: str
    description: str
    example: dict[str, Any]


@router.get(
    "/events/types",
    response=list[EventTypeOut],
    tags=["events"],
    summary="The catalogue of event types, each with a description and an example payload",
)
def list_event_types(request: HttpRequest) -> Any:
    return list(event_types.catalogue().values())
