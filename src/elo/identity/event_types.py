"""Events about users, teams, roles and API tokens (see elo.core.event_types)."""

from __future__ import annotations

from typing import Any

EVENT_TYPES: dict[str, dict[str, Any]] = {
    "identity.user.created": {
        "description": "A user account was created.",
        "example": {"id": 7},
    },
    "identity.user.updated": {
        "description": "A user's name, role, team, language or active flag changed; `changed`"
        " lists the fields.",
        "example": {"id": 7, "changed": ["role", "team"]},
    },
    "identity.team.created": {
        "description": "A team was created.",
        "example": {"id": 2},
    },
    "identity.role.updated": {
        "description": "The permissions of a role changed.",
        "example": {"id": 3},
    },
    "identity.token.created": {
        "description": "A personal API token was created for a user (the secret is never in"
        " the event).",
        "example": {"id": 15, "user": 7},
    },
    "identity.token.revoked": {
        "description": "A personal API token was revoked.",
        "example": {"id": 15, "user": 7},
    },
}
