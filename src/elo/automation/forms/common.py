"""Constants, value parsing and the field choices the workflow builder offers."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from elo.automation import records
from elo.automation.actions import PROTECTED_FIELDS
from elo.automation.choices import TriggerType
from elo.core.conditions import OPERATORS

# Where a service error keyed by path lands on this form.
TRIGGER_FIELDS = {
    "trigger.type": "trigger_type",
    "trigger.event": "event",
    "trigger.field": "field",
    "trigger.from": "from_value",
    "trigger.to": "to_value",
    "trigger.entity": "entity",
    "trigger.offset_days": "offset_days",
    "trigger.cron": "cron",
}
MODES = (("all", _("All of these hold")), ("any", _("Any of these holds")))
GROUP_MODES = (("any", _("Any of these")), ("all", _("All of these")))
OPERATOR_LABELS = {
    "eq": _("is"),
    "ne": _("is not"),
    "gt": _("greater than"),
    "gte": _("at least"),
    "lt": _("less than"),
    "lte": _("at most"),
    "in": _("is one of (comma-separated)"),
    "not_in": _("is none of (comma-separated)"),
    "contains": _("contains"),
    "not_contains": _("does not contain"),
    "starts_with": _("starts with"),
    "ends_with": _("ends with"),
    "is_empty": _("is empty"),
    "is_not_empty": _("is not empty"),
    "days_ago_more_than": _("more than N days ago"),
    "days_ago_less_than": _("less than N days ago"),
    "days_ahead_less_than": _("in less than N days"),
}
LIST_OPERATORS = ("in", "not_in")
ACTION_LABELS = {
    "assign": _("Assign"),
    "set_field": _("Set a field"),
    "clear_field": _("Clear a field"),
    "add_tag": _("Add a tag"),
    "remove_tag": _("Remove a tag"),
    "create_task": _("Create a task"),
    "create_note": _("Create a note"),
    "send_email": _("Send an email"),
    "create_deal": _("Create a deal"),
    "call_webhook": _("Call a webhook"),
    "wait": _("Wait"),
    "stop": _("Stop"),
    "branch": _("If … then … else"),
}
# The row fields each action type takes, in the order they are shown.
ACTION_PARAMS: dict[str, tuple[str, ...]] = {
    "assign": ("assign_to",),
    "set_field": ("field", "value"),
    "clear_field": ("field",),
    "add_tag": ("tag",),
    "remove_tag": ("tag",),
    "create_task": ("subject", "body", "due_in_days", "assignee"),
    "create_note": ("subject", "body"),
    "send_email": ("to", "subject", "body"),
    "create_deal": ("title", "amount", "pipeline", "stage", "owner"),
    "call_webhook": ("url", "headers"),
    "wait": ("days", "hours", "minutes"),
    "stop": (),
    "branch": ("if_field", "if_op", "if_value"),
}
PARAM_ORDER = (
    "assign_to",
    "if_field",
    "if_op",
    "if_value",
    "field",
    "value",
    "tag",
    "to",
    "title",
    "subject",
    "body",
    "due_in_days",
    "assignee",
    "amount",
    "pipeline",
    "stage",
    "owner",
    "url",
    "headers",
    "days",
    "hours",
    "minutes",
)
# A service error's key after the row's path -> the row field it concerns.
ACTION_ERROR_FIELDS = {
    "user": "assign_to",
    "team": "assign_to",
    "rules": "assign_to",
    "if.field": "if_field",
    "if.op": "if_op",
    "if.value": "if_value",
}
SLOTS = ("then", "else")
INTEGER = re.compile(r"^-?(0|[1-9][0-9]*)$")
DECIMAL = re.compile(r"^-?(0|[1-9][0-9]*)\.[0-9]+$")


# --- values -----------------------------------------------------------------------------------


def parse_value(text: str) -> Any:
    """A typed value from what the admin wrote: whole and decimal numbers, true/false, else
    the text itself."""
    text = text.strip()
    if INTEGER.match(text):
        return int(text)
    if DECIMAL.match(text) and repr(float(text)) == text:
        return float(text)
    if text in ("true", "false"):
        return text == "true"
    return text


def show_value(value: Any) -> str:
    """The text a value is written as in a row (the inverse of `parse_value`)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return ", ".join(show_value(item) for item in value)
    return str(value)


def _loose(value: Any) -> Any:
    """A JSON value compared as the rows can write it: scalars as their text, empty values
    left out of objects."""
    if isinstance(value, Mapping):
        return {key: _loose(item) for key, item in value.items() if item not in (None, "", [], {})}
    if isinstance(value, list):
        return [_loose(item) for item in value]
    return show_value(value)


def as_json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


# --- choices --------------------------------------------------------------------------------


def _model_fields(entity: str, *, settable: bool = False) -> list[tuple[str, str]]:
    definition = records.ENTITIES[entity]
    linked = {"owner", "team", *definition.related}
    result: list[tuple[str, str]] = [] if settable else [("name", str(_("Name")))]
    for model_field in definition.model._meta.concrete_fields:
        name = model_field.name
        if name in records.HIDDEN or name in linked or name == "custom":
            continue
        if settable and (name in PROTECTED_FIELDS or model_field.is_relation):
            continue
        label = capfirst(str(getattr(model_field, "verbose_name", name)))
        result.append((name, label))
    if entity == "person" and not settable:
        result.append(("email", str(_("Email"))))
    return result


def _linked_fields(entity: str) -> list[tuple[str, list[tuple[str, str]]]]:
    definition = records.ENTITIES[entity]
    groups: list[tuple[str, list[tuple[str, str]]]] = [
        (str(_("Tags")), [("tags", str(_("Tags")))]),
        (
            str(_("Owner")),
            [("owner.name", str(_("Owner's name"))), ("owner.email", str(_("Owner's email")))],
        ),
        (str(_("Team")), [("team.name", str(_("Team name")))]),
    ]
    for name in definition.related:
        related_field = definition.model._meta.get_field(name)
        title = capfirst(str(getattr(related_field, "verbose_name", name)))
        if name in records.ENTITIES:
            fields = [
                (f"{name}.{key}", f"{title}: {label}")
                for key, label in _model_fields(name)
                if key != "email"
            ]
        else:
            fields = [(f"{name}.name", f"{title}: {_('Name')}")]
        groups.append((title, fields))
    return groups


@dataclass
class BuilderChoices:
    """Everything the rows offer, fetched once for the whole form."""

    entity: str
    fields: list[Any] = field(default_factory=list)
    settable: list[Any] = field(default_factory=list)
    users: list[tuple[str, str]] = field(default_factory=list)
    teams: list[tuple[str, str]] = field(default_factory=list)
    pipelines: list[tuple[str, str]] = field(default_factory=list)
    stages: list[Any] = field(default_factory=list)

    @classmethod
    def load(cls, entity: str) -> BuilderChoices:
        from elo.core.models import CustomField
        from elo.identity.models import Team, User
        from elo.sales.models import Pipeline

        entities = [entity] if entity in records.ENTITIES else list(records.ENTITIES)
        custom: dict[str, list[tuple[str, str]]] = {name: [] for name in entities}
        for definition in CustomField.objects.filter(entity__in=entities).order_by(
            "position", "id"
        ):
            custom[definition.entity].append((f"custom.{definition.key}", definition.label))
        choices = cls(entity=entity if entity in records.ENTITIES else "")
        for name in entities:
            title = capfirst(str(records.ENTITIES[name].model._meta.verbose_name))
            choices.fields.append((title, _model_fields(name)))
            choices.settable.append((title, _model_fields(name, settable=True)))
            if custom[name]:
                label = f"{title}: {_('Custom fields')}"
                choices.fields.append((label, custom[name]))
                choices.settable.append((label, custom[name]))
            if len(entities) == 1:
                choices.fields.extend(_linked_fields(name))
        users = User.objects.filter(is_active=True).order_by("full_name", "email")
        choices.users = [(str(user.pk), str(user)) for user in users]
        choices.teams = [(str(team.pk), team.name) for team in Team.objects.order_by("name")]
        pipelines = list(Pipeline.objects.prefetch_related("stages").order_by("position", "id"))
        choices.pipelines = [(str(pipeline.pk), pipeline.name) for pipeline in pipelines]
        choices.stages = [
            (pipeline.name, [(str(stage.pk), stage.name) for stage in pipeline.stages.all()])
            for pipeline in pipelines
        ]
        return choices


def trigger_entity(trigger_type: Any, event: Any, entity: Any) -> str:
    """The record type a trigger's runs are about ("" for a schedule or an unknown event)."""
    if trigger_type == TriggerType.DATE:
        return str(entity or "")
    if trigger_type == TriggerType.EVENT:
        return records.entity_for_event(str(event or "").strip())
    return ""


def _flat_values(choices: list[Any]) -> set[str]:
    values: set[str] = set()
    for value, label in choices:
        if isinstance(label, list | tuple):
            values.update(str(inner) for inner, _label in label)
        else:
            values.add(str(value))
    return values


def _keep_current(form: forms.Form, name: str, choices: list[Any]) -> list[Any]:
    """The choices plus the row's current value when they lack it, so that saving keeps it."""
    current = form[name].value()
    if current not in (None, "") and str(current) not in _flat_values(choices):
        return [*choices, (str(current), str(current))]
    return choices


def _operator_choices() -> list[tuple[str, Any]]:
    return [(name, OPERATOR_LABELS.get(name, name)) for name in OPERATORS]
