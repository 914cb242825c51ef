"""Reports for the back office: receivables aging, and invoices and payments as CSV files
for the accountant."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse, StreamingHttpResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET

from elo.billing import selectors
from elo.billing.views.common import abilities
from elo.interchange.exports import csv_download
from elo.sales.views.pages import EloRequest

BUCKET_LABELS = {
    "current": _("Not yet due"),
    "1-30": _("1 to 30 days"),
    "31-60": _("31 to 60 days"),
    "61-90": _("61 to 90 days"),
    "90+": _("Over 90 days"),
}


@login_required
@require_GET
def receivables_aging(request: EloRequest) -> HttpResponse:
    buckets = [name for name, *_rest in selectors.AGING_BUCKETS]
    rows = [
        {
            "currency": row["currency"],
            "cells": [row[name] for name in buckets],
            "total": row["total"],
        }
        for row in selectors.receivables_aging(request.user)
    ]
    context: dict[str, Any] = {
        "columns": [BUCKET_LABELS[name] for name in buckets],
        "rows": rows,
        "tab": "aging",
        **abilities(request.user),
    }
    return render(request, "billing/aging.html", context)


def _csv(name: str, rows: Any) -> StreamingHttpResponse:
    return csv_download(f"elo-{name}.csv", rows)


@login_required
@require_GET
def invoice_export(request: EloRequest) -> StreamingHttpResponse:
    return _csv("invoices", selectors.invoice_rows(request.user))


@login_required
@require_GET
def payment_export(request: EloRequest) -> StreamingHttpResponse:
    return _csv("payments", selectors.payment_rows(request.user))
