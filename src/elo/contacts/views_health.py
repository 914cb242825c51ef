"""The data-health page: counts and the worst records per stale-data problem."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from elo.contacts import health, selectors, services
from elo.contacts.views import EloRequest

MAX_MONTHS = 240


def months_from(value: str | None) -> int:
    """The "no activity in N months" window from a query parameter (default 12)."""
    try:
        months = int(value or health.DEFAULT_MONTHS)
    except ValueError:
        return health.DEFAULT_MONTHS
    return min(max(months, 1), MAX_MONTHS)


@login_required
def data_health(request: EloRequest) -> HttpResponse:
    months = months_from(request.GET.get("months"))
    problems = {p.key: p for p in health.data_health_for(request.user, months=months)}
    context = {
        "months": months,
        "problems": problems,
        "can_check": request.user.has_elo_perm("contacts.change"),
        "check_limit": services.DOMAIN_CHECK_LIMIT,
    }
    return render(request, "contacts/data_health.html", context)


@login_required
@require_POST
def data_health_check_domains(request: EloRequest) -> HttpResponse:
    result = services.organization_domains_check(
        actor=request.user, organizations=selectors.organization_queryset_for(request.user)
    )
    messages.success(
        request,
        _("Checked %(checked)d organizations: %(failing)d with a domain that does not resolve.")
        % {"checked": result["checked"], "failing": result["not_resolving"]},
    )
    return redirect("contacts:data_health")
