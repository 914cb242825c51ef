"""People and organization pages: parse input, call a selector or a service, render.

A list URL answers an htmx request with the results fragment only (the `results` partial),
so the table follows the search box as the user types; without JavaScript the same URL
serves the whole page.
"""

from __future__ import annotations

import datetime
import decimal
from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, ValidationError
from django.db import models
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_POST
from django_htmx.middleware import HtmxDetails

from elo.activities import selectors as timeline_selectors
from elo.contacts import selectors, services
from elo.contacts.cleaning import display_phone
from elo.contacts.duplicates import (
    Similar,
    merged_survivor_for,
    similar_people,
    similar_to_organization_input,
    similar_to_person_input,
)
from elo.contacts.filters import RecordFilter
from elo.contacts.forms import (
    BulkActionForm,
    OrganizationForm,
    PersonForm,
    RecordFilterForm,
    VersionForm,
    apply_service_errors,
    split_items,
)
from elo.contacts.models import Organization, Person
from elo.core import selectors as core_selectors
from elo.core.custom_fields import definitions
from elo.core.errors import PreconditionFailed
from elo.core.forms import service_errors
from elo.core.models import AuditEntry, CustomField
from elo.core.pagination import Page
from elo.core.permissions import require
from elo.identity.selectors import team_list, user_list_for
from elo.privacy.access import log_view

PAGE_SIZE = 50
TIMELINE_SIZE = 50


class EloRequest(HttpRequest):
    """A request as these views see it: signed in (login_required) and read by django-htmx."""

    user: Any
    htmx: HtmxDetails


def _abilities(user: Any) -> dict[str, bool]:
    """What to offer on a page; the services check again when the user acts."""
    return {
        "can_add": user.has_elo_perm("contacts.add"),
        "can_change": user.has_elo_perm("contacts.change"),
        "can_delete": user.has_elo_perm("contacts.delete"),
        "can_add_activities": user.has_elo_perm("activities.add"),
        "can_change_activities": user.has_elo_perm("activities.change"),
        "can_export": user.has_elo_perm("exports.run"),
    }


def _posted(request: HttpRequest) -> Any:
    return request.POST if request.method == "POST" else None


def _next_url(request: HttpRequest, candidate: str | None, fallback: str) -> str:
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse(fallback)


def _fragment(request: EloRequest, template: str, partial: str) -> str:
    """The partial of `template` for htmx requests (not history restores), else the page."""
    if request.htmx and not request.htmx.history_restore_request:
        return f"{template}#{partial}"
    return template


# --- lists --------------------------------------------------------------------------------


def _record_list(
    request: EloRequest,
    *,
    entity: str,
    page_for: Callable[..., Page[Any]],
    list_for: Callable[..., models.QuerySet[Any]],
    template: str,
) -> HttpResponse:
    form = RecordFilterForm(request.GET, user=request.user, entity=entity)
    page: Page[Any] = Page(items=[], next_cursor=None)
    total = 0
    filters = RecordFilter()
    try:
        filters = RecordFilter.from_params(request.GET)
        page = page_for(
            request.user, filters, cursor=request.GET.get("cursor") or None, size=PAGE_SIZE
        )
        total = list_for(request.user, filters).count()
    except ValidationError as error:
        form.show_errors(error)
    abilities = _abilities(request.user)
    bulk_enabled = not filters.deleted and (abilities["can_change"] or abilities["can_delete"])
    context = {
        "form": form,
        "filters": filters,
        "page": page,
        "total": total,
        "bulk_enabled": bulk_enabled,
        "bulk_form": BulkActionForm(user=request.user, initial={"next": request.get_full_path()})
        if bulk_enabled
        else None,
        **abilities,
    }
    response = render(request, _fragment(request, template, "results"), context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@login_required
def person_list(request: EloRequest) -> HttpResponse:
    return _record_list(
        request,
        entity="person",
        page_for=selectors.person_page_for,
        list_for=selectors.people_for_list,
        template="contacts/person_list.html",
    )


@login_required
def organization_list(request: EloRequest) -> HttpResponse:
    return _record_list(
        request,
        entity="organization",
        page_for=selectors.organization_page_for,
        list_for=selectors.organizations_for_list,
        template="contacts/organization_list.html",
    )


def _bulk(
    request: EloRequest, *, by_ids: Callable[[Any, list[int]], list[Any]], fallback: str
) -> HttpResponse:
    form = BulkActionForm(request.POST, user=request.user)
    back = _next_url(request, request.POST.get("next"), fallback)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, str(error))
        return redirect(back)
    records = by_ids(request.user, form.cleaned_data["ids"])
    action = form.cleaned_data["action"]
    try:
        if action == "tag":
            result = services.bulk_tag(
                actor=request.user, records=records, tag_name=form.cleaned_data["tag"]
            )
        elif action == "assign":
            result = services.bulk_assign(
                actor=request.user, records=records, owner_id=form.cleaned_data["owner"]
            )
        else:
            result = services.bulk_delete(actor=request.user, records=records)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
        return redirect(back)
    changed, skipped = len(result.changed), len(result.skipped)
    text = ngettext("Changed %(count)d row.", "Changed %(count)d rows.", changed) % {
        "count": changed
    }
    if skipped:
        text += " " + ngettext(
            "%(count)d row already was so.", "%(count)d rows already were so.", skipped
        ) % {"count": skipped}
    messages.success(request, text)
    return redirect(back)


@login_required
@require_POST
def person_bulk(request: EloRequest) -> HttpResponse:
    return _bulk(request, by_ids=selectors.people_by_ids_for, fallback="contacts:person_list")


@login_required
@require_POST
def organization_bulk(request: EloRequest) -> HttpResponse:
    return _bulk(
        request,
        by_ids=selectors.organizations_by_ids_for,
        fallback="contacts:organization_list",
    )


# --- detail pages -------------------------------------------------------------------------


def _custom_rows(fields: list[CustomField], values: dict[str, Any]) -> list[dict[str, Any]]:
    """The record's custom values labelled by their definitions, typed for localized display."""
    rows = []
    for field in fields:
        value = values.get(field.key)
        if value in (None, "", []):
            continue
        try:
            if field.field_type == "date":
                value = datetime.date.fromisoformat(str(value))
            elif field.field_type == "decimal":
                value = decimal.Decimal(str(value))
        except (ValueError, decimal.InvalidOperation):
            pass
        rows.append({"label": field.label, "type": field.field_type, "value": value})
    return rows


def _timeline(
    request: HttpRequest, read: Callable[..., Page[Any]], record: Person | Organization
) -> Page[Any]:
    try:
        return read(record, cursor=request.GET.get("before") or None, size=TIMELINE_SIZE)
    except ValidationError as error:
        raise BadRequest(error.messages[0]) from error


@login_required
def person_detail(request: EloRequest, pk: int) -> HttpResponse:
    try:
        person = selectors.person_get_for(request.user, pk)
    except Http404:
        # A person merged into another: old links lead to the survivor.
        return redirect("contacts:person_detail", merged_survivor_for(request.user, pk))
    log_view(request, what="Person page", person_id=person.pk)
    context = {
        "person": person,
        "tab": "timeline",
        "timeline": _timeline(request, timeline_selectors.person_timeline, person),
        "custom_rows": _custom_rows(definitions("person"), person.custom),
        "version_form": VersionForm(initial={"version": person.version}),
        **_abilities(request.user),
    }
    return render(request, _fragment(request, "contacts/person_detail.html", "tab"), context)


@login_required
def organization_detail(request: EloRequest, pk: int) -> HttpResponse:
    organization = selectors.organization_get_for(request.user, pk)
    context = {
        "organization": organization,
        "tab": "timeline",
        "people": selectors.organization_people(request.user, organization),
        "timeline": _timeline(request, timeline_selectors.organization_timeline, organization),
        "custom_rows": _custom_rows(definitions("organization"), organization.custom),
        "version_form": VersionForm(initial={"version": organization.version}),
        **_abilities(request.user),
    }
    return render(request, _fragment(request, "contacts/organization_detail.html", "tab"), context)


# --- history ------------------------------------------------------------------------------

ACTION_LABELS = {
    "created": gettext_lazy("Created"),
    "updated": gettext_lazy("Changed"),
    "deleted": gettext_lazy("Deleted"),
    "restored": gettext_lazy("Restored"),
    "merged": gettext_lazy("Merged"),
}
EXTRA_LABELS = {
    "emails": gettext_lazy("Emails"),
    "phones": gettext_lazy("Phones"),
    "tags": gettext_lazy("Tags"),
    "organizations": gettext_lazy("Organizations"),
    "via": gettext_lazy("Through"),
    "tax_id_kind": gettext_lazy("Tax id type"),
}


def _is_change(value: Any) -> bool:
    return isinstance(value, list) and len(value) == 2


def _history_rows(
    user: Any, entries: list[AuditEntry], *, model: type[models.Model], fields: list[CustomField]
) -> list[dict[str, Any]]:
    """Audit entries as rows of readable changes: owners, teams and organizations by name,
    custom fields by label, one row per changed custom field."""
    labels: dict[str, Any] = {
        field.name: getattr(field, "verbose_name", field.name) for field in model._meta.get_fields()
    }
    labels.update(EXTRA_LABELS)
    choice_labels = {
        field.name: {str(key): label for key, label in field.flatchoices}
        for field in model._meta.concrete_fields
        if field.choices
    }
    custom_labels = {field.key: field.label for field in fields}
    wanted: dict[str, set[int]] = {"owner": set(), "team": set(), "organizations": set()}
    for entry in entries:
        for name, change in entry.changes.items():
            if name in ("owner", "team") and _is_change(change):
                wanted[name].update(value for value in change if isinstance(value, int))
            elif name == "organizations" and _is_change(change):
                wanted[name].update(pair[0] for side in change for pair in side or [])
    names: dict[str, dict[int, str]] = {
        "owner": {item.pk: str(item) for item in user_list_for(user).filter(pk__in=wanted["owner"])}
        if wanted["owner"]
        else {},
        "team": {item.pk: item.name for item in team_list().filter(pk__in=wanted["team"])}
        if wanted["team"]
        else {},
        "organizations": selectors.organization_names_for(user, list(wanted["organizations"])),
    }

    def show(name: str, value: Any) -> str:
        if value in (None, "", [], {}):
            return ""
        if name in ("owner", "team"):
            return names[name].get(value, f"#{value}")
        if name == "organizations":
            return "; ".join(
                " — ".join(part for part in (names[name].get(org, f"#{org}"), title) if part)
                for org, title in value
            )
        if name in choice_labels:
            return str(choice_labels[name].get(str(value), value))
        if name == "phones":
            return ", ".join(display_phone(str(number)) for number in value)
        if isinstance(value, bool):
            return _("yes") if value else _("no")
        if isinstance(value, list):
            return ", ".join(str(item) for item in value)
        return str(value)

    rows = []
    for entry in entries:
        changes: list[dict[str, Any]] = []
        for name, change in entry.changes.items():
            if name == "deleted_at":
                continue
            if name == "custom" and _is_change(change):
                old, new = (side or {} for side in change)
                changes.extend(
                    {
                        "field": custom_labels.get(key, key),
                        "old": show(key, old.get(key)),
                        "new": show(key, new.get(key)),
                    }
                    for key in sorted(set(old) | set(new))
                    if old.get(key) != new.get(key)
                )
            elif _is_change(change):
                changes.append(
                    {
                        "field": labels.get(name, name),
                        "old": show(name, change[0]),
                        "new": show(name, change[1]),
                    }
                )
            else:
                changes.append(
                    {"field": labels.get(name, name), "old": "", "new": show("", change)}
                )
        verb = entry.action.rsplit(".", 1)[-1]
        rows.append(
            {
                "entry": entry,
                "action": ACTION_LABELS.get(verb, entry.action),
                "changes": [row for row in changes if row["old"] or row["new"]],
            }
        )
    return rows


@login_required
def person_history(request: EloRequest, pk: int) -> HttpResponse:
    person = selectors.person_get_for(request.user, pk)
    log_view(request, what="Person page", person_id=person.pk)
    entries = core_selectors.history("contacts.person", person.pk)
    fields = definitions("person")
    context = {
        "person": person,
        "tab": "history",
        "history": _history_rows(request.user, entries, model=Person, fields=fields),
        "custom_rows": _custom_rows(fields, person.custom),
        "version_form": VersionForm(initial={"version": person.version}),
        **_abilities(request.user),
    }
    return render(request, _fragment(request, "contacts/person_detail.html", "tab"), context)


@login_required
def organization_history(request: EloRequest, pk: int) -> HttpResponse:
    organization = selectors.organization_get_for(request.user, pk)
    entries = core_selectors.history("contacts.organization", organization.pk)
    fields = definitions("organization")
    context = {
        "organization": organization,
        "tab": "history",
        "people": selectors.organization_people(request.user, organization),
        "history": _history_rows(request.user, entries, model=Organization, fields=fields),
        "custom_rows": _custom_rows(fields, organization.custom),
        "version_form": VersionForm(initial={"version": organization.version}),
        **_abilities(request.user),
    }
    return render(request, _fragment(request, "contacts/organization_detail.html", "tab"), context)


# --- create and edit ----------------------------------------------------------------------


@login_required
def person_create(request: EloRequest) -> HttpResponse:
    require(request.user, "contacts.add")
    form = PersonForm(_posted(request), user=request.user)
    similar: list[Similar] = []
    if form.is_bound and form.is_valid():
        try:
            data = form.service_data()
            if not form.cleaned_data["confirm_duplicate"]:
                similar = similar_to_person_input(request.user, data)
            if not similar:
                person = services.person_create(actor=request.user, data=data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            if not similar:
                messages.success(request, _("Added %(name)s.") % {"name": person})
                return redirect("contacts:person_detail", person.pk)
    return render(
        request,
        "contacts/person_form.html",
        {"form": form, "person": None, "similar": similar, "similar_kind": "person"},
    )


@login_required
def person_similar_hint(request: EloRequest) -> HttpResponse:
    """The "this looks like ..." notice for the values typed so far (htmx, while typing)."""
    form = PersonForm(request.GET, user=request.user)
    form.is_valid()
    data = form.cleaned_data
    similar = similar_people(
        request.user,
        given_name=data.get("given_name", ""),
        family_name=data.get("family_name", ""),
        emails=split_items(data.get("emails", "")),
        phones=split_items(data.get("phones", "")),
    )
    context = {"similar": similar, "similar_kind": "person", "hint": True}
    return render(request, "contacts/includes/similar_notice.html", context)


@login_required
def person_edit(request: EloRequest, pk: int) -> HttpResponse:
    person = selectors.person_get_for(request.user, pk, action="change")
    form = PersonForm(_posted(request), user=request.user, person=person)
    if form.is_bound and form.is_valid():
        with service_errors(form, apply_service_errors) as submission:
            services.person_update(
                actor=request.user,
                person=person,
                data=form.service_data(),
                expected_version=form.cleaned_data["version"],
            )
        if submission.ok:
            messages.success(request, _("Saved %(name)s.") % {"name": person})
            return redirect("contacts:person_detail", person.pk)
    return render(request, "contacts/person_form.html", {"form": form, "person": person})


@login_required
def organization_create(request: EloRequest) -> HttpResponse:
    require(request.user, "contacts.add")
    form = OrganizationForm(_posted(request), user=request.user)
    similar: list[Similar] = []
    if form.is_bound and form.is_valid():
        try:
            data = form.service_data()
            if not form.cleaned_data["confirm_duplicate"]:
                similar = similar_to_organization_input(request.user, data)
            if not similar:
                organization = services.organization_create(actor=request.user, data=data)
        except ValidationError as error:
            apply_service_errors(form, error)
        else:
            if not similar:
                messages.success(request, _("Added %(name)s.") % {"name": organization})
                return redirect("contacts:organization_detail", organization.pk)
    context = {"form": form, "organization": None, "similar": similar}
    return render(request, "contacts/organization_form.html", context | {"similar_kind": "org"})


@login_required
def organization_edit(request: EloRequest, pk: int) -> HttpResponse:
    organization = selectors.organization_get_for(request.user, pk, action="change")
    form = OrganizationForm(_posted(request), user=request.user, organization=organization)
    if form.is_bound and form.is_valid():
        with service_errors(form, apply_service_errors) as submission:
            services.organization_update(
                actor=request.user,
                organization=organization,
                data=form.service_data(),
                expected_version=form.cleaned_data["version"],
            )
        if submission.ok:
            messages.success(request, _("Saved %(name)s.") % {"name": organization})
            return redirect("contacts:organization_detail", organization.pk)
    return render(
        request,
        "contacts/organization_form.html",
        {"form": form, "organization": organization},
    )


# --- delete and restore -------------------------------------------------------------------

STALE_DELETE_MESSAGE = gettext_lazy(
    "Someone changed this record after you opened it, so it was not deleted. Check the "
    "changes, then delete again."
)


def _version(request: HttpRequest) -> int | None:
    form = VersionForm(request.POST)
    return form.cleaned_data.get("version") if form.is_valid() else None


@login_required
@require_POST
def person_delete(request: EloRequest, pk: int) -> HttpResponse:
    person = selectors.person_get_for(request.user, pk, action="delete")
    try:
        services.person_delete(
            actor=request.user, person=person, expected_version=_version(request)
        )
    except PreconditionFailed:
        messages.error(request, str(STALE_DELETE_MESSAGE))
        return redirect("contacts:person_detail", person.pk)
    messages.success(
        request,
        _("Deleted %(name)s. You can restore them from the deleted people.") % {"name": person},
    )
    return redirect("contacts:person_list")


@login_required
@require_POST
def person_restore(request: EloRequest, pk: int) -> HttpResponse:
    person = selectors.person_get_for(request.user, pk, action="delete", deleted=True)
    try:
        services.person_restore(actor=request.user, person=person)
    except ValidationError as error:  # an erased person stays in the trash
        messages.error(request, " ".join(error.messages))
        return redirect("contacts:person_list")
    messages.success(request, _("Restored %(name)s.") % {"name": person})
    return redirect("contacts:person_detail", person.pk)


@login_required
@require_POST
def organization_delete(request: EloRequest, pk: int) -> HttpResponse:
    organization = selectors.organization_get_for(request.user, pk, action="delete")
    try:
        services.organization_delete(
            actor=request.user, organization=organization, expected_version=_version(request)
        )
    except PreconditionFailed:
        messages.error(request, str(STALE_DELETE_MESSAGE))
        return redirect("contacts:organization_detail", organization.pk)
    messages.success(
        request,
        _("Deleted %(name)s. You can restore it from the deleted organizations.")
        % {"name": organization},
    )
    return redirect("contacts:organization_list")


@login_required
@require_POST
def organization_restore(request: EloRequest, pk: int) -> HttpResponse:
    organization = selectors.organization_get_for(request.user, pk, action="delete", deleted=True)
    services.organization_restore(actor=request.user, organization=organization)
    messages.success(request, _("Restored %(name)s.") % {"name": organization})
    return redirect("contacts:organization_detail", organization.pk)
