from __future__ import annotations

from typing import Any

from django.db import models
from django.http import Http404

from elo.core.models import AuditEntry, CompanyProfile, CustomField, Tag


def tag_list() -> models.QuerySet[Tag]:
    return Tag.objects.order_by("name")


def tag_get(pk: Any) -> Tag:
    tag = Tag.objects.filter(pk=pk).first()
    if tag is None:
        raise Http404
    return tag


def custom_field_list(entity: str = "") -> models.QuerySet[CustomField]:
    queryset = CustomField.objects.order_by("entity", "position", "id")
    return queryset.filter(entity=entity) if entity else queryset


def custom_field_get(pk: Any) -> CustomField:
    field = CustomField.objects.filter(pk=pk).first()
    if field is None:
        raise Http404
    return field


def history(object_type: str, object_id: Any, *, limit: int = 200) -> list[AuditEntry]:
    return list(
        AuditEntry.objects.filter(object_type=object_type, object_id=str(object_id))
        .select_related("actor_user")
        .order_by("-id")[:limit]
    )


def company_profile() -> CompanyProfile:
    """The company's profile; an empty, unsaved one until an admin fills it in."""
    return CompanyProfile.objects.filter(pk=1).first() or CompanyProfile(pk=1)
