"""Events about mail Elo received (see elo.core.event_types)."""

from __future__ import annotations

from typing import Any

EVENT_TYPES: dict[str, dict[str, Any]] = {
    "channels_email.message.received": {
        "description": "A message arrived (or a user's mail was logged by BCC or forward) and"
        " is on the timeline: `activity` is its entry, `person` or `lead` the record it was"
        " filed on (`lead_created` when the sender was unknown and a lead was made),"
        " `thread` the conversation and `via` how it came (`cli`, `api`).",
        "example": {
            "id": 812,
            "message_id": "CAF=x1@mail.example.com",
            "thread": "CAF=x0@mail.example.com",
            "activity": 3101,
            "direction": "inbound",
            "person": 501,
            "lead": None,
            "lead_created": False,
            "attachments": 2,
            "via": "api",
        },
    },
}
