"""The custom fields and tags settings pages."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from elo.core.models import AuditEntry, CustomField, Tag
from elo.core.services import custom_field_create, tag_get_or_create


@pytest.fixture
def colour_field(admin: Any) -> CustomField:
    return custom_field_create(
        actor=admin,
        entity="person",
        key="favourite_colour",
        label="Favourite colour",
        field_type="choice",
        choices=["Red", "Blue"],
    )


PAGES = ["core:custom_field_list", "core:custom_field_create", "core:tag_list"]


@pytest.mark.parametrize("name", PAGES)
def test_settings_pages_are_for_admins(client: Any, admin: Any, rep: Any, name: str) -> None:
    url = reverse(name)

    anonymous = client.get(url)
    client.force_login(rep)
    refused = client.get(url)
    client.force_login(admin)
    allowed = client.get(url)

    assert anonymous.status_code == 302
    assert anonymous.url.startswith(reverse("identity:login"))
    assert refused.status_code == 403
    assert allowed.status_code == 200


def test_custom_fields_are_listed_per_record_type(web: Any, admin: Any) -> None:
    custom_field_create(
        actor=admin, entity="organization", key="segment", label="Segment", field_type="text"
    )

    response = web(admin).get(reverse("core:custom_field_list"))

    sections = {section["entity"]: section["fields"] for section in response.context["sections"]}
    assert [field.key for field in sections["person"]] == []
    assert [field.key for field in sections["organization"]] == ["segment"]


def test_admin_creates_a_choice_field_with_one_choice_per_line(web: Any, admin: Any) -> None:
    response = web(admin).post(
        reverse("core:custom_field_create"),
        {
            "entity": "person",
            "key": "shirt_size",
            "label": "Shirt size",
            "field_type": "choice",
            "choices": "S\r\n M \r\n\r\nL\r\nS",
            "required": "on",
            "position": "2",
        },
    )

    assert response.status_code == 302
    field = CustomField.objects.get(key="shirt_size")
    assert (field.entity, field.choices, field.required, field.position) == (
        "person",
        ["S", "M", "L"],
        True,
        2,
    )
    assert AuditEntry.objects.filter(action="core.custom_field.created").count() == 1


def test_custom_field_with_bad_key_is_a_field_error(web: Any, admin: Any) -> None:
    response = web(admin).post(
        reverse("core:custom_field_create"),
        {
            "entity": "person",
            "key": "Shirt Size!",
            "label": "Shirt size",
            "field_type": "text",
            "position": "0",
        },
    )

    assert response.status_code == 200
    assert b'data-field-error="key"' in response.content
    assert not CustomField.objects.exists()


def test_choice_field_without_choices_is_a_field_error(web: Any, admin: Any) -> None:
    response = web(admin).post(
        reverse("core:custom_field_create"),
        {
            "entity": "person",
            "key": "size",
            "label": "Size",
            "field_type": "choice",
            "choices": "\r\n",
            "position": "0",
        },
    )

    assert b'data-field-error="choices"' in response.content
    assert not CustomField.objects.exists()


def test_duplicate_key_is_a_field_error(web: Any, admin: Any, colour_field: Any) -> None:
    response = web(admin).post(
        reverse("core:custom_field_create"),
        {
            "entity": "person",
            "key": "favourite_colour",
            "label": "Colour again",
            "field_type": "text",
            "position": "0",
        },
    )

    assert b"This key is already used." in response.content
    assert CustomField.objects.count() == 1


def test_admin_edits_a_custom_field_but_not_its_key(
    web: Any, admin: Any, colour_field: Any
) -> None:
    response = web(admin).post(
        reverse("core:custom_field_edit", args=[colour_field.pk]),
        {
            "key": "hijacked",
            "label": "Colour",
            "field_type": "choice",
            "choices": "Red\nGreen",
            "position": "1",
        },
    )

    assert response.status_code == 302
    colour_field.refresh_from_db()
    assert (colour_field.key, colour_field.label, colour_field.choices) == (
        "favourite_colour",
        "Colour",
        ["Red", "Green"],
    )


def test_bad_edit_changes_nothing(web: Any, admin: Any, colour_field: Any) -> None:
    response = web(admin).post(
        reverse("core:custom_field_edit", args=[colour_field.pk]),
        {"label": "", "field_type": "choice", "choices": "", "position": "0"},
    )

    assert response.status_code == 200
    assert b'data-field-error="label"' in response.content
    colour_field.refresh_from_db()
    assert (colour_field.label, colour_field.choices) == ("Favourite colour", ["Red", "Blue"])


def test_custom_field_delete_asks_first_then_deletes(
    web: Any, admin: Any, colour_field: Any
) -> None:
    client = web(admin)
    url = reverse("core:custom_field_delete", args=[colour_field.pk])

    question = client.get(url)
    assert CustomField.objects.filter(pk=colour_field.pk).exists()
    response = client.post(url)

    assert question.status_code == 200
    assert response.status_code == 302
    assert not CustomField.objects.filter(pk=colour_field.pk).exists()


def test_rep_cannot_delete_a_custom_field(web: Any, rep: Any, colour_field: Any) -> None:
    response = web(rep).post(reverse("core:custom_field_delete", args=[colour_field.pk]))

    assert response.status_code == 403
    assert CustomField.objects.filter(pk=colour_field.pk).exists()


def test_admin_deletes_a_tag(web: Any, admin: Any) -> None:
    tag = tag_get_or_create(actor=admin, name="VIP")

    listed = web(admin).get(reverse("core:tag_list"))
    response = web(admin).post(reverse("core:tag_delete", args=[tag.pk]))

    assert b"VIP" in listed.content
    assert response.status_code == 302
    assert not Tag.objects.filter(pk=tag.pk).exists()


def test_rep_cannot_delete_a_tag(web: Any, rep: Any) -> None:
    tag = tag_get_or_create(actor=rep, name="VIP")

    response = web(rep).post(reverse("core:tag_delete", args=[tag.pk]))

    assert response.status_code == 403
    assert Tag.objects.filter(pk=tag.pk).exists()


# The session, the signed-in user, the rows; the rest is headroom for the layout.
MAX_LIST_QUERIES = 5


def _add_fields(admin: Any, count: int, start: int) -> None:
    for number in range(start, start + count):
        custom_field_create(
            actor=admin,
            entity="person" if number % 2 else "organization",
            key=f"field_{number}",
            label=f"Field {number}",
            field_type="text",
        )


def _add_tags(admin: Any, count: int, start: int) -> None:
    for number in range(start, start + count):
        tag_get_or_create(actor=admin, name=f"Tag {number}")


@pytest.mark.parametrize(
    ("name", "add_rows"),
    [("core:custom_field_list", _add_fields), ("core:tag_list", _add_tags)],
    ids=["custom-fields", "tags"],
)
def test_list_page_query_count_does_not_grow_with_rows(
    web: Any, admin: Any, django_assert_max_num_queries: Any, name: str, add_rows: Any
) -> None:
    client = web(admin)
    add_rows(admin, 2, 0)
    with CaptureQueriesContext(connection) as few_rows:
        assert client.get(reverse(name)).status_code == 200

    add_rows(admin, 20, 2)
    with django_assert_max_num_queries(len(few_rows)):
        assert client.get(reverse(name)).status_code == 200
    assert len(few_rows) <= MAX_LIST_QUERIES
