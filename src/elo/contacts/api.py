from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.urls import reverse
from ninja import Field, Query, Router, Schema

from elo.activities.selectors import person_timeline
from elo.contacts import duplicates, health, selectors, services
from elo.contacts.filters import RecordFilter
from elo.contacts.merge import organization_merge, person_merge
from elo.contacts.models import Organization
from elo.contacts.schemas import (
    ListQuery,
    OrganizationIn,
    OrganizationList,
    OrganizationOut,
    OrganizationPatch,
    PersonDetailOut,
    PersonIn,
    PersonList,
    PersonOut,
    PersonPatch,
    SearchResult,
    SimilarList,
    people_payload,
    timeline_payload,
)
from elo.core.api import if_match_version, next_link, set_etag
from elo.privacy.access import log_view

router = Router(tags=["people and organizations"])


def _filters(request: HttpRequest, query: ListQuery) -> RecordFilter:
    params: dict[str, Any] = query.dict(exclude_none=True, exclude={"cursor", "limit"})
    params.update({key: value for key, value in request.GET.items() if key.startswith("cf_")})
    return RecordFilter.from_params(params)


@router.get("/people", response=PersonList, summary="List people")
def list_people(request: HttpRequest, query: Query[ListQuery]) -> HttpResponse:
    filters = _filters(request, query)
    page = selectors.person_page_for(
        request.user, filters, cursor=query.cursor, size=query.limit, related=False
    )
    count = selectors.people_matching(request.user, filters).count()
    body = {"count": count, "next": next_link(request, page), "items": people_payload(page.items)}
    return JsonResponse(body)


@router.post("/people", response={201: PersonOut}, summary="Create a person")
def create_person(request: HttpRequest, payload: PersonIn, response: HttpResponse) -> Any:
    person = services.person_create(actor=request.user, data=payload.dict(exclude_unset=True))
    person = selectors.person_get_for(request.user, person.pk)
    set_etag(response, person)
    return 201, person


def _similar_payload(found: list[duplicates.Similar], view: str) -> dict[str, Any]:
    return {
        "items": [
            {
                "id": item.record.pk,
                "name": str(item.record),
                "score": item.score,
                "reasons": item.reasons,
                "codes": item.codes,
                "url": reverse(view, args=[item.record.pk]),
            }
            for item in found
        ]
    }


@router.get("/people/similar", response=SimilarList, summary="People a new person would duplicate")
def similar_people(
    request: HttpRequest,
    given_name: str = "",
    family_name: str = "",
    email: str = "",
    phone: str = "",
) -> Any:
    """The visible people (at most 5, best score first) that a person with these values
    would duplicate, scored as the duplicates review queue scores a pair. Creating a person
    is never blocked: clients call this first and ask the user, as the web form does."""
    found = duplicates.similar_people_query(
        request.user, given_name=given_name, family_name=family_name, email=email, phone=phone
    )
    return _similar_payload(found, "contacts:person_detail")


@router.get("/people/{person_id}", response=PersonDetailOut, summary="Get a person")
def get_person(
    request: HttpRequest, person_id: int, response: HttpResponse, expand: str = ""
) -> Any:
    """`?expand=timeline` adds the newest 50 timeline entries (cursor in `timeline_next`)."""
    person = selectors.person_get_for(request.user, person_id, related=False)
    log_view(request, what="Person API read", person_id=person.pk)
    body: dict[str, Any] = people_payload([person])[0]
    body["timeline"] = body["timeline_next"] = None
    if "timeline" in expand.split(","):
        page = person_timeline(person, size=50, summary=True)
        body["timeline"] = timeline_payload(page.items)
        body["timeline_next"] = page.next_cursor
    reply = JsonResponse(body)
    set_etag(reply, person)
    return reply


@router.patch("/people/{person_id}", response=PersonOut, summary="Change a person")
def patch_person(
    request: HttpRequest, person_id: int, payload: PersonPatch, response: HttpResponse
) -> Any:
    person = selectors.person_get_for(request.user, person_id, action="change")
    services.person_update(
        actor=request.user,
        person=person,
        data=payload.dict(exclude_unset=True),
        expected_version=if_match_version(request),
    )
    person = selectors.person_get_for(request.user, person_id)
    set_etag(response, person)
    return person


@router.put("/people/{person_id}", response=PersonOut, summary="Replace a person")
def put_person(
    request: HttpRequest, person_id: int, payload: PersonIn, response: HttpResponse
) -> Any:
    person = selectors.person_get_for(request.user, person_id, action="change")
    services.person_update(
        actor=request.user,
        person=person,
        data=payload.dict(),
        expected_version=if_match_version(request),
    )
    person = selectors.person_get_for(request.user, person_id)
    set_etag(response, person)
    return person


@router.delete("/people/{person_id}", response={204: None}, summary="Delete a person (restorable)")
def delete_person(request: HttpRequest, person_id: int) -> Any:
    person = selectors.person_get_for(request.user, person_id, action="delete")
    services.person_delete(
        actor=request.user, person=person, expected_version=if_match_version(request)
    )
    return 204, None


@router.post("/people/{person_id}/restore", response=PersonOut, summary="Restore a deleted person")
def restore_person(request: HttpRequest, person_id: int) -> Any:
    person = selectors.person_get_for(request.user, person_id, action="delete", deleted=True)
    services.person_restore(actor=request.user, person=person)
    return selectors.person_get_for(request.user, person_id)


@router.get("/organizations", response=OrganizationList, summary="List organizations")
def list_organizations(request: HttpRequest, query: Query[ListQuery]) -> dict[str, Any]:
    filters = _filters(request, query)
    page = selectors.organization_page_for(
        request.user, filters, cursor=query.cursor, size=query.limit
    )
    count = selectors.organizations_for_list(request.user, filters).count()
    return {"count": count, "next": next_link(request, page), "items": page.items}


@router.post("/organizations", response={201: OrganizationOut}, summary="Create an organization")
def create_organization(
    request: HttpRequest, payload: OrganizationIn, response: HttpResponse
) -> Any:
    organization = services.organization_create(
        actor=request.user, data=payload.dict(exclude_unset=True)
    )
    organization = selectors.organization_get_for(request.user, organization.pk)
    set_etag(response, organization)
    return 201, organization


@router.get(
    "/organizations/similar",
    response=SimilarList,
    summary="Organizations a new organization would duplicate",
)
def similar_organizations(
    request: HttpRequest, name: str = "", domain: str = "", tax_id: str = ""
) -> Any:
    """The visible organizations (at most 5, best first) that one with this name, domain or
    tax id would duplicate. Creating is never blocked: clients call this first."""
    found = duplicates.similar_organizations_query(
        request.user, name=name, domain=domain, tax_id=tax_id
    )
    return _similar_payload(found, "contacts:organization_detail")


@router.get("/organizations/{organization_id}", response=OrganizationOut)
def get_organization(request: HttpRequest, organization_id: int, response: HttpResponse) -> Any:
    organization = selectors.organization_get_for(request.user, organization_id)
    set_etag(response, organization)
    return organization


@router.patch("/organizations/{organization_id}", response=OrganizationOut)
def patch_organization(
    request: HttpRequest, organization_id: int, payload: OrganizationPatch, response: HttpResponse
) -> Any:
    organization = selectors.organization_get_for(request.user, organization_id, action="change")
    services.organization_update(
        actor=request.user,
        organization=organization,
        data=payload.dict(exclude_unset=True),
        expected_version=if_match_version(request),
    )
    organization = selectors.organization_get_for(request.user, organization_id)
    set_etag(response, organization)
    return organization


@router.put("/organizations/{organization_id}", response=OrganizationOut)
def put_organization(
    request: HttpRequest, organization_id: int, payload: OrganizationIn, response: HttpResponse
) -> Any:
    organization = selectors.organization_get_for(request.user, organization_id, action="change")
    services.organization_update(
        actor=request.user,
        organization=organization,
        data=payload.dict(),
        expected_version=if_match_version(request),
    )
    organization = selectors.organization_get_for(request.user, organization_id)
    set_etag(response, organization)
    return organization


@router.delete("/organizations/{organization_id}", response={204: None})
def delete_organization(request: HttpRequest, organization_id: int) -> Any:
    organization = selectors.organization_get_for(request.user, organization_id, action="delete")
    services.organization_delete(
        actor=request.user, organization=organization, expected_version=if_match_version(request)
    )
    return 204, None


@router.post("/organizations/{organization_id}/restore", response=OrganizationOut)
def restore_organization(request: HttpRequest, organization_id: int) -> Any:
    organization = selectors.organization_get_for(
        request.user, organization_id, action="delete", deleted=True
    )
    services.organization_restore(actor=request.user, organization=organization)
    return selectors.organization_get_for(request.user, organization_id)


@router.get(
    "/search", response=SearchResult, tags=["search"], summary="Search people and organizations"
)
def search(request: HttpRequest, q: str = "", limit: int = 10) -> dict[str, Any]:
    hits = selectors.global_search(request.user, q, limit=max(1, min(limit, 50)))
    return {
        "q": q,
        "people": [
            {
                "id": person.pk,
                "type": "person",
                "title": person.full_name,
                "subtitle": person.primary_email or person.primary_phone,
                "url": reverse("contacts:person_detail", args=[person.pk]),
            }
            for person in hits["people"]
        ],
        "organizations": [
            {
                "id": organization.pk,
                "type": "organization",
                "title": organization.name,
                "subtitle": ", ".join(organization.domains),
                "url": reverse("contacts:organization_detail", args=[organization.pk]),
            }
            for organization in hits["organizations"]
        ],
    }


# --- duplicates and merge -----------------------------------------------------------------


class DuplicateRecordRef(Schema):
    id: int
    name: str
    details: list[str]


class DuplicatePairOut(Schema):
    a: DuplicateRecordRef
    b: DuplicateRecordRef
    score: int
    reasons: list[str]
    codes: list[str]


class DuplicateList(Schema):
    count: int
    items: list[DuplicatePairOut]


Entity = Literal["people", "organizations"]


class DismissIn(Schema):
    a: int
    b: int
    entity: Entity = "people"


class MergeIn(Schema):
    duplicate: int
    fields: dict[str, Literal["survivor", "duplicate"]] | None = None


def _record_ref(record: Any) -> dict[str, Any]:
    if isinstance(record, Organization):
        details = [*record.domains, record.tax_id]
    else:
        details = [record.primary_email, record.primary_phone]
    return {"id": record.pk, "name": str(record), "details": [text for text in details if text]}


@router.get("/duplicates", response=DuplicateList, summary="List possible duplicates")
def list_duplicates(request: HttpRequest, entity: Entity = "people", limit: int = 50) -> Any:
    """Pairs of people (or organizations) that look like one, best score first, with the
    reasons; only pairs where the caller sees both. `limit` is at most 200; `count` is every
    pair found. `details` are a person's email and phone, an organization's domains and tax
    id."""
    size = max(1, min(limit, 200))
    pairs: list[Any]
    if entity == "organizations":
        count, pairs = duplicates.organization_duplicates_for(request.user, limit=size)
    else:
        count, pairs = duplicates.person_duplicates_for(request.user, limit=size)
    items = [
        {
            "a": _record_ref(pair.first),
            "b": _record_ref(pair.second),
            "score": pair.score,
            "reasons": pair.reasons,
            "codes": pair.codes,
        }
        for pair in pairs
    ]
    return {"count": count, "items": items}


@router.post("/duplicates/dismiss", response={204: None}, summary="Mark a pair as not duplicates")
def dismiss_duplicate(request: HttpRequest, payload: DismissIn) -> Any:
    first: Any
    second: Any
    if payload.entity == "organizations":
        first = selectors.organization_get_for(request.user, payload.a, action="change")
        second = selectors.organization_get_for(request.user, payload.b, action="change")
        entity = "organization"
    else:
        first = selectors.person_get_for(request.user, payload.a, action="change", related=False)
        second = selectors.person_get_for(request.user, payload.b, action="change", related=False)
        entity = "person"
    duplicates.duplicate_dismiss(actor=request.user, entity=entity, first=first, second=second)
    return 204, None


@router.post(
    "/people/{person_id}/merge", response=PersonOut, summary="Merge a duplicate into a person"
)
def merge_person(
    request: HttpRequest, person_id: int, payload: MergeIn, response: HttpResponse
) -> Any:
    """Moves everything of `duplicate` to this person (see the merge service) and returns it;
    the duplicate goes to the trash and its URL redirects here."""
    survivor = selectors.person_get_for(request.user, person_id, action="change", related=False)
    duplicate = selectors.person_get_for(request.user, payload.duplicate, related=False)
    person_merge(actor=request.user, survivor=survivor, duplicate=duplicate, fields=payload.fields)
    person = selectors.person_get_for(request.user, person_id)
    set_etag(response, person)
    return person


@router.post(
    "/organizations/{organization_id}/merge",
    response=OrganizationOut,
    summary="Merge a duplicate into an organization",
)
def merge_organization(
    request: HttpRequest, organization_id: int, payload: MergeIn, response: HttpResponse
) -> Any:
    """Moves everything of `duplicate` to this organization and returns it; the duplicate
    goes to the trash."""
    survivor = selectors.organization_get_for(request.user, organization_id, action="change")
    duplicate = selectors.organization_get_for(request.user, payload.duplicate)
    organization_merge(
        actor=request.user, survivor=survivor, duplicate=duplicate, fields=payload.fields
    )
    organization = selectors.organization_get_for(request.user, organization_id)
    set_etag(response, organization)
    return organization


class DataHealthQuery(Schema):
    months: int = Field(12, ge=1, le=240, description="The no-activity window in months.")
    limit: int = Field(20, ge=0, le=100, description="How many ids to list per problem.")


class DataHealthProblemOut(Schema):
    count: int
    ids: list[int] = Field(description="The worst records first (people, or organizations).")


class DataHealthOut(Schema):
    months: int
    bounced_emails: DataHealthProblemOut
    invalid_phones: DataHealthProblemOut
    no_activity: DataHealthProblemOut
    domains_not_resolving: DataHealthProblemOut
    unreachable: DataHealthProblemOut


@router.get("/data-health", response=DataHealthOut, summary="Stale and broken contact data")
def data_health(request: HttpRequest, query: Query[DataHealthQuery]) -> Any:
    """Counts per problem over the records the caller can see, with up to `limit` ids each:
    people with a bounced email, an invalid phone, no activity in `months` months, or no email
    and no phone; organizations whose domain did not resolve when last checked."""
    problems = health.data_health_for(request.user, months=query.months, limit=query.limit)
    result: dict[str, Any] = {"months": query.months}
    for problem in problems:
        result[problem.key] = {"count": problem.count, "ids": [r.pk for r in problem.records]}
    return result
