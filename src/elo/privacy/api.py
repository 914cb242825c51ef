"""Consent purposes and the consent ledger over the API."""

from __future__ import annotations

from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from elo.contacts.selectors import person_get_for
from elo.core.api import PROBLEM_TYPE, if_match_version, next_link, page_size, set_etag
from elo.privacy import erasure, selectors, services
from elo.privacy.choices import RequestStatus
from elo.privacy.schemas import (
    ConsentEventOut,
    ConsentIn,
    ConsentsOut,
    ConsentsQuery,
    PurposeIn,
    PurposeList,
    PurposeOut,
    PurposePatch,
    SubjectRequestIn,
    SubjectRequestList,
    SubjectRequestOut,
    SubjectRequestPatch,
    SubjectRequestQuery,
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


# --- data subject requests ------------------------------------------------------------------


def _request_reply(record: Any, status: int = 200) -> HttpResponse:
    reply = JsonResponse(
        SubjectRequestOut.from_request(record), status=status, encoder=DjangoJSONEncoder
    )
    set_etag(reply, record)
    return reply


@router.get("/privacy/requests", response=SubjectRequestList, summary="List data subject requests")
def list_requests(request: HttpRequest, query: Query[SubjectRequestQuery]) -> Any:
    """Soonest due first; filter by `status` and `overdue` (open past the deadline)."""
    page = selectors.request_list_for(
        request.user,
        status=query.status,
        overdue=query.overdue,
        cursor=query.cursor,
        size=page_size(query.limit),
    )
    return {
        "items": [SubjectRequestOut.from_request(item) for item in page.items],
        "next": next_link(request, page),
    }


@router.post(
    "/privacy/requests",
    response={201: SubjectRequestOut},
    summary="Log a data subject request",
)
def create_request(request: HttpRequest, payload: SubjectRequestIn) -> Any:
    """The deadline (`due_at`) follows from the law: 15 days under LGPD, one month under
    GDPR (configurable)."""
    data = payload.dict()
    person = person_get_for(request.user, data.pop("person"), related=False)
    created = services.request_create(actor=request.user, person=person, **data)
    return _request_reply(selectors.request_get_for(request.user, created.pk), 201)


@router.get(
    "/privacy/requests/{request_id}",
    response=SubjectRequestOut,
    summary="A data subject request",
)
def get_request(request: HttpRequest, request_id: int) -> Any:
    return _request_reply(selectors.request_get_for(request.user, request_id))


@router.patch(
    "/privacy/requests/{request_id}",
    response=SubjectRequestOut,
    summary="Change a data subject request's status",
)
def patch_request(request: HttpRequest, request_id: int, payload: SubjectRequestPatch) -> Any:
    """`identity_verified` needs `identity_check` (how the identity was verified); then
    `in_progress`, `completed` or `rejected`. Send `If-Match` to refuse stale writes."""
    found = selectors.request_get_for(request.user, request_id)
    version = if_match_version(request)
    if payload.status == RequestStatus.IDENTITY_VERIFIED:
        services.request_verify_identity(
            actor=request.user,
            request=found,
            identity_check=payload.identity_check or "",
            expected_version=version,
        )
    else:
        services.request_set_status(
            actor=request.user,
            request=found,
            status=payload.status,
            notes=payload.notes,
            expected_version=version,
        )
    return _request_reply(selectors.request_get_for(request.user, request_id))


@router.post(
    "/privacy/requests/{request_id}/bundle",
    response=SubjectRequestOut,
    summary="Build the person's data bundle (access, portability)",
)
def build_bundle(request: HttpRequest, request_id: int) -> Any:
    """Makes the bundle downloadable and puts the request in progress; identity first."""
    found = selectors.request_get_for(request.user, request_id)
    services.request_build_bundle(
        actor=request.user, request=found, expected_version=if_match_version(request)
    )
    return _request_reply(selectors.request_get_for(request.user, request_id))


@router.get(
    "/privacy/requests/{request_id}/bundle",
    summary="Download the person's data bundle (ZIP)",
    openapi_extra={
        "responses": {
            200: {
                "description": "A ZIP: person.json with everything held about the person and"
                " one CSV per entity under csv/.",
                "content": {"application/zip": {"schema": {"type": "string", "format": "binary"}}},
            }
        }
    },
)
def download_bundle(request: HttpRequest, request_id: int) -> HttpResponse:
    """Every download is audited (on the request and on the person)."""
    found = selectors.request_get_for(request.user, request_id)
    content = services.request_bundle_download(actor=request.user, request=found)
    reply = HttpResponse(content, content_type="application/zip")
    reply["Content-Disposition"] = f'attachment; filename="person-{found.person_id}-data.zip"'
    reply["Cache-Control"] = "no-store"
    return reply


# --- erasure ----------------------------------------------------------------------------------


class ErasureIn(Schema):
    confirmation: str | None = Field(
        None, description="The token of the 409 answer to a first call; omit it to preview."
    )
    reason: str | None = Field(None, max_length=500, description="Why; kept in the audit log.")


class ErasureOut(Schema):
    request: int
    person: int
    counts: dict[str, int] = Field(description="Rows touched, per kind; no values.")


@router.post(
    "/privacy/requests/{request_id}/erase",
    response={200: ErasureOut},
    summary="Erase the person of an erasure request (confirmed twice)",
    openapi_extra={
        "responses": {
            409: {
                "description": "Nothing was changed: the preview. A problem+json with `counts`"
                " (rows that would be touched, per kind) and `confirmation`, a token valid for"
                " `expires_in` seconds; send it back to erase.",
                "content": {"application/problem+json": {"schema": {"type": "object"}}},
            }
        }
    },
)
def erase_request(request: HttpRequest, request_id: int, payload: ErasureIn) -> Any:
    """Irreversible. The first call (no `confirmation`) changes nothing and answers 409 with
    what would be erased and a confirmation token; the second call, with the token, erases
    the person everywhere, completes the request and answers with the counts. Only for an
    erasure request whose requester's identity was verified."""
    found = selectors.request_get_for(request.user, request_id)
    if not payload.confirmation:
        counts, token = erasure.request_erase_preview(actor=request.user, request=found)
        body = {
            "type": PROBLEM_TYPE + "confirmation_required",
            "title": _("Confirm the erasure: send the confirmation back to erase."),
            "status": 409,
            "code": "confirmation_required",
            "counts": counts,
            "confirmation": token,
            "expires_in": int(erasure.CONFIRM_MAX_AGE.total_seconds()),
        }
        return JsonResponse(body, status=409, content_type="application/problem+json")
    counts = erasure.request_erase(
        actor=request.user,
        request=found,
        confirmation=payload.confirmation,
        reason=payload.reason or "",
    )
    return {"request": found.pk, "person": found.person_id, "counts": counts}
