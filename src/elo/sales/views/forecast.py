"""The forecast page, and the settings for quotas and exchange rates it reads."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from elo.core.forms import add_service_errors
from elo.core.views import permission_required
from elo.identity.selectors import team_list, user_list_for
from elo.sales import forecast, selectors, services
from elo.sales.forms import (
    ForecastFilterForm,
    QuotaForm,
    RateForm,
)
from elo.sales.views.pages import (
    EloRequest,
)


@login_required
def forecast_page(request: EloRequest) -> HttpResponse:
    today = timezone.localdate()
    form = ForecastFilterForm(
        request.GET or {"period": forecast.current_quarter(today)}, user=request.user, today=today
    )
    context: dict[str, Any] = {"form": form, "totals": None, "owners": []}
    if form.is_valid():
        period, team = form.cleaned_data["period"], form.cleaned_data["team"]
        owner = form.cleaned_data["owner"]
        context["totals"] = forecast.forecast(request.user, period, owner=owner, team=team)
        context["owners"] = forecast.forecast_by_owner(request.user, period, team=team)
    context["can_configure"] = request.user.has_elo_perm("sales.configure")
    return render(request, "sales/forecast.html", context)


def _forecast_settings_page(
    request: EloRequest, *, quota_form: QuotaForm | None = None, rate_form: RateForm | None = None
) -> HttpResponse:
    today = timezone.localdate()
    period = request.GET.get("period") or forecast.current_quarter(today)
    context = {
        "quota_form": quota_form
        or QuotaForm(None, user=request.user, today=today).initial_period(period),
        "rate_form": rate_form or RateForm(None),
        "quotas": selectors.quotas(period),
        "period": period,
        "rates": selectors.exchange_rates(),
        "base_currency": settings.ELO_BASE_CURRENCY,
    }
    return render(request, "sales/forecast_settings.html", context)


@permission_required("sales.configure")
def forecast_settings(request: EloRequest) -> HttpResponse:
    return _forecast_settings_page(request)


@permission_required("sales.configure")
@require_POST
def quota_set(request: EloRequest) -> HttpResponse:
    form = QuotaForm(request.POST, user=request.user, today=timezone.localdate())
    if form.is_valid():
        data = form.cleaned_data
        user = user_list_for(request.user).filter(pk=data["user"]).first() if data["user"] else None
        team = team_list().filter(pk=data["team"]).first() if data["team"] else None
        try:
            services.quota_set(
                actor=request.user,
                period=data["period"],
                amount=data["amount"],
                user=user,
                team=team,
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Quota saved."))
            return redirect(f"{reverse('sales:forecast_settings')}?period={data['period']}")
    return _forecast_settings_page(request, quota_form=form)


@permission_required("sales.configure")
@require_POST
def rate_set(request: EloRequest) -> HttpResponse:
    form = RateForm(request.POST)
    if form.is_valid():
        try:
            services.rate_set(actor=request.user, **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Exchange rate saved."))
            return redirect("sales:forecast_settings")
    return _forecast_settings_page(request, rate_form=form)
