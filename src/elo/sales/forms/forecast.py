"""Forms for the forecast page and its settings: period, quotas and exchange rates."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from django import forms
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from elo.core.forms import BLANK, BootstrapForm
from elo.identity.selectors import team_list
from elo.sales.forms.common import (
    owner_choices,
    set_choices,
)

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
