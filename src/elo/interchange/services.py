"""Importing CSV files through the same services as the UI and the API."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from itertools import islice
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
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
    return _import_rows(
        actor=actor,
        entity=entity,
        reader=iter(reader),
        filename=filename,
        batch_size=batch_size,
        skip_invalid=skip_invalid,
        first_line=1,
    )


def _import_rows(
    *,
    actor: Any,
    entity: str,
    reader: Iterator[dict[str, str]],
    filename: str,
    batch_size: int,
    skip_invalid: bool,
    first_line: int,
) -> ImportRun:
    run = ImportRun.objects.create(entity=entity, filename=filename[:255], created_by=actor)
    line = first_line
    rejected: list[dict[str, Any]] = []
    for batch in _batches(reader, batch_size):
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


def is_vcard(filename: str = "", content_type: str = "") -> bool:
    """Whether an upload is a vCard file, by its extension or its content type."""
    kind = content_type.split(";", 1)[0].strip().lower()
    return filename.lower().endswith((".vcf", ".vcard")) or kind in {
        "text/vcard",
        "text/x-vcard",
        "text/directory",
    }


def _organizations_by_name(actor: Any, names: set[str]) -> dict[str, int]:
    """The visible organization called each name (case-insensitive); missing ones are created
    through the organizations importer, so a vCard's ORG lands as a link."""
    if not names:
        return {}
    found: dict[str, int] = {}
    wanted = Q()
    for name in names:
        wanted |= Q(name__iexact=name)
    for pk, name in (
        Organization.objects.visible_to(actor)
        .alive()
        .filter(wanted)
        .order_by("pk")
        .values_list("pk", "name")
    ):
        found.setdefault(name.strip().lower(), pk)
    missing = sorted({n for n in names if n.lower() not in found}, key=str.lower)
    missing = list({n.lower(): n for n in missing}.values())
    if missing:
        organizations_import_batch(
            actor=actor, rows=[{"name": name} for name in missing], skip_invalid=True
        )
        for pk, name in (
            Organization.objects.visible_to(actor)
            .alive()
            .filter(name__in=missing)
            .order_by("pk")
            .values_list("pk", "name")
        ):
            found.setdefault(name.strip().lower(), pk)
    return found


def import_vcard(
    *,
    actor: Any,
    data: bytes | str,
    filename: str = "",
    batch_size: int = DEFAULT_BATCH,
    skip_invalid: bool = False,
    entity: str = ImportEntity.PEOPLE,
) -> ImportRun:
    """Loads a vCard file as people through the same path as a CSV file; the report's
    `line` is the card's position in the file (1 for the first card)."""
    from elo.interchange.vcard import people_rows_from_vcards

    if entity != ImportEntity.PEOPLE:
        raise ValidationError({"entity": _("A vCard file holds people.")})
    require(actor, "imports.run")
    rows = people_rows_from_vcards(data)
    if not rows:
        raise ValidationError({"file": _("The file holds no vCard.")})
    names = {row["organization_name"] for row in rows if row.get("organization_name")}
    organizations = _organizations_by_name(actor, names)
    for row in rows:
        name = row.pop("organization_name", "")
        if name and name.lower() in organizations:
            row["organization_elo_id"] = str(organizations[name.lower()])
    return _import_rows(
        actor=actor,
        entity=entity,
        reader=iter(rows),
        filename=filename,
        batch_size=batch_size,
        skip_invalid=skip_invalid,
        first_line=0,
    )
