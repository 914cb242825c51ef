"""Forms of the consent pages; they check shape only, the services decide."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from elo.core.forms import BootstrapForm
from elo.privacy.choices import Channel, LawfulBasis, PrivacyLaw, RequestKind, RequestStatus
from elo.privacy.models import ConsentPurpose


class ConsentRecordForm(BootstrapForm):
    """An agent records what a person said: a grant or a withdrawal, and the text shown."""

    purpose = forms.ChoiceField(label=_("Purpose"))
    channel = forms.ChoiceField(label=_("Channel"), choices=Channel.choices)
    action = forms.ChoiceField(
        label=_("Decision"), choices=[("granted", _("Granted")), ("withdrawn", _("Withdrawn"))]
    )
    basis = forms.ChoiceField(
        label=_("Lawful basis"), choices=LawfulBasis.choices, initial=LawfulBasis.CONSENT
    )
    text = forms.CharField(
        label=_("Text shown to the person"),
        required=False,
        max_length=10000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, purposes: list[ConsentPurpose], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["purpose"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(purpose.key, purpose.name) for purpose in purposes if purpose.active]


class PurposeForm(BootstrapForm):
    key = forms.SlugField(
        label=_("Key"),
        max_length=50,
        help_text=_("Used by campaigns, automation and the API; it cannot change later."),
    )
    name = forms.CharField(label=_("Name"), max_length=100)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    consent_required = forms.BooleanField(
        label=_("Consent required"),
        required=False,
        initial=True,
        help_text=_("Without a recorded grant, nobody is contacted for this purpose."),
    )
    active = forms.BooleanField(label=_("Active"), required=False, initial=True)
    version = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, editing: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            del self.fields["key"]

    def data_for_service(self) -> dict[str, Any]:
        return {k: v for k, v in self.cleaned_data.items() if k != "version"}


class SubjectRequestForm(BootstrapForm):
    """Logs a request a person made: who, what, under which law and when it arrived."""

    person = forms.IntegerField(label=_("Person (ID)"), min_value=1)
    kind = forms.ChoiceField(label=_("Request"), choices=RequestKind.choices)
    law = forms.ChoiceField(label=_("Law"), choices=PrivacyLaw.choices)
    received_at = forms.DateTimeField(
        label=_("Received"),
        required=False,
        help_text=_("Leave empty for now. The deadline counts from here."),
        widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=10000, widget=forms.Textarea(attrs={"rows": 3})
    )


class IdentityCheckForm(BootstrapForm):
    identity_check = forms.CharField(
        label=_("How was the identity verified?"),
        max_length=5000,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class RequestStatusForm(BootstrapForm):
    status = forms.ChoiceField(
        label=_("New status"),
        choices=[
            (RequestStatus.IN_PROGRESS, _("In progress")),
            (RequestStatus.COMPLETED, _("Completed")),
            (RequestStatus.REJECTED, _("Rejected")),
        ],
    )
    notes = forms.CharField(
        label=_("Notes"), required=False, max_length=10000, widget=forms.Textarea(attrs={"rows": 2})
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


# The word that confirms an erasure instead of the name. Translators: one word in capitals.
ERASE_WORD = _("ERASE")


class ErasureCheckForm(BootstrapForm):
    """The first confirmation of an erasure: the admin types the person's name as shown, or
    the word ERASE (in English or in the page's language)."""

    typed = forms.CharField(max_length=300)

    def __init__(self, *args: Any, expected: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.expected = expected
        self.fields["typed"].label = _("Type the person's name as shown, or %(word)s") % {
            "word": ERASE_WORD
        }

    def clean_typed(self) -> str:
        typed = " ".join(str(self.cleaned_data.get("typed") or "").split())
        accepted = {self.expected.casefold(), "erase", str(ERASE_WORD).casefold()}
        if typed.casefold() not in accepted:
            raise forms.ValidationError(
                _("This is neither the person's name as shown nor %(word)s.")
                % {"word": ERASE_WORD},
                code="mismatch",
            )
        return typed
