"""The records workflows act on: how to load one, the data its conditions see, and how to change
it through its app's service (so the audit log and events happen as for a person's edit)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from django.db import models

from elo.core.audit import jsonable
from elo.core.models import AuditEntry, OutboxEvent


def _update_person(actor: Any, record: Any, data: Mapping[str, Any]) -> Any:
    from elo.contacts.services import person_update

    return person_update(actor=actor, person=record, data=data)


def _update_organization(actor: Any, record: Any, data: Mapping[str, Any]) -> Any:
    from elo.contacts.services import organization_update

    return organization_update(actor=actor, organization=record, data=data)


def _update_lead(actor: Any, record: Any, data: Mapping[str, Any]) -> Any:
    from elo.sales.services import lead_update

    return lead_update(actor=actor, lead=record, data=data)


def _update_deal(actor: Any, record: Any, data: Mapping[str, Any]) -> Any:
    from elo.sales.services import deal_update

    return deal_update(actor=actor, deal=record, data=data)


def _model(label: str) -> type[models.Model]:
    from django.apps import apps

    return apps.get_model(label)


@dataclass(frozen=True)
class Entity:
    name: str
    model_label: str
    event_prefix: str
    update: Callable[[Any, Any, Mapping[str, Any]], Any] | None
    related: tuple[str, ...] = ()

    @property
    def model(self) -> type[models.Model]:
        return _model(self.model_label)


ENTITIES: dict[str, Entity] = {
    "person": Entity("person", "contacts.Person", "contacts.person.", _update_person),
    "organization": Entity(
        "organization", "contacts.Organization", "contacts.organization.", _update_organization
    ),
    "lead": Entity("lead", "sales.Lead", "sales.lead.", _update_lead, ("organization", "person")),
    "deal": Entity(
        "deal", "sales.Deal", "sales.deal.", _update_deal, ("organization", "pipeline", "stage")
    ),
    "activity": Entity(
        "activity",
        "activities.Activity",
        "activities.",
        None,
        ("person", "organization", "deal", "lead", "assignee"),
    ),
}
# Fields never offered to conditions or templates.
HIDDEN = {"search_text", "sort_name", "body_html", "deleted_at"}


def entity_for_event(name: str) -> str:
    """The record type an event is about ("sales.deal.stage_changed" -> "deal"), or ""."""
    for entity in ENTITIES.values():
        if name.startswith(entity.event_prefix):
            return entity.name
    return ""


def load(record_type: str, record_id: Any) -> Any:
    """The live record, with what its data needs, or None when it is gone or unknown."""
    entity = ENTITIES.get(record_type)
    if entity is None or record_id in (None, ""):
        return None
    try:
        pk = int(record_id)
    except (TypeError, ValueError):
        return None
    related = ["owner", "team", *entity.related]
    return (
        entity.model._default_manager.filter(pk=pk, deleted_at__isnull=True)
        .select_related(*related)
        .prefetch_related("tags")
        .first()
    )


def _fields(instance: models.Model) -> dict[str, Any]:
    values: dict[str, Any] = {"id": instance.pk}
    for field in instance._meta.concrete_fields:
        if field.name in HIDDEN or field.name == "id":
            continue
        if field.is_relation:
            values[field.name] = getattr(instance, field.attname)
        else:
            values[field.name] = jsonable(getattr(instance, field.attname))
    return values


def _user(user: Any) -> dict[str, Any] | None:
    if user is None:
        return None
    return {"id": user.pk, "name": str(user), "email": user.email}


def _related(instance: Any, name: str) -> dict[str, Any] | None:
    value = getattr(instance, name, None)
    if value is None:
        return None
    if name == "assignee":
        return _user(value)
    data = _fields(value)
    data["name"] = str(value)
    return data


def data_for(record_type: str, record: Any, changes: Mapping[str, Any] | None = None) -> dict:
    """The dict conditions and templates read: the record's fields, `custom.<key>`, `tags`,
    `owner`/`team`, related records (`organization.country`, `stage.name`) and, for update
    events, `changes.<field>.from/to`."""
    if record is None:
        return {"changes": dict(changes or {})}
    data = _fields(record)
    data["name"] = str(record)
    data["type"] = record_type
    data["custom"] = dict(record.custom or {})
    data["tags"] = [tag.name for tag in record.tags.all()]
    data["owner"] = _user(record.owner)
    data["team"] = {"id": record.team.pk, "name": str(record.team)} if record.team else None
    for name in ENTITIES[record_type].related:
        data[name] = _related(record, name)
    if record_type == "person":
        data["email"] = record.primary_email
    data["changes"] = dict(changes or {})
    return data


def email_for(record_type: str, record: Any) -> str:
    """Where an email about the record goes: the person, the lead, or the deal's first contact."""
    if record is None:
        return ""
    if record_type == "person":
        return str(record.primary_email or "")
    if record_type == "lead":
        return str(record.email or "")
    if record_type == "deal":
        link = record.contacts.select_related("person").order_by("position", "id").first()
        return str(link.person.primary_email or "") if link else ""
    if record_type == "activity" and record.person_id:
        return str(record.person.primary_email or "")
    return ""


def changes_for(event: OutboxEvent, record_type: str, record_id: Any) -> dict[str, Any]:
    """{field: {"from": old, "to": new}} for the event. Stage changes carry them in the payload;
    update events name only the changed fields, so the values come from the audit entry the
    same service call wrote."""
    payload = event.payload or {}
    if event.name.endswith(".stage_changed"):
        return {"stage": {"from": payload.get("from"), "to": payload.get("to")}}
    changed = payload.get("changed")
    if not isinstance(changed, list) or not record_type or record_id is None:
        return {}
    entity = ENTITIES[record_type]
    meta = entity.model._meta
    entries = AuditEntry.objects.filter(
        object_type=f"{meta.app_label}.{meta.model_name}",
        object_id=str(record_id),
        action__endswith=".updated",
        created_at__lte=event.created_at,
    )
    if event.request_id:
        entries = entries.filter(request_id=event.request_id)
    # The newest entry of the same service call: it changed exactly the fields the event names.
    found: dict[str, Any] = {}
    for entry in entries.order_by("-id").only("changes")[:10]:
        if sorted(entry.changes) == sorted(changed):
            found = entry.changes
            break
    result: dict[str, Any] = {}
    for name in changed:
        pair = found.get(name)
        if isinstance(pair, list) and len(pair) == 2:
            result[name] = {"from": pair[0], "to": pair[1]}
        else:
            result[name] = {"from": None, "to": None}
    return result
