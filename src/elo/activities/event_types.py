"""Events about the timeline: notes, tasks, calls, meetings and emails
(see elo.core.event_types)."""

from __future__ import annotations

from typing import Any

EVENT_TYPES: dict[str, dict[str, Any]] = {
    "activities.activity.created": {
        "description": "A note, task, call, meeting or email was logged on the timeline;"
        " `kind` says which, and the ids say which records it belongs to (`via` is"
        " `import` for imported ones).",
        "example": {
            "id": 3101,
            "kind": "call",
            "person": 501,
            "organization": 88,
            "lead": None,
            "deal": 230,
            "via": "import",
        },
    },
    "activities.activity.updated": {
        "description": "An activity's fields changed; `changed` lists them.",
        "example": {"id": 3101, "changed": ["body", "due_at"]},
    },
    "activities.activity.deleted": {
        "description": "An activity was deleted.",
        "example": {"id": 3101},
    },
    "activities.task.completed": {
        "description": "A task was marked done.",
        "example": {"id": 3102},
    },
    "activities.task.reopened": {
        "description": "A done task was opened again.",
        "example": {"id": 3102},
    },
}
