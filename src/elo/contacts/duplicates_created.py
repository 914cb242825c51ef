"""How many of the records an import just created look like records that were already there.

An import of 100,000 people cannot ask `similar_people` 100,000 times, so this works in
chunks of the created ids, a few queries each, all through indexes: the emails and phones
of a chunk looked up in `PersonEmail.email` / `PersonPhone.number`, and its names in
`Person.sort_name` (both orders, with and without punctuation). That finds every earlier
person who could score as a duplicate by the review queue's rules: a name alone only counts
when it is the same name key, and an email or phone only with a compatible name, which
`_score` then decides. Organizations are fewer; the review queue's own candidates are used.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from typing import Any

from elo.contacts.duplicates import (
    THRESHOLD,
    _score,
    _similar_people_queryset,
    name_key,
    organization_candidates,
)
from elo.contacts.models import Organization, Person, PersonEmail, PersonPhone
from elo.core.text import fold

CHUNK = 500


def _sort_names(given: str, family: str) -> set[str]:
    """The `sort_name`s an earlier person with the same name key may have."""
    if not given and not family:
        return set()
    tokens = name_key(given, family).split()
    return {
        fold(f"{family} {given}"),
        fold(f"{given} {family}"),
        " ".join(tokens),
        " ".join(reversed(tokens)),
    }


def people_like_earlier(user: Any, created_ids: Iterable[int]) -> int:
    """How many of `created_ids` look like a person `user` sees who was there before them."""
    created = set(created_ids)
    if not created:
        return 0
    # The records of a run get ids above every record that was there before it.
    people = _similar_people_queryset(user).filter(pk__lt=min(created))
    ordered = sorted(created)
    return sum(
        _people_chunk(people, ordered[start : start + CHUNK], created)
        for start in range(0, len(ordered), CHUNK)
    )


def _people_chunk(people: Any, chunk: list[int], created: set[int]) -> int:
    names: dict[int, str] = {}
    by_sort_name: dict[str, set[int]] = defaultdict(set)
    for pk, given, family in Person.objects.filter(pk__in=chunk).values_list(
        "pk", "given_name", "family_name"
    ):
        names[pk] = name_key(given, family)
        for sort_name in _sort_names(given, family):
            by_sort_name[sort_name].add(pk)
    flags: dict[tuple[int, int], set[str]] = defaultdict(set)
    for model, column, flag in ((PersonEmail, "email", "email"), (PersonPhone, "number", "phone")):
        holders: dict[str, set[int]] = defaultdict(set)
        for pk, value in model._default_manager.filter(person_id__in=chunk).values_list(
            "person_id", column
        ):
            holders[value].add(pk)
        if not holders:
            continue
        # The index alone; visibility is applied below, when the names are read.
        earlier = model._default_manager.filter(
            **{f"{column}__in": list(holders)}, person_id__lt=chunk[0]
        ).values_list("person_id", column)
        for old, value in earlier:
            if old not in created:
                for new in holders[value]:
                    flags[(new, old)].add(flag)
    alike: set[int] = set()
    by_key: dict[str, set[int]] = defaultdict(set)
    for pk in chunk:
        if names.get(pk):
            by_key[names[pk]].add(pk)
    if by_sort_name:
        for old, given, family in people.filter(sort_name__in=list(by_sort_name)).values_list(
            "pk", "given_name", "family_name"
        ):
            if old in created:
                continue
            # The same name key scores 100 on its own.
            alike.update(by_key.get(name_key(given, family), ()))
    missing = {old for _new, old in flags} - set(names)
    for old, given, family in people.filter(pk__in=missing).values_list(
        "pk", "given_name", "family_name"
    ):
        names[old] = name_key(given, family)
    for (new, old), found in flags.items():
        if new in alike or old not in names:
            continue
        candidate = _score(
            new,
            old,
            names,
            same_email="email" in found,
            same_phone="phone" in found,
            colleagues=False,
        )
        if candidate.score >= THRESHOLD:
            alike.add(new)
    return len(alike)


def organizations_like_earlier(user: Any, created_ids: Iterable[int]) -> int:
    """How many of `created_ids` look like an organization `user` sees that is not one of
    them (the review queue's candidates over the visible organizations)."""
    created = set(created_ids)
    if not created:
        return 0
    organizations = Organization.objects.visible_to(user).alive().filter(merged_into__isnull=True)
    alike = set()
    for candidate in organization_candidates(organizations):
        first_new = candidate.first_id in created
        second_new = candidate.second_id in created
        if first_new and not second_new:
            alike.add(candidate.first_id)
        elif second_new and not first_new:
            alike.add(candidate.second_id)
    return len(alike)
