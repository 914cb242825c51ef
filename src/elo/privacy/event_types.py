"""Events about consent and data subject requests (see elo.core.event_types)."""

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

_REQUEST_EXAMPLE = {
    "id": 12,
    "person": 501,
    "kind": "access",
    "law": "lgpd",
    "status": "open",
    "due_at": "2026-01-16T10:00:00+00:00",
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
    "privacy.request.created": {
        "description": "A data subject request (access, portability, rectification, erasure,"
        " restriction or objection) was logged; `due_at` follows from the law.",
        "example": _REQUEST_EXAMPLE,
    },
    "privacy.request.identity_verified": {
        "description": "The requester's identity was verified; the request can proceed.",
        "example": {**_REQUEST_EXAMPLE, "status": "identity_verified"},
    },
    "privacy.request.bundle_built": {
        "description": "The bundle of everything held about the person was built for an"
        " access or portability request, which is now in progress.",
        "example": {**_REQUEST_EXAMPLE, "status": "in_progress"},
    },
    "privacy.request.in_progress": {
        "description": "A data subject request is being worked on; `from` is the old status.",
        "example": {**_REQUEST_EXAMPLE, "status": "in_progress", "from": "identity_verified"},
    },
    "privacy.request.completed": {
        "description": "A data subject request was answered.",
        "example": {**_REQUEST_EXAMPLE, "status": "completed", "from": "in_progress"},
    },
    "privacy.person.erased": {
        "description": "A person was erased (a data subject request or a retention policy):"
        " every personal value was replaced, here and in the records about them. `request` is"
        " the erasure request, if any; `counts` says how many rows of each kind were touched."
        " No personal values.",
        "example": {
            "id": 501,
            "request": 12,
            "counts": {"people": 1, "emails": 2, "activities": 4, "audit_entries": 9},
        },
    },
    "privacy.lead.anonymized": {
        "description": "A lead was anonymized on its own (e.g. by a retention policy); `counts`"
        " says how many rows of each kind were touched.",
        "example": {"id": 77, "counts": {"leads": 1, "activities": 2, "audit_entries": 3}},
    },
    "privacy.request.rejected": {
        "description": "A data subject request was refused (e.g. identity not verified).",
        "example": {**_REQUEST_EXAMPLE, "status": "rejected", "from": "open"},
    },
}
EVENT_TYPES["privacy.retention.ran"] = {
    "description": "A retention policy ran (on the schedule or by hand) and anonymized"
    " `anonymized` of the `matched` leads or people with no activity since `cutoff`;"
    " `failed` when the run stopped early or the erasure refused a record.",
    "example": {
        "policy": 3,
        "run": 41,
        "entity": "leads",
        "cutoff": "2025-06-01T00:00:00+00:00",
        "matched": 120,
        "anonymized": 120,
        "failed": False,
    },
}
