"""Validation of custom field values against the definitions an admin made."""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator, validate_email
from django.utils.translation import gettext as _

from elo.core.models import CustomField, CustomFieldType


def definitions(entity: str) -> list[CustomField]:
    return list(CustomField.objects.filter(entity=entity).order_by("position", "id"))


def _clean_one(field: CustomField, value: Any) -> Any:
    kind = field.field_type
    if kind == CustomFieldType.TEXT:
        text = str(value).strip()
        if len(text) > 1000:
            raise ValidationError(_("At most 1000 characters."), code="too_long")
        return text
    if kind == CustomFieldType.NUMBER:
        if isinstance(value, bool):
            raise ValidationError(_("Enter a whole number."), code="invalid_number")
        try:
            number = int(str(value).strip())
        except ValueError as error:
            raise ValidationError(_("Enter a whole number."), code="invalid_number") from error
        return number
    if kind == CustomFieldType.DECIMAL:
        try:
            amount = decimal.Decimal(str(value).strip().replace(",", "."))
        except decimal.InvalidOperation as error:
            raise ValidationError(_("Enter a number."), code="invalid_decimal") from error
        if not amount.is_finite():
            raise ValidationError(_("Enter a number."), code="invalid_decimal")
        return str(amount)
    if kind == CustomFieldType.DATE:
        if isinstance(value, datetime.date):
            return value.isoformat()
        try:
            return datetime.date.fromisoformat(str(value).strip()).isoformat()
        except ValueError as error:
            raise ValidationError(_("Enter a date as YYYY-MM-DD."), code="invalid_date") from error
    if kind == CustomFieldType.BOOLEAN:
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in {"true", "1", "yes", "on", "sim"}:
            return True
        if text in {"false", "0", "no", "off", "nao", "não"}:
            return False
        raise ValidationError(_("Enter yes or no."), code="invalid_boolean")
    if kind == CustomFieldType.CHOICE:
        if str(value) not in field.choices:
            raise ValidationError(_("Pick one of the listed choices."), code="invalid_choice")
        return str(value)
    if kind == CustomFieldType.MULTI_CHOICE:
        items = value if isinstance(value, list | tuple) else [v for v in str(value).split("|")]
        items = [str(item).strip() for item in items if str(item).strip()]
        wrong = [item for item in items if item not in field.choices]
        if wrong:
            raise ValidationError(_("Pick only listed choices."), code="invalid_choice")
        return items
    if kind == CustomFieldType.URL:
        URLValidator()(str(value).strip())
        return str(value).strip()
    if kind == CustomFieldType.EMAIL:
        validate_email(str(value).strip())
        return str(value).strip().lower()
    raise ValidationError(_("Unknown field type."), code="invalid_type")


def _is_empty(value: Any) -> bool:
    return value is None or value == "" or value == []


def clean_values(
    entity: str,
    values: Mapping[str, Any],
    *,
    current: Mapping[str, Any] | None = None,
    fields: list[CustomField] | None = None,
) -> dict[str, Any]:
    """The stored form of `values` merged over `current`; errors keyed "custom.<key>"."""
    fields = definitions(entity) if fields is None else fields
    by_key = {field.key: field for field in fields}
    result: dict[str, Any] = dict(current or {})
    errors: dict[str, list[ValidationError]] = {}
    for key, value in values.items():
        field = by_key.get(key)
        if field is None:
            errors[f"custom.{key}"] = [
                ValidationError(_("There is no custom field with this key."), code="unknown_field")
            ]
            continue
        if _is_empty(value):
            result.pop(key, None)
            continue
        try:
            result[key] = _clean_one(field, value)
        except ValidationError as error:
            errors[f"custom.{key}"] = [error]
    for field in fields:
        if (
            field.required
            and _is_empty(result.get(field.key))
            and f"custom.{field.key}" not in errors
        ):
            errors[f"custom.{field.key}"] = [
                ValidationError(_("This field is required."), code="required")
            ]
    if errors:
        raise ValidationError(errors)
    return result
