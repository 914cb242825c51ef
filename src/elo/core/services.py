"""Writes to the shared tables: tags and custom field definitions."""

from __future__ import annotations

import io
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from elo.core import audit, events
from elo.core.errors import PreconditionFailed
from elo.core.models import CompanyProfile, CustomField, CustomFieldEntity, CustomFieldType, Tag
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


PROFILE_FIELDS = (
    "name",
    "legal_name",
    "tax_id",
    "address",
    "email",
    "phone",
    "website",
    "payment_instructions",
    "document_footer",
)
LOGO_MAX_BYTES = 512 * 1024
_LOGO_FORMATS = {"PNG": "image/png", "JPEG": "image/jpeg"}


def _logo_type(logo: bytes) -> str:
    """The logo's content type, or a ValidationError unless it is a PNG or JPEG image."""
    from PIL import Image, UnidentifiedImageError

    if len(logo) > LOGO_MAX_BYTES:
        raise ValidationError({"logo": _("The logo must be at most 512 KB.")})
    try:
        with Image.open(io.BytesIO(logo)) as image:
            image.verify()
            kind = image.format or ""
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        kind = ""
    if kind not in _LOGO_FORMATS:
        raise ValidationError({"logo": _("The logo must be a PNG or JPEG image.")})
    return _LOGO_FORMATS[kind]


def company_profile_save(
    *,
    actor: Any,
    data: Mapping[str, Any],
    logo: bytes | None = None,
    remove_logo: bool = False,
    version: int | None = None,
) -> CompanyProfile:
    """Saves the company's name, address, tax ID and logo that quotes and invoices show."""
    require(actor, "settings.manage")
    cleaned = {name: str(data.get(name) or "").strip() for name in PROFILE_FIELDS}
    errors: dict[str, Any] = {}
    for name in PROFILE_FIELDS:
        limit = getattr(CompanyProfile._meta.get_field(name), "max_length", None)
        if limit and len(cleaned[name]) > limit:
            errors[name] = _("At most %(limit)d characters.") % {"limit": limit}
    if cleaned["email"]:
        try:
            validate_email(cleaned["email"])
        except ValidationError:
            errors["email"] = _("Enter a valid email address.")
    logo_type = ""
    if logo:
        try:
            logo_type = _logo_type(logo)
        except ValidationError as error:
            errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        profile = CompanyProfile.objects.select_for_update().filter(pk=1).first()
        if profile is None:
            profile = CompanyProfile(pk=1, version=0)
        if version is not None and profile.version and version != profile.version:
            raise PreconditionFailed(profile.version)
        before = audit.snapshot(profile, PROFILE_FIELDS) if profile.version else {}
        for name, value in cleaned.items():
            setattr(profile, name, value)
        logo_changed = bool(logo) or (remove_logo and bool(profile.logo))
        if logo:
            profile.logo, profile.logo_type = logo, logo_type
        elif remove_logo:
            profile.logo, profile.logo_type = b"", ""
        profile.version += 1
        profile.updated_at = timezone.now()
        profile.save()
        changes = audit.diff(before, audit.snapshot(profile, PROFILE_FIELDS))
        if logo_changed:
            changes["logo"] = ["", "changed" if profile.logo else "removed"]
        audit.record(action="core.company_profile.updated", instance=profile, changes=changes)
        events.emit("core.company_profile.updated", {"version": profile.version})
    return profile
