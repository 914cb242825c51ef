"""Forms for the lead, deal, board and sales settings pages.

They check the shape of what was typed and turn it into the data the sales services take;
the services decide what is valid and report it back field by field.
"""

from __future__ import annotations

import datetime
import re
from collections.abc import Mapping
from typing import Any

from django import forms
from django.conf import settings
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from elo.contacts import selectors as contact_selectors
from elo.contacts.choices import OrganizationSize
from elo.core.forms import BLANK, BootstrapForm, CustomFieldsMixin, styled
from elo.core.selectors import custom_field_list, tag_list
from elo.identity.selectors import team_list, user_list_for
from elo.sales.choices import (
    AssignmentEntity,
    AssignmentStrategy,
    CapacityPeriod,
    ConditionOperator,
    DealStatus,
    LeadSource,
    LeadStatus,
    StageKind,
)
from elo.sales.models import AssignmentRule, Deal, Lead, Pipeline
from elo.sales.services.assignment import CONDITION_FIELDS

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


# --- leads --------------------------------------------------------------------------------


class LeadFilterForm(BootstrapForm):
    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *LeadStatus.choices]
    )
    owner = forms.TypedChoiceField(label=_("Owner"), required=False, coerce=int, empty_value=None)

    def __init__(self, *args: Any, user: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        set_choices(self.fields["owner"], [("", _("Anyone")), *owner_choices(user)])

    def filters(self) -> dict[str, Any]:
        return {
            "q": self.cleaned_data["q"],
            "status": self.cleaned_data["status"],
            "owner": self.cleaned_data["owner"],
        }


class LeadForm(StaleMixin, CustomFieldsMixin, BootstrapForm):
    given_name = forms.CharField(label=_("Given name"), required=False, max_length=100)
    family_name = forms.CharField(label=_("Family name"), required=False, max_length=100)
    email = forms.CharField(label=_("Email"), required=False, max_length=254)
    phone = forms.CharField(label=_("Phone"), required=False, max_length=32)
    company = forms.CharField(label=_("Company"), required=False, max_length=200)
    job_title = forms.CharField(label=_("Job title"), required=False, max_length=100)
    website = forms.CharField(label=_("Website"), required=False, max_length=200)
    industry = forms.CharField(label=_("Industry"), required=False, max_length=100)
    size = forms.ChoiceField(label=_("Size"), required=False, choices=OrganizationSize.choices)
    city = forms.CharField(label=_("City"), required=False, max_length=100)
    region = forms.CharField(label=_("State or region"), required=False, max_length=100)
    postal_code = forms.CharField(label=_("Postal code"), required=False, max_length=20)
    country = forms.CharField(
        label=_("Country"),
        required=False,
        max_length=2,
        help_text=_("Two-letter code: BR, PT, US…"),
    )
    message = forms.CharField(
        label=_("Message"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    source = forms.ChoiceField(label=_("Source"), choices=LeadSource.choices)
    status = forms.ChoiceField(
        label=_("Status"),
        choices=[
            (value, label)
            for value, label in LeadStatus.choices
            if value in (LeadStatus.NEW, LeadStatus.WORKING, LeadStatus.QUALIFIED)
        ],
    )
    score = forms.IntegerField(label=_("Score"), required=False)
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int, required=False)
    tags = forms.CharField(
        label=_("Tags"), required=False, help_text=_("Separate tags with commas.")
    )
    utm_source = forms.CharField(label="utm_source", required=False, max_length=100)
    utm_medium = forms.CharField(label="utm_medium", required=False, max_length=100)
    utm_campaign = forms.CharField(label="utm_campaign", required=False, max_length=100)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    TEXT_FIELDS = [
        "given_name",
        "family_name",
        "email",
        "phone",
        "company",
        "job_title",
        "website",
        "industry",
        "size",
        "city",
        "region",
        "postal_code",
        "country",
        "message",
        "source",
        "utm_source",
        "utm_medium",
        "utm_campaign",
    ]

    def __init__(
        self, data: Mapping[str, Any] | None = None, *, user: Any, lead: Lead | None = None
    ) -> None:
        self.lead = lead
        super().__init__(data, initial=self._initial(lead))
        nobody = _("Let the assignment rules choose") if lead is None else BLANK[1]
        set_choices(self.fields["owner"], [("", nobody), *owner_choices(user)])
        if lead is not None and lead.status not in (
            LeadStatus.NEW,
            LeadStatus.WORKING,
            LeadStatus.QUALIFIED,
        ):
            del self.fields["status"]
        self.add_custom_fields("lead", lead.custom if lead else {})

    @staticmethod
    def _initial(lead: Lead | None) -> dict[str, Any]:
        if lead is None:
            return {"source": LeadSource.OTHER, "status": LeadStatus.NEW}
        initial: dict[str, Any] = {name: getattr(lead, name) for name in LeadForm.TEXT_FIELDS}
        initial.update(
            status=lead.status,
            score=lead.score,
            owner=lead.owner_id,
            tags=", ".join(tag.name for tag in lead.tags.all()),
            version=lead.version,
        )
        return initial

    def service_data(self) -> dict[str, Any]:
        """The cleaned input as `lead_create` / `lead_update` take it."""
        data = self.cleaned_data
        result: dict[str, Any] = {name: data[name] for name in self.TEXT_FIELDS}
        result.update(
            score=data["score"] or 0, tags=split_items(data["tags"]), custom=self.custom_data()
        )
        if "status" in self.fields:
            result["status"] = data["status"]
        if data.get("owner"):
            result["owner"] = data["owner"]
        return result


class ConvertForm(BootstrapForm):
    """Converting a lead, optionally opening a deal at the same time."""

    create_deal = forms.BooleanField(label=_("Also create a deal"), required=False)
    title = forms.CharField(label=_("Deal title"), required=False, max_length=200)
    amount = forms.DecimalField(
        label=_("Amount"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        localize=True,
    )
    currency = forms.CharField(label=_("Currency"), required=False, max_length=3)
    pipeline = forms.TypedChoiceField(
        label=_("Pipeline"), required=False, coerce=int, empty_value=None
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, pipelines: list[Pipeline], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).setdefault("currency", settings.ELO_BASE_CURRENCY)
        super().__init__(*args, auto_id="convert_%s", **kwargs)
        set_choices(self.fields["pipeline"], [(p.pk, p.name) for p in pipelines])
        default = next((p.pk for p in pipelines if p.is_default), None)
        self.initial.setdefault("pipeline", default)

    def deal(self) -> dict[str, Any] | None:
        """The deal `lead_convert` opens, or None."""
        data = self.cleaned_data
        if not data["create_deal"]:
            return None
        deal = {
            "title": data["title"],
            "amount": data["amount"],
            "currency": data["currency"],
            "pipeline": data["pipeline"],
        }
        return {key: value for key, value in deal.items() if value not in (None, "")}


class DisqualifyForm(BootstrapForm):
    reason = forms.CharField(label=_("Why is this lead disqualified?"), max_length=200)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, auto_id="disqualify_%s", **kwargs)


# --- deals --------------------------------------------------------------------------------


class DealFilterForm(BootstrapForm):
    """The filters of the deal list; the board uses the same form without pipeline, stage
    and status (the board shows one pipeline, a column per stage)."""

    q = forms.CharField(label=_("Search"), required=False, max_length=200)
    pipeline = forms.TypedChoiceField(
        label=_("Pipeline"), required=False, coerce=int, empty_value=None
    )
    stage = forms.TypedChoiceField(label=_("Stage"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(
        label=_("Status"), required=False, choices=[("", _("Any status")), *DealStatus.choices]
    )
    owner = forms.TypedChoiceField(label=_("Owner"), required=False, coerce=int, empty_value=None)
    team = forms.TypedChoiceField(label=_("Team"), required=False, coerce=int, empty_value=None)
    tag = forms.ChoiceField(label=_("Tag"), required=False)
    close_from = forms.DateField(label=_("Closing from"), required=False, widget=DATE)
    close_to = forms.DateField(label=_("Closing until"), required=False, widget=DATE)

    BOARD_FIELDS = ["owner", "team", "tag", "close_from", "close_to"]

    def __init__(
        self, *args: Any, user: Any, pipelines: list[Pipeline], board: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if board:
            for name in list(self.fields):
                if name not in self.BOARD_FIELDS:
                    del self.fields[name]
        else:
            set_choices(
                self.fields["pipeline"],
                [("", _("Any pipeline")), *((p.pk, p.name) for p in pipelines)],
            )
            set_choices(self.fields["stage"], [("", _("Any stage")), *stage_choices(pipelines)])
        set_choices(self.fields["owner"], [("", _("Anyone")), *owner_choices(user)])
        set_choices(
            self.fields["team"],
            [("", _("Any team")), *((team.pk, team.name) for team in team_list())],
        )
        set_choices(
            self.fields["tag"], [("", _("Any tag")), *((t.slug, t.name) for t in tag_list())]
        )

    def filters(self) -> dict[str, Any]:
        """The cleaned filters as `deal_list_for` / `board_for` take them."""
        return {name: value for name, value in self.cleaned_data.items() if value}


class DealForm(StaleMixin, CustomFieldsMixin, BootstrapForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    amount = forms.DecimalField(
        label=_("Amount"),
        required=False,
        min_value=0,
        max_digits=14,
        decimal_places=2,
        localize=True,
    )
    currency = forms.CharField(
        label=_("Currency"), max_length=3, help_text=_("Three letters: BRL, EUR, USD…")
    )
    pipeline = forms.TypedChoiceField(label=_("Pipeline"), coerce=int, empty_value=None)
    stage = forms.TypedChoiceField(
        label=_("Stage"),
        coerce=int,
        empty_value=None,
        required=False,
        help_text=_("Empty: the first open stage of the pipeline."),
    )
    probability = forms.IntegerField(
        label=_("Win probability (%)"),
        required=False,
        min_value=0,
        max_value=100,
        help_text=_("Empty: the stage's probability."),
    )
    expected_close = forms.DateField(label=_("Expected close"), required=False, widget=DATE)
    organization = forms.TypedChoiceField(
        label=_("Organization"), required=False, coerce=int, empty_value=None
    )
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int, required=False)
    tags = forms.CharField(
        label=_("Tags"), required=False, help_text=_("Separate tags with commas.")
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        user: Any,
        pipelines: list[Pipeline],
        deal: Deal | None = None,
    ) -> None:
        self.deal = deal
        people = list(deal.contacts.all()) if deal else []
        super().__init__(data, initial=self._initial(deal, people, pipelines))
        nobody = _("Let the assignment rules choose") if deal is None else BLANK[1]
        set_choices(self.fields["owner"], [("", nobody), *owner_choices(user)])
        set_choices(self.fields["pipeline"], [(p.pk, p.name) for p in pipelines])
        set_choices(self.fields["stage"], [BLANK, *stage_choices(pipelines)])
        organizations = contact_selectors.organization_choices_for(
            user, include=[deal.organization_id] if deal and deal.organization_id else []
        )
        set_choices(self.fields["organization"], [BLANK, *organizations])
        self.person_count = _rows(data, r"person_(\d+)", len(people))
        person_choices = self._person_choices(user, people)
        for index in range(self.person_count):
            self.fields[f"person_{index}"] = styled(
                forms.TypedChoiceField(
                    label=_("Person"),
                    required=False,
                    coerce=int,
                    empty_value=None,
                    choices=[BLANK, *person_choices],
                )
            )
            self.fields[f"role_{index}"] = styled(
                forms.CharField(label=_("Role in the deal"), required=False, max_length=100)
            )
        self.add_custom_fields("deal", deal.custom if deal else {})

    @staticmethod
    def _person_choices(user: Any, people: list[Any]) -> list[tuple[int, str]]:
        """The first visible people by name, plus those already on the deal."""
        queryset = contact_selectors.person_queryset_for(user).alive().order_by("sort_name", "id")
        choices = [(person.pk, str(person)) for person in queryset[:PEOPLE_CHOICES]]
        known = {pk for pk, _name in choices}
        choices += [
            (item.person_id, str(item.person)) for item in people if item.person_id not in known
        ]
        return choices

    @staticmethod
    def _initial(deal: Deal | None, people: list[Any], pipelines: list[Pipeline]) -> dict[str, Any]:
        if deal is None:
            default = next((p.pk for p in pipelines if p.is_default), None)
            return {"currency": settings.ELO_BASE_CURRENCY, "pipeline": default}
        initial: dict[str, Any] = {
            "title": deal.title,
            "amount": deal.amount,
            "currency": deal.currency,
            "pipeline": deal.pipeline_id,
            "stage": deal.stage_id,
            "probability": deal.probability,
            "expected_close": deal.expected_close,
            "organization": deal.organization_id,
            "owner": deal.owner_id,
            "tags": ", ".join(tag.name for tag in deal.tags.all()),
            "version": deal.version,
        }
        for index, item in enumerate(people):
            initial[f"person_{index}"] = item.person_id
            initial[f"role_{index}"] = item.role
        return initial

    def person_rows(self) -> list[tuple[forms.BoundField, forms.BoundField]]:
        return [(self[f"person_{i}"], self[f"role_{i}"]) for i in range(self.person_count)]

    def service_data(self) -> dict[str, Any]:
        """The cleaned input as `deal_create` / `deal_update` take it."""
        data = self.cleaned_data
        result: dict[str, Any] = {
            name: data[name] for name in ("title", "amount", "currency", "pipeline", "probability")
        }
        result.update(
            expected_close=data["expected_close"],
            organization=data["organization"],
            tags=split_items(data["tags"]),
            custom=self.custom_data(),
        )
        if data["stage"]:
            result["stage"] = data["stage"]
        if data.get("owner"):
            result["owner"] = data["owner"]
        people_fields = {name for name in self.fields if name.startswith(("person_", "role_"))}
        if self.deal is None or people_fields & set(self.changed_data):
            result["people"] = [
                {"person": data[f"person_{i}"], "role": data.get(f"role_{i}", "")}
                for i in range(self.person_count)
                if data.get(f"person_{i}")
            ]
        return result


def _rows(data: Mapping[str, Any] | None, pattern: str, existing: int) -> int:
    """How many repeated rows to show: the existing ones plus a blank one, or as many as
    were posted."""
    posted = {
        int(match.group(1))
        for key in (data or {})
        if (match := re.fullmatch(pattern, str(key))) is not None
    }
    return max(existing + 1, max(posted, default=-1) + 1)


class MoveForm(BootstrapForm):
    """Moving a deal to another stage of its pipeline: the board's drag and drop, the card's
    menu and the deal page all post this."""

    stage = forms.TypedChoiceField(label=_("Move to"), coerce=int)
    reason = forms.CharField(label=_("Reason"), required=False, max_length=200)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, deal: Deal, stages: list[Any], **kwargs: Any) -> None:
        kwargs.setdefault("initial", {}).update(stage=deal.stage_id, version=deal.version)
        super().__init__(*args, **kwargs)
        self.kinds = {stage.pk: stage.kind for stage in stages}
        set_choices(self.fields["stage"], [(stage.pk, stage.name) for stage in stages])

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        lost = self.kinds.get(data.get("stage") or 0) == StageKind.LOST
        if lost and not str(data.get("reason") or "").strip():
            self.add_error("reason", _("Say why the deal was lost."))
        return data


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


# --- the forecast -------------------------------------------------------------------------


def period_choices(today: datetime.date) -> list[Any]:
    """Quarters and months of last year, this year and next year, one group a year."""
    return [
        (
            str(year),
            [
                *((f"{year}-Q{quarter}", f"{year} Q{quarter}") for quarter in range(1, 5)),
                *(
                    (f"{year}-{month:02d}", date_format(datetime.date(year, month, 1), "F Y"))
                    for month in range(1, 13)
                ),
            ],
        )
        for year in (today.year - 1, today.year, today.year + 1)
    ]


class ForecastFilterForm(BootstrapForm):
    """The period, and optionally one team or one owner, a forecast is for."""

    period = forms.ChoiceField(label=_("Period"))
    team = forms.TypedChoiceField(label=_("Team"), required=False, coerce=int, empty_value=None)
    owner = forms.TypedChoiceField(label=_("Owner"), required=False, coerce=int, empty_value=None)

    def __init__(self, data: Mapping[str, Any] | None, *, user: Any, today: datetime.date) -> None:
        super().__init__(data)
        set_choices(self.fields["period"], period_choices(today))
        set_choices(self.fields["owner"], [("", _("Anyone")), *owner_choices(user)])
        teams = [(team.pk, team.name) for team in team_list()]
        set_choices(self.fields["team"], [("", _("Any team")), *teams])


class QuotaForm(BootstrapForm):
    """A quota of one user or one team; an empty amount removes it."""

    period = forms.ChoiceField(label=_("Period"))
    user = forms.TypedChoiceField(label=_("User"), required=False, coerce=int, empty_value=None)
    team = forms.TypedChoiceField(label=_("Team"), required=False, coerce=int, empty_value=None)
    amount = forms.CharField(label=_("Quota"), required=False, max_length=20)

    def __init__(self, data: Mapping[str, Any] | None, *, user: Any, today: datetime.date) -> None:
        super().__init__(data, prefix="quota")
        set_choices(self.fields["period"], period_choices(today))
        self.fields["period"].initial = f"{today.year}-Q{(today.month - 1) // 3 + 1}"
        set_choices(self.fields["user"], [BLANK, *owner_choices(user)])
        set_choices(self.fields["team"], [BLANK, *((team.pk, team.name) for team in team_list())])

    def initial_period(self, period: str) -> QuotaForm:
        """The same form, showing `period` as the chosen one."""
        self.fields["period"].initial = period
        return self


class RateForm(BootstrapForm):
    """One exchange rate: base-currency units per unit of `currency`, from a day on."""

    currency = forms.CharField(label=_("Currency"), max_length=3)
    rate = forms.CharField(label=_("Rate"), max_length=30)
    valid_from = forms.DateField(label=_("Valid from"), widget=forms.DateInput({"type": "date"}))

    def __init__(self, data: Mapping[str, Any] | None) -> None:
        super().__init__(data, prefix="rate")
