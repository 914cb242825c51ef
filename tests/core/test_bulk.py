"""The import fast path writes what the ORM would write, so the ORM reads it back exactly."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from django.db import transaction

from elo.core import bulk
from elo.core.models import OutboxEvent, Tag

pytestmark = pytest.mark.django_db


def test_inserted_values_compare_equal_in_queries(admin: Any) -> None:
    lisbon = datetime.timezone(datetime.timedelta(hours=1))
    moments = [
        datetime.datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=datetime.UTC),
        datetime.datetime(2024, 5, 6, 8, 8, 9, tzinfo=lisbon),
    ]
    bulk.insert_values(
        OutboxEvent,
        ["name", "payload", "created_at", "available_at", "attempts", "last_error", "request_id",
         "cause"],
        [("t.one", {"a": [1, "é"]}, moments[0], moments[0], 0, "", "r1", {}),
         ("t.two", {}, moments[1], moments[1], 2, "x", "", {"workflow": 1})],
    )  # fmt: skip
    one = OutboxEvent.objects.get(created_at=moments[0])
    assert (one.name, one.payload, one.delivered_at) == ("t.one", {"a": [1, "é"]}, None)
    two = OutboxEvent.objects.get(available_at=moments[1])
    assert two.created_at == datetime.datetime(2024, 5, 6, 7, 8, 9, tzinfo=datetime.UTC)
    assert OutboxEvent.objects.filter(name__startswith="t.", created_at__gt=moments[1]).get() == one


def test_reserved_ids_are_fresh_and_used(admin: Any) -> None:
    Tag.objects.create(name="first", slug="first")
    with transaction.atomic():
        ids = bulk.reserve_ids(Tag, 3)
        tags = [Tag(pk=pk, name=f"t{pk}", slug=f"t{pk}") for pk in ids]
        bulk.insert(Tag, tags)
    assert ids == list(range(ids[0], ids[0] + 3)) or len(set(ids)) == 3
    assert sorted(Tag.objects.filter(pk__in=ids).values_list("name", flat=True)) == sorted(
        f"t{pk}" for pk in ids
    )
    assert not tags[0]._state.adding
    later = Tag.objects.create(name="later", slug="later")
    assert later.pk > max(ids)
