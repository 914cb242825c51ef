"""The purchase history that person and organization pages load into a section."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from elo.billing import selectors
from elo.contacts.selectors import organization_get_for, person_get_for


@login_required
@require_GET
def person_purchases(request: HttpRequest, pk: int) -> HttpResponse:
    person = person_get_for(request.user, pk)
    history = selectors.purchases_for(request.user, person=person)
    return render(request, "billing/purchases.html", history)


@login_required
@require_GET
def organization_purchases(request: HttpRequest, pk: int) -> HttpResponse:
    organization = organization_get_for(request.user, pk)
    history = selectors.purchases_for(request.user, organization=organization)
    return render(request, "billing/purchases.html", history)
