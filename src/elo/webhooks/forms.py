"""Forms of the webhook settings pages; they check shape only, the services decide."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from elo.core.forms import BootstrapForm
from elo.webhooks import selectors
from elo.webhooks.models import Subscription


class SubscriptionForm(BootstrapForm):
    url = forms.CharField(
        label=_("URL"),
        max_length=2000,
        help_text=_(
            "Where Elo POSTs the events, https://… Internal addresses need an admin's allow-list."
        ),
    )
    description = forms.CharField(label=_("Description"), required=False, max_length=200)
    event_types = forms.MultipleChoiceField(
        label=_("Events"), required=False, widget=forms.CheckboxSelectMultiple
    )
    patterns = forms.CharField(
        label=_("More events or patterns"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One per line: an event name, or a pattern such as sales.deal.* or * (every event)."
        ),
    )
    conditions = forms.CharField(
        label=_("Conditions (JSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5, "class": "form-control font-monospace"}),
        help_text=_(
            "Only events whose payload matches are sent, e.g. "
            '{"field": "country", "op": "eq", "value": "BR"}. Leave empty for all.'
        ),
    )
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    data: Any

    def __init__(self, *args: Any, subscription: Subscription | None = None, **kwargs: Any):
        if subscription is not None and not kwargs.get("initial"):
            kwargs["initial"] = self.initial_for(subscription)
        super().__init__(*args, **kwargs)
        names = selectors.event_type_names()
        self.fields["event_types"].choices = [(name, name) for name in names]  # type: ignore[attr-defined]

    @staticmethod
    def initial_for(subscription: Subscription) -> dict[str, Any]:
        names = set(selectors.event_type_names())
        chosen = [item for item in subscription.event_types if item in names]
        others = [item for item in subscription.event_types if item not in names]
        return {
            "url": subscription.url,
            "description": subscription.description,
            "event_types": chosen,
            "patterns": "\n".join(others),
            "conditions": json.dumps(subscription.conditions, indent=2)
            if subscription.conditions
            else "",
            "version": subscription.version,
        }

    def clean_conditions(self) -> Any:
        text = self.cleaned_data["conditions"].strip()
        if not text:
            return None
        try:
            return json.loads(text)
        except ValueError as error:
            raise forms.ValidationError(
                _("Not valid JSON: %(error)s") % {"error": error}, code="invalid_json"
            ) from error

    def mark_stale(self, current_version: int) -> None:
        self.data = self.data.copy()
        self.data["version"] = str(current_version)

    def definition(self) -> dict[str, Any]:
        data = self.cleaned_data
        patterns = [line.strip() for line in data["patterns"].splitlines() if line.strip()]
        return {
            "url": data["url"],
            "description": data["description"],
            "event_types": [*data["event_types"], *patterns],
            "conditions": data["conditions"],
        }


class AllowedHostForm(BootstrapForm):
    host = forms.CharField(
        label=_("Host"),
        max_length=260,
        help_text=_(
            "A host name or address, optionally with a port: intranet.example:8080, "
            "10.0.0.5, [fd00::1]:443."
        ),
    )
    note = forms.CharField(label=_("Note"), required=False, max_length=200)
