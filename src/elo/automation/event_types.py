"""The events the automation app emits, with an example payload each (the event catalogue)."""

from __future__ import annotations

from typing import Any

EVENT_TYPES: dict[str, dict[str, Any]] = {
    "automation.workflow.created": {
        "description": "A workflow rule was created.",
        "example": {"id": 7, "name": "Follow up won deals"},
    },
    "automation.workflow.updated": {
        "description": "A workflow rule was changed (enabled, disabled, trigger, actions...).",
        "example": {"id": 7, "changed": ["enabled"]},
    },
    "automation.workflow.deleted": {
        "description": "A workflow rule was deleted with its run history.",
        "example": {"id": 7, "name": "Follow up won deals"},
    },
    "automation.run.failed": {
        "description": (
            "A workflow run failed: an action kept failing after its retries (1, 5 and 30 "
            "minutes later), or the run could not start."
        ),
        "example": {
            "id": 412,
            "workflow": 7,
            "record_type": "deal",
            "record_id": 93,
            "error": "action 1 (create_task): PermissionDenied: Your role does not allow "
            "activities.add.",
        },
    },
}
