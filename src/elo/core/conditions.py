"""A small, safe evaluator of JSON conditions: workflow rules, webhook filters and segments
ask it whether a record (as a plain dict) matches. Nothing is ever eval'ed.

A condition is one of:

    {"all": [condition, ...]}        every one holds (an empty list holds)
    {"any": [condition, ...]}        at least one holds
    {"not": condition}
    {"field": "amount", "op": "gte", "value": 1000}

`field` is a dotted path into the data: "amount", "organization.country", "custom.segment",
"changes.stage" (for events that carry changes). Lists along the path are searched: a field
reaching a list of values holds when one of them does (tags, emails).

Comparisons coerce the value to the field's type: numbers compare as Decimal, ISO dates as
dates, text without regard to case or accents. A missing field is None: it equals nothing
but "is_empty" holds.
"""

from __future__ import annotations

import datetime
import unicodedata
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.utils import timezone

MAX_DEPTH = 6
MAX_CONDITIONS = 100

OPERATORS = (
    "eq",
    "ne",
    "gt",
    "gte",
    "lt",
    "lte",
    "in",
    "not_in",
    "contains",
    "not_contains",
    "starts_with",
    "ends_with",
    "is_empty",
    "is_not_empty",
    "days_ago_more_than",
    "days_ago_less_than",
    "days_ahead_less_than",
)
UNARY = ("is_empty", "is_not_empty")
_MISSING = object()


class ConditionError(ValueError):
    """The condition is malformed; `errors` says where ("all.1.op: unknown operator")."""

    def __init__(self, errors: list[str]) -> None:
        super().__init__("; ".join(errors))
        self.errors = errors


@dataclass
class Outcome:
    """Whether the data matched, and for each leaf condition what the field held."""

    matched: bool
    checks: list[dict[str, Any]] = field(default_factory=list)


def validate(condition: Any) -> list[str]:
    """Every problem with `condition`, as "path: message" strings; empty when it is sound."""
    errors: list[str] = []
    count = [0]
    _validate(condition, "conditions", 0, errors, count)
    if count[0] > MAX_CONDITIONS:
        errors.append(f"conditions: at most {MAX_CONDITIONS} conditions")
    return errors


def _validate(node: Any, path: str, depth: int, errors: list[str], count: list[int]) -> None:
    if depth > MAX_DEPTH:
        errors.append(f"{path}: nested more than {MAX_DEPTH} levels")
        return
    if not isinstance(node, Mapping):
        errors.append(f"{path}: expected an object")
        return
    groups = [key for key in ("all", "any", "not") if key in node]
    if groups:
        if len(node) != 1:
            errors.append(f"{path}: a group has exactly one key (all, any or not)")
            return
        key = groups[0]
        if key == "not":
            _validate(node["not"], f"{path}.not", depth + 1, errors, count)
            return
        items = node[key]
        if not isinstance(items, list):
            errors.append(f"{path}.{key}: expected a list")
            return
        for index, item in enumerate(items):
            _validate(item, f"{path}.{key}.{index}", depth + 1, errors, count)
        return
    count[0] += 1
    name = node.get("field")
    if not isinstance(name, str) or not name or len(name) > 200:
        errors.append(f"{path}.field: name a field")
    elif any(not part or part.startswith("_") for part in name.split(".")):
        errors.append(f"{path}.field: {name!r} is not a field path")
    op = node.get("op")
    if op not in OPERATORS:
        errors.append(f"{path}.op: unknown operator {op!r}")
    elif op not in UNARY and "value" not in node:
        errors.append(f"{path}.value: {op} needs a value")
    elif op in ("in", "not_in") and not isinstance(node.get("value"), list):
        errors.append(f"{path}.value: {op} needs a list")
    extra = set(node) - {"field", "op", "value"}
    if extra:
        errors.append(f"{path}: unexpected keys {sorted(extra)}")


def evaluate(
    condition: Any, data: Mapping[str, Any], *, today: datetime.date | None = None
) -> Outcome:
    """Whether `data` matches `condition` (None or {} match everything).

    Raises ConditionError when the condition is malformed; validate before saving one."""
    if not condition:
        return Outcome(True)
    errors = validate(condition)
    if errors:
        raise ConditionError(errors)
    checks: list[dict[str, Any]] = []
    matched = _evaluate(condition, data, checks, today or timezone.localdate())
    return Outcome(matched, checks)


def _evaluate(
    node: Mapping[str, Any],
    data: Mapping[str, Any],
    checks: list[dict[str, Any]],
    today: datetime.date,
) -> bool:
    if "all" in node:
        return all([_evaluate(item, data, checks, today) for item in node["all"]])
    if "any" in node:
        return any([_evaluate(item, data, checks, today) for item in node["any"]])
    if "not" in node:
        return not _evaluate(node["not"], data, checks, today)
    values = resolve(data, node["field"])
    op = node["op"]
    expected = node.get("value")
    if op in ("ne", "not_in", "not_contains", "is_empty"):
        # Negative operators hold when no value breaks them.
        positive = {
            "ne": "eq",
            "not_in": "in",
            "not_contains": "contains",
            "is_empty": "is_not_empty",
        }[op]
        result = not any(_compare(positive, value, expected, today) for value in values)
    else:
        result = any(_compare(op, value, expected, today) for value in values)
    checks.append(
        {
            "field": node["field"],
            "op": op,
            "value": expected,
            "actual": _shown(values),
            "result": result,
        }
    )
    return result


def resolve(data: Any, path: str) -> list[Any]:
    """The values at the dotted `path`, as a list (one item, or several through lists);
    [None] when the path leads nowhere."""
    current = [data]
    for part in path.split("."):
        found: list[Any] = []
        for item in current:
            if isinstance(item, Mapping):
                value = item.get(part, _MISSING)
            elif isinstance(item, list | tuple):
                value = [
                    element.get(part, _MISSING) if isinstance(element, Mapping) else _MISSING
                    for element in item
                ]
            else:
                value = _MISSING
            if isinstance(value, list):
                found.extend(element for element in value if element is not _MISSING)
            elif value is not _MISSING:
                found.append(value)
        current = found
    flat: list[Any] = []
    for item in current:
        if isinstance(item, list | tuple):
            flat.extend(item)
        else:
            flat.append(item)
    return flat or [None]


def _shown(values: list[Any]) -> Any:
    shown = [
        value if isinstance(value, str | int | float | bool | type(None)) else str(value)
        for value in values
    ]
    return shown[0] if len(shown) == 1 else shown


def _text(value: Any) -> str:
    decomposed = unicodedata.normalize("NFKD", str(value))
    return (
        "".join(char for char in decomposed if not unicodedata.combining(char)).casefold().strip()
    )


def _number(value: Any) -> Decimal | None:
    if isinstance(value, bool) or value is None:
        return None
    try:
        number = Decimal(str(value).strip())
    except (InvalidOperation, ValueError):
        return None
    return number if number.is_finite() else None


def _date(value: Any) -> datetime.date | None:
    if isinstance(value, datetime.datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, str) and len(value) >= 10:
        try:
            return datetime.date.fromisoformat(value[:10])
        except ValueError:
            return None
    return None


def _ordered(left: Any, right: Any, test: Callable[[Any, Any], bool]) -> bool:
    numbers = _number(left), _number(right)
    if numbers[0] is not None and numbers[1] is not None:
        return test(numbers[0], numbers[1])
    dates = _date(left), _date(right)
    if dates[0] is not None and dates[1] is not None:
        return test(dates[0], dates[1])
    if left is None or right is None:
        return False
    return test(_text(left), _text(right))


def _truth(value: Any) -> bool:
    return value if isinstance(value, bool) else _text(value) in ("true", "1", "yes")


def _equal(left: Any, right: Any) -> bool:
    if left is None or right is None:
        return left is None and right is None
    if isinstance(left, bool) or isinstance(right, bool):
        return _truth(left) == _truth(right)
    return _ordered(left, right, lambda a, b: a == b)


def _days(value: Any, today: datetime.date) -> int | None:
    day = _date(value)
    return (today - day).days if day is not None else None


def _compare(op: str, value: Any, expected: Any, today: datetime.date) -> bool:
    if op == "eq":
        return _equal(value, expected)
    if op == "gt":
        return _ordered(value, expected, lambda a, b: a > b)
    if op == "gte":
        return _ordered(value, expected, lambda a, b: a >= b)
    if op == "lt":
        return _ordered(value, expected, lambda a, b: a < b)
    if op == "lte":
        return _ordered(value, expected, lambda a, b: a <= b)
    if op == "in":
        return any(_equal(value, item) for item in expected)
    if op == "contains":
        return value is not None and _text(expected) in _text(value)
    if op == "starts_with":
        return value is not None and _text(value).startswith(_text(expected))
    if op == "ends_with":
        return value is not None and _text(value).endswith(_text(expected))
    if op == "is_not_empty":
        return value not in (None, "", [], {})
    days = _days(value, today)
    limit = _number(expected)
    if days is None or limit is None:
        return False
    if op == "days_ago_more_than":
        return days > limit
    if op == "days_ago_less_than":
        return 0 <= days < limit
    if op == "days_ahead_less_than":
        return 0 <= -days < limit
    raise ConditionError([f"unknown operator {op!r}"])
