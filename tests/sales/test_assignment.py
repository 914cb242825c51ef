"""Assignment rules: conditions, round robin, lowest load, capacity, defaults, audit."""

from __future__ import annotations

import threading
from collections import Counter
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from elo.core.models import AuditEntry
from elo.identity.services import user_create
from elo.sales import services
from elo.sales.models import Assignment, Lead

pytestmark = pytest.mark.django_db


@pytest.fixture
def sellers(teams: Any) -> list[Any]:
    return [
        user_create(actor=None, email=f"s{i}@example.com", password="pw-123456789", role="sales_rep",
                    team=teams["north"], full_name=f"Seller {i}")
        for i in range(3)
    ]  # fmt: skip


def _rule(admin: Any, members: list[Any], **data: Any) -> Any:
    data.setdefault("name", "Rule")
    data.setdefault("entity", "lead")
    data.setdefault("strategy", "round_robin")
    return services.rule_create(actor=admin, data={**data, "members": [m.pk for m in members]})


def _lead(actor: Any, **data: Any) -> Lead:
    data.setdefault("company", "Acme")
    return services.lead_create(actor=actor, data=data)


def test_round_robin_is_fair_over_a_thousand_leads(admin: Any, sellers: list[Any]) -> None:
    _rule(admin, sellers)
    for _ in range(999):
        _lead(admin)
    assert sorted(Counter(Lead.objects.values_list("owner_id", flat=True)).values()) == [333] * 3


def test_rules_match_in_priority_order_and_fall_back_to_the_default_owner(
    admin: Any, sellers: list[Any], manager: Any
) -> None:
    br = _rule(admin, sellers[:1], name="Brazil", priority=10,
               conditions=[{"field": "country", "op": "eq", "value": "BR"}])  # fmt: skip
    _rule(admin, sellers[1:2], name="Big events", priority=20,
          conditions=[{"field": "source", "op": "in", "value": ["event", "referral"]},
                      {"field": "postal_code", "op": "prefix", "value": "01"}])  # fmt: skip
    services.default_owner_set(actor=admin, entity="lead", user=manager)
    brazil = _lead(admin, country="BR", source="event", postal_code="01000-000")
    assert brazil.owner_id == sellers[0].pk
    event = _lead(admin, country="PT", source="event", postal_code="0100-000")
    assert event.owner_id == sellers[1].pk
    fallback = _lead(admin, country="PT", source="event", postal_code="9900-000")
    assert fallback.owner_id == manager.pk
    assert _lead(admin, owner=sellers[2].pk).owner_id == sellers[2].pk  # explicit owner wins
    entry = AuditEntry.objects.filter(action="sales.lead.assigned").order_by("id").first()
    assert entry is not None and (entry.changes["rule"], entry.changes["rule_name"]) == (
        br.pk,
        "Brazil",
    )
    assert Assignment.objects.filter(reason="default").count() == 1


def test_unavailable_members_are_skipped(admin: Any, sellers: list[Any]) -> None:
    _rule(admin, sellers)
    sellers[1].is_available = False
    sellers[1].save()
    owners = {_lead(admin).owner_id for _ in range(6)}
    assert owners == {sellers[0].pk, sellers[2].pk}


def test_lowest_load_picks_the_least_busy(admin: Any, sellers: list[Any]) -> None:
    _rule(admin, sellers, strategy="lowest_load")
    for _ in range(2):
        _lead(admin, owner=sellers[0].pk)
    _lead(admin, owner=sellers[1].pk)
    assert _lead(admin).owner_id == sellers[2].pk
    assert _lead(admin).owner_id == sellers[1].pk  # 1 each now: the lowest id among the least busy


def test_capacity_is_never_exceeded_then_the_next_rule_applies(
    admin: Any, sellers: list[Any], time_machine: Any
) -> None:
    time_machine.move_to("2026-03-02T09:00:00Z")
    _rule(admin, sellers[:2], strategy="capacity", capacity=2, priority=1)
    _rule(admin, sellers[2:], name="Overflow", priority=2)
    owners = Counter(_lead(admin).owner_id for _ in range(7))
    assert owners == {sellers[0].pk: 2, sellers[1].pk: 2, sellers[2].pk: 3}
    time_machine.move_to("2026-03-03T09:30:00Z")  # a new day frees the capacity
    assert _lead(admin).owner_id in {sellers[0].pk, sellers[1].pk}


def test_rules_are_validated(admin: Any, rep: Any, sellers: list[Any]) -> None:
    from django.core.exceptions import PermissionDenied

    with pytest.raises(ValidationError) as caught:
        services.rule_create(actor=admin, data={"name": "", "entity": "ticket", "strategy": "capacity",
                                                "members": [], "conditions": [{"field": "x", "op": "?"}]})  # fmt: skip
    assert {"name", "entity", "members"} <= set(caught.value.message_dict)
    with pytest.raises(ValidationError) as caught:
        _rule(
            admin,
            sellers,
            strategy="capacity",
            conditions=[{"field": "amount", "op": "gte", "value": "x"}],
        )
    assert {"capacity", "conditions"} <= set(caught.value.message_dict)
    with pytest.raises(PermissionDenied):
        _rule(rep, sellers)


def test_deal_rules_match_on_amount(admin: Any, sellers: list[Any], rep: Any) -> None:
    services.pipeline_ensure_default()
    _rule(
        admin,
        sellers[:1],
        entity="deal",
        conditions=[{"field": "amount", "op": "gte", "value": 10000}],
    )
    big = services.deal_create(actor=admin, data={"title": "Big", "amount": "25000"})
    small = services.deal_create(actor=admin, data={"title": "Small", "amount": "10"})
    assert (big.owner_id, small.owner_id) == (sellers[0].pk, admin.pk)


@pytest.mark.django_db(transaction=True)
def test_capacity_holds_when_leads_arrive_at_once(admin: Any, sellers: list[Any]) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs concurrent transactions")
    _rule(admin, sellers[:2], strategy="capacity", capacity=3)
    services.default_owner_set(actor=admin, entity="lead", user=sellers[2])
    start = threading.Barrier(12)
    errors: list[BaseException] = []

    def arrive() -> None:
        try:
            start.wait()
            _lead(admin)
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=arrive) for _ in range(12)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    owners = Counter(Lead.objects.values_list("owner_id", flat=True))
    assert owners == {sellers[0].pk: 3, sellers[1].pk: 3, sellers[2].pk: 6}
