"""Consent purposes and the consent ledger over the API."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from elo.contacts.selectors import person_get_for
from elo.core.api import if_match_version, next_link, page_size
from elo.privacy import selectors, services
from elo.privacy.schemas import (
    ConsentEventOut,
    ConsentIn,
    ConsentsOut,
    ConsentsQuery,
    PurposeIn,
    PurposeList,
    PurposeOut,
    PurposePatch,
)

router = Router(tags=["privacy"])


@router.get("/consent-purposes", response=PurposeList, summary="List consent purposes")
def list_purposes(request: HttpRequest) -> Any:
    return {"items": list(selectors.purpose_list())}


@router.post("/consent-purposes", response={201: PurposeOut}, summary="Create a consent purpose")
def create_purpose(request: HttpRequest, payload: PurposeIn) -> Any:
    return 201, services.purpose_create(actor=request.user, data=payload.dict())


@router.patch(
    "/consent-purposes/{purpose_id}", response=PurposeOut, summary="Change a consent purpose"
)
def patch_purpose(request: HttpRequest, purpose_id: int, payload: PurposePatch) -> Any:
    purpose = selectors.purpose_get(purpose_id)
    return services.purpose_update(
        actor=request.user,
        purpose=purpose,
        data=payload.dict(exclude_unset=True),
        expected_version=if_match_version(request),
    )


@router.get("/consents", response=ConsentsOut, summary="A person's consents and ledger")
def list_consents(request: HttpRequest, query: Query[ConsentsQuery]) -> Any:
    """The current state per purpose and channel (the latest event wins) and the ledger,
    newest first, paged with `cursor`."""
    person = person_get_for(request.user, query.person, related=False)
    page = selectors.consent_ledger_page(person, cursor=query.cursor, size=page_size(query.limit))
    matrix = []
    for row in selectors.consent_matrix(person):
        for cell in row.cells:
            event = cell.event
            matrix.append(
                {
                    "purpose": row.purpose.key,
                    "channel": cell.channel,
                    "state": cell.state,
                    "allowed": cell.allowed,
                    "basis": event.basis if event else None,
                    "source": event.source if event else None,
                    "at": event.created_at if event else None,
                    "event": event.pk if event else None,
                }
            )
    return {
        "person": person.pk,
        "matrix": matrix,
        "items": [ConsentEventOut.from_event(event) for event in page.items],
        "next": next_link(request, page),
    }


@router.post("/consents", response={201: ConsentEventOut}, summary="Record a consent event")
def record_consent(request: HttpRequest, payload: ConsentIn, response: HttpResponse) -> Any:
    """A grant or withdrawal, with its lawful basis, source, the text shown and proof."""
    data = payload.dict()
    person = person_get_for(request.user, data.pop("person"), action="change", related=False)
    event = services.consent_record(
        actor=request.user,
        person=person,
        base_url=request.build_absolute_uri("/"),
        **data,
    )
    return 201, ConsentEventOut.from_event(event)
