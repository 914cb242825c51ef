"""What the sales forms share: list splitting, choices, the version a user saw, stale saves."""

from __future__ import annotations

import re
from typing import Any

from django import forms

from elo.identity.selectors import user_list_for
from elo.sales.models import Pipeline

_SEPARATORS = re.compile(r"[\n\r,;]+")
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PEOPLE_CHOICES = 200


def split_items(text: str) -> list[str]:
    return [item.strip() for item in _SEPARATORS.split(text or "") if item.strip()]


def set_choices(field: forms.Field, choices: list[Any]) -> None:
    if not isinstance(field, forms.ChoiceField):
        raise TypeError(f"{field!r} has no choices")
    field.choices = choices


def owner_choices(user: Any) -> list[tuple[Any, str]]:
    return [(item.pk, str(item)) for item in user_list_for(user).filter(is_active=True)]


def stage_choices(pipelines: list[Pipeline]) -> list[Any]:
    """Stages grouped by pipeline, for a <select> with one <optgroup> per pipeline."""
    return [
        (pipeline.name, [(stage.pk, stage.name) for stage in pipeline.stages.all()])
        for pipeline in pipelines
    ]


class VersionForm(forms.Form):
    """The version of the record the user saw, sent back with an action."""

    version = forms.IntegerField(required=False, widget=forms.HiddenInput)


class StaleMixin:
    """Keeps what was typed and takes the current version after a stale save, so that saving
    again (after checking the record) is an informed overwrite rather than a silent one."""

    data: Any
    stale = False

    def mark_stale(self, current_version: int) -> None:
        self.stale = True
        self.data = self.data.copy()
        self.data["version"] = str(current_version)
