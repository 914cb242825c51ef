"""The workflow form and the builder that drives its rows; the test-run form."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from elo.automation import records
from elo.automation.choices import TriggerType
from elo.automation.forms.common import (
    ACTION_ERROR_FIELDS,
    ACTION_PARAMS,
    MODES,
    PARAM_ORDER,
    SLOTS,
    TRIGGER_FIELDS,
    BuilderChoices,
    as_json,
    show_value,
    trigger_entity,
)
from elo.automation.forms.rows import (
    ActionRowFormSet,
    BaseRowFormSet,
    ConditionRowFormSet,
    _blank_action,
    _depth,
    _is_branch,
    _is_group,
    action_rows,
    action_tree,
    actions_json,
    apply_step,
    condition_rows,
    condition_tree,
    conditions_json,
)
from elo.automation.models import Workflow
from elo.automation.services import DATE_ENTITIES
from elo.core.conditions import UNARY
from elo.core.forms import BootstrapForm

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
