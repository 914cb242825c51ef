from __future__ import annotations

import datetime
from typing import Any

from ninja import Field, Schema

from elo.contacts.cleaning import display_phone
from elo.contacts.models import Organization, Person


class UserRef(Schema):
    id: int
    name: str


class EmploymentIn(Schema):
    organization: int
    job_title: str = ""


class EmploymentOut(Schema):
    organization: int
    name: str
    job_title: str


class PhoneOut(Schema):
    number: str
    display: str


class AddressIn(Schema):
    label: str = ""
    street: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = ""


class PersonIn(Schema):
    given_name: str = Field("", max_length=500)
    family_name: str = Field("", max_length=500)
    emails: list[str] = []
    phones: list[str] = []
    organizations: list[EmploymentIn] = []
    street: str = ""
    city: str = ""
    region: str = ""
    postal_code: str = ""
    country: str = ""
    preferred_language: str = ""
    lifecycle_stage: str = "lead"
    source: str = ""
    owner: int | None = None
    team: int | None = None
    tags: list[str] = []
    custom: dict[str, Any] = {}
    external_id: str = ""


class PersonPatch(Schema):
    given_name: str | None = None
    family_name: str | None = None
    emails: list[str] | None = None
    phones: list[str] | None = None
    organizations: list[EmploymentIn] | None = None
    street: str | None = None
    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = None
    preferred_language: str | None = None
    lifecycle_stage: str | None = None
    source: str | None = None
    owner: int | None = None
    team: int | None = None
    tags: list[str] | None = None
    custom: dict[str, Any] | None = None
    external_id: str | None = None


def user_ref(user: Any) -> dict[str, Any] | None:
    return {"id": user.pk, "name": str(user)} if user is not None else None


class PersonOut(Schema):
    id: int
    given_name: str
    family_name: str
    full_name: str
    email: str
    emails: list[str]
    phones: list[PhoneOut]
    organizations: list[EmploymentOut]
    street: str
    city: str
    region: str
    postal_code: str
    country: str
    preferred_language: str
    lifecycle_stage: str
    source: str
    owner: UserRef
    team: int | None
    tags: list[str]
    custom: dict[str, Any]
    external_id: str
    version: int
    created_at: datetime.datetime
    updated_at: datetime.datetime
    deleted: bool

    @staticmethod
    def resolve_email(obj: Person) -> str:
        return obj.primary_email

    @staticmethod
    def resolve_emails(obj: Person) -> list[str]:
        return [item.email for item in obj.emails.all()]

    @staticmethod
    def resolve_phones(obj: Person) -> list[dict[str, str]]:
        return [
            {"number": item.number, "display": display_phone(item.number, obj.country or None)}
            for item in obj.phones.all()
        ]

    @staticmethod
    def resolve_organizations(obj: Person) -> list[dict[str, Any]]:
        return [
            {
                "organization": item.organization_id,
                "name": item.organization.name,
                "job_title": item.job_title,
            }
            for item in obj.employments.all()
        ]

    @staticmethod
    def resolve_owner(obj: Person) -> dict[str, Any] | None:
        return user_ref(obj.owner)

    @staticmethod
    def resolve_team(obj: Person) -> int | None:
        return obj.team_id

    @staticmethod
    def resolve_tags(obj: Person) -> list[str]:
        return [tag.name for tag in obj.tags.all()]

    @staticmethod
    def resolve_deleted(obj: Person) -> bool:
        return obj.deleted_at is not None


class OrganizationIn(Schema):
    name: str = Field(..., max_length=500)
    domains: list[str] = []
    industry: str = ""
    size: str = ""
    tax_id: str = ""
    website: str = ""
    phones: list[str] = []
    addresses: list[AddressIn] = []
    owner: int | None = None
    team: int | None = None
    tags: list[str] = []
    custom: dict[str, Any] = {}
    external_id: str = ""


class OrganizationPatch(Schema):
    name: str | None = None
    domains: list[str] | None = None
    industry: str | None = None
    size: str | None = None
    tax_id: str | None = None
    website: str | None = None
    phones: list[str] | None = None
    addresses: list[AddressIn] | None = None
    owner: int | None = None
    team: int | None = None
    tags: list[str] | None = None
    custom: dict[str, Any] | None = None
    external_id: str | None = None


class OrganizationOut(Schema):
    id: int
    name: str
    domains: list[str]
    industry: str
    size: str
    tax_id: str
    tax_id_kind: str
    website: str
    phones: list[PhoneOut]
    addresses: list[dict[str, str]]
    owner: UserRef
    team: int | None
    tags: list[str]
    custom: dict[str, Any]
    external_id: str
    version: int
    created_at: datetime.datetime
    updated_at: datetime.datetime
    deleted: bool

    @staticmethod
    def resolve_phones(obj: Organization) -> list[dict[str, str]]:
        return [{"number": number, "display": display_phone(number)} for number in obj.phones]

    @staticmethod
    def resolve_owner(obj: Organization) -> dict[str, Any] | None:
        return user_ref(obj.owner)

    @staticmethod
    def resolve_team(obj: Organization) -> int | None:
        return obj.team_id

    @staticmethod
    def resolve_tags(obj: Organization) -> list[str]:
        return [tag.name for tag in obj.tags.all()]

    @staticmethod
    def resolve_deleted(obj: Organization) -> bool:
        return obj.deleted_at is not None


class ListQuery(Schema):
    q: str | None = None
    owner: int | None = None
    team: int | None = None
    tag: str | None = None
    lifecycle_stage: str | None = None
    created_after: datetime.datetime | None = None
    created_before: datetime.datetime | None = None
    updated_after: datetime.datetime | None = None
    updated_before: datetime.datetime | None = None
    deleted: bool = False
    ordering: str | None = Field(
        None, description="name, -name, created_at, -created_at, updated_at, -updated_at"
    )
    cursor: str | None = None
    limit: int = Field(50, ge=1, le=200)


class PersonList(Schema):
    count: int
    next: str | None
    items: list[PersonOut]


class OrganizationList(Schema):
    count: int
    next: str | None
    items: list[OrganizationOut]


class SearchHit(Schema):
    id: int
    type: str
    title: str
    subtitle: str
    url: str


class SearchResult(Schema):
    q: str
    people: list[SearchHit]
    organizations: list[SearchHit]


class TimelineEntryOut(Schema):
    id: int
    kind: str
    subject: str
    body_html: str
    occurred_at: datetime.datetime
    due_at: datetime.datetime | None
    done_at: datetime.datetime | None
    owner: int

    @staticmethod
    def resolve_owner(obj: Any) -> int:
        return int(obj.owner_id)


class PersonDetailOut(PersonOut):
    timeline: list[TimelineEntryOut] | None = Field(
        None, description="The newest timeline entries, with ?expand=timeline"
    )
    timeline_next: str | None = None


def _moment(value: datetime.datetime) -> str:
    return value.isoformat().replace("+00:00", "Z")


def people_payload(people: list[Person]) -> list[dict[str, Any]]:
    """`PersonOut` for a page of people, built from four value queries instead of model
    instances and schema validation; `tests/contacts/test_api.py` checks both agree."""
    from elo.contacts.models import Employment, PersonEmail, PersonPhone

    ids = [person.pk for person in people]
    emails: dict[int, list[str]] = {pk: [] for pk in ids}
    phones: dict[int, list[str]] = {pk: [] for pk in ids}
    jobs: dict[int, list[dict[str, Any]]] = {pk: [] for pk in ids}
    tags: dict[int, list[str]] = {pk: [] for pk in ids}
    for pk, email in (
        PersonEmail.objects.filter(person_id__in=ids)
        .order_by("position", "id")
        .values_list("person_id", "email")
    ):
        emails[pk].append(email)
    for pk, number in (
        PersonPhone.objects.filter(person_id__in=ids)
        .order_by("position", "id")
        .values_list("person_id", "number")
    ):
        phones[pk].append(number)
    for pk, organization, name, title in (
        Employment.objects.filter(person_id__in=ids)
        .order_by("position", "id")
        .values_list("person_id", "organization_id", "organization__name", "job_title")
    ):
        jobs[pk].append({"organization": organization, "name": name, "job_title": title})
    links = Person.tags.through.objects.filter(person_id__in=ids)
    for pk, name in links.order_by("tag__name").values_list("person_id", "tag__name"):
        tags[pk].append(name)
    return [
        {
            "id": person.pk,
            "given_name": person.given_name,
            "family_name": person.family_name,
            "full_name": person.full_name,
            "email": person.primary_email,
            "emails": emails[person.pk],
            "phones": [
                {"number": number, "display": display_phone(number, person.country or None)}
                for number in phones[person.pk]
            ],
            "organizations": jobs[person.pk],
            "street": person.street,
            "city": person.city,
            "region": person.region,
            "postal_code": person.postal_code,
            "country": person.country,
            "preferred_language": person.preferred_language,
            "lifecycle_stage": person.lifecycle_stage,
            "source": person.source,
            "owner": user_ref(person.owner),
            "team": person.team_id,
            "tags": tags[person.pk],
            "custom": person.custom,
            "external_id": person.external_id,
            "version": person.version,
            "created_at": _moment(person.created_at),
            "updated_at": _moment(person.updated_at),
            "deleted": person.deleted_at is not None,
        }
        for person in people
    ]


def _maybe_moment(value: datetime.datetime | None) -> str | None:
    return _moment(value) if value is not None else None


def timeline_payload(activities: list[Any]) -> list[dict[str, Any]]:
    """`TimelineEntryOut` for each activity, without schema validation."""
    return [
        {
            "id": activity.pk,
            "kind": activity.kind,
            "subject": activity.subject,
            "body_html": activity.body_html,
            "occurred_at": _moment(activity.occurred_at),
            "due_at": _maybe_moment(activity.due_at),
            "done_at": _maybe_moment(activity.done_at),
            "owner": int(activity.owner_id),
        }
        for activity in activities
    ]


class SimilarOut(Schema):
    """An existing record that the values asked about would duplicate."""

    id: int
    name: str
    score: int
    reasons: list[str]
    codes: list[str]
    url: str


class SimilarList(Schema):
    items: list[SimilarOut]
