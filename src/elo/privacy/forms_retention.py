"""Forms of the retention policy pages; they check shape only, the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from elo.contacts.choices import LifecycleStage
from elo.core.forms import BootstrapForm
from elo.privacy.choices import RetentionEntity
from elo.sales.choices import LeadStatus


class RetentionPolicyForm(BootstrapForm):
    name = forms.CharField(label=_("Name"), max_length=100)
    entity = forms.ChoiceField(label=_("Records"), choices=RetentionEntity.choices)
    inactive_months = forms.IntegerField(
        label=_("Months without activity"),
        help_text=_(
            "Records not changed and with nothing on their timeline for this long are anonymized."
        ),
    )
    statuses = forms.MultipleChoiceField(
        label=_("Only in these statuses"),
        required=False,
        choices=[
            (_("Lead statuses"), LeadStatus.choices),
            (_("Lifecycle stages of people"), LifecycleStage.choices),
        ],
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Tick none for all. Lead statuses are for policies on leads, lifecycle stages for"
            " policies on people."
        ),
    )
    enabled = forms.BooleanField(
        label=_("Run every day on the schedule"),
        required=False,
        help_text=_("Anonymizing is irreversible: try a dry run first."),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    data: Any
    stale = False

    def data_for_service(self) -> dict[str, Any]:
        return {key: value for key, value in self.cleaned_data.items() if key != "version"}

    def mark_stale(self, current_version: int) -> None:
        """After a stale save the form carries the current version: saving again is an
        informed overwrite."""
        self.stale = True
        self.data = self.data.copy()
        self.data["version"] = str(current_version)


class RetentionRunConfirmForm(BootstrapForm):
    confirm = forms.BooleanField(
        label=_("I understand that the records will be anonymized and that this cannot be undone."),
        required=True,
        error_messages={"required": _("Tick the box to confirm.")},
    )
