"""The JSON condition evaluator that workflow rules and webhook filters use."""

from __future__ import annotations

import datetime
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from elo.core.conditions import ConditionError, evaluate, resolve, validate

TODAY = datetime.date(2026, 12, 2)
DEAL = {
    "title": "Reforma da Padaria",
    "amount": "12500.00",
    "currency": "BRL",
    "expected_close": "2026-12-20",
    "won": False,
    "tags": ["vip", "Renovação"],
    "organization": {"name": "Pão Quente", "country": "BR", "size": "10-49"},
    "people": [{"email": "ana@paoquente.com.br"}, {"email": "rui@paoquente.com.br"}],
    "custom": {"segment": "Retail", "seats": 12},
    "last_contact": "2026-08-01T10:00:00+00:00",
    "notes": "",
}


def holds(condition: Any, data: Any = None) -> bool:
    return evaluate(condition, DEAL if data is None else data, today=TODAY).matched


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"field": "amount", "op": "gte", "value": 10000}, True),
        ({"field": "amount", "op": "gt", "value": "12500"}, False),  # numbers, not text
        ({"field": "amount", "op": "lt", "value": 9999.5}, False),
        ({"field": "currency", "op": "eq", "value": "brl"}, True),  # case does not matter
        ({"field": "organization.country", "op": "in", "value": ["PT", "BR"]}, True),
        ({"field": "organization.country", "op": "not_in", "value": ["PT", "BR"]}, False),
        ({"field": "tags", "op": "eq", "value": "renovacao"}, True),  # accents do not matter
        ({"field": "tags", "op": "ne", "value": "vip"}, False),  # no tag may be vip
        ({"field": "people.email", "op": "ends_with", "value": "@paoquente.com.br"}, True),
        ({"field": "title", "op": "contains", "value": "padaria"}, True),
        ({"field": "title", "op": "starts_with", "value": "Padaria"}, False),
        ({"field": "custom.seats", "op": "lte", "value": "12"}, True),
        ({"field": "custom.missing", "op": "is_empty"}, True),
        ({"field": "notes", "op": "is_empty"}, True),
        ({"field": "custom.segment", "op": "is_not_empty"}, True),
        ({"field": "won", "op": "eq", "value": False}, True),
        ({"field": "won", "op": "eq", "value": "true"}, False),
        ({"field": "expected_close", "op": "lt", "value": "2027-01-01"}, True),  # dates
        ({"field": "expected_close", "op": "days_ahead_less_than", "value": 30}, True),
        ({"field": "last_contact", "op": "days_ago_more_than", "value": 90}, True),
        ({"field": "last_contact", "op": "days_ago_less_than", "value": 90}, False),
        ({"field": "nowhere.at.all", "op": "eq", "value": "x"}, False),
    ],
)
def test_each_operator(condition: dict[str, Any], expected: bool) -> None:
    assert holds(condition) is expected


def test_groups_combine_and_report_each_check() -> None:
    rule = {
        "all": [
            {"field": "organization.country", "op": "eq", "value": "BR"},
            {"any": [
                {"field": "amount", "op": "gte", "value": 50000},
                {"field": "tags", "op": "eq", "value": "vip"},
            ]},
            {"not": {"field": "custom.segment", "op": "eq", "value": "Public"}},
        ]
    }  # fmt: skip
    outcome = evaluate(rule, DEAL, today=TODAY)
    assert outcome.matched
    assert [(check["field"], check["result"]) for check in outcome.checks] == [
        ("organization.country", True),
        ("amount", False),
        ("tags", True),
        ("custom.segment", False),
    ]
    assert outcome.checks[1]["actual"] == "12500.00"
    assert holds({"all": []}) and not holds({"any": []}) and holds(None) and holds({})


def test_malformed_conditions_are_reported_by_path_and_never_run() -> None:
    bad = {
        "all": [
            {"field": "amount", "op": "between", "value": 1},
            {"field": "__class__", "op": "eq", "value": 1},
            {"field": "tags", "op": "in", "value": "vip"},
            {"field": "amount", "op": "gt"},
            {"all": [], "any": []},
            "amount > 1",
        ]
    }
    assert validate(bad) == [
        "conditions.all.0.op: unknown operator 'between'",
        "conditions.all.1.field: '__class__' is not a field path",
        "conditions.all.2.value: in needs a list",
        "conditions.all.3.value: gt needs a value",
        "conditions.all.4: a group has exactly one key (all, any or not)",
        "conditions.all.5: expected an object",
    ]
    with pytest.raises(ConditionError):
        evaluate(bad, DEAL)
    deep: dict[str, Any] = {"field": "amount", "op": "gt", "value": 1}
    for _level in range(10):
        deep = {"not": deep}
    assert any("nested more than" in error for error in validate(deep))


def test_paths_reach_through_lists() -> None:
    assert resolve(DEAL, "people.email") == ["ana@paoquente.com.br", "rui@paoquente.com.br"]
    assert resolve(DEAL, "organization.name") == ["Pão Quente"]
    assert resolve(DEAL, "organization.name.x") == [None]


@given(
    st.decimals(
        allow_nan=False, allow_infinity=False, places=2, max_value=10**9, min_value=-(10**9)
    )
)
def test_numeric_comparisons_agree_with_decimal(amount: Any) -> None:
    data = {"amount": str(amount)}
    assert holds({"field": "amount", "op": "gte", "value": 0}, data) is (amount >= 0)
    assert holds({"not": {"field": "amount", "op": "gte", "value": 0}}, data) is (amount < 0)
    assert holds({"field": "amount", "op": "eq", "value": str(amount)}, data)
