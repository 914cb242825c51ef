from __future__ import annotations

import datetime
from typing import Any

from ninja import Field, Schema


class ImportRunSummary(Schema):
    id: int
    entity: str
    filename: str
    preset: str
    upsert_by: str
    dry_run: bool
    created_at: datetime.datetime
    finished_at: datetime.datetime | None
    total_rows: int
    created_count: int
    updated_count: int
    unchanged_count: int
    rejected_count: int
    batches: int
    batches_failed: int
    similar_count: int = Field(
        description="How many created people or organizations look like records that were "
        "there before the run (see GET /duplicates); they were imported all the same."
    )


class ImportRunOut(ImportRunSummary):
    mapping: dict[str, str]
    rejected: list[dict[str, Any]]

    @staticmethod
    def resolve_mapping(obj: Any) -> dict[str, str]:
        return {str(header): str(field) for header, field in obj.mapping}


class ImportRunList(Schema):
    next: str | None
    items: list[ImportRunSummary]


class ImportColumnOut(Schema):
    header: str
    samples: list[str]
    field: str


class ImportMappingOut(Schema):
    kind: str
    preset: str
    preset_detected: bool
    columns: list[ImportColumnOut]
    mapping: dict[str, str]


class ImportPresetOut(Schema):
    name: str
    label: str
    mappings: dict[str, dict[str, str]]
