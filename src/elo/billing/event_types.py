"""Events about orders, invoices, payments and credit notes (see elo.core.event_types)."""

from __future__ import annotations

from typing import Any

EVENT_TYPES: dict[str, dict[str, Any]] = {
    "billing.order.created": {
        "description": "An order was made from an accepted quote.",
        "example": {"id": 19, "quote": 61},
    },
    "billing.invoice.issued": {
        "description": "An invoice was issued and took its number.",
        "example": {"id": 33, "reference": "INV/2026/33", "total": "18450.00", "currency": "BRL"},
    },
    "billing.invoice.sent": {
        "description": "An issued invoice was emailed to the customer.",
        "example": {"id": 33, "reference": "INV/2026/33", "to": "finance@acme.com.br"},
    },
    "billing.payment.recorded": {
        "description": "A payment was recorded against an invoice; `status` is the invoice's"
        " status after it.",
        "example": {"invoice": 33, "payment": 40, "amount": "5000.00", "status": "partially_paid"},
    },
    "billing.credit_note.issued": {
        "description": "A credit note was issued against an invoice.",
        "example": {"invoice": 33, "credit_note": 5, "amount": "450.00"},
    },
}
