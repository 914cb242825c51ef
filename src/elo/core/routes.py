"""API routes for the shared tables: tags and custom field definitions."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router

from elo.core import selectors, services
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
