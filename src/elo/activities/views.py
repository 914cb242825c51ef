"""Timeline pages: quick-add from a person, organization, lead or deal, task toggles, "My tasks".

With htmx, adding answers with the new timeline entry (and a fresh form swapped out of
band) and a toggle answers with the changed row; without JavaScript both redirect back.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST
from django_htmx.http import reswap, retarget
from django_htmx.middleware import HtmxDetails

from elo.activities import selectors, services
from elo.activities.calendar import calendar_for
from elo.activities.forms import QUICK_KINDS, SUBJECTS, QuickAddForm, TaskToggleForm
from elo.activities.models import CalendarFeedToken

# Service error keys shown on another form field, or above the form (None).
FIELD_FOR_SERVICE_KEY = {
    "duration_seconds": "duration_minutes",
    "person": None,
    "organization": None,
    "lead": None,
    "deal": None,
}


class EloRequest(HttpRequest):
    """A request as these views see it: signed in (login_required) and read by django-htmx."""

    user: Any
    htmx: HtmxDetails


def _next_url(request: HttpRequest, candidate: str | None, fallback: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(fallback)


def _show_errors(form: QuickAddForm, error: ValidationError) -> None:
    if not hasattr(error, "error_dict"):
        form.add_error(None, error)
        return
    for key, errors in error.error_dict.items():
        name = FIELD_FOR_SERVICE_KEY.get(key, key) or ""
        form.add_error(name if name in form.fields else None, errors)


@login_required
def my_tasks(request: EloRequest, feed_url: str = "") -> HttpResponse:
    context = {
        "tasks": selectors.my_open_tasks(request.user),
        "has_feed": CalendarFeedToken.objects.filter(user=request.user).exists(),
        "feed_url": feed_url,
        "can_export": request.user.has_elo_perm("exports.run"),
        # The export menu's filters: what this page lists, the user's open tasks.
        "export_query": urlencode({"kind": "task", "assignee": request.user.pk, "open": "true"}),
    }
    return render(request, "activities/my_tasks.html", context)


@login_required
@require_POST
def calendar_feed_reset(request: EloRequest) -> HttpResponse:
    """A new private feed URL, shown once on the page that answers; the old URL stops working."""
    secret = services.calendar_feed_reset(actor=request.user, user=request.user)
    url = request.build_absolute_uri(reverse("activities:calendar_feed", args=[secret]))
    return my_tasks(request, feed_url=url)


@never_cache
def calendar_feed(request: HttpRequest, token: str) -> HttpResponse:
    """The private per-user feed: no session, the secret in the URL is the key."""
    user = services.calendar_feed_user(token)
    if user is None:
        raise Http404
    content = calendar_for(selectors.my_calendar(user), name="Elo")
    return ics_response(content, "elo.ics", download=False)


def ics_response(content: bytes, filename: str, *, download: bool = True) -> HttpResponse:
    response = HttpResponse(content, content_type="text/calendar; charset=utf-8")
    if download:
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def my_tasks_export(request: EloRequest) -> HttpResponse:
    """The user's open tasks and upcoming meetings as one .ics download."""
    items = selectors.my_calendar(request.user, upcoming_only=True)
    return ics_response(calendar_for(items, name=_("My tasks")), "elo-my-tasks.ics")


@login_required
@require_POST
def add(request: EloRequest) -> HttpResponse:
    kind = request.POST.get("kind", "")
    if kind not in QUICK_KINDS:
        raise BadRequest("Unknown kind of activity.")
    form = QuickAddForm(request.POST, kind=kind, user=request.user)
    activity = None
    if form.is_valid():
        try:
            activity = services.activity_create(actor=request.user, data=form.service_data())
        except ValidationError as error:
            _show_errors(form, error)
    back = _next_url(request, request.POST.get(f"{kind}-next"), "activities:my_tasks")
    if activity is None:
        if request.htmx:
            response = render(request, "activities/quick_add_form.html", {"form": form})
            return retarget(reswap(response, "outerHTML"), f"#quick-add-{kind}")
        return render(request, "activities/activity_add.html", {"form": form, "back": back})
    if not request.htmx:
        messages.success(request, _("Added to the timeline."))
        return redirect(back)
    fresh = QuickAddForm(
        kind=kind,
        user=request.user,
        initial={name: form.cleaned_data.get(name) for name in (*SUBJECTS, "next")},
    )
    context = {
        "activity": activity,
        "form": fresh,
        "can_change_activities": request.user.has_elo_perm("activities.change"),
        "next": form.cleaned_data.get("next"),
    }
    return render(request, "activities/add_response.html", context)


@login_required
@require_POST
def task_toggle(request: EloRequest, pk: int) -> HttpResponse:
    activity = selectors.activity_get_for(request.user, pk, action="change")
    form = TaskToggleForm(request.POST)
    if not form.is_valid():
        raise BadRequest("Invalid toggle.")
    try:
        activity = services.task_set_done(
            actor=request.user, activity=activity, done=form.cleaned_data["done"]
        )
    except ValidationError as error:
        raise BadRequest(error.messages[0]) from error
    if not request.htmx:
        return redirect(_next_url(request, form.cleaned_data["next"], "activities:my_tasks"))
    context = {
        "activity": activity,
        "task": activity,
        "can_change_activities": True,
        "show_person": form.cleaned_data["show_person"],
        "next": form.cleaned_data["next"],
    }
    if form.cleaned_data["fragment"] == "timeline":
        return render(request, "activities/timeline_item.html", context)
    return render(request, "activities/task_list.html#task_row", context)
