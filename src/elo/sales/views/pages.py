"""What the sales pages share: the request type, abilities, fragments, timelines and
history rows."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import BadRequest, ValidationError
from django.http import HttpRequest
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django_htmx.middleware import HtmxDetails

from elo.core import audit
from elo.core.custom_fields import definitions
from elo.core.forms import add_service_errors
from elo.core.pagination import Page
from elo.identity.selectors import team_list, user_list_for
from elo.sales.models import Deal, Lead, Pipeline, Stage

PAGE_SIZE = 50
TIMELINE_SIZE = 50
HISTORY_SIZE = 200
ACTION_LABELS = {
    "created": gettext_lazy("Created"),
    "updated": gettext_lazy("Changed"),
    "deleted": gettext_lazy("Deleted"),
    "restored": gettext_lazy("Restored"),
    "stage_changed": gettext_lazy("Moved"),
    "assigned": gettext_lazy("Assigned"),
    "converted": gettext_lazy("Converted"),
    "disqualified": gettext_lazy("Disqualified"),
}
STALE_ACTION_MESSAGE = gettext_lazy(
    "Someone changed this record after you opened it, so nothing was done. Check the "
    "changes, then try again."
)


class EloRequest(HttpRequest):
    """A request as these views see it: signed in (login_required) and read by django-htmx."""

    user: Any
    htmx: HtmxDetails


def abilities(user: Any) -> dict[str, bool]:
    """What to offer on a page; the services check again when the user acts."""
    return {
        "can_add": user.has_elo_perm("sales.add"),
        "can_change": user.has_elo_perm("sales.change"),
        "can_delete": user.has_elo_perm("sales.delete"),
        "can_configure": user.has_elo_perm("sales.configure"),
        "can_add_activities": user.has_elo_perm("activities.add"),
        "can_change_activities": user.has_elo_perm("activities.change"),
        "can_export": user.has_elo_perm("exports.run"),
    }


def fragment(request: EloRequest, template: str, partial: str) -> str:
    """The partial of `template` for htmx requests (not history restores), else the page."""
    if request.htmx and not request.htmx.history_restore_request:
        return f"{template}#{partial}"
    return template


def safe_next_url(request: HttpRequest, candidate: str | None, fallback: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return fallback


def custom_rows(entity: str, values: dict[str, Any]) -> list[dict[str, Any]]:
    return [
        {
            "label": field.label,
            "value": values[field.key],
            "is_list": isinstance(values[field.key], list),
        }
        for field in definitions(entity)
        if values.get(field.key) not in (None, "", [])
    ]


def list_page(
    request: EloRequest, form: Any, page_for: Any, list_for: Any
) -> tuple[Page[Any], int]:
    """The page of results and the total for a valid filter form; errors go on the form."""
    if not form.is_valid():
        return Page(items=[], next_cursor=None), 0
    filters = form.filters()
    try:
        page = page_for(
            request.user, cursor=request.GET.get("cursor") or None, size=PAGE_SIZE, **filters
        )
    except ValidationError as error:
        add_service_errors(form, error)
        return Page(items=[], next_cursor=None), 0
    return page, list_for(request.user, **filters).count()


def timeline_page(request: EloRequest, read: Any, record: Lead | Deal) -> Page[Any]:
    try:
        return read(record, cursor=request.GET.get("before") or None, size=TIMELINE_SIZE)
    except ValidationError as error:
        raise BadRequest(error.messages[0]) from error


def history_rows(user: Any, record: Lead | Deal) -> list[dict[str, Any]]:
    """The record's audit entries, newest first, as rows of readable changes: owners,
    teams, pipelines and stages by name, choices by label."""
    entries = list(audit.history_for(record).order_by("-id")[:HISTORY_SIZE])
    model = type(record)
    labels = {
        field.name: getattr(field, "verbose_name", field.name) for field in model._meta.get_fields()
    }
    choices = {
        field.name: {str(key): label for key, label in field.flatchoices}
        for field in model._meta.concrete_fields
        if field.choices
    }
    wanted: dict[str, set[int]] = {"owner": set(), "team": set(), "stage": set(), "pipeline": set()}
    for entry in entries:
        for name, change in entry.changes.items():
            if name in wanted and isinstance(change, list):
                wanted[name].update(value for value in change if isinstance(value, int))
    sources: dict[str, Any] = {
        "owner": user_list_for(user),
        "team": team_list(),
        "stage": Stage.objects.all(),
        "pipeline": Pipeline.objects.all(),
    }
    names = {
        name: {item.pk: str(item) for item in sources[name].filter(pk__in=keys)} if keys else {}
        for name, keys in wanted.items()
    }

    def show(name: str, value: Any) -> str:
        if value in (None, "", [], {}):
            return ""
        if name in names:
            return names[name].get(value, f"#{value}")
        if name in choices:
            return str(choices[name].get(str(value), value))
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        if isinstance(value, list):
            return ", ".join(str(item) for item in value)
        return str(value)

    rows = []
    for entry in entries:
        changes = []
        for name, change in entry.changes.items():
            if name in ("deleted_at", "version"):
                continue
            pair = change if isinstance(change, list) and len(change) == 2 else [None, change]
            old, new = show(name, pair[0]), show(name, pair[1])
            if old or new:
                changes.append({"field": labels.get(name, name), "old": old, "new": new})
        verb = entry.action.rsplit(".", 1)[-1]
        rows.append(
            {"entry": entry, "action": ACTION_LABELS.get(verb, entry.action), "changes": changes}
        )
    return rows
