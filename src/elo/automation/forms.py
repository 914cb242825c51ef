"""The workflow form: structured fields for the trigger, and rows an admin fills in for the
conditions and the actions (no JSON to type). The rows are serialized to the JSON the services
validate; the services' path-keyed errors ("conditions.all.2.value", "actions.1.subject") are
shown on the row and field they concern.

Rows are flat lists with a depth: a condition row of depth 1 belongs to the "group" row above it,
an action row of depth 1 to the "then" or "else" list (its `slot`) of the branch above it. The
"Add a condition", "Add an action", remove and move buttons post the form with a `builder`
step; the view re-renders the rows changed and saves nothing.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from elo.automation import records
from elo.automation.actions import PROTECTED_FIELDS
from elo.automation.choices import TriggerType
from elo.automation.models import Workflow
from elo.automation.services import DATE_ENTITIES
from elo.core.conditions import OPERATORS, UNARY
from elo.core.forms import BootstrapForm

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


# --- row forms ------------------------------------------------------------------------------


class ConditionRowForm(BootstrapForm):
    """One condition (field, operator, value), or the head of an "any of these" group."""

    kind = forms.ChoiceField(
        choices=[("condition", "condition"), ("group", "group")],
        initial="condition",
        widget=forms.HiddenInput,
    )
    depth = forms.TypedChoiceField(
        choices=[(0, 0), (1, 1)], coerce=int, initial=0, widget=forms.HiddenInput
    )
    mode = forms.ChoiceField(label=_("Group"), choices=GROUP_MODES, required=False)
    field = forms.ChoiceField(label=_("Field"), required=False)
    op = forms.ChoiceField(label=_("Operator"), required=False)
    value = forms.CharField(label=_("Value"), required=False, max_length=2000)

    def __init__(self, *args: Any, choices: BuilderChoices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field_choices = [("", "—"), *choices.fields]
        cast(forms.ChoiceField, self.fields["field"]).choices = _keep_current(
            self, "field", field_choices
        )
        cast(forms.ChoiceField, self.fields["op"]).choices = _operator_choices()

    def row(self) -> dict[str, Any]:
        """What the row holds, validated or not."""
        return {name: self[name].value() for name in self.fields if name != "DELETE"}


class ActionRowForm(BootstrapForm):
    """One action: its type and the parameters that type takes (the others are ignored)."""

    type = forms.ChoiceField(label=_("Action"), required=False)
    depth = forms.TypedChoiceField(
        choices=[(0, 0), (1, 1)], coerce=int, initial=0, widget=forms.HiddenInput
    )
    slot = forms.ChoiceField(
        choices=[("", ""), ("then", "then"), ("else", "else")],
        required=False,
        widget=forms.HiddenInput,
    )
    assign_to = forms.ChoiceField(label=_("Assign to"), required=False)
    if_field = forms.ChoiceField(label=_("If the field"), required=False)
    if_op = forms.ChoiceField(label=_("Operator"), required=False)
    if_value = forms.CharField(label=_("Value"), required=False, max_length=2000)
    field = forms.ChoiceField(label=_("Field"), required=False)
    value = forms.CharField(
        label=_("Value"),
        required=False,
        max_length=20000,
        help_text=_("Text may use merge fields, e.g. {{ record.title }}."),
    )
    tag = forms.CharField(label=_("Tag"), required=False, max_length=60)
    to = forms.CharField(
        label=_("To"),
        required=False,
        max_length=2000,
        help_text=_("Empty: the record's email address."),
    )
    title = forms.CharField(label=_("Deal title"), required=False, max_length=20000)
    subject = forms.CharField(label=_("Subject"), required=False, max_length=20000)
    body = forms.CharField(
        label=_("Text"),
        required=False,
        max_length=20000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Merge fields: {{ record.title }}, {{ owner.name }}, {{ organization.name }}."),
    )
    due_in_days = forms.IntegerField(label=_("Due in (days)"), required=False)
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)
    amount = forms.CharField(label=_("Amount"), required=False, max_length=30)
    pipeline = forms.ChoiceField(label=_("Pipeline"), required=False)
    stage = forms.ChoiceField(label=_("Stage"), required=False)
    owner = forms.ChoiceField(label=_("Owner"), required=False)
    url = forms.CharField(label=_("URL"), required=False, max_length=2000)
    headers = forms.CharField(
        label=_("Headers"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One per line: Name: value."),
    )
    days = forms.IntegerField(label=_("Days"), required=False)
    hours = forms.IntegerField(label=_("Hours"), required=False)
    minutes = forms.IntegerField(label=_("Minutes"), required=False)

    def __init__(self, *args: Any, choices: BuilderChoices, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        nested = self["depth"].value() in (1, "1")
        kinds = [(key, label) for key, label in ACTION_LABELS.items()]
        if nested:
            kinds = [(key, label) for key, label in kinds if key != "branch"]
        users = [(f"user:{pk}", name) for pk, name in choices.users]
        teams = [(f"team:{pk}", name) for pk, name in choices.teams]
        options: dict[str, list[Any]] = {
            "type": [("", _("Choose an action…")), *kinds],
            "assign_to": [
                ("", "—"),
                ("rules", _("By the assignment rules")),
                (_("Users"), users),
                (_("Teams"), teams),
            ],
            "if_field": [("", "—"), *choices.fields],
            "if_op": _operator_choices(),
            "field": [("", "—"), *choices.settable],
            "assignee": [("", _("The record's owner")), *choices.users],
            "pipeline": [("", _("The default pipeline")), *choices.pipelines],
            "stage": [("", _("The pipeline's first stage")), *choices.stages],
            "owner": [
                ("", _("The workflow's owner")),
                ("record", _("The record's owner")),
                *choices.users,
            ],
        }
        for name, values in options.items():
            cast(forms.ChoiceField, self.fields[name]).choices = _keep_current(self, name, values)
        for name in ("days", "hours", "minutes", "due_in_days"):
            self.fields[name].widget.attrs.update({"min": "0", "inputmode": "numeric"})

    def clean(self) -> dict[str, Any]:
        """Only the parameters of the chosen type count: the others may hold what was typed
        before the type changed."""
        data = super().clean() or {}
        used = ACTION_PARAMS.get(str(data.get("type") or ""), ())
        errors = self.errors
        for name in list(errors):
            if name in PARAM_ORDER and name not in used:
                del errors[name]
        return data

    def row(self) -> dict[str, Any]:
        return {name: self[name].value() for name in self.fields}


class BaseRowFormSet(forms.BaseFormSet):
    def rows(self) -> list[dict[str, Any]]:
        """Each row's values as posted (or as initially given), validated or not."""
        return [cast(Any, form).row() for form in self.forms]


ConditionRowFormSet = forms.formset_factory(
    ConditionRowForm, formset=BaseRowFormSet, extra=0, max_num=200, absolute_max=400
)
ActionRowFormSet = forms.formset_factory(
    ActionRowForm, formset=BaseRowFormSet, extra=0, max_num=200, absolute_max=400
)


# --- rows <-> trees <-> JSON ----------------------------------------------------------------


@dataclass
class Node:
    row: dict[str, Any]
    index: int = -1
    children: dict[str, list[Node]] = field(default_factory=dict)


def _is_group(row: Mapping[str, Any]) -> bool:
    return row.get("kind") == "group"


def _is_branch(row: Mapping[str, Any]) -> bool:
    return row.get("type") == "branch"


def _depth(row: Mapping[str, Any]) -> int:
    return 1 if str(row.get("depth")) == "1" else 0


def condition_tree(rows: list[dict[str, Any]]) -> list[Node]:
    top: list[Node] = []
    for index, row in enumerate(rows):
        node = Node(row, index)
        if _depth(row) and top and _is_group(top[-1].row):
            top[-1].children.setdefault("items", []).append(node)
        else:
            top.append(node)
    return top


def action_tree(rows: list[dict[str, Any]]) -> list[Node]:
    top: list[Node] = []
    for index, row in enumerate(rows):
        node = Node(row, index)
        if _depth(row) and top and _is_branch(top[-1].row):
            slot = row.get("slot") if row.get("slot") in SLOTS else "then"
            top[-1].children.setdefault(str(slot), []).append(node)
        else:
            top.append(node)
    return top


def flatten(tree: list[Node], slots: tuple[str, ...]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for node in tree:
        rows.append({**node.row, "depth": 0, "slot": ""})
        for slot in slots:
            for child in node.children.get(slot, []):
                rows.append({**child.row, "depth": 1, "slot": slot})
    return rows


def _blank_condition(row: Mapping[str, Any]) -> bool:
    return not row.get("field") and not str(row.get("value") or "").strip()


def _leaf(field_name: Any, op: Any, text: Any) -> dict[str, Any]:
    leaf: dict[str, Any] = {"field": field_name or "", "op": op or ""}
    if op in UNARY:
        return leaf
    text = str(text or "")
    if op in LIST_OPERATORS:
        leaf["value"] = [parse_value(part) for part in text.split(",") if part.strip()]
    else:
        leaf["value"] = parse_value(text)
    return leaf


def conditions_json(mode: str, tree: list[Node]) -> tuple[dict[str, Any], dict[str, int]]:
    """The conditions JSON of the rows, and for each JSON path the row it came from."""
    mode = mode if mode in ("all", "any") else "all"
    parts: list[Any] = []
    paths: dict[str, int] = {}
    for node in tree:
        where = f"conditions.{mode}.{len(parts)}"
        if _is_group(node.row):
            inner = node.row.get("mode") if node.row.get("mode") in ("all", "any") else "any"
            leaves: list[dict[str, Any]] = []
            for child in node.children.get("items", []):
                if _blank_condition(child.row):
                    continue
                paths[f"{where}.{inner}.{len(leaves)}"] = child.index
                leaves.append(_leaf(child.row["field"], child.row["op"], child.row["value"]))
            if leaves:
                paths[where] = node.index
                parts.append({inner: leaves})
        elif not _blank_condition(node.row):
            paths[where] = node.index
            parts.append(_leaf(node.row["field"], node.row["op"], node.row["value"]))
    return ({mode: parts} if parts else {}), paths


def _condition_row(leaf: Any, depth: int = 0) -> dict[str, Any]:
    return {
        "kind": "condition",
        "depth": depth,
        "mode": "",
        "field": leaf.get("field", ""),
        "op": leaf.get("op", ""),
        "value": show_value(leaf.get("value")),
    }


def _is_leaf(node: Any) -> bool:
    return isinstance(node, Mapping) and not ({"all", "any", "not"} & set(node))


def condition_rows(condition: Any) -> tuple[str, list[dict[str, Any]]] | None:
    """The match mode and rows of a conditions JSON, or None when the rows cannot say it."""
    if not condition or condition in ({"all": []},):
        return "all", []
    if not isinstance(condition, Mapping) or len(condition) != 1:
        return None
    mode = next(iter(condition))
    items = condition[mode]
    if mode not in ("all", "any") or not isinstance(items, list):
        return None
    rows: list[dict[str, Any]] = []
    for item in items:
        if _is_leaf(item):
            rows.append(_condition_row(item))
            continue
        if not isinstance(item, Mapping) or len(item) != 1:
            return None
        inner = next(iter(item))
        leaves = item[inner]
        if inner not in ("all", "any") or not isinstance(leaves, list):
            return None
        if not all(_is_leaf(leaf) for leaf in leaves):
            return None
        rows.append({"kind": "group", "depth": 0, "mode": inner, "field": "", "op": "eq"})
        rows.extend(_condition_row(leaf, 1) for leaf in leaves)
    rebuilt, _paths = conditions_json(mode, condition_tree(rows))
    return (mode, rows) if _loose(rebuilt) == _loose(dict(condition)) else None


def _choice_id(value: Any) -> Any:
    text = str(value or "")
    return int(text) if text.isdigit() else text


def _headers(text: Any) -> dict[str, str]:
    headers: dict[str, str] = {}
    for line in str(text or "").splitlines():
        name, separator, value = line.partition(":")
        if line.strip():
            headers[name.strip()] = value.strip() if separator else ""
    return headers


def _optional(action: dict[str, Any], row: Mapping[str, Any], *names: str) -> None:
    for name in names:
        value = row.get(name)
        if value not in (None, ""):
            action[name] = str(value)


def _numbers(action: dict[str, Any], row: Mapping[str, Any], *names: str) -> None:
    for name in names:
        value = row.get(name)
        if value in (None, ""):
            continue
        action[name] = int(value) if INTEGER.match(str(value).strip()) else str(value)


def action_json(row: Mapping[str, Any]) -> dict[str, Any]:
    """One action row as the JSON object its type takes (branch lists filled by the caller)."""
    kind = str(row.get("type") or "")
    action: dict[str, Any] = {"type": kind}
    if kind == "assign":
        target = str(row.get("assign_to") or "")
        if target == "rules":
            action["rules"] = True
        elif target.startswith(("user:", "team:")):
            key, _sep, pk = target.partition(":")
            action[key] = _choice_id(pk)
    elif kind == "set_field":
        action["field"] = row.get("field") or ""
        action["value"] = parse_value(str(row.get("value") or ""))
    elif kind == "clear_field":
        action["field"] = row.get("field") or ""
    elif kind in ("add_tag", "remove_tag"):
        action["tag"] = str(row.get("tag") or "").strip()
    elif kind == "create_task":
        action["subject"] = str(row.get("subject") or "")
        _optional(action, row, "body")
        _numbers(action, row, "due_in_days")
        if row.get("assignee"):
            action["assignee"] = _choice_id(row["assignee"])
    elif kind == "create_note":
        action["body"] = str(row.get("body") or "")
        _optional(action, row, "subject")
    elif kind == "send_email":
        action["subject"] = str(row.get("subject") or "")
        action["body"] = str(row.get("body") or "")
        _optional(action, row, "to")
    elif kind == "create_deal":
        action["title"] = str(row.get("title") or "")
        _optional(action, row, "amount")
        for name in ("pipeline", "stage", "owner"):
            if row.get(name):
                action[name] = _choice_id(row[name])
    elif kind == "call_webhook":
        action["url"] = str(row.get("url") or "").strip()
        if _headers(row.get("headers")):
            action["headers"] = _headers(row.get("headers"))
    elif kind == "wait":
        _numbers(action, row, "days", "hours", "minutes")
    elif kind == "branch":
        action["if"] = _leaf(row.get("if_field"), row.get("if_op"), row.get("if_value"))
    return action


def actions_json(tree: list[Node]) -> tuple[list[dict[str, Any]], dict[str, int]]:
    """The actions JSON of the rows (rows without a type left out) and the row of each path."""
    result: list[dict[str, Any]] = []
    paths: dict[str, int] = {}
    for node in tree:
        if not node.row.get("type"):
            continue
        where = f"actions.{len(result)}"
        paths[where] = node.index
        action = action_json(node.row)
        if action["type"] == "branch":
            for slot in SLOTS:
                children = [child for child in node.children.get(slot, []) if child.row["type"]]
                for position, child in enumerate(children):
                    paths[f"{where}.{slot}.{position}"] = child.index
                if children or slot == "then":
                    action[slot] = [action_json(child.row) for child in children]
        result.append(action)
    return result, paths


def _action_row(action: Mapping[str, Any], depth: int = 0, slot: str = "") -> dict[str, Any]:
    row: dict[str, Any] = {"type": action.get("type", ""), "depth": depth, "slot": slot}
    kind = row["type"]
    if kind == "assign":
        if action.get("rules") is True:
            row["assign_to"] = "rules"
        for key in ("user", "team"):
            if action.get(key) not in (None, False):
                row["assign_to"] = f"{key}:{action[key]}"
    elif kind == "branch":
        condition = action.get("if") or {}
        row["if_field"] = condition.get("field", "") if isinstance(condition, Mapping) else ""
        row["if_op"] = condition.get("op", "") if isinstance(condition, Mapping) else ""
        value = condition.get("value") if isinstance(condition, Mapping) else None
        row["if_value"] = show_value(value)
    elif kind == "call_webhook":
        row["url"] = action.get("url", "")
        headers = action.get("headers") or {}
        if isinstance(headers, Mapping):
            row["headers"] = "\n".join(f"{key}: {value}" for key, value in headers.items())
    else:
        for key in ACTION_PARAMS.get(str(kind), ()):
            if key in action:
                row[key] = show_value(action[key])
    return row


def action_rows(actions: Any) -> list[dict[str, Any]] | None:
    """The rows of an actions JSON, or None when the rows cannot say it (say, branches inside
    branches or an "if" with several conditions)."""
    if not actions:
        return []
    if not isinstance(actions, list):
        return None
    rows: list[dict[str, Any]] = []
    for action in actions:
        if not isinstance(action, Mapping) or action.get("type") not in ACTION_PARAMS:
            return None
        rows.append(_action_row(action))
        if action["type"] != "branch":
            continue
        if not _is_leaf(action.get("if")):
            return None
        for slot in SLOTS:
            for child in action.get(slot) or []:
                if not isinstance(child, Mapping) or child.get("type") not in ACTION_PARAMS:
                    return None
                if child["type"] == "branch":
                    return None
                rows.append(_action_row(child, 1, slot))
    rebuilt, _paths = actions_json(action_tree(rows))
    return rows if _loose(rebuilt) == _loose(list(actions)) else None


# --- builder steps --------------------------------------------------------------------------


def _blank_action(depth: int = 0, slot: str = "") -> dict[str, Any]:
    return {"type": "", "depth": depth, "slot": slot}


def _blank_condition_row(depth: int = 0) -> dict[str, Any]:
    return {"kind": "condition", "depth": depth, "mode": "", "field": "", "op": "eq", "value": ""}


def _locate(tree: list[Node], index: int) -> tuple[list[Node], int] | None:
    """The list holding the row `index`, and its position there."""
    for position, node in enumerate(tree):
        if node.index == index:
            return tree, position
        for children in node.children.values():
            for inner, child in enumerate(children):
                if child.index == index:
                    return children, inner
    return None


def apply_step(
    step: str, conditions: list[dict[str, Any]], actions: list[dict[str, Any]]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The rows after a builder button: "conditions.add", "conditions.add_group",
    "conditions.add_to.<row>", "actions.add", "actions.add_then.<row>", "actions.add_else.<row>",
    "<rows>.remove.<row>", "<rows>.up.<row>", "<rows>.down.<row>"; anything else re-renders."""
    target, _sep, rest = step.partition(".")
    verb, _sep, number = rest.partition(".")
    index = int(number) if number.isdigit() else -1
    if target == "conditions":
        tree = condition_tree(conditions)
        if verb == "add":
            tree.append(Node(_blank_condition_row()))
        elif verb == "add_group":
            group = {"kind": "group", "depth": 0, "mode": "any", "field": "", "op": "eq"}
            tree.append(Node(group, children={"items": [Node(_blank_condition_row(1))]}))
        elif verb == "add_to":
            found = _locate(tree, index)
            if found is not None:
                holder = found[0][found[1]]
                holder.children.setdefault("items", []).append(Node(_blank_condition_row(1)))
        else:
            _move(tree, verb, index)
        return flatten(tree, ("items",)), actions
    if target == "actions":
        tree = action_tree(actions)
        if verb == "add":
            tree.append(Node(_blank_action()))
        elif verb in ("add_then", "add_else"):
            found = _locate(tree, index)
            slot = verb.removeprefix("add_")
            if found is not None:
                holder = found[0][found[1]]
                holder.row["type"] = "branch"
                holder.children.setdefault(slot, []).append(Node(_blank_action(1, slot)))
        else:
            _move(tree, verb, index)
        return conditions, flatten(tree, SLOTS)
    return conditions, actions


def _move(tree: list[Node], verb: str, index: int) -> None:
    found = _locate(tree, index)
    if found is None:
        return
    siblings, position = found
    if verb == "remove":
        del siblings[position]
    elif verb == "up" and position > 0:
        siblings[position - 1], siblings[position] = siblings[position], siblings[position - 1]
    elif verb == "down" and position < len(siblings) - 1:
        siblings[position + 1], siblings[position] = siblings[position], siblings[position + 1]


# --- the form -------------------------------------------------------------------------------


class WorkflowForm(BootstrapForm):
    name = forms.CharField(label=_("Name"), max_length=200)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    enabled = forms.BooleanField(label=_("Enabled"), required=False, initial=True)
    trigger_type = forms.ChoiceField(label=_("Trigger"), choices=TriggerType.choices)
    event = forms.CharField(
        label=_("Event"),
        required=False,
        help_text=_(
            "For an event trigger, e.g. sales.deal.stage_changed or contacts.person.updated."
        ),
    )
    field = forms.CharField(
        label=_("Field"),
        required=False,
        help_text=_("Event trigger: only when this field changes. Date trigger: the date field."),
    )
    from_value = forms.CharField(label=_("Changed from"), required=False)
    to_value = forms.CharField(label=_("Changed to"), required=False)
    entity = forms.ChoiceField(
        label=_("Record type"),
        required=False,
        choices=[("", "—"), *[(name, name) for name in DATE_ENTITIES]],
    )
    offset_days = forms.IntegerField(
        label=_("Days after the date (negative: before)"), required=False, initial=0
    )
    cron = forms.CharField(
        label=_("Schedule (cron)"), required=False, help_text=_("e.g. 0 9 * * 1: Mondays at 9:00.")
    )
    match = forms.ChoiceField(label=_("Run when"), choices=MODES, initial="all", required=False)
    # Conditions or actions the rows cannot show (written through the API) are kept as they
    # are, unless the admin chooses to start them over with the rows.
    conditions_json = forms.CharField(required=False, widget=forms.HiddenInput)
    actions_json = forms.CharField(required=False, widget=forms.HiddenInput)
    rate_limit_per_hour = forms.IntegerField(
        label=_("Runs per hour at most (0: no limit)"), min_value=0, initial=100
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    @classmethod
    def initial_for(cls, workflow: Workflow) -> dict[str, Any]:
        trigger = workflow.trigger
        shown = condition_rows(workflow.conditions)
        return {
            "name": workflow.name,
            "description": workflow.description,
            "enabled": workflow.enabled,
            "trigger_type": trigger.get("type"),
            "event": trigger.get("event", ""),
            "field": trigger.get("field", ""),
            "from_value": show_value(trigger.get("from")),
            "to_value": show_value(trigger.get("to")),
            "entity": trigger.get("entity", ""),
            "offset_days": trigger.get("offset_days", 0),
            "cron": trigger.get("cron", ""),
            "match": shown[0] if shown else "all",
            "conditions_json": "" if shown else as_json(workflow.conditions),
            "actions_json": ""
            if action_rows(workflow.actions) is not None
            else as_json(workflow.actions),
            "rate_limit_per_hour": workflow.rate_limit_per_hour,
            "version": workflow.version,
        }

    def mark_stale(self, version: int) -> None:
        data = cast(Any, self.data).copy()
        data["version"] = str(version)
        self.data = data

    def _kept(self, name: str) -> Any:
        text = (self.cleaned_data.get(name) or "").strip()
        if not text:
            return None
        try:
            return json.loads(text)
        except ValueError as error:
            raise ValidationError(
                _("Not valid JSON: %(error)s") % {"error": error}, code="invalid_json"
            ) from error

    def clean_conditions_json(self) -> Any:
        return self._kept("conditions_json")

    def clean_actions_json(self) -> Any:
        return self._kept("actions_json")

    def trigger(self) -> dict[str, Any]:
        data = self.cleaned_data
        kind = data["trigger_type"]
        if kind == TriggerType.EVENT:
            trigger: dict[str, Any] = {"type": kind, "event": data.get("event", "").strip()}
            if data.get("field"):
                trigger["field"] = data["field"].strip()
                for key, name in (("from", "from_value"), ("to", "to_value")):
                    if data.get(name) not in (None, ""):
                        trigger[key] = data[name]
            return trigger
        if kind == TriggerType.DATE:
            return {
                "type": kind,
                "entity": data.get("entity") or "",
                "field": (data.get("field") or "").strip(),
                "offset_days": data.get("offset_days") or 0,
            }
        return {"type": kind, "cron": (data.get("cron") or "").strip()}

    def raw_values(self) -> dict[str, Any]:
        """What was typed in the form's own fields, to show again unchecked."""
        return {name: self[name].value() for name in self.fields}


@dataclass
class Builder:
    """The workflow form with its condition and action rows."""

    form: WorkflowForm
    conditions: BaseRowFormSet
    actions: BaseRowFormSet
    choices: BuilderChoices
    condition_paths: dict[str, int] = field(default_factory=dict)
    action_paths: dict[str, int] = field(default_factory=dict)

    @classmethod
    def build(
        cls,
        data: Mapping[str, Any] | None,
        workflow: Workflow | None,
        *,
        initial: dict[str, Any] | None = None,
        rows: tuple[list[dict[str, Any]], list[dict[str, Any]]] | None = None,
    ) -> Builder:
        """The form bound to `data`, or unbound showing `workflow` (or `initial` and `rows`)."""
        if initial is None:
            initial = WorkflowForm.initial_for(workflow) if workflow else {}
        form = WorkflowForm(data, initial=initial)
        values = form.raw_values() if data is not None else {**form.initial, **initial}
        entity = trigger_entity(
            values.get("trigger_type"), values.get("event"), values.get("entity")
        )
        choices = BuilderChoices.load(entity)
        if rows is None:
            shown = condition_rows(workflow.conditions) if workflow else None
            condition_initial = shown[1] if shown else []
            action_initial = (action_rows(workflow.actions) if workflow else None) or []
            if workflow is None:
                action_initial = [_blank_action()]
        else:
            condition_initial, action_initial = rows
        # Every row is checked, even one left as it was shown (Django skips unchanged extras).
        extra = {"choices": choices, "empty_permitted": False}
        conditions = ConditionRowFormSet(
            data, initial=condition_initial, prefix="conditions", form_kwargs=extra
        )
        actions = ActionRowFormSet(
            data, initial=action_initial, prefix="actions", form_kwargs=extra
        )
        return cls(form, cast(BaseRowFormSet, conditions), cast(BaseRowFormSet, actions), choices)

    def step(self, step: str, workflow: Workflow | None) -> Builder:
        """The form shown again after a builder button, unchecked, with the rows changed."""
        values = self.form.raw_values()
        if step == "conditions.rebuild":
            values["conditions_json"] = ""
        if step == "actions.rebuild":
            values["actions_json"] = ""
        rows = apply_step(step, self.conditions.rows(), self.actions.rows())
        return Builder.build(None, workflow, initial=values, rows=rows)

    def is_valid(self) -> bool:
        valid = [self.form.is_valid(), self.conditions.is_valid(), self.actions.is_valid()]
        return all(valid) and self._nested_rows_have_a_branch()

    def _nested_rows_have_a_branch(self) -> bool:
        """Rows of a "then" or "else" list whose branch became another action are refused
        rather than run unconditionally or dropped."""
        ok = True
        above = ""
        for form in self.actions.forms:
            row = form.cleaned_data
            if not _depth(row):
                above = str(row.get("type") or "")
            elif above != "branch" and row.get("type"):
                message = _("This action belongs to an “If … then … else” action above it.")
                form.add_error("type", message)
                ok = False
        return ok

    def service_data(self) -> dict[str, Any]:
        data = self.form.cleaned_data
        kept_conditions = data.get("conditions_json")
        if kept_conditions is not None:
            conditions: Any = kept_conditions
        else:
            rows = [form.cleaned_data for form in self.conditions.forms]
            conditions, self.condition_paths = conditions_json(
                data.get("match") or "all", condition_tree(rows)
            )
        kept_actions = data.get("actions_json")
        if kept_actions is not None:
            actions: Any = kept_actions
        else:
            rows = [form.cleaned_data for form in self.actions.forms]
            actions, self.action_paths = actions_json(action_tree(rows))
        return {
            "name": data["name"],
            "description": data.get("description", ""),
            "enabled": data.get("enabled", False),
            "trigger": self.form.trigger(),
            "conditions": conditions,
            "actions": actions,
            "rate_limit_per_hour": data["rate_limit_per_hour"],
        }

    def show_errors(self, form: forms.Form, error: ValidationError) -> None:
        """Puts the service's path-keyed errors on the row field they concern (trigger errors
        on the trigger's fields); what has no place goes above the rows or the form."""
        if not hasattr(error, "error_dict"):
            form.add_error(None, error)
            return
        for key, errors in error.error_dict.items():
            messages = [message for item in errors for message in item.messages]
            if key in form.fields and key not in ("conditions_json", "actions_json"):
                form.add_error(key, messages)
            elif key in TRIGGER_FIELDS:
                form.add_error(TRIGGER_FIELDS[key], messages)
            elif key.startswith("conditions"):
                self._place(key, messages, self.conditions, self.condition_paths, {})
            elif key.startswith("actions"):
                self._place(key, messages, self.actions, self.action_paths, ACTION_ERROR_FIELDS)
            else:
                form.add_error(None, [f"{key}: {message}" for message in messages])

    def _place(
        self,
        key: str,
        messages: list[str],
        rows: BaseRowFormSet,
        paths: dict[str, int],
        names: Mapping[str, str],
    ) -> None:
        found = max(
            (path for path in paths if key == path or key.startswith(f"{path}.")),
            key=len,
            default=None,
        )
        if found is None:
            rows.non_form_errors().extend(f"{key}: {message}" for message in messages)
            return
        row = rows.forms[paths[found]]
        rest = key[len(found) + 1 :]
        name = names.get(rest, rest)
        if not rest and cast(Any, row).row().get("type") == "assign":
            name = "assign_to"
        if name in row.fields:
            row.add_error(name, messages)
        else:
            row.add_error(None, [f"{rest}: {message}" if rest else message for message in messages])

    # --- what the template shows ------------------------------------------------------------

    def condition_items(self) -> list[dict[str, Any]]:
        """The condition rows in order, each group followed by its "add to group" button."""
        items: list[dict[str, Any]] = []
        tree = condition_tree(self.conditions.rows())
        forms_ = self.conditions.forms
        for node in tree:
            items.append(self._condition_item(forms_[node.index], node.index, 0))
            if _is_group(node.row):
                for child in node.children.get("items", []):
                    items.append(self._condition_item(forms_[child.index], child.index, 1))
                items.append({"kind": "add_to_group", "index": node.index})
        return items

    @staticmethod
    def _condition_item(form: forms.Form, index: int, depth: int) -> dict[str, Any]:
        return {
            "kind": "group" if _is_group(cast(Any, form).row()) else "condition",
            "form": form,
            "index": index,
            "depth": depth,
            "unary": form["op"].value() in UNARY,
        }

    def action_items(self) -> list[dict[str, Any]]:
        """The action rows in order; every top row carries its "then" and "else" lists (shown
        for a branch), each with its add button."""
        items: list[dict[str, Any]] = []
        tree = action_tree(self.actions.rows())
        forms_ = self.actions.forms
        for node in tree:
            items.append(self._action_item(forms_[node.index], node.index, 0))
            is_branch = _is_branch(node.row)
            for slot in SLOTS:
                items.append(
                    {
                        "kind": "slot",
                        "slot": slot,
                        "branch": is_branch,
                        "index": node.index,
                        "start": True,
                    }
                )
                for child in node.children.get(slot, []):
                    items.append(self._action_item(forms_[child.index], child.index, 1))
                items.append(
                    {"kind": "slot", "slot": slot, "branch": is_branch, "index": node.index}
                )
        return items

    @staticmethod
    def _action_item(form: forms.Form, index: int, depth: int) -> dict[str, Any]:
        kind = str(form["type"].value() or "")
        shown = ACTION_PARAMS.get(kind, ())
        params = [
            {
                "field": form[name],
                "types": " ".join(key for key, names in ACTION_PARAMS.items() if name in names),
                "shown": name in shown,
                "unary_value": name == "if_value" and form["if_op"].value() in UNARY,
            }
            for name in PARAM_ORDER
        ]
        return {"kind": "action", "form": form, "index": index, "depth": depth, "params": params}

    def kept_json(self) -> dict[str, Any]:
        """The conditions or actions kept as JSON (the rows cannot show them), to display."""
        values = self.form.raw_values() if self.form.is_bound else self.form.initial
        return {
            "conditions": values.get("conditions_json") or "",
            "actions": values.get("actions_json") or "",
        }


class WorkflowTestForm(BootstrapForm):
    """A record to run the workflow against in test mode (nothing is changed or sent)."""

    record_type = forms.ChoiceField(label=_("Record type"))
    record_id = forms.IntegerField(label=_("Record number"), min_value=1)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.ChoiceField, self.fields["record_type"]).choices = [
            (name, capfirst(str(entity.model._meta.verbose_name)))
            for name, entity in records.ENTITIES.items()
        ]

    @classmethod
    def for_workflow(cls, workflow: Workflow) -> WorkflowTestForm:
        trigger = workflow.trigger or {}
        entity = trigger_entity(trigger.get("type"), trigger.get("event"), trigger.get("entity"))
        return cls(initial={"record_type": entity or "deal"})


# --- the rule in words (detail page) --------------------------------------------------------


def _condition_words(leaf: Mapping[str, Any]) -> dict[str, Any]:
    op = leaf.get("op")
    return {
        "field": leaf.get("field"),
        "op": OPERATOR_LABELS.get(str(op), op),
        "value": None if op in UNARY else show_value(leaf.get("value")),
    }


def describe_conditions(condition: Any) -> dict[str, Any] | None:
    """The conditions as the rows show them: the match mode and, per row, field, operator
    label and value (groups with their own mode and rows); None when the rows cannot say it."""
    shown = condition_rows(condition)
    if shown is None:
        return None
    mode, rows = shown
    items: list[dict[str, Any]] = []
    for node in condition_tree(rows):
        if _is_group(node.row):
            children = [_condition_words(child.row) for child in node.children.get("items", [])]
            label = dict(GROUP_MODES).get(str(node.row.get("mode")), "")
            items.append({"group": label, "items": children})
        else:
            items.append(_condition_words(node.row))
    return {"mode": dict(MODES)[mode], "items": items}


def _action_words(action: Mapping[str, Any]) -> dict[str, Any]:
    kind = str(action.get("type"))
    details = {key: value for key, value in action.items() if key not in ("type", "then", "else")}
    words: dict[str, Any] = {"label": ACTION_LABELS.get(kind, kind), "details": details}
    if kind == "branch" and isinstance(action.get("if"), Mapping):
        words["details"] = {}
        words["if"] = _condition_words(action["if"])
        words["then"] = [_action_words(child) for child in action.get("then") or []]
        words["else"] = [_action_words(child) for child in action.get("else") or []]
    return words


def describe_actions(actions: Any) -> list[dict[str, Any]] | None:
    """The actions with their labels and settings (branches with their lists)."""
    if action_rows(actions) is None:
        return None
    return [_action_words(action) for action in actions]
