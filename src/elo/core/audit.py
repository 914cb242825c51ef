"""The audit log: services call `record` for every change they make."""

from __future__ import annotations

import datetime
import decimal
import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.db import models
from django.utils import timezone

from elo.core import bulk, context
from elo.core.models import AuditEntry


def jsonable(value: Any) -> Any:
    """A JSON-safe form of a field value, for diffs and event payloads."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, decimal.Decimal | uuid.UUID):
        return str(value)
    if isinstance(value, list | tuple | set):
        return [jsonable(item) for item in value]
    if isinstance(value, dict):
        return {str(key): jsonable(item) for key, item in value.items()}
    return value


def snapshot(instance: models.Model, fields: Iterable[str]) -> dict[str, Any]:
    """The current values of `fields` (foreign keys by id), ready for `diff`."""
    values: dict[str, Any] = {}
    for name in fields:
        field = instance._meta.get_field(name)
        attname = getattr(field, "attname", name)
        values[name] = jsonable(getattr(instance, attname))
    return values


def diff(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, list[Any]]:
    """Field-level changes as {field: [old, new]}, only for fields that changed."""
    keys = list(dict.fromkeys([*before.keys(), *after.keys()]))
    return {
        key: [before.get(key), after.get(key)]
        for key in keys
        if jsonable(before.get(key)) != jsonable(after.get(key))
    }


def object_type(instance: models.Model) -> str:
    return f"{instance._meta.app_label}.{instance._meta.model_name}"


def entry(
    *,
    action: str,
    instance: models.Model | None = None,
    changes: Mapping[str, Any] | None = None,
    target_type: str = "",
    target_id: str = "",
) -> AuditEntry:
    """An unsaved audit entry for the current actor and request."""
    actor = context.current_actor() or context.Actor()
    return AuditEntry(
        actor_kind=actor.kind,
        actor_user_id=actor.user_id,
        actor_label=actor.label[:200],
        action=action,
        object_type=object_type(instance) if instance is not None else target_type,
        object_id=str(instance.pk) if instance is not None else target_id,
        object_repr=str(instance)[:300] if instance is not None else "",
        changes=jsonable(dict(changes or {})),
        request_id=context.request_id(),
    )


def record(
    *,
    action: str,
    instance: models.Model | None = None,
    changes: Mapping[str, Any] | None = None,
    target_type: str = "",
    target_id: str = "",
) -> AuditEntry:
    """Writes one audit entry; call it inside the service's transaction."""
    audit_entry = entry(
        action=action,
        instance=instance,
        changes=changes,
        target_type=target_type,
        target_id=target_id,
    )
    audit_entry.save()
    return audit_entry


def record_many(entries: list[AuditEntry]) -> None:
    bulk.insert(AuditEntry, entries)


def record_rows(rows: Iterable[tuple[str, models.Model, Mapping[str, Any]]]) -> None:
    """Records (action, saved instance, changes) for many rows in one statement (imports)."""
    actor = context.current_actor() or context.Actor()
    request = context.request_id()
    now = timezone.now()
    label = actor.label[:200]
    bulk.insert_values(
        AuditEntry,
        [
            "created_at",
            "actor_kind",
            "actor_user_id",
            "actor_label",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "changes",
            "request_id",
        ],
        (
            (
                now,
                actor.kind,
                actor.user_id,
                label,
                action,
                object_type(instance),
                str(instance.pk),
                str(instance)[:300],
                jsonable(dict(changes)),
                request,
            )
            for action, instance, changes in rows
        ),
    )


def history_for(instance: models.Model) -> models.QuerySet[AuditEntry]:
    return AuditEntry.objects.filter(
        object_type=object_type(instance), object_id=str(instance.pk)
    ).select_related("actor_user")
