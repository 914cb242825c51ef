"""Every write to leads: capture, edit, disqualify, and convert into people, organizations
and deals without duplicating what Elo already knows."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from elo.activities.models import Activity
from elo.contacts.cleaning import check_postal_code, clean_domain, clean_email, clean_phone
from elo.contacts.models import Organization, Person, PersonEmail
from elo.contacts.rules import CleanContext, clean_common
from elo.contacts.services import organization_create, person_create, person_update
from elo.core import audit, events
from elo.core.errors import check_version
from elo.core.permissions import require
from elo.sales.choices import AssignmentEntity, LeadSource, LeadStatus
from elo.sales.models import Deal, Lead
from elo.sales.services import assignment

LEAD_TEXT = {
    "given_name": 100,
    "family_name": 100,
    "company": 200,
    "job_title": 100,
    "website": 200,
    "industry": 100,
    "region": 100,
    "city": 100,
    "postal_code": 20,
    "utm_source": 100,
    "utm_medium": 100,
    "utm_campaign": 100,
    "utm_term": 100,
    "utm_content": 100,
    "external_id": 100,
}
LEAD_AUDITED = [
    *LEAD_TEXT,
    "email",
    "phone",
    "size",
    "country",
    "message",
    "source",
    "status",
    "disqualify_reason",
    "score",
    "owner",
    "team",
    "custom",
]
# The language a converted lead's person most likely reads, by country.
COUNTRY_LANGUAGE = {"BR": "pt-br", "PT": "pt-pt", "US": "en", "GB": "en", "IE": "en"}
# Mail providers whose domain says nothing about the lead's company.
FREE_MAIL = {
    "gmail.com",
    "googlemail.com",
    "hotmail.com",
    "outlook.com",
    "live.com",
    "yahoo.com",
    "yahoo.com.br",
    "icloud.com",
    "uol.com.br",
    "bol.com.br",
    "terra.com.br",
    "sapo.pt",
    "gmx.com",
    "proton.me",
    "protonmail.com",
    "aol.com",
    "msn.com",
}


def clean_lead(
    ctx: CleanContext, data: Mapping[str, Any], *, instance: Lead | None = None
) -> tuple[dict[str, Any], list[Any] | None]:
    errors: dict[str, list[str]] = {}
    fields: dict[str, Any] = {}
    for name, limit in LEAD_TEXT.items():
        if name in data:
            value = " ".join(str(data[name] or "").split())
            if len(value) > limit:
                errors[name] = [_("At most %(limit)d characters.") % {"limit": limit}]
            fields[name] = value
    if "email" in data:
        raw = str(data["email"] or "").strip()
        try:
            fields["email"] = clean_email(raw) if raw else ""
        except ValidationError as error:
            errors["email"] = error.messages
    if "phone" in data:
        raw = str(data["phone"] or "").strip()
        try:
            region = str(data.get("country") or "").upper() or None
            fields["phone"] = clean_phone(raw, region) if raw else ""
        except ValidationError as error:
            errors["phone"] = error.messages
    if "message" in data:
        fields["message"] = str(data["message"] or "").strip()[:10000]
    if "source" in data or instance is None:
        source = data.get("source") or LeadSource.OTHER
        if source not in LeadSource.values:
            errors["source"] = [_("Pick a source from the list.")]
        fields["source"] = source
    if "size" in data:
        from elo.contacts.choices import OrganizationSize

        if (data["size"] or "") not in OrganizationSize.values:
            errors["size"] = [_("Pick a size from the list.")]
        fields["size"] = data["size"] or ""
    if "status" in data:
        status = data["status"]
        if status not in (LeadStatus.NEW, LeadStatus.WORKING, LeadStatus.QUALIFIED):
            errors["status"] = [_("Use disqualify or convert to close a lead.")]
        fields["status"] = status
    if "score" in data:
        try:
            fields["score"] = int(data["score"] or 0)
        except (TypeError, ValueError):
            errors["score"] = [_("Enter a whole number.")]
    allowed = {key: data[key] for key in ("owner", "team", "custom", "country") if key in data}
    fields.update(clean_common(ctx, "lead", allowed, instance=cast(Any, instance), errors=errors))
    check_postal_code(fields, errors, instance)
    merged = {
        **(
            {}
            if instance is None
            else {
                "given_name": instance.given_name,
                "family_name": instance.family_name,
                "email": instance.email,
                "company": instance.company,
                "phone": instance.phone,
            }
        ),
        **fields,
    }
    if not any(
        merged.get(key) for key in ("given_name", "family_name", "email", "company", "phone")
    ):
        errors.setdefault("given_name", []).append(
            _("Give at least a name, an email, a phone or a company.")
        )
    tags = (
        ctx.tags([str(tag) for tag in data.get("tags") or []], errors) if "tags" in data else None
    )
    if errors:
        raise ValidationError(errors)
    return fields, tags


def _snapshot(lead: Lead) -> dict[str, Any]:
    values = audit.snapshot(lead, LEAD_AUDITED)
    values["tags"] = sorted(tag.name for tag in lead.tags.all())
    return values


def lead_create(*, actor: Any, data: Mapping[str, Any]) -> Lead:
    """A new lead from any source; without an explicit owner the assignment rules choose."""
    require(actor, "sales.add")
    ctx = CleanContext(actor)
    fields, tags = clean_lead(ctx, data)
    with transaction.atomic():
        lead = Lead(**fields)
        decision = None
        if "owner_id" not in fields:
            attributes = {**fields, "tags": [tag.name for tag in tags or []]}
            decision = assignment.decide(
                entity=AssignmentEntity.LEAD, attributes=attributes, creator=actor
            )
            lead.owner_id = decision.user.pk
        if "team_id" not in fields:
            lead.team_id = ctx.team_of(lead.owner_id)
        lead.save()
        if tags:
            lead.tags.set(tags)
        audit.record(
            action="sales.lead.created", instance=lead, changes=audit.diff({}, _snapshot(lead))
        )
        events.emit("sales.lead.created", {"id": lead.pk, "source": lead.source})
        if decision is not None:
            assignment.record_assignment(
                entity=AssignmentEntity.LEAD, instance=lead, decision=decision
            )
    return lead


def lead_update(
    *, actor: Any, lead: Lead, data: Mapping[str, Any], expected_version: int | None = None
) -> Lead:
    require(actor, "sales.change")
    ctx = CleanContext(actor)
    with transaction.atomic():
        locked = Lead.objects.select_for_update().get(pk=lead.pk)
        check_version(expected_version, locked.version)
        if locked.status in (LeadStatus.CONVERTED, LeadStatus.DISQUALIFIED) and "status" in data:
            raise ValidationError({"status": [_("This lead is closed.")]})
        before = _snapshot(locked)
        fields, tags = clean_lead(ctx, data, instance=locked)
        for name, value in fields.items():
            setattr(locked, name, value)
        if "owner_id" in fields and "team_id" not in fields:
            locked.team_id = ctx.team_of(locked.owner_id)
        if tags is not None:
            locked.tags.set(tags)
        changes = audit.diff(before, _snapshot(locked))
        if changes:
            locked.version += 1
            locked.updated_at = timezone.now()
            locked.save()
            audit.record(action="sales.lead.updated", instance=locked, changes=changes)
            events.emit("sales.lead.updated", {"id": locked.pk, "changed": sorted(changes)})
            if "owner" in changes:
                assignment.record_assignment(
                    entity=AssignmentEntity.LEAD,
                    instance=locked,
                    decision=assignment.Decision(user=locked.owner, rule=None, reason="manual"),
                )
    return locked


def lead_disqualify(
    *, actor: Any, lead: Lead, reason: str, expected_version: int | None = None
) -> Lead:
    require(actor, "sales.change")
    text = " ".join(str(reason or "").split())[:200]
    if not text:
        raise ValidationError({"reason": [_("Say why the lead is disqualified.")]})
    with transaction.atomic():
        locked = Lead.objects.select_for_update().get(pk=lead.pk)
        check_version(expected_version, locked.version)
        if locked.status == LeadStatus.CONVERTED:
            raise ValidationError({"status": [_("A converted lead cannot be disqualified.")]})
        before = {"status": locked.status, "disqualify_reason": locked.disqualify_reason}
        locked.status, locked.disqualify_reason = LeadStatus.DISQUALIFIED, text
        locked.version += 1
        locked.updated_at = timezone.now()
        locked.save()
        after = {"status": locked.status, "disqualify_reason": text}
        audit.record(
            action="sales.lead.disqualified", instance=locked, changes=audit.diff(before, after)
        )
        events.emit("sales.lead.disqualified", {"id": locked.pk, "reason": text})
    return locked


def _company_domain(lead: Lead) -> str:
    for candidate in (lead.website, lead.email.rpartition("@")[2] if lead.email else ""):
        if not candidate:
            continue
        try:
            domain = clean_domain(candidate)
        except ValidationError:
            continue
        if domain not in FREE_MAIL:
            return domain
    return ""


def _match_organization(lead: Lead) -> Organization | None:
    domain = _company_domain(lead)
    alive = Organization.objects.alive()
    if domain:
        for organization in alive.filter(domains__icontains=domain).order_by("id")[:20]:
            if domain in (organization.domains or []):
                return organization
    if lead.company:
        return alive.filter(name__iexact=lead.company).order_by("id").first()
    return None


def _match_person(lead: Lead) -> Person | None:
    if not lead.email:
        return None
    found = (
        PersonEmail.objects.filter(email=lead.email, person__deleted_at__isnull=True)
        .order_by("person_id")
        .values_list("person_id", flat=True)
        .first()
    )
    return Person.objects.get(pk=found) if found else None


def lead_convert(
    *,
    actor: Any,
    lead: Lead,
    deal: Mapping[str, Any] | None = None,
    expected_version: int | None = None,
) -> Lead:
    """Creates or links the person and the organization (matched by email, then domain or
    name), optionally opens a deal, and records where each came from. One transaction."""
    require(actor, "sales.change")
    require(actor, "contacts.add")
    from elo.sales.services.deals import deal_create

    with transaction.atomic():
        locked = Lead.objects.select_for_update().get(pk=lead.pk)
        check_version(expected_version, locked.version)
        if locked.status in (LeadStatus.CONVERTED, LeadStatus.DISQUALIFIED):
            raise ValidationError({"status": [_("This lead is already closed.")]})
        matched: dict[str, bool] = {}
        organization = _match_organization(locked)
        matched["organization"] = organization is not None
        if organization is None and locked.company:
            domain = _company_domain(locked)
            organization = organization_create(
                actor=actor,
                data={
                    "name": locked.company,
                    "domains": [domain] if domain else [],
                    "industry": locked.industry,
                    "size": locked.size,
                    "website": locked.website,
                    "owner": locked.owner_id,
                },
            )
        person = _match_person(locked)
        matched["person"] = person is not None
        job = (
            [{"organization": organization.pk, "job_title": locked.job_title}]
            if organization
            else []
        )
        if person is None:
            person = person_create(
                actor=actor,
                data={
                    "given_name": locked.given_name,
                    "family_name": locked.family_name,
                    "emails": [locked.email] if locked.email else [],
                    "phones": [locked.phone] if locked.phone else [],
                    "organizations": job,
                    "city": locked.city,
                    "region": locked.region,
                    "postal_code": locked.postal_code,
                    "country": locked.country,
                    "preferred_language": COUNTRY_LANGUAGE.get(locked.country, ""),
                    "source": f"lead {locked.pk} ({locked.get_source_display()})",
                    "lifecycle_stage": "sales_qualified",
                    "owner": locked.owner_id,
                },
            )
        elif (
            organization is not None
            and not person.employments.filter(organization=organization).exists()
        ):
            current = [
                {"organization": item.organization_id, "job_title": item.job_title}
                for item in person.employments.all()
            ]
            person = person_update(
                actor=actor, person=person, data={"organizations": [*current, *job]}
            )
        opened: Deal | None = None
        if deal is not None:
            deal_data = {
                "title": locked.company or str(locked),
                **deal,
                "organization": organization.pk if organization else None,
                "people": [{"person": person.pk, "role": locked.job_title}],
                "source_lead": locked.pk,
            }
            deal_data.setdefault("owner", locked.owner_id)
            opened = deal_create(actor=actor, data=deal_data)
        # The lead's timeline moves over: its activities now also belong to the person and
        # the organization (and keep their link to the lead, which shows where they began).
        moved = Activity.objects.filter(lead=locked, person__isnull=True).update(
            person=person, organization=organization
        )
        now = timezone.now()
        locked.status = LeadStatus.CONVERTED
        locked.person, locked.organization, locked.deal = person, organization, opened
        locked.converted_at = now
        locked.version += 1
        locked.updated_at = now
        locked.save()
        changes = {
            "status": LeadStatus.CONVERTED,
            "person": person.pk,
            "organization": organization.pk if organization else None,
            "deal": opened.pk if opened else None,
            "matched": matched,
            "activities_moved": moved,
        }
        audit.record(action="sales.lead.converted", instance=locked, changes=changes)
        events.emit("sales.lead.converted", {"id": locked.pk, **changes})
    return locked
