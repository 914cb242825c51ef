"""Writes to the shared tables: tags and custom field definitions."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from elo.core import audit, events
from elo.core.models import CustomField, CustomFieldEntity, CustomFieldType, Tag
from elo.core.permissions import require


def tag_get_or_create(*, actor: Any, name: str) -> Tag:
    """The tag called `name` (case- and accent-insensitively), created if it is new."""
    require(actor, "contacts.change")
    clean = " ".join(name.split())
    slug = slugify(clean)
    if not clean or not slug:
        raise ValidationError({"name": _("Enter a tag name.")}, code="required")
    if len(clean) > 60:
        raise ValidationError({"name": _("At most 60 characters.")}, code="too_long")
    with transaction.atomic():
        tag, created = Tag.objects.get_or_create(slug=slug, defaults={"name": clean})
        if created:
            audit.record(action="core.tag.created", instance=tag, changes={"name": [None, clean]})
            events.emit("core.tag.created", {"id": tag.pk, "name": tag.name})
    return tag


def tag_delete(*, actor: Any, tag: Tag) -> None:
    require(actor, "settings.manage")
    with transaction.atomic():
        audit.record(action="core.tag.deleted", instance=tag, changes={"name": [tag.name, None]})
        events.emit("core.tag.deleted", {"id": tag.pk, "name": tag.name})
        tag.delete()


_FIELDS = ["entity", "key", "label", "field_type", "choices", "required", "help_text", "position"]


def _validate_definition(data: dict[str, Any], *, instance: CustomField | None) -> None:
    errors: dict[str, str] = {}
    if data.get("entity") not in CustomFieldEntity.values:
        errors["entity"] = _("Pick person or organization.")
    if data.get("field_type") not in CustomFieldType.values:
        errors["field_type"] = _("Pick a field type.")
    key = data.get("key") or ""
    if not key or slugify(key).replace("-", "_") != key:
        errors["key"] = _("Use lower-case letters, digits and underscores.")
    if not (data.get("label") or "").strip():
        errors["label"] = _("Enter a label.")
    if data.get("field_type") in {CustomFieldType.CHOICE, CustomFieldType.MULTI_CHOICE}:
        choices = data.get("choices") or []
        if not choices or not all(isinstance(choice, str) and choice for choice in choices):
            errors["choices"] = _("List at least one choice.")
    clash = CustomField.objects.filter(entity=data.get("entity"), key=key)
    if instance is not None:
        clash = clash.exclude(pk=instance.pk)
    if key and clash.exists():
        errors["key"] = _("This key is already used.")
    if errors:
        raise ValidationError(errors)


def custom_field_create(*, actor: Any, **data: Any) -> CustomField:
    require(actor, "settings.manage")
    data.setdefault("choices", [])
    _validate_definition(data, instance=None)
    with transaction.atomic():
        field = CustomField.objects.create(**{k: v for k, v in data.items() if k in _FIELDS})
        audit.record(
            action="core.custom_field.created",
            instance=field,
            changes=audit.diff({}, audit.snapshot(field, _FIELDS)),
        )
        events.emit("core.custom_field.created", {"id": field.pk, "key": field.key})
    return field


def custom_field_update(*, actor: Any, field: CustomField, **data: Any) -> CustomField:
    require(actor, "settings.manage")
    before = audit.snapshot(field, _FIELDS)
    merged = {**before, **{k: v for k, v in data.items() if k in _FIELDS}}
    merged["entity"] = field.entity
    merged["key"] = field.key
    _validate_definition(merged, instance=field)
    with transaction.atomic():
        for name in ("label", "field_type", "choices", "required", "help_text", "position"):
            setattr(field, name, merged[name])
        field.save()
        audit.record(
            action="core.custom_field.updated",
            instance=field,
            changes=audit.diff(before, audit.snapshot(field, _FIELDS)),
        )
        events.emit("core.custom_field.updated", {"id": field.pk, "key": field.key})
    return field


def custom_field_delete(*, actor: Any, field: CustomField) -> None:
    require(actor, "settings.manage")
    with transaction.atomic():
        audit.record(action="core.custom_field.deleted", instance=field)
        events.emit("core.custom_field.deleted", {"id": field.pk, "key": field.key})
        field.delete()
