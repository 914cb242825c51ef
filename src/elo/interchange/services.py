"""Importing CSV, XLSX and vCard files through the same services as the UI and the API."""

from __future__ import annotations

import csv
import datetime
import io
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from itertools import islice
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from elo.activities.services import activities_import_batch
from elo.contacts.duplicates_created import organizations_like_earlier, people_like_earlier
from elo.contacts.imports import organizations_import_batch, people_import_batch
from elo.contacts.models import Organization, Person, PersonEmail
from elo.core import audit, events
from elo.core.permissions import require
from elo.interchange import mapping, presets, readers
from elo.interchange.models import ImportEntity, ImportRun, ImportUpload, UpsertKey
from elo.sales.services import deals_import_batch

DEFAULT_BATCH = 2000
MAX_REPORTED = 10_000
SAMPLES = 3
UPLOAD_MAX_AGE = datetime.timedelta(days=1)
UPLOAD_MAX_BYTES = 100 * 1024 * 1024


def _batches(reader: Iterator[list[str]], size: int) -> Iterator[list[list[str]]]:
    while batch := list(islice(reader, size)):
        yield batch


def _external_map(model: type[Person] | type[Organization], keys: set[str]) -> dict[str, int]:
    if not keys:
        return {}
    return dict(model.objects.filter(external_id__in=keys).values_list("external_id", "pk"))


def _link_organizations_by_name(actor: Any, rows: list[dict[str, str]]) -> None:
    """A people row naming its organization (Company, Account Name...) without an id gets the
    visible organization of that name, created when there is none."""
    names = {
        row["organization_name"]
        for row in rows
        if row.get("organization_name")
        and not row.get("organization_external_id")
        and not row.get("organization_elo_id")
    }
    found = _organizations_by_name(actor, names) if names else {}
    for row in rows:
        name = row.pop("organization_name", "")
        if name and name.lower() in found and not row.get("organization_external_id"):
            row.setdefault("organization_elo_id", str(found[name.lower()]))


def _first_email(row: Mapping[str, Any]) -> str:
    return str(row.get("emails") or "").replace(";", ",").split(",", 1)[0].strip().lower()


def _match_by_email(actor: Any, rows: list[dict[str, Any]]) -> None:
    """Makes a row's email decide which person it updates: a row whose email belongs to a
    visible person carries that person's external id (the file's own external id is kept
    only for a person who has none and when no one else has it)."""
    emails = {email for row in rows if (email := _first_email(row))}
    if not emails:
        return
    owners = dict(PersonEmail.objects.filter(email__in=emails).values_list("email", "person_id"))
    people = dict(
        Person.objects.visible_to(actor)
        .alive()
        .filter(pk__in=set(owners.values()))
        .values_list("pk", "external_id")
    )
    wanted = {str(row.get("external_id") or "") for row in rows} - {""}
    taken = dict(Person.objects.filter(external_id__in=wanted).values_list("external_id", "pk"))
    for row in rows:
        pk = owners.get(_first_email(row))
        if pk not in people:
            continue
        current = people[pk]
        if current:
            row["external_id"] = current
        elif row.get("external_id") and taken.get(row["external_id"], pk) != pk:
            row.pop("external_id")


def _load_batch(
    *, actor: Any, entity: str, rows: list[dict[str, str]], skip_invalid: bool, upsert_by: str
) -> dict[str, Any]:
    """One batch, all-or-nothing unless `skip_invalid`: organizations created for it by name
    go away with the batch when a row is rejected. A batch that names no organization runs
    in the importer's own transaction: an enclosing one would make SQLite's full-text index
    flush at every savepoint, which made 100,000 people load 2.5 times slower."""
    names = entity == ImportEntity.PEOPLE and any(row.get("organization_name") for row in rows)
    if not names:
        return _load(
            actor=actor, entity=entity, rows=rows, skip_invalid=skip_invalid, upsert_by=upsert_by
        )
    with transaction.atomic():
        outcome = _load(
            actor=actor, entity=entity, rows=rows, skip_invalid=skip_invalid, upsert_by=upsert_by
        )
        if outcome["rejected"] and not skip_invalid:
            transaction.set_rollback(True)
    return outcome


def _load(
    *, actor: Any, entity: str, rows: list[dict[str, str]], skip_invalid: bool, upsert_by: str
) -> dict[str, Any]:
    if entity == ImportEntity.ORGANIZATIONS:
        outcome = organizations_import_batch(
            actor=actor,
            rows=[mapping.organization_data(row) for row in rows],
            skip_invalid=skip_invalid,
        )
        return vars(outcome)
    if entity == ImportEntity.PEOPLE:
        _link_organizations_by_name(actor, rows)
    organizations = _external_map(
        Organization,
        {row["organization_external_id"] for row in rows if row.get("organization_external_id")},
    )
    if entity == ImportEntity.PEOPLE:
        data = [mapping.person_data(row, organizations) for row in rows]
        if upsert_by == UpsertKey.EMAIL:
            _match_by_email(actor, data)
        outcome = people_import_batch(actor=actor, rows=data, skip_invalid=skip_invalid)
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


def _check_options(entity: str, upsert_by: str) -> None:
    if entity not in ImportEntity.values:
        raise ValidationError({"entity": _("Pick people, organizations, activities or deals.")})
    if upsert_by not in UpsertKey.values:
        raise ValidationError({"upsert_by": _("Match rows by email or by external id.")})
    if upsert_by == UpsertKey.EMAIL and entity != ImportEntity.PEOPLE:
        raise ValidationError(
            {"upsert_by": _("Only people have an email to match by; match by external id.")}
        )


@dataclass
class Plan:
    """How a file's columns load: the preset used (chosen or detected) and each column's field."""

    headers: list[str]
    fields: list[str]
    preset: str = ""
    detected: bool = False


def plan(
    *,
    entity: str,
    headers: Sequence[str],
    preset: str = "",
    columns: Mapping[str, str] | Sequence[str] | None = None,
) -> Plan:
    """The mapping of `headers`: `columns` (header -> field, or one field per column) when
    given, else the suggestion from `preset` (or the preset the headers look like) and the
    aliases. A bad mapping is a field error and nothing is imported."""
    chosen = presets.get(preset, entity) if preset else presets.detect(entity, headers)
    if columns is None:
        fields = mapping.suggest(entity, headers, chosen.columns[entity] if chosen else None)
    elif isinstance(columns, Mapping):
        unknown = [header for header in columns if header not in headers]
        if unknown:
            raise ValidationError(
                {
                    "mapping": [
                        _("The file has no column “%(header)s”.") % {"header": header}
                        for header in unknown
                    ]
                }
            )
        fields = [str(columns.get(header) or "") for header in headers]
    else:
        fields = [str(value or "") for value in columns]
        if len(fields) != len(headers):
            raise ValidationError({"mapping": [_("Give one field per column.")]})
    mapping.check(entity, headers, fields)
    return Plan(
        headers=list(headers),
        fields=fields,
        preset=chosen.name if chosen else "",
        detected=bool(chosen) and not preset,
    )


def import_file(
    *,
    actor: Any,
    entity: str,
    stream: IO[bytes],
    filename: str = "",
    content_type: str = "",
    preset: str = "",
    columns: Mapping[str, str] | Sequence[str] | None = None,
    upsert_by: str = UpsertKey.EXTERNAL_ID,
    dry_run: bool = False,
    skip_invalid: bool = False,
    batch_size: int = DEFAULT_BATCH,
) -> ImportRun:
    """Loads a CSV (any delimiter, UTF-8 or Windows-1252), XLSX or vCard file.

    `columns` maps the file's headers to Elo fields (see `plan`); `dry_run` runs the whole
    import and rolls it back, so its counts are the ones a real run would have."""
    _check_options(entity, upsert_by)
    require(actor, "imports.run")
    if is_vcard(filename, content_type):
        return import_vcard(
            actor=actor,
            entity=entity,
            data=stream.read(),
            filename=filename,
            batch_size=batch_size,
            skip_invalid=skip_invalid,
            dry_run=dry_run,
            upsert_by=upsert_by,
        )
    table = readers.open_table(stream, filename)
    chosen = plan(entity=entity, headers=table.headers, preset=preset, columns=columns)
    return _import_rows(
        actor=actor,
        entity=entity,
        rows=table.rows,
        chosen=chosen,
        convert=lambda values: mapping.apply(chosen.fields, values),
        filename=filename,
        batch_size=batch_size,
        skip_invalid=skip_invalid,
        first_line=1,
        dry_run=dry_run,
        upsert_by=upsert_by,
    )


def import_csv(
    *,
    actor: Any,
    entity: str,
    stream: IO[str],
    filename: str = "",
    batch_size: int = DEFAULT_BATCH,
    skip_invalid: bool = False,
    preset: str = "",
    columns: Mapping[str, str] | Sequence[str] | None = None,
    upsert_by: str = UpsertKey.EXTERNAL_ID,
    dry_run: bool = False,
) -> ImportRun:
    """Loads comma-separated text batch by batch; each batch is all-or-nothing.

    Without `skip_invalid`, a batch with any rejected row writes nothing; with it, the valid
    rows of the batch are written. Either way every rejected row is reported with its line
    number, reasons and values, and a re-run matches rows already loaded instead of
    duplicating them.
    """
    _check_options(entity, upsert_by)
    require(actor, "imports.run")
    reader = csv.reader(stream)
    headers = [header.strip() for header in next(reader, [])]
    if not any(headers):
        raise ValidationError({"file": _("The file is empty or has no header line.")})
    chosen = plan(entity=entity, headers=headers, preset=preset, columns=columns)
    return _import_rows(
        actor=actor,
        entity=entity,
        rows=(row for row in reader if any(cell.strip() for cell in row)),
        chosen=chosen,
        convert=lambda values: mapping.apply(chosen.fields, values),
        filename=filename,
        batch_size=batch_size,
        skip_invalid=skip_invalid,
        first_line=1,
        dry_run=dry_run,
        upsert_by=upsert_by,
    )


@dataclass
class _Tally:
    run: ImportRun
    rejected: list[dict[str, Any]] = field(default_factory=list)
    created: list[int] = field(default_factory=list)


def _run_batches(
    *,
    actor: Any,
    tally: _Tally,
    rows: Iterator[list[str]],
    convert: Callable[[list[str]], dict[str, str]],
    batch_size: int,
    skip_invalid: bool,
    first_line: int,
    upsert_by: str,
) -> None:
    run = tally.run
    line = first_line
    for batch in _batches(rows, batch_size):
        canonical = [convert(values) for values in batch]
        outcome = _load_batch(
            actor=actor,
            entity=run.entity,
            rows=canonical,
            skip_invalid=skip_invalid,
            upsert_by=upsert_by,
        )
        run.batches += 1
        run.total_rows += len(batch)
        batch_rejected = outcome["rejected"]
        if batch_rejected and not skip_invalid:
            run.batches_failed += 1
        run.created_count += len(outcome["created"])
        if run.entity in (ImportEntity.PEOPLE, ImportEntity.ORGANIZATIONS):
            tally.created.extend(outcome["created"])
        run.updated_count += len(outcome.get("updated", []))
        run.unchanged_count += len(outcome.get("unchanged", []))
        run.rejected_count += len(batch_rejected)
        for index, errors in sorted(batch_rejected.items()):
            if len(tally.rejected) < MAX_REPORTED:
                tally.rejected.append(
                    {"line": line + 1 + index, "errors": errors, "values": batch[index]}
                )
        line += len(batch)


def _similar_count(actor: Any, tally: _Tally) -> int:
    """How many of the records created look like ones that were there before the run."""
    if tally.run.entity == ImportEntity.PEOPLE:
        return people_like_earlier(actor, tally.created)
    if tally.run.entity == ImportEntity.ORGANIZATIONS:
        return organizations_like_earlier(actor, tally.created)
    return 0


def _import_rows(
    *,
    actor: Any,
    entity: str,
    rows: Iterator[list[str]],
    chosen: Plan,
    convert: Callable[[list[str]], dict[str, str]],
    filename: str,
    batch_size: int,
    skip_invalid: bool,
    first_line: int,
    dry_run: bool,
    upsert_by: str,
) -> ImportRun:
    run = ImportRun(
        entity=entity,
        filename=filename[:255],
        created_by=actor,
        preset=chosen.preset,
        mapping=[[h, f] for h, f in zip(chosen.headers, chosen.fields, strict=True)],
        upsert_by=upsert_by,
        dry_run=dry_run,
    )
    tally = _Tally(run=run)
    options: dict[str, Any] = {
        "actor": actor,
        "tally": tally,
        "rows": rows,
        "convert": convert,
        "batch_size": batch_size,
        "skip_invalid": skip_invalid,
        "first_line": first_line,
        "upsert_by": upsert_by,
    }
    if dry_run:
        with transaction.atomic():
            _run_batches(**options)
            run.similar_count = _similar_count(actor, tally)
            transaction.set_rollback(True)
    else:
        _run_batches(**options)
        run.similar_count = _similar_count(actor, tally)
    with transaction.atomic():
        run.rejected = tally.rejected
        run.finished_at = timezone.now()
        run.save()
        if not dry_run:
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
    dry_run: bool = False,
    upsert_by: str = UpsertKey.EXTERNAL_ID,
) -> ImportRun:
    """Loads a vCard file as people through the same path as a CSV file; the report's
    `line` is the card's position in the file (1 for the first card)."""
    from elo.interchange.vcard import people_rows_from_vcards

    if entity != ImportEntity.PEOPLE:
        raise ValidationError({"entity": _("A vCard file holds people.")})
    _check_options(entity, upsert_by)
    require(actor, "imports.run")
    cards = people_rows_from_vcards(data)
    if not cards:
        raise ValidationError({"file": _("The file holds no vCard.")})
    headers = list(dict.fromkeys(key for card in cards for key in card))
    return _import_rows(
        actor=actor,
        entity=entity,
        rows=iter([[card.get(key, "") for key in headers] for card in cards]),
        chosen=Plan(headers=headers, fields=headers),
        convert=lambda values: mapping.canonical(entity, dict(zip(headers, values, strict=True))),
        filename=filename,
        batch_size=batch_size,
        skip_invalid=skip_invalid,
        first_line=0,
        dry_run=dry_run,
        upsert_by=upsert_by,
    )


# --- the mapping screen: uploads kept for a day ---------------------------------------------


@dataclass
class Preview:
    """What the mapping screen shows of a file: its columns with a few values each, the preset
    it was matched to and the field suggested for each column. Nothing is imported."""

    kind: str
    headers: list[str]
    samples: list[list[str]]
    plan: Plan


def preview(
    *,
    actor: Any,
    entity: str,
    stream: IO[bytes],
    filename: str = "",
    content_type: str = "",
    preset: str = "",
) -> Preview:
    require(actor, "imports.run")
    if entity not in ImportEntity.values:
        raise ValidationError({"entity": _("Pick people, organizations, activities or deals.")})
    if is_vcard(filename, content_type):
        if entity != ImportEntity.PEOPLE:
            raise ValidationError({"entity": _("A vCard file holds people.")})
        return Preview(kind="vcard", headers=[], samples=[], plan=Plan(headers=[], fields=[]))
    table = readers.open_table(stream, filename)
    first = list(islice(table.rows, SAMPLES))
    samples = [
        [row[index] if index < len(row) else "" for row in first]
        for index in range(len(table.headers))
    ]
    suggestion = plan(entity=entity, headers=table.headers, preset=preset)
    return Preview(kind=table.kind, headers=table.headers, samples=samples, plan=suggestion)


def uploads_purge(*, now: datetime.datetime | None = None) -> int:
    """Deletes uploads older than a day (the mapping screen's files); returns how many."""
    cutoff = (now or timezone.now()) - UPLOAD_MAX_AGE
    deleted, _kinds = ImportUpload.objects.filter(created_at__lt=cutoff).delete()
    return deleted


def upload_create(
    *,
    actor: Any,
    entity: str,
    data: bytes,
    filename: str = "",
    content_type: str = "",
    preset: str = "",
) -> ImportUpload:
    """Keeps a file for the mapping screen once it is known to be readable."""
    require(actor, "imports.run")
    if len(data) > UPLOAD_MAX_BYTES:
        raise ValidationError(
            {"file": _("The file is larger than %(size)s MB.") % {"size": UPLOAD_MAX_BYTES >> 20}}
        )
    preview(
        actor=actor,
        entity=entity,
        stream=io.BytesIO(data),
        filename=filename,
        content_type=content_type,
        preset=preset,
    )
    with transaction.atomic():
        uploads_purge()
        return ImportUpload.objects.create(
            entity=entity,
            filename=filename[:255],
            content_type=content_type[:100],
            data=data,
            size=len(data),
            preset=preset,
            created_by=actor,
        )


def upload_preview(*, actor: Any, upload: ImportUpload) -> Preview:
    return preview(
        actor=actor,
        entity=upload.entity,
        stream=io.BytesIO(bytes(upload.data)),
        filename=upload.filename,
        content_type=upload.content_type,
        preset=upload.preset,
    )


def upload_import(
    *,
    actor: Any,
    upload: ImportUpload,
    columns: Mapping[str, str] | Sequence[str] | None,
    preset: str = "",
    upsert_by: str = UpsertKey.EXTERNAL_ID,
    dry_run: bool = False,
    skip_invalid: bool = False,
) -> ImportRun:
    """Imports (or dry-runs) an uploaded file with the mapping chosen on the screen; the file
    is deleted after a real import, kept after a dry run for the next try."""
    if upload.created_by_id != getattr(actor, "pk", None):
        raise ValidationError({"file": _("This upload belongs to someone else.")})
    run = import_file(
        actor=actor,
        entity=upload.entity,
        stream=io.BytesIO(bytes(upload.data)),
        filename=upload.filename,
        content_type=upload.content_type,
        preset=preset,
        columns=columns,
        upsert_by=upsert_by,
        dry_run=dry_run,
        skip_invalid=skip_invalid,
    )
    if not dry_run:
        upload.delete()
    return run
