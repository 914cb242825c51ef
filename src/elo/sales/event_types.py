"""Events about leads, deals, pipelines, products, quotes and assignment
(see elo.core.event_types)."""

from __future__ import annotations

from typing import Any

EVENT_TYPES: dict[str, dict[str, Any]] = {
    "sales.lead.created": {
        "description": "A lead was captured; `source` says where it came from.",
        "example": {"id": 77, "source": "web_form"},
    },
    "sales.lead.updated": {
        "description": "A lead's fields changed; `changed` lists them.",
        "example": {"id": 77, "changed": ["status", "company_name"]},
    },
    "sales.lead.disqualified": {
        "description": "A lead was disqualified, with the reason given.",
        "example": {"id": 77, "reason": "No budget this year"},
    },
    "sales.lead.converted": {
        "description": "A lead became a person (matched or new), maybe an organization and a"
        " deal; its activities moved to the person.",
        "example": {
            "id": 77,
            "status": "converted",
            "person": 501,
            "organization": 88,
            "deal": 230,
            "matched": False,
            "activities_moved": 3,
        },
    },
    "sales.lead.assigned": {
        "description": "A lead got an owner from an assignment rule or by hand (`rule` is"
        " null then).",
        "example": {"id": 77, "owner": 7, "rule": 2},
    },
    "sales.deal.created": {
        "description": "A deal was opened in a pipeline stage (`via` is `import` for imported"
        " ones).",
        "example": {"id": 230, "pipeline": 1, "stage": 3, "amount": "15000.00", "via": "import"},
    },
    "sales.deal.updated": {
        "description": "A deal's fields or lines changed; `changed` lists the fields.",
        "example": {"id": 230, "changed": ["amount", "expected_close"]},
    },
    "sales.deal.stage_changed": {
        "description": "A deal moved to another stage: `from` and `to` are stage ids, `status`"
        " the deal's status after the move.",
        "example": {"id": 230, "from": 3, "to": 4, "status": "open"},
    },
    "sales.deal.won": {
        "description": "A deal reached a won stage.",
        "example": {"id": 230, "amount": "15000.00", "currency": "BRL"},
    },
    "sales.deal.lost": {
        "description": "A deal reached a lost stage, with the reason given.",
        "example": {"id": 230, "reason": "Chose a competitor"},
    },
    "sales.deal.assigned": {
        "description": "A deal got an owner from an assignment rule or by hand (`rule` is"
        " null then).",
        "example": {"id": 230, "owner": 7, "rule": 2},
    },
    "sales.deal.deleted": {
        "description": "A deal was moved to the trash (a soft delete).",
        "example": {"id": 230},
    },
    "sales.deal.restored": {
        "description": "A deal was restored from the trash.",
        "example": {"id": 230},
    },
    "sales.pipeline.created": {
        "description": "A pipeline was created.",
        "example": {"id": 1},
    },
    "sales.pipeline.updated": {
        "description": "A pipeline or its stages changed; `changed` lists what.",
        "example": {"id": 1, "changed": ["name", "stages"]},
    },
    "sales.assignment_rule.created": {
        "description": "An assignment rule was created.",
        "example": {"id": 2},
    },
    "sales.assignment_rule.updated": {
        "description": "An assignment rule changed; `changed` lists the fields.",
        "example": {"id": 2, "changed": ["conditions", "members"]},
    },
    "sales.assignment_rule.deleted": {
        "description": "An assignment rule was deleted.",
        "example": {"id": 2},
    },
    "sales.product.created": {
        "description": "A product was added to the catalogue.",
        "example": {"id": 14, "sku": "SUP-12M"},
    },
    "sales.product.updated": {
        "description": "A product changed; `changed` lists the fields.",
        "example": {"id": 14, "changed": ["name", "tax_rate"]},
    },
    "sales.price_list.created": {
        "description": "A price list was created.",
        "example": {"id": 4},
    },
    "sales.price_list.updated": {
        "description": "A price list or its prices changed.",
        "example": {"id": 4},
    },
    "sales.exchange_rate.set": {
        "description": "An exchange rate to the base currency was set from a date on.",
        "example": {"currency": "EUR", "valid_from": "2026-01-01"},
    },
    "sales.quote.created": {
        "description": "A quote was drafted.",
        "example": {"id": 61, "total": "18450.00", "currency": "BRL"},
    },
    "sales.quote.updated": {
        "description": "A quote changed; `changed` lists the fields.",
        "example": {"id": 61, "changed": ["lines", "valid_until"]},
    },
    "sales.quote.sent": {
        "description": "A quote was marked sent to the customer.",
        "example": {"id": 61, "total": "18450.00", "currency": "BRL"},
    },
    "sales.quote.accepted": {
        "description": "A quote was accepted, by a user or by the customer through its link"
        " (then `via` is `link`).",
        "example": {"id": 61, "total": "18450.00", "currency": "BRL", "via": "link"},
    },
    "sales.quote.declined": {
        "description": "A quote was declined, by a user or by the customer through its link"
        " (then `via` is `link`).",
        "example": {"id": 61, "total": "18450.00", "currency": "BRL", "via": "link"},
    },
    "sales.quote.expired": {
        "description": "A quote was marked expired.",
        "example": {"id": 61, "total": "18450.00", "currency": "BRL"},
    },
}
