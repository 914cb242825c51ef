"""Forms for the sales settings: pipelines with their stages and playbooks, assignment rules
and default owners."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from elo.core.forms import BLANK, BootstrapForm, styled
from elo.core.selectors import custom_field_list
from elo.sales.choices import (
    AssignmentEntity,
    AssignmentStrategy,
    CapacityPeriod,
    ConditionOperator,
    StageKind,
)
from elo.sales.forms.common import (
    StaleMixin,
    owner_choices,
    set_choices,
)
from elo.sales.models import AssignmentRule, Pipeline
from elo.sales.services.assignment import CONDITION_FIELDS

# --- settings: pipelines ------------------------------------------------------------------


class PipelineForm(StaleMixin, BootstrapForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    is_default = forms.BooleanField(label=_("Default pipeline"), required=False)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, pipeline: Pipeline | None = None, **kwargs: Any) -> None:
        if pipeline is not None:
            kwargs["initial"] = {
                "name": pipeline.name,
                "is_default": pipeline.is_default,
                "version": pipeline.version,
            }
        super().__init__(*args, **kwargs)


PLAYBOOK_LINE = re.compile(r"^\s*(?:(\d+)\s*[.:)-]?\s+)?(\S.*?)\s*$")


class StageForm(BootstrapForm):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Stage"), max_length=100)
    kind = forms.ChoiceField(label=_("Kind"), choices=StageKind.choices)
    probability = forms.IntegerField(label=_("Win probability (%)"), min_value=0, max_value=100)
    rotting_days = forms.IntegerField(label=_("Rotting after (days)"), required=False, min_value=1)
    playbook = forms.CharField(
        label=_("Playbook"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_(
            "Tasks the deal's owner gets when a deal enters this stage, one a line: the days "
            "until it is due, then what to do, e.g. “2 Send the proposal”."
        ),
    )

    def clean_playbook(self) -> list[dict[str, Any]]:
        """The lines as playbook steps; a line without a leading number is due in a day."""
        steps: list[dict[str, Any]] = []
        for line in str(self.cleaned_data.get("playbook") or "").splitlines():
            match = PLAYBOOK_LINE.match(line)
            if match is None:
                continue
            days, subject = match.groups()
            step: dict[str, Any] = {"subject": subject}
            if days is not None:
                step["due_in_days"] = int(days)
            steps.append(step)
        return steps


def playbook_text(stage: Any) -> str:
    """A stage's playbook as the lines the stage form edits."""
    return "\n".join(f"{step.due_in_days} {step.subject}" for step in stage.playbook.all())


class BaseStageFormSet(forms.BaseFormSet):
    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        for name in ("ORDER", "DELETE"):
            styled(form.fields[name])

    def stages(self) -> list[dict[str, Any]]:
        """The stages in their new order, removed ones left out, as the services take them."""
        return [
            {
                key: form.cleaned_data[key]
                for key in ("id", "name", "kind", "probability", "rotting_days", "playbook")
            }
            for form in self.ordered_forms
        ]


StageFormSet = forms.formset_factory(
    StageForm, formset=BaseStageFormSet, extra=1, can_order=True, can_delete=True
)


def stage_initial(pipeline: Pipeline | None) -> list[dict[str, Any]]:
    if pipeline is None:
        return [
            {"name": _("New"), "kind": StageKind.OPEN, "probability": 10},
            {"name": _("Won"), "kind": StageKind.WON, "probability": 100},
            {"name": _("Lost"), "kind": StageKind.LOST, "probability": 0},
        ]
    return [
        {
            "id": stage.pk,
            "name": stage.name,
            "kind": stage.kind,
            "probability": stage.probability,
            "rotting_days": stage.rotting_days,
            "playbook": playbook_text(stage),
            "ORDER": index + 1,
        }
        for index, stage in enumerate(pipeline.stages.prefetch_related("playbook"))
    ]


# --- settings: assignment rules -----------------------------------------------------------

CONDITION_LABELS = {
    "amount": _("Amount"),
    "city": _("City"),
    "company": _("Company"),
    "country": _("Country"),
    "currency": _("Currency"),
    "industry": _("Industry"),
    "pipeline": _("Pipeline"),
    "postal_code": _("Postal code"),
    "region": _("State or region"),
    "size": _("Size"),
    "source": _("Source"),
    "tags": _("Tags"),
    "utm_campaign": "utm_campaign",
    "utm_medium": "utm_medium",
    "utm_source": "utm_source",
}


class RuleForm(StaleMixin, BootstrapForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    entity = forms.ChoiceField(label=_("Applies to"), choices=AssignmentEntity.choices)
    priority = forms.IntegerField(
        label=_("Priority"),
        min_value=0,
        initial=100,
        help_text=_("Rules are tried from the lowest number up; the first that matches wins."),
    )
    is_active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    strategy = forms.ChoiceField(label=_("Strategy"), choices=AssignmentStrategy.choices)
    members = forms.TypedMultipleChoiceField(
        label=_("Members"), coerce=int, widget=forms.CheckboxSelectMultiple
    )
    capacity = forms.IntegerField(
        label=_("Capacity"),
        required=False,
        min_value=1,
        help_text=_("For the capacity strategy: new records per member and period."),
    )
    capacity_period = forms.ChoiceField(label=_("Period"), choices=CapacityPeriod.choices)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, user: Any, rule: AssignmentRule | None = None, **kwargs: Any
    ) -> None:
        if rule is not None:
            kwargs["initial"] = {
                "name": rule.name,
                "entity": rule.entity,
                "priority": rule.priority,
                "is_active": rule.is_active,
                "strategy": rule.strategy,
                "members": [member.pk for member in rule.members.all()],
                "capacity": rule.capacity,
                "capacity_period": rule.capacity_period,
                "version": rule.version,
            }
        super().__init__(*args, **kwargs)
        set_choices(self.fields["members"], owner_choices(user))

    def service_data(self) -> dict[str, Any]:
        fields = [name for name in self.fields if name != "version"]
        return {name: self.cleaned_data[name] for name in fields}


class ConditionForm(BootstrapForm):
    field = forms.ChoiceField(label=_("Field"), required=False)
    op = forms.ChoiceField(label=_("Operator"), choices=ConditionOperator.choices)
    value = forms.CharField(label=_("Value"), required=False, max_length=200)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = sorted(set().union(*CONDITION_FIELDS.values()))
        custom = [(f"cf_{field.key}", field.label) for field in _custom_definitions()]
        set_choices(
            self.fields["field"],
            [BLANK, *((name, CONDITION_LABELS.get(name, name)) for name in names), *custom],
        )


def _custom_definitions() -> list[Any]:
    return [field for field in custom_field_list() if field.entity in AssignmentEntity.values]


class BaseConditionFormSet(forms.BaseFormSet):
    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        styled(form.fields["DELETE"])

    def conditions(self) -> list[dict[str, Any]]:
        return [
            {
                "field": form.cleaned_data["field"],
                "op": form.cleaned_data["op"],
                "value": form.cleaned_data["value"],
            }
            for form in self.forms
            if form.cleaned_data.get("field") and not form.cleaned_data.get("DELETE")
        ]


ConditionFormSet = forms.formset_factory(
    ConditionForm, formset=BaseConditionFormSet, extra=2, can_delete=True
)


def condition_initial(rule: AssignmentRule | None) -> list[dict[str, Any]]:
    if rule is None:
        return []
    return [
        {
            "field": item.get("field"),
            "op": item.get("op"),
            "value": ", ".join(str(v) for v in item["value"])
            if isinstance(item.get("value"), list)
            else item.get("value"),
        }
        for item in rule.conditions
    ]


class DefaultOwnersForm(BootstrapForm):
    lead = forms.TypedChoiceField(
        label=_("New leads no rule takes go to"), required=False, coerce=int, empty_value=None
    )
    deal = forms.TypedChoiceField(
        label=_("New deals no rule takes go to"), required=False, coerce=int, empty_value=None
    )

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, auto_id="default_%s", **kwargs)
        choices = [("", _("Whoever creates them")), *owner_choices(user)]
        set_choices(self.fields["lead"], choices)
        set_choices(self.fields["deal"], choices)
