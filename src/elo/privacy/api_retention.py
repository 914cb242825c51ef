"""/api/v1/retention-policies: retention policies, their dry runs and runs."""

from __future__ import annotations

from ninja import Router

router = Router(tags=["privacy"])
