"""Events about telephone calls (see elo.core.event_types)."""

from __future__ import annotations

from typing import Any

EVENT_TYPES: dict[str, dict[str, Any]] = {
    "channels_phone.call.logged": {
        "description": "A telephony provider reported a call, or a later state of one"
        " (ringing, then completed with its duration). `activity` is the timeline entry"
        " (null while the number matches nobody); `first` is true for the call's first"
        " event.",
        "example": {
            "id": 71,
            "provider": "twilio",
            "call_id": "CA42ed11f93dc08b952027ffbc406d0868",
            "direction": "inbound",
            "status": "completed",
            "duration_seconds": 83,
            "person": 501,
            "activity": 3101,
            "first": False,
        },
    },
    "channels_phone.call.linked": {
        "description": "A user linked a call whose number matched nobody to a person; the"
        " call is now on that person's timeline.",
        "example": {"id": 71, "person": 501, "activity": 3102},
    },
}
