"""Events about imports and exports (see elo.core.event_types)."""

from __future__ import annotations

from typing import Any

EVENT_TYPES: dict[str, dict[str, Any]] = {
    "interchange.import.finished": {
        "description": "An import run finished; its counts are on the run.",
        "example": {"id": 9, "entity": "people"},
    },
}
