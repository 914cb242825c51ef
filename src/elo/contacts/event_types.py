"""Events about people and organizations (see elo.core.event_types)."""

from __future__ import annotations

from typing import Any

EVENT_TYPES: dict[str, dict[str, Any]] = {
    "contacts.person.created": {
        "description": "A person was added, by hand, through the API or by an import (then"
        " `via` is `import`).",
        "example": {"id": 501, "via": "import"},
    },
    "contacts.person.updated": {
        "description": "A person's fields changed; `changed` lists them.",
        "example": {"id": 501, "changed": ["emails", "lifecycle_stage"]},
    },
    "contacts.person.deleted": {
        "description": "A person was moved to the trash (a soft delete; it can be restored).",
        "example": {"id": 501},
    },
    "contacts.person.restored": {
        "description": "A person was restored from the trash.",
        "example": {"id": 501},
    },
    "contacts.person.merged": {
        "description": "A duplicate person was merged into a survivor: the survivor took the"
        " chosen fields, the emails and phones, and every record that pointed at the duplicate;"
        " the duplicate is in the trash with `merged_into` set. Emitted once, with both ids.",
        "example": {"id": 501, "duplicate": 502, "moved": {"activities.activity": 12}},
    },
    "contacts.person.duplicate_dismissed": {
        "description": "A user said two people are not duplicates; the pair is no longer"
        " suggested.",
        "example": {"ids": [501, 502]},
    },
    "contacts.organization.merged": {
        "description": "A duplicate organization was merged into a survivor: chosen fields,"
        " domains, phones, addresses, tags and every record that pointed at the duplicate moved;"
        " the duplicate is in the trash with `merged_into` set.",
        "example": {"id": 88, "duplicate": 89, "moved": {"contacts.employment": 3}},
    },
    "contacts.organization.duplicate_dismissed": {
        "description": "A user said two organizations are not duplicates; the pair is no longer"
        " suggested.",
        "example": {"ids": [88, 89]},
    },
    "contacts.organization.created": {
        "description": "An organization was added, by hand, through the API or by an import"
        " (then `via` is `import`).",
        "example": {"id": 88, "via": "import"},
    },
    "contacts.organization.updated": {
        "description": "An organization's fields changed; `changed` lists them.",
        "example": {"id": 88, "changed": ["name", "tax_id"]},
    },
    "contacts.organization.deleted": {
        "description": "An organization was moved to the trash (a soft delete).",
        "example": {"id": 88},
    },
    "contacts.organization.restored": {
        "description": "An organization was restored from the trash.",
        "example": {"id": 88},
    },
    "contacts.email.bounced": {
        "description": "Mail to one of a person's email addresses bounced (reported by inbound"
        " mail or a campaign); the address is flagged with `bounced_at`. One event per person"
        " holding the address.",
        "example": {"id": 501, "email": "maria@example.com", "reason": "550 mailbox unavailable"},
    },
}
