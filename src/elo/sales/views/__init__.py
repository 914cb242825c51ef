"""Lead, deal and board pages: parse input, call a selector or a service, render.

A list URL answers an htmx request with its results fragment only; the board's move view
answers htmx with the two affected columns, swapped out of band; without JavaScript every
form posts and redirects.
"""

from __future__ import annotations

from elo.sales.views.board import (
    board,
    deal_move,
)
from elo.sales.views.configuration import (
    pipeline_create,
    pipeline_edit,
    pipeline_list,
    rule_create,
    rule_delete,
    rule_edit,
    rule_list,
)
from elo.sales.views.deals import (
    deal_create,
    deal_delete,
    deal_deleted_list,
    deal_detail,
    deal_edit,
    deal_history,
    deal_lines,
    deal_list,
    deal_restore,
)
from elo.sales.views.forecast import (
    forecast_page,
    forecast_settings,
    quota_set,
    rate_set,
)
from elo.sales.views.leads import (
    lead_convert,
    lead_create,
    lead_detail,
    lead_disqualify,
    lead_edit,
    lead_history,
    lead_list,
)

__all__ = [
    "board",
    "deal_create",
    "deal_delete",
    "deal_deleted_list",
    "deal_detail",
    "deal_edit",
    "deal_history",
    "deal_lines",
    "deal_list",
    "deal_move",
    "deal_restore",
    "forecast_page",
    "forecast_settings",
    "lead_convert",
    "lead_create",
    "lead_detail",
    "lead_disqualify",
    "lead_edit",
    "lead_history",
    "lead_list",
    "pipeline_create",
    "pipeline_edit",
    "pipeline_list",
    "quota_set",
    "rate_set",
    "rule_create",
    "rule_delete",
    "rule_edit",
    "rule_list",
]
