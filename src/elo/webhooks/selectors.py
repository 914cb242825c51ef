"""Reads of webhook subscriptions and deliveries (admins with settings.manage only), and the
catalogue of event types a subscription may name."""

from __future__ import annotations

import fnmatch
import importlib.util
from functools import cache
from typing import Any

from django.apps import apps
from django.db.models import Prefetch, QuerySet
from django.http import Http404

from elo.core.event_types import catalogue
from elo.core.pagination import Page, paginate
from elo.core.permissions import require
from elo.webhooks.models import AllowedHost, Attempt, Delivery, Subscription

PERMISSION = "settings.manage"


@cache
def _apps_without_catalogue() -> frozenset[str]:
    """Labels of Elo apps that declare no event_types module (yet)."""
    return frozenset(
        config.label
        for config in apps.get_app_configs()
        if config.name.startswith("elo.")
        and importlib.util.find_spec(f"{config.name}.event_types") is None
    )


def event_types() -> dict[str, dict[str, Any]]:
    """The documented event types by name, with description and example payload."""
    return {
        name: {"description": item.description, "example": item.example}
        for name, item in catalogue().items()
    }


def event_type_names() -> list[str]:
    return list(catalogue())


def unknown_event_patterns(patterns: list[str]) -> list[str]:
    """The names or patterns that match no event type of the catalogue. An app that declares
    no catalogue yet accepts any name under its label (`sales.deal.won`, `sales.*`)."""
    names = list(catalogue())
    without = _apps_without_catalogue()
    unknown = []
    for pattern in patterns:
        if pattern == "*" or pattern.split(".", 1)[0] in without:
            continue
        if not any(fnmatch.fnmatchcase(name, pattern) for name in names):
            unknown.append(pattern)
    return unknown


def _subscriptions(user: Any) -> QuerySet[Subscription]:
    require(user, PERMISSION)
    return Subscription.objects.select_related("owner")


def subscription_page_for(
    user: Any, *, cursor: str | None, size: int, enabled: bool | None = None
) -> Page[Subscription]:
    queryset = _subscriptions(user)
    if enabled is not None:
        queryset = queryset.filter(enabled=enabled)
    return paginate(queryset, keys=["-id"], cursor=cursor, size=size)


def subscription_list_for(user: Any) -> list[Subscription]:
    return list(_subscriptions(user).order_by("-id"))


def subscription_get_for(user: Any, pk: int) -> Subscription:
    try:
        return _subscriptions(user).get(pk=pk)
    except Subscription.DoesNotExist as error:
        raise Http404("No such webhook") from error


def _deliveries(subscription: Subscription) -> QuerySet[Delivery]:
    return Delivery.objects.filter(subscription=subscription).prefetch_related(
        Prefetch("attempt_set", queryset=Attempt.objects.order_by("number"))
    )


def delivery_page_for(
    user: Any,
    subscription: Subscription,
    *,
    cursor: str | None,
    size: int,
    status: str = "",
) -> Page[Delivery]:
    require(user, PERMISSION)
    queryset = _deliveries(subscription)
    if status:
        queryset = queryset.filter(status=status)
    return paginate(queryset, keys=["-id"], cursor=cursor, size=size)


def delivery_get_for(user: Any, subscription: Subscription, pk: int) -> Delivery:
    require(user, PERMISSION)
    try:
        return _deliveries(subscription).get(pk=pk)
    except Delivery.DoesNotExist as error:
        raise Http404("No such delivery") from error


def allowed_host_list_for(user: Any) -> list[AllowedHost]:
    require(user, PERMISSION)
    return list(AllowedHost.objects.order_by("host"))
