"""Phone pages: the calls whose number matched nobody (and linking one to a person), and the
user's choice of how call links open."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from elo.channels.phone import selectors, services
from elo.channels.phone.forms import CallLinkForm, PhonePreferenceForm
from elo.channels.phone.models import PhonePreference
from elo.contacts.models import Person
from elo.core.forms import service_errors


class EloRequest(HttpRequest):
    user: Any


@login_required
def unmatched_calls(request: EloRequest) -> HttpResponse:
    page = selectors.unmatched_calls_for(request.user, cursor=request.GET.get("cursor"))
    return render(request, "channels_phone/unmatched_calls.html", {"page": page})


@login_required
def call_link(request: EloRequest, pk: int) -> HttpResponse:
    call = selectors.unmatched_call_get_for(request.user, pk)
    form = CallLinkForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person = Person(pk=form.cleaned_data["person"])
        with service_errors(form) as submission:
            services.call_link_person(actor=request.user, call=call, person=person)
        if submission.ok:
            messages.success(request, _("The call is on the person's timeline."))
            return redirect("contacts:person_detail", form.cleaned_data["person"])
    return render(request, "channels_phone/call_link.html", {"call": call, "form": form})


@login_required
def preferences(request: EloRequest) -> HttpResponse:
    current = (
        PhonePreference.objects.filter(user_id=request.user.pk)
        .values_list("link_scheme", flat=True)
        .first()
    )
    form = PhonePreferenceForm(request.POST or None, initial={"link_scheme": current or ""})
    if request.method == "POST" and form.is_valid():
        with service_errors(form) as submission:
            services.phone_preference_set(
                actor=request.user, link_scheme=form.cleaned_data["link_scheme"]
            )
        if submission.ok:
            messages.success(request, _("Saved."))
            return redirect("channels_phone:preferences")
    return render(request, "channels_phone/preferences.html", {"form": form})
