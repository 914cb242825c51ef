"""The rule in words, for the detail page."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from elo.automation.forms.common import (
    ACTION_LABELS,
    GROUP_MODES,
    MODES,
    OPERATOR_LABELS,
    show_value,
)
from elo.automation.forms.rows import (
    _is_group,
    action_rows,
    condition_rows,
    condition_tree,
)
from elo.core.conditions import UNARY

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
