"""The events the webhooks app emits, with an example payload each (for the event catalogue)."""

from __future__ import annotations

from typing import Any

_SUBSCRIPTION = {"id": 7, "url": "https://hooks.example.com/elo"}

EVENT_TYPES: dict[str, dict[str, Any]] = {
    "webhooks.subscription.created": {
        "description": "A webhook subscription was added.",
        "example": {**_SUBSCRIPTION, "event_types": ["sales.deal.*"]},
    },
    "webhooks.subscription.updated": {
        "description": "A webhook subscription's URL, events, conditions or description changed.",
        "example": {**_SUBSCRIPTION, "changed": ["url", "event_types"]},
    },
    "webhooks.subscription.deleted": {
        "description": "A webhook subscription was deleted; its deliveries went with it.",
        "example": dict(_SUBSCRIPTION),
    },
    "webhooks.subscription.secret_rotated": {
        "description": (
            "A subscription got a new signing secret; the previous one still signs until "
            "previous_secret_expires_at."
        ),
        "example": {**_SUBSCRIPTION, "previous_secret_expires_at": "2026-12-03T12:00:00Z"},
    },
    "webhooks.subscription.enabled": {
        "description": "An admin enabled a webhook subscription again.",
        "example": dict(_SUBSCRIPTION),
    },
    "webhooks.subscription.disabled": {
        "description": (
            "A webhook subscription stopped receiving events: disabled by an admin, or "
            "automatically after its deliveries kept failing (its owner is emailed)."
        ),
        "example": {
            **_SUBSCRIPTION,
            "reason": "Every delivery failed since 2026-11-27T09:00:00Z.",
            "automatic": True,
            "failing_since": "2026-11-27T09:00:00Z",
            "owner": 3,
        },
    },
}
