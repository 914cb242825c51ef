"""Forms of the phone pages; they check shape only, the services decide what is valid."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from elo.channels.phone.choices import LinkScheme
from elo.core.forms import BootstrapForm


class CallLinkForm(BootstrapForm):
    person = forms.IntegerField(
        label=_("Person id"),
        min_value=1,
        help_text=_(
            "The number at the end of the person's page address, e.g. 501 in /people/501/."
        ),
    )


class PhonePreferenceForm(BootstrapForm):
    link_scheme = forms.ChoiceField(
        label=_("Call links open"), choices=LinkScheme.choices, required=False
    )
