"""Merging a duplicate person into a survivor.

Everything that points at the duplicate moves to the survivor. Rather than a list of known
tables, every foreign key to `Person` in every installed model is found with
`apps.get_models()`, so a table added later (a consent ledger, a ticket) moves too. Link
tables with a unique rule (a deal's people, an activity's attendees) drop the duplicate's
row when the survivor already has the same link; any other unique clash refuses the merge.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from elo.contacts.models import Employment, Organization, Person, PersonEmail, PersonPhone
from elo.contacts.services import (
    ORGANIZATION_AUDITED,
    _derive_organization,
    _derive_person,
    _person_snapshot,
    refuse_erased,
)
from elo.core import audit, events
from elo.core.permissions import require

MERGE_FIELDS: dict[str, Any] = {
    "given_name": gettext_lazy("given name"),
    "family_name": gettext_lazy("family name"),
    "street": gettext_lazy("street"),
    "city": gettext_lazy("city"),
    "region": gettext_lazy("state or region"),
    "postal_code": gettext_lazy("postal code"),
    "country": gettext_lazy("country"),
    "preferred_language": gettext_lazy("preferred language"),
    "lifecycle_stage": gettext_lazy("lifecycle stage"),
    "source": gettext_lazy("source"),
    "external_id": gettext_lazy("external id"),
    "owner": gettext_lazy("owner"),
    "team": gettext_lazy("team"),
}
CUSTOM_PREFIX = "custom."
CHOICES = ("survivor", "duplicate")
# Handled one by one below (union without duplicates, primary kept).
_OWN_TABLES = {PersonEmail, PersonPhone, Employment, Person.tags.through}


@dataclass(frozen=True)
class Reference:
    """A foreign key to Person: the model, the field, and the unique sets it belongs to."""

    model: type[models.Model]
    field: models.ForeignKey[Any, Any]
    unique_sets: tuple[tuple[str, ...], ...]
    is_link: bool

    @property
    def label(self) -> str:
        return self.model._meta.label_lower


def _link_tables() -> set[type[models.Model]]:
    """Through tables of many-to-many fields: rows that are only a link."""
    tables: set[type[models.Model]] = set()
    for model in apps.get_models(include_auto_created=True):
        for field in model._meta.local_many_to_many:
            through = getattr(field.remote_field, "through", None)
            if isinstance(through, type):
                tables.add(through)
    return tables


def references_to(
    target: type[models.Model], *, skip: set[Any] | frozenset[Any] = frozenset()
) -> list[Reference]:
    """Every foreign key (and one-to-one) to `target` in the installed apps, including the
    hidden tables of many-to-many fields, except the tables in `skip`."""
    links = _link_tables()
    found = []
    for model in apps.get_models(include_auto_created=True):
        if model in skip:
            continue
        for field in model._meta.concrete_fields:
            if not isinstance(field, models.ForeignKey) or field.related_model is not target:
                continue
            unique_sets: list[tuple[str, ...]] = []
            if field.unique:
                unique_sets.append((field.name,))
            for together in model._meta.unique_together:
                if field.name in together:
                    unique_sets.append(tuple(together))
            for constraint in model._meta.constraints:
                if isinstance(constraint, models.UniqueConstraint) and field.name in (
                    constraint.fields or ()
                ):
                    unique_sets.append(tuple(constraint.fields))
            found.append(Reference(model, field, tuple(unique_sets), model in links))
    return found


def person_references() -> list[Reference]:
    """Every foreign key to Person except the person's own emails, phones, jobs and tags."""
    return references_to(Person, skip=_OWN_TABLES)


def merge_preview(survivor: Person, duplicate: Person) -> dict[str, int]:
    """What a merge would move: {model label: rows pointing at the duplicate}, plus its
    emails, phones, jobs and tags; one count per table."""
    counts = {
        "contacts.personemail": duplicate.emails.count(),
        "contacts.personphone": duplicate.phones.count(),
        "contacts.employment": duplicate.employments.count(),
        "contacts.person_tags": duplicate.tags.count(),
    }
    for reference in person_references():
        count = reference.model._base_manager.filter(**{reference.field.name: duplicate}).count()
        if count:
            counts[reference.label] = counts.get(reference.label, 0) + count
    return {label: count for label, count in counts.items() if count}


def _check_choices(
    fields: Mapping[str, str], allowed: Mapping[str, Any], custom: Mapping[str, Any]
) -> None:
    errors: dict[str, list[str]] = {}
    for name, choice in fields.items():
        known = name in allowed or (
            name.startswith(CUSTOM_PREFIX) and name[len(CUSTOM_PREFIX) :] in custom
        )
        if not known:
            errors.setdefault("fields", []).append(
                _("%(field)s cannot be chosen in a merge.") % {"field": name}
            )
        elif choice not in CHOICES:
            errors.setdefault("fields", []).append(
                _("Choose survivor or duplicate for %(field)s.") % {"field": name}
            )
    if errors:
        raise ValidationError(errors)


def _move_references(
    survivor: models.Model, duplicate: models.Model, references: list[Reference]
) -> dict[str, int]:
    moved: dict[str, int] = {}
    for reference in references:
        name = reference.field.name
        # The plain base manager: it sees rows a default manager may hide, and re-pointing
        # is allowed even on the append-only consent ledger, whose entries keep their content.
        manager = reference.model._base_manager
        rows = manager.filter(**{name: duplicate})
        for unique in reference.unique_sets:
            others = [other for other in unique if other != name]
            if not others:
                clash = manager.filter(**{name: survivor}).exists() and rows.exists()
            else:
                taken = set(manager.filter(**{name: survivor}).values_list(*others))
                clash_rows = [
                    row for row in rows.values_list("pk", *others) if tuple(row[1:]) in taken
                ]
                clash = bool(clash_rows)
                if clash and reference.is_link:
                    manager.filter(pk__in=[row[0] for row in clash_rows]).delete()
                    continue
            if clash:
                raise ValidationError(
                    _("Both people have a %(table)s record that can exist only once.")
                    % {"table": reference.model._meta.verbose_name},
                    code="merge_conflict",
                )
        count = manager.filter(**{name: duplicate}).update(**{name: survivor})
        if count:
            moved[reference.label] = moved.get(reference.label, 0) + count
    return moved


def _union_collections(survivor: Person, duplicate: Person) -> tuple[list[str], list[str]]:
    """Moves the duplicate's emails, phones, jobs and tags; returns the survivor's emails and
    phones in order (its own first, so its primary stays primary)."""
    emails = list(survivor.emails.order_by("position", "id").values_list("email", flat=True))
    phones = list(survivor.phones.order_by("position", "id").values_list("number", flat=True))
    new_emails = [
        email
        for email in duplicate.emails.order_by("position", "id").values_list("email", flat=True)
        if email not in emails
    ]
    new_phones = [
        number
        for number in duplicate.phones.order_by("position", "id").values_list("number", flat=True)
        if number not in phones
    ]
    # A bounce belongs to the address: it stays flagged on whichever record keeps it.
    bounced = dict(
        duplicate.emails.filter(bounced_at__isnull=False).values_list("email", "bounced_at")
    )
    PersonEmail.objects.filter(person=duplicate).delete()
    PersonPhone.objects.filter(person=duplicate).delete()
    PersonEmail.objects.bulk_create(
        PersonEmail(
            person=survivor,
            email=email,
            is_primary=False,
            position=len(emails) + index,
            bounced_at=bounced.get(email),
        )
        for index, email in enumerate(new_emails)
    )
    for email, moment in bounced.items():
        if email in emails:
            survivor.emails.filter(email=email, bounced_at__isnull=True).update(bounced_at=moment)
    PersonPhone.objects.bulk_create(
        PersonPhone(person=survivor, number=number, is_primary=False, position=len(phones) + index)
        for index, number in enumerate(new_phones)
    )
    employed = set(survivor.employments.values_list("organization_id", flat=True))
    position = survivor.employments.count()
    for job in duplicate.employments.order_by("position", "id"):
        if job.organization_id in employed:
            job.delete()
            continue
        job.person = survivor
        job.is_primary = False
        job.position = position
        position += 1
        job.save(update_fields=["person", "is_primary", "position"])
    survivor.tags.add(*duplicate.tags.all())
    duplicate.tags.clear()
    return [*emails, *new_emails], [*phones, *new_phones]


def _lock_pair(
    model: Any, actor: Any, survivor: Any, duplicate: Any, *, itself: str, hidden: str, trashed: str
) -> tuple[Any, Any]:
    """Both records locked for the merge, after checking they are two, visible to `actor`
    and not in the trash; call it inside the merge's transaction."""
    if survivor.pk == duplicate.pk:
        raise ValidationError({"duplicate": [itself]}, code="same_record")
    pair = [survivor.pk, duplicate.pk]
    locked = {record.pk: record for record in model.objects.select_for_update().filter(pk__in=pair)}
    visible = set(
        model.objects.visible_to(actor).filter(pk__in=list(locked)).values_list("pk", flat=True)
    )
    if visible != set(pair):
        raise PermissionDenied(hidden)
    keep, lose = locked[survivor.pk], locked[duplicate.pk]
    refuse_erased(keep)
    refuse_erased(lose)
    if keep.deleted_at is not None or lose.deleted_at is not None:
        raise ValidationError({"duplicate": [trashed]}, code="already_deleted")
    return keep, lose


def person_merge(
    *,
    actor: Any,
    survivor: Person,
    duplicate: Person,
    fields: Mapping[str, str] | None = None,
) -> Person:
    """Merges `duplicate` into `survivor` in one transaction and returns the survivor.

    `fields` maps a field name (or `custom.<key>`) to "survivor" or "duplicate"; fields not
    named keep the survivor's value, and custom fields the survivor lacks are taken from the
    duplicate. Emails, phones, jobs and tags are unioned; every other record pointing at the
    duplicate is moved; the duplicate goes to the trash with `merged_into` set."""
    require(actor, "contacts.change")
    require(actor, "contacts.delete")
    fields = dict(fields or {})
    with transaction.atomic():
        keep, lose = _lock_pair(
            Person,
            actor,
            survivor,
            duplicate,
            itself=_("A person cannot be merged into itself."),
            hidden=_("You cannot see both people."),
            trashed=_("A person in the trash cannot be merged."),
        )
        _check_choices(fields, MERGE_FIELDS, lose.custom)
        emails = list(keep.emails.values_list("email", flat=True))
        phones = list(keep.phones.values_list("number", flat=True))
        before = _person_snapshot(keep, emails, phones)
        tags_before = sorted(keep.tags.values_list("name", flat=True))

        for name in MERGE_FIELDS:
            if fields.get(name) == "duplicate":
                attname = keep._meta.get_field(name).attname
                setattr(keep, attname, getattr(lose, attname))
        if fields.get("external_id") == "duplicate" and lose.external_id:
            lose.external_id = ""
            lose.save(update_fields=["external_id"])
        custom = dict(keep.custom)
        for key, value in lose.custom.items():
            if key not in custom or fields.get(CUSTOM_PREFIX + key) == "duplicate":
                custom[key] = value
        keep.custom = custom

        emails, phones = _union_collections(keep, lose)
        moved = _move_references(keep, lose, person_references())
        _derive_person(keep, emails, phones)
        keep.version += 1
        keep.updated_at = timezone.now()
        keep.save()

        now = timezone.now()
        lose.deleted_at = now
        lose.merged_into = keep
        lose.version += 1
        lose.updated_at = now
        lose.save(update_fields=["deleted_at", "merged_into", "version", "updated_at"])

        changes = audit.diff(before, _person_snapshot(keep, emails, phones))
        tags_after = sorted(keep.tags.values_list("name", flat=True))
        if tags_after != tags_before:
            changes["tags"] = [tags_before, tags_after]
        changes["merged"] = [None, lose.pk]
        changes["moved"] = [None, moved]
        audit.record(action="contacts.person.merged", instance=keep, changes=changes)
        audit.record(
            action="contacts.person.merged",
            instance=lose,
            changes={
                "merged_into": [None, keep.pk],
                "deleted_at": [None, audit.jsonable(now)],
            },
        )
        events.emit("contacts.person.merged", {"id": keep.pk, "duplicate": lose.pk, "moved": moved})
    return keep


# --- organizations ------------------------------------------------------------------------

ORGANIZATION_MERGE_FIELDS: dict[str, Any] = {
    "name": gettext_lazy("name"),
    "industry": gettext_lazy("industry"),
    "size": gettext_lazy("size"),
    "tax_id": gettext_lazy("tax id"),
    "website": gettext_lazy("website"),
    "external_id": gettext_lazy("external id"),
    "owner": gettext_lazy("owner"),
    "team": gettext_lazy("team"),
}
ORGANIZATION_UNIONED = ("domains", "phones", "addresses")


def organization_references() -> list[Reference]:
    """Every foreign key to Organization except its tags (unioned by the merge)."""
    return references_to(Organization, skip={Organization.tags.through})


def organization_merge(
    *,
    actor: Any,
    survivor: Organization,
    duplicate: Organization,
    fields: Mapping[str, str] | None = None,
) -> Organization:
    """Merges `duplicate` into `survivor` as `person_merge` does for people: chosen fields,
    domains, phones, addresses and tags unioned, every reference moved (a person employed at
    both keeps the survivor's job), the duplicate trashed with `merged_into` set."""
    require(actor, "contacts.change")
    require(actor, "contacts.delete")
    fields = dict(fields or {})
    with transaction.atomic():
        keep, lose = _lock_pair(
            Organization,
            actor,
            survivor,
            duplicate,
            itself=_("An organization cannot be merged into itself."),
            hidden=_("You cannot see both organizations."),
            trashed=_("An organization in the trash cannot be merged."),
        )
        _check_choices(fields, ORGANIZATION_MERGE_FIELDS, lose.custom)
        before = audit.snapshot(keep, ORGANIZATION_AUDITED)
        tags_before = sorted(keep.tags.values_list("name", flat=True))
        for name in ORGANIZATION_MERGE_FIELDS:
            if fields.get(name) == "duplicate":
                attname = keep._meta.get_field(name).attname
                setattr(keep, attname, getattr(lose, attname))
        if fields.get("tax_id") == "duplicate":
            keep.tax_id_kind = lose.tax_id_kind
        if fields.get("external_id") == "duplicate" and lose.external_id:
            lose.external_id = ""
            lose.save(update_fields=["external_id"])
        for name in ORGANIZATION_UNIONED:
            mine = list(getattr(keep, name) or [])
            setattr(
                keep, name, mine + [item for item in getattr(lose, name) or [] if item not in mine]
            )
        custom = dict(keep.custom)
        for key, value in lose.custom.items():
            if key not in custom or fields.get(CUSTOM_PREFIX + key) == "duplicate":
                custom[key] = value
        keep.custom = custom
        keep.tags.add(*lose.tags.all())
        lose.tags.clear()
        moved = _move_references(keep, lose, organization_references())
        _derive_organization(keep)
        keep.version += 1
        keep.updated_at = timezone.now()
        keep.save()

        now = timezone.now()
        lose.deleted_at = now
        lose.merged_into = keep
        lose.version += 1
        lose.updated_at = now
        lose.save(update_fields=["deleted_at", "merged_into", "version", "updated_at"])

        changes = audit.diff(before, audit.snapshot(keep, ORGANIZATION_AUDITED))
        tags_after = sorted(keep.tags.values_list("name", flat=True))
        if tags_after != tags_before:
            changes["tags"] = [tags_before, tags_after]
        changes["merged"] = [None, lose.pk]
        changes["moved"] = [None, moved]
        audit.record(action="contacts.organization.merged", instance=keep, changes=changes)
        audit.record(
            action="contacts.organization.merged",
            instance=lose,
            changes={"merged_into": [None, keep.pk], "deleted_at": [None, audit.jsonable(now)]},
        )
        events.emit(
            "contacts.organization.merged", {"id": keep.pk, "duplicate": lose.pk, "moved": moved}
        )
    return keep
