"""Events about consent (see elo.core.event_types)."""

from __future__ import annotations

from typing import Any

_CONSENT_EXAMPLE = {
    "id": 9001,
    "person": 501,
    "purpose": "marketing",
    "channel": "email",
    "basis": "consent",
    "source": "form",
}

EVENT_TYPES: dict[str, dict[str, Any]] = {
    "privacy.consent.granted": {
        "description": "A person granted consent for a purpose on a channel (also when a"
        " double opt-in link is confirmed; then `source` is `email_link`).",
        "example": _CONSENT_EXAMPLE,
    },
    "privacy.consent.withdrawn": {
        "description": "A person withdrew consent for a purpose on a channel (by an agent,"
        " the API or the one-click link in an email).",
        "example": {**_CONSENT_EXAMPLE, "source": "email_link"},
    },
    "privacy.consent.requested": {
        "description": "An email grant awaits the person's confirmation (double opt-in);"
        " a confirmation email was sent.",
        "example": _CONSENT_EXAMPLE,
    },
    "privacy.purpose.created": {
        "description": "An admin added a consent purpose.",
        "example": {"id": 4, "key": "newsletter"},
    },
    "privacy.purpose.updated": {
        "description": "A consent purpose changed; `changed` lists the fields.",
        "example": {"id": 4, "key": "newsletter", "changed": ["active"]},
    },
}
