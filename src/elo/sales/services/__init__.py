"""Every write in sales: the UI, the API, importers and automation call these functions."""

from __future__ import annotations

from elo.sales.services.assignment import (
    decide,
    default_owner_set,
    rule_create,
    rule_delete,
    rule_update,
)
from elo.sales.services.deal_lines import deal_lines_set
from elo.sales.services.deals import (
    clean_amount,
    deal_create,
    deal_delete,
    deal_move,
    deal_restore,
    deal_update,
)
from elo.sales.services.forecast import quota_set, rate_set, rates_import
from elo.sales.services.imports import deals_import_batch
from elo.sales.services.leads import lead_convert, lead_create, lead_disqualify, lead_update
from elo.sales.services.pipelines import (
    pipeline_create,
    pipeline_ensure_default,
    pipeline_update,
)

__all__ = [
    "clean_amount",
    "deal_create",
    "deal_delete",
    "deal_lines_set",
    "deal_move",
    "deal_restore",
    "deal_update",
    "deals_import_batch",
    "decide",
    "default_owner_set",
    "lead_convert",
    "lead_create",
    "lead_disqualify",
    "lead_update",
    "pipeline_create",
    "pipeline_ensure_default",
    "pipeline_update",
    "quota_set",
    "rate_set",
    "rates_import",
    "rule_create",
    "rule_delete",
    "rule_update",
]
