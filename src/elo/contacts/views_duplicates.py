"""Possible duplicate people: the review queue, "not a duplicate", and the merge page."""

from __future__ import annotations

from typing import Any

from django.apps import apps
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from elo.contacts import duplicates, selectors
from elo.contacts.merge import CHOICES, CUSTOM_PREFIX, MERGE_FIELDS, merge_preview, person_merge
from elo.contacts.models import Person
from elo.contacts.views import EloRequest

LIST_SIZE = 100
# Names people use for the tables a merge moves; other tables show their verbose name.
MOVE_LABELS = {
    "contacts.personemail": gettext_lazy("emails"),
    "contacts.personphone": gettext_lazy("phones"),
    "contacts.employment": gettext_lazy("organizations"),
    "contacts.person_tags": gettext_lazy("tags"),
    "activities.activity": gettext_lazy("timeline entries"),
    "activities.activity_attendees": gettext_lazy("activities attended"),
    "sales.dealperson": gettext_lazy("deals"),
}


@login_required
def duplicate_list(request: EloRequest) -> HttpResponse:
    count, pairs = duplicates.person_duplicates_for(request.user, limit=LIST_SIZE)
    organization_count, organization_pairs = duplicates.organization_duplicates_for(
        request.user, limit=LIST_SIZE
    )
    context = {
        "count": count,
        "pairs": pairs,
        "organization_count": organization_count,
        "organization_pairs": organization_pairs,
        "can_merge": request.user.has_elo_perm("contacts.change")
        and request.user.has_elo_perm("contacts.delete"),
        "can_dismiss": request.user.has_elo_perm("contacts.change"),
    }
    return render(request, "contacts/duplicates/list.html", context)


@login_required
@require_POST
def duplicate_dismiss(request: EloRequest) -> HttpResponse:
    first: Any
    second: Any
    entity = "organization" if request.POST.get("entity") == "organization" else "person"
    getter = (
        selectors.organization_get_for if entity == "organization" else selectors.person_get_for
    )
    first = getter(request.user, request.POST.get("a"), action="change")
    second = getter(request.user, request.POST.get("b"), action="change")
    try:
        duplicates.duplicate_dismiss(actor=request.user, entity=entity, first=first, second=second)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("%(first)s and %(second)s will not be suggested as duplicates again.")
            % {"first": first, "second": second},
        )
    return redirect("contacts:person_duplicates")


def _display(person: Person, name: str) -> str:
    field = Person._meta.get_field(name)
    if getattr(field, "choices", None):
        return str(getattr(person, f"get_{name}_display")())
    value = getattr(person, name)
    return "" if value is None else str(value)


def _rows(survivor: Person, duplicate: Person, chosen: dict[str, str]) -> list[dict[str, Any]]:
    """One row per field: both values, and the radio choice when they differ."""
    rows = []
    for name, label in MERGE_FIELDS.items():
        mine, theirs = _display(survivor, name), _display(duplicate, name)
        default = "duplicate" if theirs and not mine else "survivor"
        rows.append(
            {
                "name": name,
                "label": label,
                "survivor": mine,
                "duplicate": theirs,
                "differs": mine != theirs,
                "choice": chosen.get(name, default),
            }
        )
    for key in sorted(set(survivor.custom) | set(duplicate.custom)):
        mine, theirs = survivor.custom.get(key, ""), duplicate.custom.get(key, "")
        name = CUSTOM_PREFIX + key
        rows.append(
            {
                "name": name,
                "label": key,
                "survivor": mine,
                "duplicate": theirs,
                "differs": key in survivor.custom and key in duplicate.custom and mine != theirs,
                "choice": chosen.get(name, "survivor"),
            }
        )
    return rows


def _moves(survivor: Person, duplicate: Person) -> list[tuple[str, int]]:
    """What will move, as (table name for people, count)."""
    moves = []
    for label, count in merge_preview(survivor, duplicate).items():
        app_label, _dot, model_name = label.partition(".")
        try:
            name = str(
                MOVE_LABELS.get(label)
                or apps.get_model(app_label, model_name)._meta.verbose_name_plural
            )
        except LookupError:
            name = label
        moves.append((name, count))
    return moves


@login_required
def person_merge_review(request: EloRequest, pk: int, other: int) -> HttpResponse:
    """Side by side: the survivor (`pk`) keeps what is picked of the duplicate (`other`)."""
    survivor = selectors.person_get_for(request.user, pk, action="change")
    duplicate = selectors.person_get_for(request.user, other)
    chosen: dict[str, str] = {}
    errors: list[str] = []
    if request.method == "POST":
        names = [*MERGE_FIELDS, *(CUSTOM_PREFIX + key for key in duplicate.custom)]
        chosen = {
            name: request.POST[f"field-{name}"]
            for name in names
            if request.POST.get(f"field-{name}") in CHOICES
        }
        try:
            person_merge(actor=request.user, survivor=survivor, duplicate=duplicate, fields=chosen)
        except ValidationError as error:
            errors = error.messages
        else:
            messages.success(
                request,
                _("Merged %(duplicate)s into %(survivor)s.")
                % {"duplicate": duplicate, "survivor": survivor},
            )
            return redirect("contacts:person_detail", survivor.pk)
    context = {
        "survivor": survivor,
        "duplicate": duplicate,
        "rows": _rows(survivor, duplicate, chosen),
        "moves": _moves(survivor, duplicate),
        "errors": errors,
    }
    return render(request, "contacts/duplicates/merge.html", context, status=400 if errors else 200)
