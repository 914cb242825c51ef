"""/api/v1/exports: any list, with its filters, as CSV, XLSX, vCard or iCalendar."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["export"])
