"""Forms for the deal pages and the board: filter, edit and move."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from elo.contacts import selectors as contact_selectors
from elo.core.forms import BLANK, BootstrapForm, CustomFieldsMixin, styled
from elo.core.selectors import tag_list
from elo.identity.selectors import team_list
from elo.sales.choices import (
    DealStatus,
    StageKind,
)
from elo.sales.forms.common import (
    DATE,
    PEOPLE_CHOICES,
    StaleMixin,
    owner_choices,
    set_choices,
    split_items,
    stage_choices,
)
from elo.sales.models import Deal, Pipeline

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
