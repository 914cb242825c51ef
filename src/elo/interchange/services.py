"""Importing CSV files through the same services as the UI and the API."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from itertools import islice
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from elo.activities.services import activities_import_batch
from elo.contacts.models import Organization, Person
from elo.contacts.services import organizations_import_batch, people_import_batch
from elo.core import audit, events
from elo.core.permissions import require
from elo.interchange import mapping
from elo.interchange.models import ImportEntity, ImportRun
from elo.sales.services import deals_import_batch

DEFAULT_BATCH = 2000
MAX_REPORTED = 10_000


def _batches(reader: Iterator[dict[str, str]], size: int) -> Iterator[list[dict[str, str]]]:
    while batch := list(islice(reader, size)):
        yield batch


def _external_map(model: type[Person] | type[Organization], keys: set[str]) -> dict[str, int]:
    if not keys:
        return {}
    return dict(model.objects.filter(external_id__in=keys).values_list("external_id", "pk"))


def _load_batch(
    *, actor: Any, entity: str, rows: list[dict[str, str]], skip_invalid: bool
) -> dict[str, Any]:
    if entity == ImportEntity.ORGANIZATIONS:
        outcome = organizations_import_batch(
            actor=actor,
            rows=[mapping.organization_data(row) for row in rows],
            skip_invalid=skip_invalid,
        )
        return vars(outcome)
    organizations = _external_map(
        Organization,
        {row["organization_external_id"] for row in rows if row.get("organization_external_id")},
    )
    if entity == ImportEntity.PEOPLE:
        outcome = people_import_batch(
            actor=actor,
            rows=[mapping.person_data(row, organizations) for row in rows],
            skip_invalid=skip_invalid,
        )
        return vars(outcome)
    people = _external_map(
        Person, {row["person_external_id"] for row in rows if row.get("person_external_id")}
    )
    if entity == ImportEntity.DEALS:
        return deals_import_batch(
            actor=actor,
            rows=[mapping.deal_data(row, people, organizations) for row in rows],
            skip_invalid=skip_invalid,
        )
    return activities_import_batch(
        actor=actor,
        rows=[mapping.activity_data(row, people, organizations) for row in rows],
        skip_invalid=skip_invalid,
    )


def import_csv(
    *,
    actor: Any,
    entity: str,
    stream: IO[str],
    filename: str = "",
    batch_size: int = DEFAULT_BATCH,
    skip_invalid: bool = False,
) -> ImportRun:
    """Loads a CSV file batch by batch; each batch is all-or-nothing.

    Without `skip_invalid`, a batch with any rejected row writes nothing; with it, the valid
    rows of the batch are written. Either way every rejected row is reported with its line
    number and reasons, and a re-run matches rows already loaded instead of duplicating them.
    """
    if entity not in ImportEntity.values:
        raise ValidationError({"entity": _("Pick people, organizations, activities or deals.")})
    require(actor, "imports.run")
    reader = csv.DictReader(stream)
    if not reader.fieldnames:
        raise ValidationError({"file": _("The file is empty or has no header line.")})
    run = ImportRun.objects.create(entity=entity, filename=filename[:255], created_by=actor)
    line = 1
    rejected: list[dict[str, Any]] = []
    for batch in _batches(iter(reader), batch_size):
        rows = [mapping.canonical(entity, row) for row in batch]
        outcome = _load_batch(actor=actor, entity=entity, rows=rows, skip_invalid=skip_invalid)
        run.batches += 1
        run.total_rows += len(rows)
        batch_rejected = outcome["rejected"]
        if batch_rejected and not skip_invalid:
            run.batches_failed += 1
        run.created_count += len(outcome["created"])
        run.updated_count += len(outcome.get("updated", []))
        run.unchanged_count += len(outcome.get("unchanged", []))
        run.rejected_count += len(batch_rejected)
        for index, errors in sorted(batch_rejected.items()):
            if len(rejected) < MAX_REPORTED:
                rejected.append({"line": line + 1 + index, "errors": errors})
        line += len(rows)
    with transaction.atomic():
        run.rejected = rejected
        run.finished_at = timezone.now()
        run.save()
        audit.record(
            action="interchange.import.finished",
            instance=run,
            changes={
                "entity": entity,
                "rows": run.total_rows,
                "created": run.created_count,
                "updated": run.updated_count,
                "rejected": run.rejected_count,
            },
        )
        events.emit("interchange.import.finished", {"id": run.pk, "entity": entity})
    return run


def import_text(*, actor: Any, entity: str, text: str, **options: Any) -> ImportRun:
    return import_csv(actor=actor, entity=entity, stream=io.StringIO(text), **options)
