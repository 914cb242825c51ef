"""The builder's rows: condition and action row forms, and rows <-> trees <-> JSON."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from elo.automation.forms.common import (
    ACTION_LABELS,
    ACTION_PARAMS,
    GROUP_MODES,
    INTEGER,
    LIST_OPERATORS,
    PARAM_ORDER,
    SLOTS,
    BuilderChoices,
    _keep_current,
    _loose,
    _operator_choices,
    parse_value,
    show_value,
)
from elo.core.conditions import UNARY
from elo.core.forms import BootstrapForm

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
