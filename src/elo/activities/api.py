from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from elo.activities import selectors, services
from elo.activities.calendar import calendar_for
from elo.activities.schemas import (
    ActivityIn,
    ActivityList,
    ActivityOut,
    ActivityPatch,
    ActivityQuery,
    CalendarExportQuery,
    patch_data,
)
from elo.core.api import if_match_version, next_link
from elo.core.pagination import paginate

router = Router(tags=["activities"])


@router.get("/activities", response=ActivityList, summary="List activities, newest first")
def list_activities(request: HttpRequest, query: Query[ActivityQuery]) -> dict[str, Any]:
    queryset = selectors.activity_list_for(
        request.user,
        kind=query.kind or "",
        person=query.person,
        organization=query.organization,
        lead=query.lead,
        deal=query.deal,
        assignee=query.assignee,
        is_open=query.open,
    )
    page = paginate(queryset, keys=selectors.TIMELINE_KEYS, cursor=query.cursor, size=query.limit)
    return {"next": next_link(request, page), "items": page.items}


@router.get(
    "/activities/export.ics",
    response={200: None},
    summary="Export visible tasks and meetings as iCalendar",
    openapi_extra={
        "responses": {200: {"description": "RFC 5545", "content": {"text/calendar": {}}}}
    },
)
def export_activities_ics(request: HttpRequest, query: Query[CalendarExportQuery]) -> HttpResponse:
    activities = selectors.calendar_export_for(
        request.user, kind=query.kind or "", assignee=query.assignee, is_open=query.open
    )
    response = HttpResponse(calendar_for(activities), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="elo-activities.ics"'
    return response


@router.post("/activities", response={201: ActivityOut}, summary="Add an activity")
def create_activity(request: HttpRequest, payload: ActivityIn, response: HttpResponse) -> Any:
    activity = services.activity_create(actor=request.user, data=payload.dict(exclude_unset=True))
    activity = selectors.activity_get_for(request.user, activity.pk)
    response["ETag"] = activity.etag
    return 201, activity


@router.get("/activities/{activity_id}", response=ActivityOut)
def get_activity(request: HttpRequest, activity_id: int, response: HttpResponse) -> Any:
    activity = selectors.activity_get_for(request.user, activity_id)
    response["ETag"] = activity.etag
    return activity


@router.patch("/activities/{activity_id}", response=ActivityOut)
def patch_activity(
    request: HttpRequest, activity_id: int, payload: ActivityPatch, response: HttpResponse
) -> Any:
    activity = selectors.activity_get_for(request.user, activity_id, action="change")
    version = if_match_version(request)
    data = patch_data(payload)
    if data or version is not None:
        activity = services.activity_update(
            actor=request.user, activity=activity, data=data, expected_version=version
        )
    if payload.done is not None:
        services.task_set_done(actor=request.user, activity=activity, done=payload.done)
    activity = selectors.activity_get_for(request.user, activity_id)
    response["ETag"] = activity.etag
    return activity


@router.delete("/activities/{activity_id}", response={204: None})
def delete_activity(request: HttpRequest, activity_id: int) -> Any:
    activity = selectors.activity_get_for(request.user, activity_id, action="delete")
    services.activity_delete(
        actor=request.user, activity=activity, expected_version=if_match_version(request)
    )
    return 204, None
