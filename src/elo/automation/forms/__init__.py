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

from elo.automation.forms.common import (
    ACTION_ERROR_FIELDS,
    ACTION_LABELS,
    ACTION_PARAMS,
    DECIMAL,
    GROUP_MODES,
    INTEGER,
    LIST_OPERATORS,
    MODES,
    OPERATOR_LABELS,
    PARAM_ORDER,
    SLOTS,
    TRIGGER_FIELDS,
    BuilderChoices,
    as_json,
    parse_value,
    show_value,
    trigger_entity,
)
from elo.automation.forms.rows import (
    ActionRowForm,
    ActionRowFormSet,
    BaseRowFormSet,
    ConditionRowForm,
    ConditionRowFormSet,
    Node,
    action_json,
    action_rows,
    action_tree,
    actions_json,
    apply_step,
    condition_rows,
    condition_tree,
    conditions_json,
    flatten,
)
from elo.automation.forms.words import (
    describe_actions,
    describe_conditions,
)
from elo.automation.forms.workflow import (
    Builder,
    WorkflowForm,
    WorkflowTestForm,
)

__all__ = [
    "ACTION_ERROR_FIELDS",
    "ACTION_LABELS",
    "ACTION_PARAMS",
    "DECIMAL",
    "GROUP_MODES",
    "INTEGER",
    "LIST_OPERATORS",
    "MODES",
    "OPERATOR_LABELS",
    "PARAM_ORDER",
    "SLOTS",
    "TRIGGER_FIELDS",
    "ActionRowForm",
    "ActionRowFormSet",
    "BaseRowFormSet",
    "Builder",
    "BuilderChoices",
    "ConditionRowForm",
    "ConditionRowFormSet",
    "Node",
    "WorkflowForm",
    "WorkflowTestForm",
    "action_json",
    "action_rows",
    "action_tree",
    "actions_json",
    "apply_step",
    "as_json",
    "condition_rows",
    "condition_tree",
    "conditions_json",
    "describe_actions",
    "describe_conditions",
    "flatten",
    "parse_value",
    "show_value",
    "trigger_entity",
]
