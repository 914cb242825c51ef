"""Forms for the lead pages: filter, edit, convert and disqualify."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from elo.contacts.choices import OrganizationSize
from elo.core.forms import BLANK, BootstrapForm, CustomFieldsMixin
from elo.sales.choices import (
    LeadSource,
    LeadStatus,
)
from elo.sales.forms.common import (
    StaleMixin,
    owner_choices,
    set_choices,
    split_items,
)
from elo.sales.models import Lead, Pipeline

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
