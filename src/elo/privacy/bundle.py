"""The access/portability bundle: everything held about one person, as `person.json` plus one
CSV per entity, zipped. Read-only; the services decide who may build and download it.

Sections come from two places: explicit ones for the main records (emails, deals, invoices,
the consent ledger, ...) and, so that a new app's table is never forgotten, every other model
with a foreign key or many-to-many field to `contacts.Person` (found through `django.apps`),
plus the rows hanging off the person's deals, quotes, orders and invoices (lines, payments,
credit notes, stage changes)."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from collections.abc import Iterable
from typing import Any

from django.apps import apps
from django.db import models
from django.utils import timezone

from elo.contacts.models import Person
from elo.core.audit import jsonable
from elo.core.models import AuditEntry
from elo.interchange.export_cells import spreadsheet_safe

FORMAT_VERSION = 1
SKIPPED_FIELDS = {"search_text"}
# explicit section name -> (model label, how the rows are found)
EXPLICIT: dict[str, str] = {
    "emails": "contacts.PersonEmail",
    "phones": "contacts.PersonPhone",
    "employments": "contacts.Employment",
    "activities": "activities.Activity",
    "deals": "sales.Deal",
    "deal_roles": "sales.DealPerson",
    "leads": "sales.Lead",
    "quotes": "sales.Quote",
    "orders": "billing.Order",
    "invoices": "billing.Invoice",
    "consent_events": "privacy.ConsentEvent",
    "subject_requests": "privacy.SubjectRequest",
}
# parents whose child rows (lines, payments, ...) are part of the person's data
PARENTS = ("deals", "quotes", "orders", "invoices")


def _row(instance: models.Model) -> dict[str, Any]:
    row: dict[str, Any] = {}
    for field in instance._meta.concrete_fields:
        if field.name in SKIPPED_FIELDS:
            continue
        row[field.attname] = jsonable(getattr(instance, field.attname))
    return row


def _rows(queryset: Iterable[models.Model]) -> list[dict[str, Any]]:
    return [_row(instance) for instance in queryset]


def _person_links(model: type[models.Model]) -> list[str]:
    """The names of `model`'s foreign key / many-to-many fields to Person."""
    names = []
    for field in model._meta.get_fields():
        if not getattr(field, "concrete", False) or field.related_model is not Person:
            continue
        if field.many_to_one or field.one_to_one or field.many_to_many:
            names.append(field.name)
    return names


def _about(model: type[models.Model], person: Person) -> models.QuerySet[Any]:
    """Rows of `model` linked to the person by any of its fields to Person (trash included)."""
    condition = models.Q()
    for name in _person_links(model):
        condition |= models.Q(**{name: person})
    manager = model._base_manager
    if not condition:
        return manager.none()
    return manager.filter(condition).distinct().order_by("pk")


def collect(person: Person) -> dict[str, Any]:
    """Everything held about `person`, as JSON-safe data (see the module docstring)."""
    person_row = _row(person)
    person_row["tags"] = sorted(str(tag) for tag in person.tags.all())
    sections: dict[str, list[dict[str, Any]]] = {}
    found: dict[str, list[models.Model]] = {}
    covered: set[type[models.Model]] = {Person}
    for name, label in EXPLICIT.items():
        model = apps.get_model(label)
        covered.add(model)
        found[name] = list(_about(model, person))
        sections[name] = _rows(found[name])
    # organizations the person works or worked at
    organization = apps.get_model("contacts.Organization")
    org_ids = {row["organization_id"] for row in sections["employments"]}
    sections["organizations"] = _rows(
        organization._base_manager.filter(pk__in=org_ids).order_by("pk")
    )
    covered.add(organization)
    # every other table that points at the person
    for model in apps.get_models():
        if model in covered or not _person_links(model):
            continue
        covered.add(model)
        rows = _rows(_about(model, person))
        if rows:
            sections[model._meta.label_lower] = rows
    # rows hanging off the person's deals, quotes, orders and invoices
    for parent in PARENTS:
        parent_model = apps.get_model(EXPLICIT[parent])
        ids = [instance.pk for instance in found[parent]]
        if not ids:
            continue
        for model in apps.get_models():
            if model in covered:
                continue
            for field in model._meta.concrete_fields:
                if field.many_to_one and field.related_model is parent_model:
                    rows = _rows(
                        model._base_manager.filter(**{f"{field.name}__in": ids}).order_by("pk")
                    )
                    if rows:
                        sections.setdefault(model._meta.label_lower, []).extend(rows)
    # workflow runs about the person
    if apps.is_installed("elo.automation"):
        run = apps.get_model("automation.WorkflowRun")
        sections["workflow_runs"] = _rows(
            run.objects.filter(record_type="person", record_id=person.pk).order_by("pk")
        )
    # audit entries about the person and their requests
    request_ids = [str(row["id"]) for row in sections["subject_requests"]]
    audit = AuditEntry.objects.filter(
        models.Q(object_type="contacts.person", object_id=str(person.pk))
        | models.Q(object_type="privacy.subjectrequest", object_id__in=request_ids)
    ).order_by("id")
    sections["audit_entries"] = [
        {
            "id": entry.pk,
            "created_at": jsonable(entry.created_at),
            "actor_kind": entry.actor_kind,
            "actor_label": entry.actor_label,
            "action": entry.action,
            "object_type": entry.object_type,
            "object_id": entry.object_id,
            "changes": entry.changes,
        }
        for entry in audit
    ]
    return {
        "format": "elo.privacy.bundle",
        "format_version": FORMAT_VERSION,
        "generated_at": jsonable(timezone.now()),
        "person": person_row,
        **sections,
    }


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dict | list):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return spreadsheet_safe(str(value))


def to_csv(rows: list[dict[str, Any]]) -> str:
    columns: list[str] = []
    for row in rows:
        for key in row:
            if key not in columns:
                columns.append(key)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([_cell(row.get(column)) for column in columns])
    return buffer.getvalue()


def bundle_for(person: Person) -> bytes:
    """A ZIP with `person.json` (everything) and one CSV per entity (`person.csv`,
    `emails.csv`, `invoices.csv`, `billing.payment.csv`, ...)."""
    data = collect(person)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "person.json", json.dumps(data, ensure_ascii=False, indent=2, sort_keys=False)
        )
        archive.writestr("csv/person.csv", to_csv([data["person"]]))
        for name, value in data.items():
            if isinstance(value, list):
                archive.writestr(f"csv/{name}.csv", to_csv(value))
    return buffer.getvalue()
