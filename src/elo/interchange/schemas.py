from __future__ import annotations

import datetime
from typing import Any

from ninja import Schema


class ImportRunOut(Schema):
    id: int
    entity: str
    filename: str
    created_at: datetime.datetime
    finished_at: datetime.datetime | None
    total_rows: int
    created_count: int
    updated_count: int
    unchanged_count: int
    rejected_count: int
    batches: int
    batches_failed: int
    rejected: list[dict[str, Any]]
