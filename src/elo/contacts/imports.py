"""Importer batches for people and organizations: thousands of rows validated like the
services validate one, inserted in bulk, and matched rows updated through the services."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from elo.contacts.models import Employment, Organization, Person, PersonEmail, PersonPhone
from elo.contacts.rules import CleanContext
from elo.contacts.services import (
    CleanOrganization,
    CleanPerson,
    _derive_organization,
    _derive_person,
    _listify,
    clean_organization,
    clean_person,
    organization_update,
    person_update,
)
from elo.core import audit, bulk, events
from elo.core.permissions import require


@dataclass
class BatchOutcome:
    created: list[int] = field(default_factory=list)
    updated: list[int] = field(default_factory=list)
    unchanged: list[int] = field(default_factory=list)
    rejected: dict[int, dict[str, list[str]]] = field(default_factory=dict)


def _created_at(data: Mapping[str, Any], errors: dict[str, list[str]]) -> Any:
    from elo.core.dates import parse_moment

    try:
        return parse_moment(data.get("created_at")) or timezone.now()
    except ValidationError as error:
        errors["created_at"] = error.messages
        return None


def people_import_batch(
    *, actor: Any, rows: Sequence[Mapping[str, Any]], skip_invalid: bool = False
) -> BatchOutcome:
    """Creates or updates people from importer rows, in one transaction.

    A row matches an existing person by `external_id`, then by email; a match is updated
    through `person_update`, the rest are validated like `person_create` and inserted in bulk.
    With `skip_invalid` false, one bad row rejects the whole batch and nothing is written.
    """
    require(actor, "contacts.add")
    ctx = CleanContext(actor)
    outcome = BatchOutcome()
    external_ids = [str(row.get("external_id") or "") for row in rows]
    ctx.preload_external_ids(external_ids, [])
    ctx.preload_organizations(
        int(item["organization"])
        for row in rows
        for item in row.get("organizations") or []
        if isinstance(item, Mapping) and str(item.get("organization", "")).isdigit()
    )
    by_external = dict(
        Person.objects.visible_to(actor)
        .filter(external_id__in=[i for i in external_ids if i])
        .values_list("external_id", "pk")
    )
    emails = [
        email.strip().lower()
        for row in rows
        for email in _listify(row.get("emails"))[:1]
        if isinstance(email, str)
    ]
    # Two index lookups: a join with the visibility subquery makes SQLite scan every email.
    email_owners = dict(
        PersonEmail.objects.filter(email__in=emails).values_list("email", "person_id")
    )
    reachable = set(
        Person.objects.visible_to(actor)
        .alive()
        .filter(pk__in=set(email_owners.values()))
        .values_list("pk", flat=True)
    )
    by_email = {email: pk for email, pk in email_owners.items() if pk in reachable}
    seen: set[str] = set()
    new_rows: list[tuple[int, CleanPerson, Any]] = []
    updates: list[tuple[int, int, Mapping[str, Any]]] = []
    for index, row in enumerate(rows):
        errors: dict[str, list[str]] = {}
        external_id = str(row.get("external_id") or "")
        first_email = next(iter(_listify(row.get("emails"))), "")
        keys = {f"x:{external_id}" if external_id else "", f"e:{str(first_email).lower()}"} - {
            "",
            "e:",
        }
        if keys & seen:
            outcome.rejected[index] = {"external_id": [_("This row repeats an earlier row.")]}
            continue
        seen |= keys
        existing = by_external.get(external_id) or by_email.get(str(first_email).strip().lower())
        if existing:
            updates.append((index, existing, row))
            continue
        data = {key: value for key, value in row.items() if key != "created_at"}
        created_at = _created_at(row, errors)
        try:
            clean = clean_person(ctx, data)
        except ValidationError as error:
            errors.update(error.message_dict)
        if errors:
            outcome.rejected[index] = errors
            continue
        new_rows.append((index, clean, created_at))
    if outcome.rejected and not skip_invalid:
        return outcome
    with transaction.atomic():
        people: list[Person] = []
        for _index, clean, created_at in new_rows:
            person = Person(**clean.fields, created_at=created_at, updated_at=created_at)
            person.owner_id = clean.fields.get("owner_id") or actor.pk
            if "team_id" not in clean.fields:
                person.team_id = ctx.team_of(person.owner_id)
            _derive_person(person, clean.emails or [], clean.phones or [])
            people.append(person)
        for person, pk in zip(people, bulk.reserve_ids(Person, len(people)), strict=True):
            person.pk = pk
        bulk.insert(Person, people)
        emails_out: list[tuple[int, str, bool, int]] = []
        phones_out: list[tuple[int, str, bool, int]] = []
        jobs: list[tuple[int, int, str, bool, int]] = []
        tag_links: list[tuple[int, int]] = []
        entries: list[tuple[str, models.Model, Mapping[str, Any]]] = []
        for person, (_index, clean, _created) in zip(people, new_rows, strict=True):
            pk = person.pk
            for position, email in enumerate(clean.emails or []):
                emails_out.append((pk, email, position == 0, position))
            for position, number in enumerate(clean.phones or []):
                phones_out.append((pk, number, position == 0, position))
            for position, (org_id, title) in enumerate(clean.employments or []):
                jobs.append((pk, org_id, title, position == 0, position))
            for tag in clean.tags or []:
                tag_links.append((pk, tag.pk))
            entries.append(
                ("contacts.person.created", person, {"via": "import", "emails": clean.emails or []})
            )
            outcome.created.append(pk)
        position_columns = ["person_id", "{}", "is_primary", "position"]
        bulk.insert_values(PersonEmail, [c.format("email") for c in position_columns], emails_out)
        bulk.insert_values(PersonPhone, [c.format("number") for c in position_columns], phones_out)
        bulk.insert_values(
            Employment,
            ["person_id", "organization_id", "job_title", "is_primary", "position"],
            jobs,
        )
        bulk.insert_values(Person.tags.through, ["person_id", "tag_id"], tag_links)
        audit.record_rows(entries)
        if people:
            events.emit_many(
                "contacts.person.created", [{"id": p.pk, "via": "import"} for p in people]
            )
        current = _CurrentPeople([pk for _index, pk, _row in updates])
        for index, pk, row in updates:
            data = {key: value for key, value in row.items() if key != "created_at"}
            if current.unchanged_by(ctx, pk, data):
                # Re-running a file: the row says what the record already holds.
                outcome.unchanged.append(pk)
                continue
            person = Person.objects.get(pk=pk)
            try:
                with transaction.atomic():
                    before = person.version
                    person = person_update(actor=actor, person=person, data=data, ctx=ctx)
            except ValidationError as error:
                outcome.rejected[index] = error.message_dict
                if not skip_invalid:
                    transaction.set_rollback(True)
                    return BatchOutcome(rejected=outcome.rejected)
                continue
            (outcome.updated if person.version != before else outcome.unchanged).append(pk)
    return outcome


class _CurrentPeople:
    """What the people an import batch matched hold now (a few queries for the batch), to
    tell a row that would change nothing without locking and re-reading its person."""

    def __init__(self, pks: Sequence[int]) -> None:
        self.people = {person.pk: person for person in Person.objects.filter(pk__in=pks)}
        self.emails: dict[int, list[str]] = defaultdict(list)
        for person_id, email in (
            PersonEmail.objects.filter(person_id__in=pks)
            .order_by("person_id", "position", "id")
            .values_list("person_id", "email")
        ):
            self.emails[person_id].append(email)
        self.phones: dict[int, list[str]] = defaultdict(list)
        for person_id, number in (
            PersonPhone.objects.filter(person_id__in=pks)
            .order_by("person_id", "position", "id")
            .values_list("person_id", "number")
        ):
            self.phones[person_id].append(number)
        self.jobs: dict[int, list[tuple[int, str]]] = defaultdict(list)
        for person_id, org_id, title in (
            Employment.objects.filter(person_id__in=pks)
            .order_by("person_id", "position", "id")
            .values_list("person_id", "organization_id", "job_title")
        ):
            self.jobs[person_id].append((org_id, title))
        self.tags: dict[int, set[int]] = defaultdict(set)
        for person_id, tag_id in Person.tags.through.objects.filter(person_id__in=pks).values_list(
            "person_id", "tag_id"
        ):
            self.tags[person_id].add(tag_id)

    def unchanged_by(self, ctx: CleanContext, pk: int, data: Mapping[str, Any]) -> bool:
        """True only when every value `data` gives equals what the person holds; anything
        else (a difference, an error, an erased person) goes through `person_update`."""
        person = self.people.get(pk)
        if person is None or person.erased_at is not None:
            return False
        try:
            clean = clean_person(ctx, data, instance=person)
        except ValidationError:
            return False
        if any(getattr(person, name) != value for name, value in clean.fields.items()):
            return False
        if clean.emails is not None and clean.emails != self.emails[pk]:
            return False
        if clean.phones is not None and clean.phones != self.phones[pk]:
            return False
        if clean.employments is not None and clean.employments != self.jobs[pk]:
            return False
        return clean.tags is None or {tag.pk for tag in clean.tags} == self.tags[pk]


def organizations_import_batch(
    *, actor: Any, rows: Sequence[Mapping[str, Any]], skip_invalid: bool = False
) -> BatchOutcome:
    """Creates or updates organizations from importer rows; matched by `external_id`."""
    require(actor, "contacts.add")
    ctx = CleanContext(actor)
    outcome = BatchOutcome()
    external_ids = [str(row.get("external_id") or "") for row in rows]
    ctx.preload_external_ids([], external_ids)
    by_external = dict(
        Organization.objects.visible_to(actor)
        .filter(external_id__in=[i for i in external_ids if i])
        .values_list("external_id", "pk")
    )
    seen: set[str] = set()
    new_rows: list[tuple[int, CleanOrganization, Any]] = []
    updates: list[tuple[int, int, Mapping[str, Any]]] = []
    for index, row in enumerate(rows):
        errors: dict[str, list[str]] = {}
        external_id = str(row.get("external_id") or "")
        if external_id and external_id in seen:
            outcome.rejected[index] = {"external_id": [_("This row repeats an earlier row.")]}
            continue
        seen.add(external_id)
        if external_id in by_external:
            updates.append((index, by_external[external_id], row))
            continue
        created_at = _created_at(row, errors)
        try:
            clean = clean_organization(ctx, {k: v for k, v in row.items() if k != "created_at"})
        except ValidationError as error:
            errors.update(error.message_dict)
        if errors:
            outcome.rejected[index] = errors
            continue
        new_rows.append((index, clean, created_at))
    if outcome.rejected and not skip_invalid:
        return outcome
    with transaction.atomic():
        organizations: list[Organization] = []
        for _index, clean, created_at in new_rows:
            organization = Organization(
                **clean.fields, created_at=created_at, updated_at=created_at
            )
            organization.owner_id = clean.fields.get("owner_id") or actor.pk
            if "team_id" not in clean.fields:
                organization.team_id = ctx.team_of(organization.owner_id)
            _derive_organization(organization)
            organizations.append(organization)
        pks = bulk.reserve_ids(Organization, len(organizations))
        for organization, pk in zip(organizations, pks, strict=True):
            organization.pk = pk
        bulk.insert(Organization, organizations)
        Link = Organization.tags.through
        links = [
            Link(organization_id=organization.pk, tag_id=tag.pk)
            for organization, (_index, clean, _created) in zip(organizations, new_rows, strict=True)
            for tag in clean.tags or []
        ]
        bulk.insert(Link, links)
        audit.record_rows(
            ("contacts.organization.created", organization, {"via": "import"})
            for organization in organizations
        )
        if organizations:
            events.emit_many(
                "contacts.organization.created",
                [{"id": o.pk, "via": "import"} for o in organizations],
            )
        outcome.created.extend(organization.pk for organization in organizations)
        for index, pk, row in updates:
            organization = Organization.objects.get(pk=pk)
            data = {key: value for key, value in row.items() if key != "created_at"}
            try:
                with transaction.atomic():
                    before = organization.version
                    organization = organization_update(
                        actor=actor, organization=organization, data=data
                    )
            except ValidationError as error:
                outcome.rejected[index] = error.message_dict
                if not skip_invalid:
                    transaction.set_rollback(True)
                    return BatchOutcome(rejected=outcome.rejected)
                continue
            (outcome.updated if organization.version != before else outcome.unchanged).append(pk)
    return outcome
