"""Visibility: who sees which records, and search."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.http import Http404

from elo.contacts import selectors
from elo.contacts.filters import RecordFilter

pytestmark = pytest.mark.django_db


def _names(user: Any, **params: Any) -> list[str]:
    filters = RecordFilter.from_params(params)
    return [
        p.given_name for p in selectors.people_for_list(user, filters).order_by(*filters.keys())
    ]


def test_visibility_by_role(
    admin: Any,
    manager: Any,
    rep: Any,
    teammate: Any,
    other_rep: Any,
    outsider: Any,
    reader: Any,
    make_person: Any,
) -> None:
    make_person(owner=rep, given_name="Rita's")
    make_person(owner=teammate, given_name="Tiago's")
    make_person(owner=other_rep, given_name="Otto's")
    assert _names(rep) == ["Rita's"]
    assert _names(teammate) == ["Tiago's"]
    assert sorted(_names(manager)) == ["Rita's", "Tiago's"]
    assert sorted(_names(reader)) == ["Rita's", "Tiago's"]
    assert sorted(_names(admin)) == ["Otto's", "Rita's", "Tiago's"]
    assert _names(outsider) == []
    assert _names(other_rep) == ["Otto's"]


def test_invisible_record_is_404_and_forbidden_action_is_403(
    rep: Any, teammate: Any, reader: Any, make_person: Any
) -> None:
    person = make_person(owner=rep)
    with pytest.raises(Http404):
        selectors.person_get_for(teammate, person.pk)
    assert selectors.person_get_for(reader, person.pk) == person
    with pytest.raises(PermissionDenied):
        selectors.person_get_for(reader, person.pk, action="change")


def test_deleted_people_leave_lists_and_search(manager: Any, rep: Any, make_person: Any) -> None:
    from elo.contacts.services import person_delete

    person = make_person(given_name="Gone", family_name="Johnson")
    person_delete(actor=manager, person=person)
    assert _names(rep) == []
    assert _names(rep, q="john") == []
    assert _names(rep, deleted="1") == ["Gone"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("son", ["Ana", "Bruno"]),
        ("joao", ["João"]),
        ("JOÃO", ["João"]),
        ("jo", ["Ana", "João"]),
        ("wil", ["Bruno"]),
        ("987654", ["João"]),
        ("ana.j@", ["Ana"]),
        ("silva joao", ["João"]),
        ("zzz", []),
    ],
    ids=["substring", "accent-free", "accented-upper", "short-prefix", "prefix", "phone",
         "email", "two-words", "nothing"],
)  # fmt: skip
def test_search_matches_substrings_accents_phones_and_emails(
    rep: Any, make_person: Any, query: str, expected: list[str]
) -> None:
    make_person(given_name="Ana", family_name="Johnson", emails=["ana.j@example.com"])
    make_person(given_name="Bruno", family_name="Wilson")
    make_person(given_name="João", family_name="Silva", phones=["+55 11 98765-4321"])
    assert sorted(_names(rep, q=query)) == expected


def test_search_ranks_name_prefix_first(rep: Any, make_person: Any) -> None:
    make_person(given_name="Carla", family_name="Robson")
    make_person(given_name="Sonia", family_name="Alves")
    make_person(given_name="Ana", family_name="Sonderberg")
    assert _names(rep, q="son") == ["Ana", "Sonia", "Carla"]


def test_organization_search_by_domain(rep: Any, make_organization: Any) -> None:
    make_organization(name="Padaria Pão Quente", domains=["paoquente.com.br"])
    make_organization(name="Other")
    found = selectors.global_search(rep, "paoquente")
    assert [o.name for o in found["organizations"]] == ["Padaria Pão Quente"]
    found = selectors.global_search(rep, "pao")
    assert [o.name for o in found["organizations"]] == ["Padaria Pão Quente"]


def test_filters_by_tag_stage_owner_and_custom_field(
    admin: Any, rep: Any, manager: Any, teammate: Any, make_person: Any
) -> None:
    from elo.core.services import custom_field_create

    custom_field_create(
        actor=admin,
        entity="person",
        key="tier",
        label="Tier",
        field_type="choice",
        choices=["a", "b"],
    )
    make_person(owner=rep, given_name="Ana", tags=["vip"], lifecycle_stage="customer",
                custom={"tier": "a"})  # fmt: skip
    make_person(owner=teammate, given_name="Bia", lifecycle_stage="lead", custom={"tier": "b"})
    assert _names(manager, tag="vip") == ["Ana"]
    assert _names(manager, lifecycle_stage="lead") == ["Bia"]
    assert _names(manager, owner=str(teammate.pk)) == ["Bia"]
    assert _names(manager, cf_tier="a") == ["Ana"]
