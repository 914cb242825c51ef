"""CSV export in Elo's own columns, which the importer reads back."""

from __future__ import annotations

import csv
from collections.abc import Iterable, Iterator
from typing import Any

from django.db import models
from django.http import StreamingHttpResponse

from elo.contacts import selectors as contacts
from elo.contacts.filters import RecordFilter
from elo.contacts.models import Employment, Organization, Person
from elo.core.custom_fields import definitions
from elo.core.permissions import require
from elo.sales import selectors as sales
from elo.sales.models import Deal, DealPerson

PEOPLE_COLUMNS = [
    "elo_id",
    "external_id",
    "given_name",
    "family_name",
    "emails",
    "phones",
    "organization_elo_id",
    "organization_external_id",
    "organization",
    "job_title",
    "street",
    "city",
    "region",
    "postal_code",
    "country",
    "preferred_language",
    "lifecycle_stage",
    "source",
    "tags",
    "owner",
    "created_at",
]
ORGANIZATION_COLUMNS = [
    "elo_id",
    "external_id",
    "name",
    "domains",
    "industry",
    "size",
    "tax_id",
    "website",
    "phones",
    "street",
    "city",
    "region",
    "postal_code",
    "country",
    "tags",
    "owner",
    "created_at",
]
DEAL_COLUMNS = [
    "elo_id",
    "external_id",
    "title",
    "pipeline",
    "stage",
    "status",
    "amount",
    "currency",
    "probability",
    "expected_close",
    "close_reason",
    "closed_at",
    "person_elo_id",
    "person_external_id",
    "person",
    "organization_elo_id",
    "organization_external_id",
    "organization",
    "tags",
    "owner",
    "created_at",
]
CHUNK = 2000


class _Echo:
    def write(self, value: str) -> str:
        return value


def _custom_value(value: Any) -> str:
    if isinstance(value, list):
        return "|".join(str(item) for item in value)
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def _chunked(queryset: models.QuerySet[Any]) -> Iterator[Any]:
    """Rows in id order, a chunk at a time, each chunk with its relations prefetched."""
    last = 0
    while True:
        chunk = list(queryset.filter(pk__gt=last).order_by("pk")[:CHUNK])
        if not chunk:
            return
        yield from chunk
        last = chunk[-1].pk


def _person_row(person: Person, keys: list[str]) -> list[str]:
    jobs: list[Employment] = list(person.employments.all())
    first = jobs[0] if jobs else None
    return [
        str(person.pk),
        person.external_id,
        person.given_name,
        person.family_name,
        ", ".join(item.email for item in person.emails.all()),
        ", ".join(item.number for item in person.phones.all()),
        str(first.organization_id) if first else "",
        first.organization.external_id if first else "",
        first.organization.name if first else "",
        first.job_title if first else "",
        person.street,
        person.city,
        person.region,
        person.postal_code,
        person.country,
        person.preferred_language,
        person.lifecycle_stage,
        person.source,
        ", ".join(tag.name for tag in person.tags.all()),
        person.owner.email,
        person.created_at.isoformat(),
        *[_custom_value(person.custom.get(key)) for key in keys],
    ]


def _organization_row(organization: Organization, keys: list[str]) -> list[str]:
    address = organization.addresses[0] if organization.addresses else {}
    return [
        str(organization.pk),
        organization.external_id,
        organization.name,
        ", ".join(organization.domains),
        organization.industry,
        organization.size,
        organization.tax_id,
        organization.website,
        ", ".join(organization.phones),
        *[address.get(key, "") for key in ("street", "city", "region", "postal_code", "country")],
        ", ".join(tag.name for tag in organization.tags.all()),
        organization.owner.email,
        organization.created_at.isoformat(),
        *[_custom_value(organization.custom.get(key)) for key in keys],
    ]


def _deal_row(deal: Deal, keys: list[str]) -> list[str]:
    links: list[DealPerson] = list(deal.contacts.all())
    person = links[0].person if links else None
    organization = deal.organization
    return [
        str(deal.pk),
        deal.external_id,
        deal.title,
        deal.pipeline.name,
        deal.stage.name,
        deal.status,
        str(deal.amount),
        deal.currency,
        "" if deal.probability is None else str(deal.probability),
        deal.expected_close.isoformat() if deal.expected_close else "",
        deal.close_reason,
        deal.closed_at.isoformat() if deal.closed_at else "",
        str(person.pk) if person else "",
        person.external_id if person else "",
        str(person) if person else "",
        str(organization.pk) if organization else "",
        organization.external_id if organization else "",
        organization.name if organization else "",
        ", ".join(tag.name for tag in deal.tags.all()),
        deal.owner.email,
        deal.created_at.isoformat(),
        *[_custom_value(deal.custom.get(key)) for key in keys],
    ]


def _deals(actor: Any, filters: RecordFilter) -> models.QuerySet[Deal]:
    """Visible deals matching the filters deals share with contacts: q (in the title),
    owner, team and tag."""
    return (
        sales.deal_list_for(
            actor, q=filters.q, owner=filters.owner, team=filters.team, tag=filters.tag
        )
        .select_related("pipeline", "stage", "owner", "organization")
        .prefetch_related(
            "tags",
            models.Prefetch(
                "contacts",
                queryset=DealPerson.objects.select_related("person").order_by("position", "id"),
            ),
        )
    )


def export_rows(*, actor: Any, entity: str, filters: RecordFilter) -> Iterator[list[str]]:
    """The header and rows of what `actor` sees with `filters`, for any CSV writer.

    The permission is checked now; the rows are read lazily, a chunk at a time."""
    require(actor, "exports.run")
    return _rows(actor, entity, filters)


def _rows(actor: Any, entity: str, filters: RecordFilter) -> Iterator[list[str]]:
    if entity == "deals":
        keys = [field.key for field in definitions("deal")]
        yield DEAL_COLUMNS + [f"cf_{key}" for key in keys]
        for deal in _chunked(_deals(actor, filters)):
            yield _deal_row(deal, keys)
        return
    if entity == "people":
        keys = [field.key for field in definitions("person")]
        yield PEOPLE_COLUMNS + [f"cf_{key}" for key in keys]
        queryset = contacts.people_for_list(actor, filters)
        for person in _chunked(queryset):
            yield _person_row(person, keys)
        return
    keys = [field.key for field in definitions("organization")]
    yield ORGANIZATION_COLUMNS + [f"cf_{key}" for key in keys]
    for organization in _chunked(contacts.organizations_for_list(actor, filters)):
        yield _organization_row(organization, keys)


def csv_download(filename: str, rows: Iterable[list[Any]]) -> StreamingHttpResponse:
    """A streamed CSV download of `rows` (a header first) named `filename`."""
    response = StreamingHttpResponse(stream_csv(rows), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def stream_csv(rows: Iterable[list[str]]) -> Iterator[str]:
    writer = csv.writer(_Echo())
    for row in rows:
        yield writer.writerow(row)


def export_people_vcards(*, actor: Any, filters: RecordFilter) -> Iterator[str]:
    """vCard 4.0 text, one card per person `actor` sees with `filters`, read a chunk at a
    time; the permission is checked now."""
    from elo.interchange.vcard import person_vcard

    require(actor, "exports.run")
    queryset = contacts.people_for_list(actor, filters)
    return (person_vcard(person).serialize() for person in _chunked(queryset))
