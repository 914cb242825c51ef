"""One filter definition for people and organization lists, shared by the UI and the API."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from elo.core import search
from elo.core.custom_fields import definitions

ORDERINGS = {
    "name": ["sort_name", "id"],
    "-name": ["-sort_name", "-id"],
    "created_at": ["created_at", "id"],
    "-created_at": ["-created_at", "-id"],
    "updated_at": ["updated_at", "id"],
    "-updated_at": ["-updated_at", "-id"],
}
SEARCH_KEYS = ["search_rank", "sort_name", "id"]


@dataclass
class RecordFilter:
    q: str = ""
    owner: int | None = None
    team: int | None = None
    tag: str = ""
    lifecycle_stage: str = ""
    created_after: datetime.datetime | None = None
    created_before: datetime.datetime | None = None
    updated_after: datetime.datetime | None = None
    updated_before: datetime.datetime | None = None
    custom: dict[str, str] = field(default_factory=dict)
    deleted: bool = False
    ordering: str = ""

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> RecordFilter:
        """Reads query parameters; `cf_<key>=value` filters on a custom field."""
        errors: dict[str, str] = {}

        def number(name: str) -> int | None:
            value = params.get(name)
            if value in (None, ""):
                return None
            try:
                return int(value)
            except (TypeError, ValueError):
                errors[name] = _("Enter a whole number.")
                return None

        def moment(name: str) -> datetime.datetime | None:
            value = params.get(name)
            if value in (None, ""):
                return None
            if isinstance(value, datetime.datetime):
                return value
            try:
                parsed = datetime.datetime.fromisoformat(str(value))
            except ValueError:
                errors[name] = _("Enter a date or date-time in ISO 8601 form.")
                return None
            if parsed.tzinfo is None:
                parsed = parsed.replace(tzinfo=datetime.UTC)
            return parsed

        ordering = str(params.get("ordering") or "")
        if ordering and ordering not in ORDERINGS:
            errors["ordering"] = _("Order by one of: %s.") % ", ".join(ORDERINGS)
        result = cls(
            q=str(params.get("q") or "").strip()[:200],
            owner=number("owner"),
            team=number("team"),
            tag=str(params.get("tag") or "").strip(),
            lifecycle_stage=str(params.get("lifecycle_stage") or "").strip(),
            created_after=moment("created_after"),
            created_before=moment("created_before"),
            updated_after=moment("updated_after"),
            updated_before=moment("updated_before"),
            custom={
                key[3:]: str(value)
                for key, value in params.items()
                if key.startswith("cf_") and value not in (None, "")
            },
            deleted=str(params.get("deleted") or "").lower() in {"1", "true", "yes"},
            ordering=ordering,
        )
        if errors:
            raise ValidationError(errors)
        return result

    def apply(self, queryset: Any, *, entity: str, fts_table: str) -> Any:
        queryset = queryset.deleted() if self.deleted else queryset.alive()
        if self.owner is not None:
            queryset = queryset.filter(owner_id=self.owner)
        if self.team is not None:
            queryset = queryset.filter(team_id=self.team)
        if self.tag:
            queryset = queryset.filter(tags__slug=self.tag)
        if self.lifecycle_stage and entity == "person":
            queryset = queryset.filter(lifecycle_stage=self.lifecycle_stage)
        if self.created_after:
            queryset = queryset.filter(created_at__gte=self.created_after)
        if self.created_before:
            queryset = queryset.filter(created_at__lt=self.created_before)
        if self.updated_after:
            queryset = queryset.filter(updated_at__gte=self.updated_after)
        if self.updated_before:
            queryset = queryset.filter(updated_at__lt=self.updated_before)
        if self.custom:
            known = {item.key: item for item in definitions(entity)}
            for key, value in self.custom.items():
                if key not in known:
                    raise ValidationError(
                        {f"cf_{key}": _("There is no custom field with this key.")}
                    )
                kind = known[key].field_type
                if kind == "multi_choice":
                    queryset = queryset.filter(**{f"custom__{key}__icontains": value})
                elif kind == "boolean":
                    queryset = queryset.filter(
                        **{f"custom__{key}": value.lower() in {"1", "true", "yes"}}
                    )
                elif kind == "number":
                    try:
                        queryset = queryset.filter(**{f"custom__{key}": int(value)})
                    except ValueError as error:
                        raise ValidationError({f"cf_{key}": _("Enter a whole number.")}) from error
                else:
                    queryset = queryset.filter(**{f"custom__{key}": value})
        if self.q:
            queryset = search.filter_text(queryset, self.q, fts_table=fts_table)
        return queryset

    def keys(self) -> list[str]:
        """The ordering: relevance when searching unless asked otherwise, else name."""
        if self.ordering:
            return ORDERINGS[self.ordering]
        if self.q:
            return SEARCH_KEYS
        return ORDERINGS["name"]
