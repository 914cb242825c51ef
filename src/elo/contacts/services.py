"""Every write to people and organizations: UI, API, importers and the CLI call these."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from elo.contacts.cleaning import (
    check_postal_code,
    clean_domain,
    clean_email,
    clean_phone,
    clean_postal_code,
    clean_tax_id,
)
from elo.contacts.models import Employment, Organization, Person, PersonEmail, PersonPhone
from elo.contacts.rules import CleanContext, clean_common, clean_text_fields
from elo.core import audit, events
from elo.core.errors import check_version
from elo.core.models import Tag
from elo.core.permissions import require
from elo.core.search import build_text
from elo.core.text import fold

PERSON_TEXT = {
    "given_name": 100,
    "family_name": 100,
    "street": 200,
    "city": 100,
    "region": 100,
    "postal_code": 20,
    "source": 100,
    "external_id": 100,
}
PERSON_AUDITED = [
    *PERSON_TEXT,
    "country",
    "preferred_language",
    "lifecycle_stage",
    "owner",
    "team",
    "custom",
]
ORGANIZATION_TEXT = {"name": 200, "industry": 100, "external_id": 100}
ORGANIZATION_AUDITED = [
    *ORGANIZATION_TEXT,
    "size",
    "tax_id",
    "website",
    "domains",
    "phones",
    "addresses",
    "owner",
    "team",
    "custom",
]


@dataclass
class CleanPerson:
    fields: dict[str, Any]
    emails: list[str] | None = None
    phones: list[str] | None = None
    employments: list[tuple[int, str]] | None = None
    tags: list[Tag] | None = None


@dataclass
class CleanOrganization:
    fields: dict[str, Any]
    tags: list[Tag] | None = None


@dataclass
class BulkResult:
    changed: list[int] = field(default_factory=list)
    skipped: list[int] = field(default_factory=list)


def _listify(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, str):
        return [part for part in (p.strip() for p in value.replace(";", ",").split(",")) if part]
    return list(value)


# --- people -------------------------------------------------------------------------------


def clean_person(
    ctx: CleanContext, data: Mapping[str, Any], *, instance: Person | None = None
) -> CleanPerson:
    """Checks and normalises person input; raises ValidationError with every field error."""
    errors: dict[str, list[str]] = {}
    fields = clean_text_fields(data, PERSON_TEXT, errors)
    fields.update(clean_common(ctx, "person", data, instance=instance, errors=errors))
    check_postal_code(fields, errors, instance)
    result = CleanPerson(fields=fields)
    country = fields.get("country") or (instance.country if instance else "") or None
    if "emails" in data:
        result.emails = []
        for value in _listify(data["emails"]):
            try:
                email = clean_email(str(value))
            except ValidationError as error:
                errors.setdefault("emails", []).extend(error.messages)
                continue
            if email not in result.emails:
                result.emails.append(email)
    if "phones" in data:
        result.phones = []
        for value in _listify(data["phones"]):
            try:
                number = clean_phone(str(value), country)
            except ValidationError as error:
                errors.setdefault("phones", []).extend(error.messages)
                continue
            if number not in result.phones:
                result.phones.append(number)
    if "organizations" in data:
        result.employments = []
        for item in data["organizations"] or []:
            org_id, title = (
                (item.get("organization") or item.get("id"), item.get("job_title", ""))
                if isinstance(item, Mapping)
                else (item, "")
            )
            org_pk: Any = getattr(org_id, "pk", org_id)
            if not ctx.organization_visible(org_pk):
                errors.setdefault("organizations", []).append(
                    _("Organization %(id)s does not exist.") % {"id": org_pk}
                )
                continue
            if len(str(title)) > 100:
                errors.setdefault("organizations", []).append(
                    _("Job title: at most 100 characters.")
                )
                continue
            if all(existing != int(org_pk) for existing, _title in result.employments):
                result.employments.append((int(org_pk), str(title).strip()))
    if "tags" in data:
        result.tags = ctx.tags(_listify(data["tags"]), errors)
    given = fields.get("given_name", instance.given_name if instance else "")
    family = fields.get("family_name", instance.family_name if instance else "")
    has_email = (
        bool(result.emails)
        if result.emails is not None
        else bool(instance and instance.primary_email)
    )
    if not given and not family and not has_email and "given_name" not in errors:
        errors.setdefault("given_name", []).append(_("Enter a name or an email address."))
    external_id = fields.get("external_id")
    if external_id and ctx.person_external_id_taken(external_id, instance):
        errors.setdefault("external_id", []).append(_("Another person has this external id."))
    if errors:
        raise ValidationError(errors)
    return result


def _derive_person(person: Person, emails: Sequence[str], phones: Sequence[str]) -> None:
    person.primary_email = emails[0] if emails else ""
    person.primary_phone = phones[0] if phones else ""
    person.sort_name = fold(f"{person.family_name} {person.given_name}") or person.primary_email
    digits = [number.lstrip("+") for number in phones]
    national = [
        number[3:] for number in digits if number.startswith("55") or number.startswith("351")
    ]
    person.search_text = build_text(
        person.given_name, person.family_name, *emails, *digits, *national
    )


def _person_snapshot(
    person: Person, emails: Sequence[str], phones: Sequence[str]
) -> dict[str, Any]:
    values = audit.snapshot(person, PERSON_AUDITED)
    values["emails"] = list(emails)
    values["phones"] = list(phones)
    return values


def _write_person_collections(person: Person, clean: CleanPerson) -> None:
    if clean.emails is not None:
        # An address that stays keeps its bounce flag.
        bounced = dict(
            PersonEmail.objects.filter(person=person, bounced_at__isnull=False).values_list(
                "email", "bounced_at"
            )
        )
        PersonEmail.objects.filter(person=person).delete()
        PersonEmail.objects.bulk_create(
            PersonEmail(
                person=person,
                email=email,
                is_primary=index == 0,
                position=index,
                bounced_at=bounced.get(email),
            )
            for index, email in enumerate(clean.emails)
        )
    if clean.phones is not None:
        PersonPhone.objects.filter(person=person).delete()
        PersonPhone.objects.bulk_create(
            PersonPhone(person=person, number=number, is_primary=index == 0, position=index)
            for index, number in enumerate(clean.phones)
        )
    if clean.employments is not None:
        Employment.objects.filter(person=person).delete()
        Employment.objects.bulk_create(
            Employment(
                person=person,
                organization_id=org_id,
                job_title=title,
                is_primary=index == 0,
                position=index,
            )
            for index, (org_id, title) in enumerate(clean.employments)
        )
    if clean.tags is not None:
        person.tags.set(clean.tags)


def refuse_erased(record: Any) -> None:
    """An erased person (see elo.privacy.erasure) stays as it is: no edit, restore or merge."""
    if getattr(record, "erased_at", None) is not None:
        raise ValidationError(
            _("This person was erased under privacy law and can no longer be changed."),
            code="erased",
        )


def person_create(*, actor: Any, data: Mapping[str, Any]) -> Person:
    require(actor, "contacts.add")
    ctx = CleanContext(actor)
    clean = clean_person(ctx, data)
    with transaction.atomic():
        person = Person(**clean.fields)
        person.owner_id = clean.fields.get("owner_id") or actor.pk
        if "team_id" not in clean.fields:
            person.team_id = ctx.team_of(person.owner_id)
        _derive_person(person, clean.emails or [], clean.phones or [])
        person.save()
        _write_person_collections(person, clean)
        after = _person_snapshot(person, clean.emails or [], clean.phones or [])
        audit.record(
            action="contacts.person.created", instance=person, changes=audit.diff({}, after)
        )
        events.emit("contacts.person.created", {"id": person.pk})
    return person


def person_update(
    *,
    actor: Any,
    person: Person,
    data: Mapping[str, Any],
    expected_version: int | None = None,
    ctx: CleanContext | None = None,
) -> Person:
    """Applies the fields present in `data`; refuses a stale `expected_version`. An importer
    passes its batch's `ctx` so look-ups are shared across the batch."""
    require(actor, "contacts.change")
    ctx = ctx or CleanContext(actor)
    with transaction.atomic():
        locked = Person.objects.select_for_update().get(pk=person.pk)
        check_version(expected_version, locked.version)
        refuse_erased(locked)
        clean = clean_person(ctx, data, instance=locked)
        emails = list(locked.emails.values_list("email", flat=True))
        phones = list(locked.phones.values_list("number", flat=True))
        before = _person_snapshot(locked, emails, phones)
        tags_before = sorted(tag.name for tag in locked.tags.all())
        for name, value in clean.fields.items():
            setattr(locked, name, value)
        if "owner_id" in clean.fields and "team_id" not in clean.fields:
            locked.team_id = ctx.team_of(locked.owner_id)
        emails = clean.emails if clean.emails is not None else emails
        phones = clean.phones if clean.phones is not None else phones
        _derive_person(locked, emails, phones)
        changes = audit.diff(before, _person_snapshot(locked, emails, phones))
        if clean.tags is not None:
            tags_after = sorted(tag.name for tag in clean.tags)
            if tags_after != tags_before:
                changes["tags"] = [tags_before, tags_after]
        if clean.employments is not None:
            orgs_before = list(locked.employments.values_list("organization_id", "job_title"))
            orgs_after = [(org, title) for org, title in clean.employments]
            if orgs_before != orgs_after:
                changes["organizations"] = [orgs_before, orgs_after]
        if changes:
            locked.version += 1
            locked.updated_at = timezone.now()
            locked.save()
            _write_person_collections(locked, clean)
            audit.record(action="contacts.person.updated", instance=locked, changes=changes)
            events.emit("contacts.person.updated", {"id": locked.pk, "changed": sorted(changes)})
    return locked


def _set_deleted(
    *, actor: Any, record: Person | Organization, deleted: bool, expected_version: int | None
) -> Any:
    require(actor, "contacts.delete")
    model = type(record)
    name = model._meta.model_name
    with transaction.atomic():
        locked = model.objects.select_for_update().get(pk=record.pk)
        check_version(expected_version, locked.version)
        if (locked.deleted_at is not None) == deleted:
            return locked
        if not deleted:
            refuse_erased(locked)
        before = locked.deleted_at
        locked.deleted_at = timezone.now() if deleted else None
        locked.version += 1
        locked.updated_at = timezone.now()
        locked.save(update_fields=["deleted_at", "version", "updated_at"])
        verb = "deleted" if deleted else "restored"
        audit.record(
            action=f"contacts.{name}.{verb}",
            instance=locked,
            changes={"deleted_at": [audit.jsonable(before), audit.jsonable(locked.deleted_at)]},
        )
        events.emit(f"contacts.{name}.{verb}", {"id": locked.pk})
    return locked


def person_delete(*, actor: Any, person: Person, expected_version: int | None = None) -> Person:
    """Soft delete: the person leaves lists and search but can be restored."""
    result: Person = _set_deleted(
        actor=actor, record=person, deleted=True, expected_version=expected_version
    )
    return result


def person_restore(*, actor: Any, person: Person) -> Person:
    result: Person = _set_deleted(actor=actor, record=person, deleted=False, expected_version=None)
    return result


# --- organizations ------------------------------------------------------------------------


def clean_organization(
    ctx: CleanContext, data: Mapping[str, Any], *, instance: Organization | None = None
) -> CleanOrganization:
    errors: dict[str, list[str]] = {}
    fields = clean_text_fields(data, ORGANIZATION_TEXT, errors)
    fields.update(clean_common(ctx, "organization", data, instance=instance, errors=errors))
    name = fields.get("name", instance.name if instance else "")
    if not name and "name" not in errors:
        errors["name"] = [_("Enter the organization's name.")]
    if "size" in data:
        from elo.contacts.choices import OrganizationSize

        size = data.get("size") or ""
        if size not in OrganizationSize.values:
            errors["size"] = [_("Pick a size from the list.")]
        else:
            fields["size"] = size
    if "tax_id" in data:
        try:
            fields["tax_id_kind"], fields["tax_id"] = clean_tax_id(str(data.get("tax_id") or ""))
        except ValidationError as error:
            errors["tax_id"] = error.messages
    if "website" in data:
        website = str(data.get("website") or "").strip()
        if website and not website.startswith(("http://", "https://")):
            website = f"https://{website}"
        if website:
            try:
                clean_domain(website)
            except ValidationError:
                errors["website"] = [_("Enter a valid web address.")]
        fields["website"] = website
    if "domains" in data:
        domains: list[str] = []
        for value in _listify(data["domains"]):
            try:
                domain = clean_domain(str(value))
            except ValidationError as error:
                errors.setdefault("domains", []).extend(error.messages)
                continue
            if domain not in domains:
                domains.append(domain)
        fields["domains"] = domains
    if "phones" in data:
        phones: list[str] = []
        for value in _listify(data["phones"]):
            try:
                number = clean_phone(str(value))
            except ValidationError as error:
                errors.setdefault("phones", []).extend(error.messages)
                continue
            if number not in phones:
                phones.append(number)
        fields["phones"] = phones
    if "addresses" in data:
        addresses = []
        for index, item in enumerate(data["addresses"] or []):
            if not isinstance(item, Mapping):
                errors.setdefault("addresses", []).append(_("Each address is a set of fields."))
                continue
            address = {
                key: str(item.get(key) or "").strip()[:200]
                for key in ("label", "street", "city", "region", "postal_code", "country")
            }
            address["country"] = address["country"].upper()[:2]
            try:
                address["postal_code"] = clean_postal_code(
                    address["postal_code"], address["country"]
                )
            except ValidationError as error:
                errors.setdefault(f"addresses.{index}.postal_code", []).extend(error.messages)
            if any(address.values()):
                addresses.append(address)
        fields["addresses"] = addresses
    external_id = fields.get("external_id")
    if external_id and ctx.organization_external_id_taken(external_id, instance):
        errors.setdefault("external_id", []).append(_("Another organization has this external id."))
    result = CleanOrganization(fields=fields)
    if "tags" in data:
        result.tags = ctx.tags(_listify(data["tags"]), errors)
    if errors:
        raise ValidationError(errors)
    return result


def _derive_organization(organization: Organization) -> None:
    organization.sort_name = fold(organization.name)
    organization.search_text = build_text(
        organization.name, *organization.domains, organization.tax_id
    )


def organization_create(*, actor: Any, data: Mapping[str, Any]) -> Organization:
    require(actor, "contacts.add")
    ctx = CleanContext(actor)
    clean = clean_organization(ctx, data)
    with transaction.atomic():
        organization = Organization(**clean.fields)
        organization.owner_id = clean.fields.get("owner_id") or actor.pk
        if "team_id" not in clean.fields:
            organization.team_id = ctx.team_of(organization.owner_id)
        _derive_organization(organization)
        organization.save()
        if clean.tags:
            organization.tags.set(clean.tags)
        after = audit.snapshot(organization, ORGANIZATION_AUDITED)
        audit.record(
            action="contacts.organization.created",
            instance=organization,
            changes=audit.diff({}, after),
        )
        events.emit("contacts.organization.created", {"id": organization.pk})
    return organization


def organization_update(
    *,
    actor: Any,
    organization: Organization,
    data: Mapping[str, Any],
    expected_version: int | None = None,
) -> Organization:
    require(actor, "contacts.change")
    ctx = CleanContext(actor)
    with transaction.atomic():
        locked = Organization.objects.select_for_update().get(pk=organization.pk)
        check_version(expected_version, locked.version)
        clean = clean_organization(ctx, data, instance=locked)
        before = audit.snapshot(locked, ORGANIZATION_AUDITED)
        tags_before = sorted(tag.name for tag in locked.tags.all())
        for name, value in clean.fields.items():
            setattr(locked, name, value)
        if "owner_id" in clean.fields and "team_id" not in clean.fields:
            locked.team_id = ctx.team_of(locked.owner_id)
        _derive_organization(locked)
        changes = audit.diff(before, audit.snapshot(locked, ORGANIZATION_AUDITED))
        if clean.tags is not None:
            tags_after = sorted(tag.name for tag in clean.tags)
            if tags_after != tags_before:
                changes["tags"] = [tags_before, tags_after]
                locked.tags.set(clean.tags)
        if changes:
            locked.version += 1
            locked.updated_at = timezone.now()
            locked.save()
            audit.record(action="contacts.organization.updated", instance=locked, changes=changes)
            events.emit(
                "contacts.organization.updated", {"id": locked.pk, "changed": sorted(changes)}
            )
    return locked


def organization_delete(
    *, actor: Any, organization: Organization, expected_version: int | None = None
) -> Organization:
    result: Organization = _set_deleted(
        actor=actor, record=organization, deleted=True, expected_version=expected_version
    )
    return result


def organization_restore(*, actor: Any, organization: Organization) -> Organization:
    result: Organization = _set_deleted(
        actor=actor, record=organization, deleted=False, expected_version=None
    )
    return result


# --- bulk actions from list pages ---------------------------------------------------------


def bulk_tag(*, actor: Any, records: Iterable[Person | Organization], tag_name: str) -> BulkResult:
    """Adds one tag to each record, one audited change per record."""
    from elo.core.services import tag_get_or_create

    require(actor, "contacts.change")
    result = BulkResult()
    with transaction.atomic():
        tag = tag_get_or_create(actor=actor, name=tag_name)
        for record in records:
            names = [t.name for t in record.tags.all()]
            if tag.name in names:
                result.skipped.append(record.pk)
                continue
            data = {"tags": [*names, tag.name]}
            if isinstance(record, Person):
                person_update(actor=actor, person=record, data=data)
            else:
                organization_update(actor=actor, organization=record, data=data)
            result.changed.append(record.pk)
    return result


def bulk_assign(
    *, actor: Any, records: Iterable[Person | Organization], owner_id: int
) -> BulkResult:
    require(actor, "contacts.change")
    result = BulkResult()
    with transaction.atomic():
        for record in records:
            if record.owner_id == owner_id:
                result.skipped.append(record.pk)
                continue
            if isinstance(record, Person):
                person_update(actor=actor, person=record, data={"owner": owner_id})
            else:
                organization_update(actor=actor, organization=record, data={"owner": owner_id})
            result.changed.append(record.pk)
    return result


def bulk_delete(*, actor: Any, records: Iterable[Person | Organization]) -> BulkResult:
    require(actor, "contacts.delete")
    result = BulkResult()
    with transaction.atomic():
        for record in records:
            _set_deleted(actor=actor, record=record, deleted=True, expected_version=None)
            result.changed.append(record.pk)
    return result


# --- batches for importers ----------------------------------------------------------------


def email_mark_bounced(*, email: str, at: Any = None, reason: str = "") -> int:
    """Flags every person's copy of `email` as bounced (called by inbound mail and campaigns).

    Returns how many addresses were flagged; an unknown address flags nothing. Audited on each
    person, one "contacts.email.bounced" event per person."""
    address = email.strip().lower()
    when = at or timezone.now()
    with transaction.atomic():
        rows = list(
            PersonEmail.objects.select_for_update()
            .filter(email=address, person__deleted_at__isnull=True)
            .select_related("person")
        )
        if not rows:
            return 0
        PersonEmail.objects.filter(pk__in=[row.pk for row in rows]).update(bounced_at=when)
        for row in rows:
            audit.record(
                action="contacts.email.bounced",
                instance=row.person,
                changes={"email": address, "bounced_at": when.isoformat(), "reason": reason[:500]},
            )
            events.emit(
                "contacts.email.bounced",
                {"id": row.person_id, "email": address, "reason": reason[:500]},
            )
    return len(rows)


DOMAIN_CHECK_LIMIT = 200
DOMAIN_CHECK_TIMEOUT = 2.0


def _domain_resolves(domain: str) -> bool:
    import socket

    # RFC 6761: names under .invalid never resolve; no need to ask a resolver.
    if domain == "invalid" or domain.endswith(".invalid"):
        return False
    try:
        return bool(socket.getaddrinfo(domain, None))
    except (OSError, UnicodeError):
        return False


def organization_domains_check(
    *,
    actor: Any,
    organizations: models.QuerySet[Organization],
    limit: int = DOMAIN_CHECK_LIMIT,
    timeout: float = DOMAIN_CHECK_TIMEOUT,
) -> dict[str, int]:
    """Resolves the domains of up to `limit` of `organizations` (never checked first, then
    the longest ago) and stores `domain_checked_at` and `domain_resolves` (true when every
    domain resolves). A lookup slower than `timeout` seconds counts as not resolving."""
    from concurrent.futures import ThreadPoolExecutor, wait

    require(actor, "contacts.change")
    batch = list(
        organizations.filter(deleted_at__isnull=True)
        .exclude(domains=[])
        .order_by(models.F("domain_checked_at").asc(nulls_first=True), "id")
        .only("id", "domains")[:limit]
    )
    domains = sorted({str(d).lower() for org in batch for d in org.domains if d})
    results: dict[str, bool] = {}
    if domains:
        pool = ThreadPoolExecutor(max_workers=min(16, len(domains)))
        futures = {domain: pool.submit(_domain_resolves, domain) for domain in domains}
        wait(futures.values(), timeout=timeout)
        pool.shutdown(wait=False, cancel_futures=True)
        for domain, future in futures.items():
            results[domain] = future.done() and not future.cancelled() and future.result()
    now = timezone.now()
    for org in batch:
        org.domain_checked_at = now
        org.domain_resolves = all(results.get(str(d).lower(), False) for d in org.domains if d)
    failing = sum(1 for org in batch if not org.domain_resolves)
    with transaction.atomic():
        Organization.objects.bulk_update(batch, ["domain_checked_at", "domain_resolves"])
        audit.record(
            action="contacts.organization.domains_checked",
            changes={"checked": len(batch), "not_resolving": failing},
            target_type="contacts.organization",
        )
    return {"checked": len(batch), "not_resolving": failing}
