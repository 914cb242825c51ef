"""Reads of people and organizations, always through `visible_to`."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import models
from django.http import Http404
from django.utils.translation import gettext as _

from elo.contacts.filters import RecordFilter
from elo.contacts.models import Employment, Organization, Person, PersonEmail, PersonPhone
from elo.core.pagination import Page, paginate
from elo.core.querysets import RecordQuerySet

PERSON_FTS = "contacts_person_fts"
ORGANIZATION_FTS = "contacts_organization_fts"

ACTION_PERMISSIONS = {
    "view": None,
    "change": "contacts.change",
    "delete": "contacts.delete",
}


def _authorize(user: Any, action: str) -> None:
    permission = ACTION_PERMISSIONS[action]
    if permission and not user.has_elo_perm(permission):
        raise PermissionDenied(
            _("Your role does not allow %(permission)s.") % {"permission": permission}
        )


def person_queryset_for(user: Any) -> RecordQuerySet:
    return Person.objects.visible_to(user)


def people_matching(user: Any, filters: RecordFilter) -> RecordQuerySet:
    """Visible people matching `filters`, nothing related loaded (counts, the API's lists)."""
    return filters.apply(person_queryset_for(user), entity="person", fts_table=PERSON_FTS)


def people_for_list(user: Any, filters: RecordFilter) -> RecordQuerySet:
    """Visible people matching `filters`, ready for a list page (no N+1)."""
    queryset = people_matching(user, filters)
    return queryset.select_related("owner", "team").prefetch_related(
        "tags",
        models.Prefetch("emails", queryset=PersonEmail.objects.order_by("position", "id")),
        models.Prefetch("phones", queryset=PersonPhone.objects.order_by("position", "id")),
        models.Prefetch(
            "employments",
            queryset=Employment.objects.select_related("organization").order_by("position", "id"),
        ),
    )


def person_page_for(
    user: Any, filters: RecordFilter, *, cursor: str | None, size: int, related: bool = True
) -> Page[Person]:
    """One page of people; `related=False` leaves emails, phones, jobs and tags to the caller
    (the API fetches them as plain values, see `schemas.people_payload`)."""
    queryset = (
        people_for_list(user, filters)
        if related
        else people_matching(user, filters).select_related("owner")
    )
    return paginate(queryset, keys=filters.keys(), cursor=cursor, size=size)


def person_get_for(
    user: Any, pk: Any, *, action: str = "view", deleted: bool = False, related: bool = True
) -> Person:
    """The visible person `pk` with everything a detail page shows; 404 if not visible.
    `related=False` loads the person and owner only (see `person_page_for`)."""
    try:
        key = int(pk)
    except (TypeError, ValueError) as error:
        raise Http404 from error
    queryset = person_queryset_for(user)
    queryset = queryset if deleted else queryset.alive()
    if not related:
        found = queryset.select_related("owner").filter(pk=key).first()
        if found is None:
            raise Http404
        _authorize(user, action)
        return found
    person = (
        queryset.select_related("owner", "team")
        .prefetch_related(
            "tags",
            models.Prefetch("emails", queryset=PersonEmail.objects.order_by("position", "id")),
            models.Prefetch("phones", queryset=PersonPhone.objects.order_by("position", "id")),
            models.Prefetch(
                "employments",
                queryset=Employment.objects.select_related("organization").order_by(
                    "position", "id"
                ),
            ),
        )
        .filter(pk=key)
        .first()
    )
    if person is None:
        raise Http404
    _authorize(user, action)
    return person


def organization_queryset_for(user: Any) -> RecordQuerySet:
    return Organization.objects.visible_to(user)


def organizations_for_list(user: Any, filters: RecordFilter) -> RecordQuerySet:
    queryset = filters.apply(
        organization_queryset_for(user), entity="organization", fts_table=ORGANIZATION_FTS
    )
    return queryset.select_related("owner", "team").prefetch_related("tags")


def organization_page_for(
    user: Any, filters: RecordFilter, *, cursor: str | None, size: int
) -> Page[Organization]:
    return paginate(
        organizations_for_list(user, filters), keys=filters.keys(), cursor=cursor, size=size
    )


def organization_get_for(
    user: Any, pk: Any, *, action: str = "view", deleted: bool = False
) -> Organization:
    try:
        key = int(pk)
    except (TypeError, ValueError) as error:
        raise Http404 from error
    queryset = organization_queryset_for(user)
    queryset = queryset if deleted else queryset.alive()
    organization = (
        queryset.select_related("owner", "team").prefetch_related("tags").filter(pk=key).first()
    )
    if organization is None:
        raise Http404
    _authorize(user, action)
    return organization


def organization_people(user: Any, organization: Organization) -> list[Employment]:
    """The visible people working at `organization`."""
    visible = person_queryset_for(user).alive().values("pk")
    return list(
        Employment.objects.filter(organization=organization, person__in=visible)
        .select_related("person")
        .order_by("person__sort_name", "person_id")
    )


def people_by_ids_for(user: Any, pks: list[int]) -> list[Person]:
    return list(person_queryset_for(user).alive().filter(pk__in=pks).prefetch_related("tags"))


def organizations_by_ids_for(user: Any, pks: list[int]) -> list[Organization]:
    return list(organization_queryset_for(user).alive().filter(pk__in=pks).prefetch_related("tags"))


def global_search(user: Any, query: str, *, limit: int = 10) -> dict[str, list[Any]]:
    """The best-ranked visible people and organizations for the search box."""
    filters = RecordFilter(q=query)
    people = list(
        filters.apply(person_queryset_for(user), entity="person", fts_table=PERSON_FTS).order_by(
            *filters.keys()
        )[:limit]
    )
    organizations = list(
        filters.apply(
            organization_queryset_for(user), entity="organization", fts_table=ORGANIZATION_FTS
        ).order_by(*filters.keys())[:limit]
    )
    return {"people": people, "organizations": organizations}


def recent_people(user: Any, *, limit: int = 8) -> list[Person]:
    return list(person_queryset_for(user).alive().order_by("-updated_at", "-id")[:limit])


def recent_organizations(user: Any, *, limit: int = 8) -> list[Organization]:
    return list(organization_queryset_for(user).alive().order_by("-updated_at", "-id")[:limit])


def organization_choices_for(
    user: Any, *, include: list[int] | None = None, limit: int = 200
) -> list[tuple[int, str]]:
    """(id, name) of visible organizations for a picker: the first `limit` by name, plus the
    visible ones in `include` (those already chosen), in name order."""
    queryset = organization_queryset_for(user).alive().order_by("sort_name", "id")
    choices = list(queryset.values_list("pk", "name")[:limit])
    missing = set(include or []) - {pk for pk, _name in choices}
    if missing:
        from elo.core.text import fold

        choices += list(queryset.filter(pk__in=missing).values_list("pk", "name"))
        choices.sort(key=lambda choice: (fold(choice[1]), choice[0]))
    return choices


def organization_names_for(user: Any, pks: list[int]) -> dict[int, str]:
    """Names of the visible organizations among `pks` (for history diffs)."""
    if not pks:
        return {}
    return dict(organization_queryset_for(user).filter(pk__in=pks).values_list("pk", "name"))
