"""What the back-office pages share: abilities and fetching an invoice or order to act on."""

from __future__ import annotations

from typing import Any

from elo.billing import selectors
from elo.billing.models import Invoice, Order
from elo.core.permissions import require
from elo.sales.views.pages import EloRequest

MANAGE = "billing.manage"


def abilities(user: Any) -> dict[str, bool]:
    """What to offer on a page; the services check again when the user acts."""
    return {
        "can_manage": user.has_elo_perm(MANAGE),
        "can_order": user.has_elo_perm("sales.change"),
        "can_export": user.has_elo_perm("exports.run"),
    }


def order_for(request: EloRequest, pk: int, permission: str = "") -> Order:
    """The visible order `pk` with its page's data (404 otherwise), and 403 without
    `permission`."""
    order = selectors.order_detail_for(request.user, pk)
    if permission:
        require(request.user, permission)
    return order


def invoice_for(request: EloRequest, pk: int, permission: str = "") -> Invoice:
    """The visible invoice `pk` with its page's data (404 otherwise), and 403 without
    `permission`."""
    invoice = selectors.invoice_detail_for(request.user, pk)
    if permission:
        require(request.user, permission)
    return invoice
