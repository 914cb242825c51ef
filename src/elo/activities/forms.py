"""Forms for adding to a timeline and completing tasks.

They check the shape of input only; `activities.services` decides what is valid.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from django import forms
from django.utils.translation import gettext_lazy as _

from elo.activities.choices import ActivityKind, CallDirection, CallOutcome
from elo.core.forms import BootstrapForm
from elo.identity.selectors import user_list_for

DATETIME_WIDGET = {"type": "datetime-local"}
DATETIME_FORMAT = "%Y-%m-%dT%H:%M"

KIND_FIELDS: dict[str, list[str]] = {
    ActivityKind.NOTE: ["subject", "body"],
    ActivityKind.TASK: ["subject", "due_at", "assignee", "body"],  # in this order
    ActivityKind.CALL: ["subject", "direction", "duration_minutes", "outcome", "body"],
    ActivityKind.MEETING: ["subject", "starts_at", "ends_at", "body"],
}
QUICK_KINDS = list(KIND_FIELDS)
SUBJECTS = ("person", "organization", "lead", "deal")


def _moment(label: Any, *, required: bool = False) -> forms.DateTimeField:
    return forms.DateTimeField(
        label=label,
        required=required,
        widget=forms.DateTimeInput(attrs=DATETIME_WIDGET, format=DATETIME_FORMAT),
    )


class QuickAddForm(BootstrapForm):
    """One kind of activity (note, task, call or meeting) about a person, an organization, a
    lead or a deal.
    Each kind's form has a prefix of its own, so all four can sit on one page."""

    subject = forms.CharField(label=_("Subject"), required=False, max_length=300)
    body = forms.CharField(
        label=_("Text"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Markdown: **bold**, *italic*, lists and links."),
    )
    due_at = _moment(_("Due"))
    assignee = forms.TypedChoiceField(
        label=_("Assignee"), required=False, coerce=int, empty_value=None
    )
    direction = forms.ChoiceField(
        label=_("Direction"), required=False, choices=CallDirection.choices
    )
    duration_minutes = forms.IntegerField(
        label=_("Duration (minutes)"), required=False, min_value=0, max_value=24 * 60
    )
    outcome = forms.ChoiceField(label=_("Outcome"), required=False, choices=CallOutcome.choices)
    starts_at = _moment(_("Starts"))
    ends_at = _moment(_("Ends"))
    person = forms.IntegerField(required=False, widget=forms.HiddenInput)
    organization = forms.IntegerField(required=False, widget=forms.HiddenInput)
    lead = forms.IntegerField(required=False, widget=forms.HiddenInput)
    deal = forms.IntegerField(required=False, widget=forms.HiddenInput)
    next = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(
        self,
        data: Mapping[str, Any] | None = None,
        *,
        kind: str,
        user: Any,
        initial: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(data, prefix=kind, initial={"assignee": user.pk, **(initial or {})})
        self.kind = kind
        keep = {*KIND_FIELDS[kind], *SUBJECTS, "next"}
        for name in list(self.fields):
            if name not in keep:
                del self.fields[name]
        self.order_fields(KIND_FIELDS[kind])
        if kind == ActivityKind.TASK:
            self.fields["subject"].label = _("What to do")
            assignee = cast(forms.ChoiceField, self.fields["assignee"])
            assignee.choices = [
                (item.pk, str(item)) for item in user_list_for(user).filter(is_active=True)
            ]
        if kind == ActivityKind.NOTE:
            self.fields["body"].label = _("Note")

    @property
    def title(self) -> Any:
        return ActivityKind(self.kind).label

    def service_data(self) -> dict[str, Any]:
        """The cleaned input as `activity_create` takes it."""
        data = {
            name: value
            for name, value in self.cleaned_data.items()
            if name not in {"next", "duration_minutes", *SUBJECTS}
        }
        data["kind"] = self.kind
        for name in SUBJECTS:
            if self.cleaned_data.get(name):
                data[name] = self.cleaned_data[name]
        if "duration_minutes" in self.cleaned_data:
            minutes = self.cleaned_data["duration_minutes"]
            data["duration_seconds"] = None if minutes is None else minutes * 60
        return data


class TaskToggleForm(forms.Form):
    """Done or open again; `fragment` says which piece of page an htmx answer replaces."""

    done = forms.TypedChoiceField(
        choices=[("1", _("Done")), ("0", _("Open"))], coerce=lambda value: value == "1"
    )
    fragment = forms.ChoiceField(
        required=False, choices=[("", ""), ("task", "task"), ("timeline", "timeline")]
    )
    show_person = forms.BooleanField(required=False)
    next = forms.CharField(required=False)
