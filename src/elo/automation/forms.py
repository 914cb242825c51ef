"""The workflow form: structured fields for the trigger, JSON for conditions and actions."""

from __future__ import annotations

import json
from typing import Any, cast

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from elo.automation.choices import TriggerType
from elo.automation.models import Workflow
from elo.automation.services import DATE_ENTITIES
from elo.core.forms import BootstrapForm

# Where a service error keyed by path lands on this form.
TRIGGER_FIELDS = {
    "trigger.type": "trigger_type",
    "trigger.event": "event",
    "trigger.from": "from_value",
    "trigger.to": "to_value",
    "trigger.entity": "entity",
    "trigger.offset_days": "offset_days",
    "trigger.cron": "cron",
}


def _json(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


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
    conditions = forms.CharField(
        label=_("Conditions (JSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 6, "class": "font-monospace"}),
        help_text=_('e.g. {"all": [{"field": "amount", "op": "gte", "value": 1000}]}'),
    )
    actions = forms.CharField(
        label=_("Actions (JSON)"),
        widget=forms.Textarea(attrs={"rows": 10, "class": "font-monospace"}),
        help_text=_('e.g. [{"type": "add_tag", "tag": "vip"}]'),
    )
    rate_limit_per_hour = forms.IntegerField(
        label=_("Runs per hour at most (0: no limit)"), min_value=0, initial=100
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    @classmethod
    def initial_for(cls, workflow: Workflow) -> dict[str, Any]:
        trigger = workflow.trigger
        return {
            "name": workflow.name,
            "description": workflow.description,
            "enabled": workflow.enabled,
            "trigger_type": trigger.get("type"),
            "event": trigger.get("event", ""),
            "field": trigger.get("field", ""),
            "from_value": trigger.get("from", ""),
            "to_value": trigger.get("to", ""),
            "entity": trigger.get("entity", ""),
            "offset_days": trigger.get("offset_days", 0),
            "cron": trigger.get("cron", ""),
            "conditions": _json(workflow.conditions) if workflow.conditions else "",
            "actions": _json(workflow.actions),
            "rate_limit_per_hour": workflow.rate_limit_per_hour,
            "version": workflow.version,
        }

    def mark_stale(self, version: int) -> None:
        data = cast(Any, self.data).copy()
        data["version"] = str(version)
        self.data = data

    def _parsed(self, name: str, empty: Any) -> Any:
        text = (self.cleaned_data.get(name) or "").strip()
        if not text:
            return empty
        try:
            return json.loads(text)
        except ValueError as error:
            raise ValidationError(
                _("Not valid JSON: %(error)s") % {"error": error}, code="invalid_json"
            ) from error

    def clean_conditions(self) -> Any:
        return self._parsed("conditions", {})

    def clean_actions(self) -> Any:
        return self._parsed("actions", [])

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

    def service_data(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "name": data["name"],
            "description": data.get("description", ""),
            "enabled": data.get("enabled", False),
            "trigger": self.trigger(),
            "conditions": data.get("conditions") or {},
            "actions": data.get("actions") or [],
            "rate_limit_per_hour": data["rate_limit_per_hour"],
        }


def show_errors(form: forms.Form, error: ValidationError) -> None:
    """Puts the service's path-keyed errors on the matching form field, with their path."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for key, errors in error.error_dict.items():
        messages = [message for item in errors for message in item.messages]
        if key in form.fields:
            name: str | None = key
        elif key == "trigger.field":
            name = "field"
        elif key in TRIGGER_FIELDS:
            name = TRIGGER_FIELDS[key]
        elif key.startswith(("conditions", "actions")):
            name = key.split(".")[0]
            messages = [f"{key}: {message}" for message in messages]
        else:
            name = None
            messages = [f"{key}: {message}" for message in messages]
        form.add_error(name, messages)
