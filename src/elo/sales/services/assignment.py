"""Who owns a new lead or deal: the business's rules, tried in priority order.

A rule matches on the record's fields and hands the record to one of its members by round
robin, by the lowest open load, or by round robin among those under their capacity. The
rule's row is locked while it chooses, so two records arriving at once cannot both take the
last free slot of a member (on SQLite the IMMEDIATE transaction already serialises writers).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from elo.core import audit, events
from elo.core.permissions import require
from elo.identity.models import User
from elo.sales.choices import (
    AssignmentEntity,
    AssignmentStrategy,
    CapacityPeriod,
    ConditionOperator,
    DealStatus,
    LeadStatus,
)
from elo.sales.models import Assignment, AssignmentRule, Deal, DefaultOwner, Lead

CONDITION_FIELDS = {
    AssignmentEntity.LEAD: {
        "country",
        "region",
        "city",
        "postal_code",
        "industry",
        "size",
        "source",
        "company",
        "utm_source",
        "utm_medium",
        "utm_campaign",
        "tags",
    },
    AssignmentEntity.DEAL: {"amount", "currency", "pipeline", "source", "tags"},
}
PERIODS = {CapacityPeriod.DAY: timedelta(days=1), CapacityPeriod.THIRTY_DAYS: timedelta(days=30)}


@dataclass(frozen=True)
class Decision:
    user: User
    rule: AssignmentRule | None
    reason: str  # "rule", "default" or "creator"


# --- conditions ---------------------------------------------------------------------------


def _number(value: Any) -> Decimal | None:
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None


def condition_matches(condition: Mapping[str, Any], attributes: Mapping[str, Any]) -> bool:
    name, operator, expected = condition["field"], condition["op"], condition.get("value")
    if name.startswith("cf_"):
        actual = (attributes.get("custom") or {}).get(name[3:])
    else:
        actual = attributes.get(name)
    if operator == ConditionOperator.HAS_TAG:
        tags = {str(tag).casefold() for tag in attributes.get("tags") or []}
        return str(expected).casefold() in tags
    if operator in (ConditionOperator.GTE, ConditionOperator.LTE):
        left, right = _number(actual), _number(expected)
        if left is None or right is None:
            return False
        return left >= right if operator == ConditionOperator.GTE else left <= right
    text = str(actual if actual is not None else "").casefold()
    if operator == ConditionOperator.IN:
        return text in {str(item).casefold() for item in expected or []}
    wanted = str(expected if expected is not None else "").casefold()
    if operator == ConditionOperator.EQUALS:
        return text == wanted
    if operator == ConditionOperator.NOT_EQUALS:
        return text != wanted
    if operator == ConditionOperator.PREFIX:
        return text.startswith(wanted)
    if operator == ConditionOperator.CONTAINS:
        return wanted in text
    return False


def clean_conditions(entity: str, conditions: Any) -> list[dict[str, Any]]:
    """Checks the shape of a rule's conditions; raises a field-level ValidationError."""
    if not isinstance(conditions, list):
        raise ValidationError({"conditions": [_("Conditions must be a list.")]})
    fields = CONDITION_FIELDS.get(AssignmentEntity(entity), set())
    cleaned: list[dict[str, Any]] = []
    problems: list[str] = []
    for number, item in enumerate(conditions, start=1):
        if not isinstance(item, Mapping):
            problems.append(
                _("Condition %(n)d is not a field, an operator and a value.") % {"n": number}
            )
            continue
        name, operator = str(item.get("field", "")), str(item.get("op", ""))
        if name not in fields and not name.startswith("cf_"):
            problems.append(
                _("Condition %(n)d: unknown field %(field)s.") % {"n": number, "field": name}
            )
        if operator not in ConditionOperator.values:
            problems.append(
                _("Condition %(n)d: unknown operator %(op)s.") % {"n": number, "op": operator}
            )
        value = item.get("value")
        if operator == ConditionOperator.IN and not isinstance(value, list):
            value = [part.strip() for part in str(value or "").split(",") if part.strip()]
        if operator in (ConditionOperator.GTE, ConditionOperator.LTE) and _number(value) is None:
            problems.append(_("Condition %(n)d needs a number.") % {"n": number})
        cleaned.append({"field": name, "op": operator, "value": value})
    if problems:
        raise ValidationError({"conditions": problems})
    return cleaned


# --- choosing -----------------------------------------------------------------------------


def _candidates(rule: AssignmentRule) -> list[User]:
    return list(rule.members.filter(is_active=True, is_available=True).order_by("id"))


def _open_load(entity: str, users: Sequence[User]) -> dict[int, int]:
    ids = [user.pk for user in users]
    if entity == AssignmentEntity.LEAD:
        rows = (
            Lead.objects.alive()
            .filter(owner_id__in=ids, status__in=[LeadStatus.NEW, LeadStatus.WORKING])
            .values("owner_id")
            .annotate(n=Count("id"))
        )
    else:
        rows = (
            Deal.objects.alive()
            .filter(owner_id__in=ids, status=DealStatus.OPEN)
            .values("owner_id")
            .annotate(n=Count("id"))
        )
    load = dict.fromkeys(ids, 0)
    load.update({row["owner_id"]: row["n"] for row in rows})
    return load


def _recent_counts(rule: AssignmentRule, users: Sequence[User], now: Any) -> dict[int, int]:
    since = now - PERIODS[CapacityPeriod(rule.capacity_period)]
    rows = (
        Assignment.objects.filter(rule=rule, user__in=users, created_at__gt=since)
        .values("user_id")
        .annotate(n=Count("id"))
    )
    counts = {user.pk: 0 for user in users}
    counts.update({row["user_id"]: row["n"] for row in rows})
    return counts


def _round_robin(rule: AssignmentRule, users: Sequence[User]) -> User:
    chosen = users[rule.turn % len(users)]
    AssignmentRule.objects.filter(pk=rule.pk).update(turn=models.F("turn") + 1)
    return chosen


def _choose(rule: AssignmentRule, now: Any) -> User | None:
    users = _candidates(rule)
    if not users:
        return None
    if rule.strategy == AssignmentStrategy.LOWEST_LOAD:
        load = _open_load(rule.entity, users)
        return min(users, key=lambda user: (load[user.pk], user.pk))
    if rule.strategy == AssignmentStrategy.CAPACITY:
        counts = _recent_counts(rule, users, now)
        limit = rule.capacity or 0
        free = [user for user in users if counts[user.pk] < limit]
        if not free:
            return None
        return _round_robin(rule, free)
    return _round_robin(rule, users)


def decide(*, entity: str, attributes: Mapping[str, Any], creator: User) -> Decision:
    """The owner a new record gets. Call inside the transaction that saves the record."""
    now = timezone.now()
    rules = AssignmentRule.objects.filter(entity=entity, is_active=True).order_by("priority", "id")
    for rule in rules:
        if not all(condition_matches(c, attributes) for c in rule.conditions):
            continue
        locked = AssignmentRule.objects.select_for_update().get(pk=rule.pk)
        user = _choose(locked, now)
        if user is not None:
            return Decision(user=user, rule=locked, reason="rule")
    default = DefaultOwner.objects.filter(entity=entity).select_related("user").first()
    if default is not None and default.user.is_active:
        return Decision(user=default.user, rule=None, reason="default")
    return Decision(user=creator, rule=None, reason="creator")


def record_assignment(*, entity: str, instance: Lead | Deal, decision: Decision) -> None:
    Assignment.objects.create(
        entity=entity,
        object_id=instance.pk,
        user=decision.user,
        rule=decision.rule,
        reason=decision.reason,
    )
    audit.record(
        action=f"sales.{entity}.assigned",
        instance=instance,
        changes={
            "owner": decision.user.pk,
            "reason": decision.reason,
            "rule": decision.rule.pk if decision.rule else None,
            "rule_name": decision.rule.name if decision.rule else "",
        },
    )
    events.emit(
        f"sales.{entity}.assigned",
        {
            "id": instance.pk,
            "owner": decision.user.pk,
            "rule": decision.rule.pk if decision.rule else None,
        },
    )


# --- rules --------------------------------------------------------------------------------

RULE_FIELDS = [
    "name",
    "entity",
    "priority",
    "is_active",
    "conditions",
    "strategy",
    "capacity",
    "capacity_period",
]


def _clean_rule(
    data: Mapping[str, Any], instance: AssignmentRule | None
) -> tuple[dict[str, Any], list[User] | None]:
    errors: dict[str, list[str]] = {}
    fields: dict[str, Any] = {}
    current = {name: getattr(instance, name) for name in RULE_FIELDS} if instance else {}
    merged = {**current, **{k: v for k, v in data.items() if k in RULE_FIELDS}}
    name = " ".join(str(merged.get("name") or "").split())
    if not name:
        errors["name"] = [_("Name the rule.")]
    elif len(name) > 100:
        errors["name"] = [_("At most %(limit)d characters.") % {"limit": 100}]
    fields["name"] = name
    entity = merged.get("entity")
    if entity not in AssignmentEntity.values:
        errors["entity"] = [_("Pick leads or deals.")]
    fields["entity"] = entity
    strategy = merged.get("strategy")
    if strategy not in AssignmentStrategy.values:
        errors["strategy"] = [_("Pick round robin, lowest open load or capacity.")]
    fields["strategy"] = strategy
    try:
        fields["priority"] = int(merged.get("priority", 100))
        if fields["priority"] < 0:
            raise ValueError
    except (TypeError, ValueError):
        errors["priority"] = [_("Enter a whole number, 0 or more.")]
    fields["is_active"] = bool(merged.get("is_active", True))
    capacity = merged.get("capacity")
    if capacity in (None, ""):
        fields["capacity"] = None
    else:
        try:
            fields["capacity"] = int(capacity)
            if fields["capacity"] < 1:
                raise ValueError
        except (TypeError, ValueError):
            errors["capacity"] = [_("Enter a whole number, 1 or more.")]
    if (
        strategy == AssignmentStrategy.CAPACITY
        and fields.get("capacity") is None
        and "capacity" not in errors
    ):
        errors["capacity"] = [_("Say how many new records each member may get.")]
    period = merged.get("capacity_period") or CapacityPeriod.DAY
    if period not in CapacityPeriod.values:
        errors["capacity_period"] = [_("Pick per day or per 30 days.")]
    fields["capacity_period"] = period
    if entity in AssignmentEntity.values:
        try:
            fields["conditions"] = clean_conditions(entity, merged.get("conditions") or [])
        except ValidationError as error:
            errors.update(error.message_dict)
    members: list[User] | None = None
    if "members" in data:
        ids = [getattr(item, "pk", item) for item in data.get("members") or []]
        try:
            wanted = {int(pk) for pk in ids}
        except (TypeError, ValueError):
            wanted = set()
            errors["members"] = [_("Pick users from the list.")]
        members = list(User.objects.filter(pk__in=wanted, is_active=True))
        if len(members) != len(wanted) and "members" not in errors:
            errors["members"] = [_("Pick active users.")]
        elif not members and "members" not in errors:
            errors["members"] = [_("Pick at least one member.")]
    elif instance is None:
        errors["members"] = [_("Pick at least one member.")]
    if errors:
        raise ValidationError(errors)
    return fields, members


def rule_create(*, actor: Any, data: Mapping[str, Any]) -> AssignmentRule:
    require(actor, "sales.configure")
    fields, members = _clean_rule(data, None)
    with transaction.atomic():
        rule = AssignmentRule.objects.create(**fields)
        rule.members.set(members or [])
        audit.record(
            action="sales.assignment_rule.created",
            instance=rule,
            changes={**fields, "members": sorted(user.pk for user in members or [])},
        )
        events.emit("sales.assignment_rule.created", {"id": rule.pk})
    return rule


def rule_update(
    *,
    actor: Any,
    rule: AssignmentRule,
    data: Mapping[str, Any],
    expected_version: int | None = None,
) -> AssignmentRule:
    from elo.core.errors import check_version

    require(actor, "sales.configure")
    with transaction.atomic():
        locked = AssignmentRule.objects.select_for_update().get(pk=rule.pk)
        check_version(expected_version, locked.version)
        fields, members = _clean_rule(data, locked)
        before = {
            **audit.snapshot(locked, RULE_FIELDS),
            "members": sorted(locked.members.values_list("pk", flat=True)),
        }
        for name, value in fields.items():
            setattr(locked, name, value)
        after = {
            **audit.snapshot(locked, RULE_FIELDS),
            "members": sorted(u.pk for u in members) if members is not None else before["members"],
        }
        changes = audit.diff(before, after)
        if changes:
            locked.version += 1
            locked.save()
            if members is not None:
                locked.members.set(members)
            audit.record(action="sales.assignment_rule.updated", instance=locked, changes=changes)
            events.emit(
                "sales.assignment_rule.updated", {"id": locked.pk, "changed": sorted(changes)}
            )
    return locked


def rule_delete(*, actor: Any, rule: AssignmentRule) -> None:
    require(actor, "sales.configure")
    with transaction.atomic():
        audit.record(
            action="sales.assignment_rule.deleted", instance=rule, changes={"name": rule.name}
        )
        events.emit("sales.assignment_rule.deleted", {"id": rule.pk})
        rule.delete()


def default_owner_set(*, actor: Any, entity: str, user: User | None) -> None:
    require(actor, "sales.configure")
    if entity not in AssignmentEntity.values:
        raise ValidationError({"entity": [_("Pick leads or deals.")]})
    if user is not None and not user.is_active:
        raise ValidationError({"user": [_("Pick an active user.")]})
    with transaction.atomic():
        if user is None:
            DefaultOwner.objects.filter(entity=entity).delete()
        else:
            DefaultOwner.objects.update_or_create(entity=entity, defaults={"user": user})
        audit.record(
            action="sales.default_owner.set",
            target_type="sales.defaultowner",
            target_id=entity,
            changes={"entity": entity, "user": user.pk if user else None},
        )
