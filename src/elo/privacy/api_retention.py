"""/api/v1/retention-policies: retention policies, their dry runs and runs."""

from __future__ import annotations

from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse, JsonResponse
from ninja import Query, Router

from elo.core.api import if_match_version, next_link, page_size, set_etag
from elo.privacy import retention
from elo.privacy.schemas_retention import (
    RetentionPageQuery,
    RetentionPolicyIn,
    RetentionPolicyList,
    RetentionPolicyOut,
    RetentionPolicyPatch,
    RetentionRunList,
    RetentionRunOut,
    RetentionRunSummary,
)

router = Router(tags=["privacy"])


def _policy_reply(policy: Any, status: int = 200) -> HttpResponse:
    reply = JsonResponse(
        RetentionPolicyOut.from_policy(policy), status=status, encoder=DjangoJSONEncoder
    )
    set_etag(reply, policy)
    return reply


@router.get("/retention-policies", response=RetentionPolicyList, summary="List retention policies")
def list_policies(request: HttpRequest, query: Query[RetentionPageQuery]) -> Any:
    page = retention.policy_list_for(request.user, cursor=query.cursor, size=page_size(query.limit))
    return {
        "items": [RetentionPolicyOut.from_policy(policy) for policy in page.items],
        "next": next_link(request, page),
    }


@router.post(
    "/retention-policies",
    response={201: RetentionPolicyOut},
    summary="Create a retention policy",
)
def create_policy(request: HttpRequest, payload: RetentionPolicyIn) -> Any:
    """Leads or people with no activity for `inactive_months` (optionally only in some
    `statuses`) are anonymized when the policy runs; `enabled` runs it daily."""
    policy = retention.policy_create(actor=request.user, data=payload.dict())
    return _policy_reply(policy, 201)


@router.get(
    "/retention-policies/{policy_id}",
    response=RetentionPolicyOut,
    summary="A retention policy",
)
def get_policy(request: HttpRequest, policy_id: int) -> Any:
    return _policy_reply(retention.policy_get_for(request.user, policy_id))


@router.patch(
    "/retention-policies/{policy_id}",
    response=RetentionPolicyOut,
    summary="Change a retention policy",
)
def patch_policy(request: HttpRequest, policy_id: int, payload: RetentionPolicyPatch) -> Any:
    """Send `If-Match` with the ETag you read to refuse stale writes (412)."""
    policy = retention.policy_get_for(request.user, policy_id)
    updated = retention.policy_update(
        actor=request.user,
        policy=policy,
        data=payload.dict(exclude_unset=True),
        expected_version=if_match_version(request),
    )
    return _policy_reply(updated)


@router.delete(
    "/retention-policies/{policy_id}",
    response={204: None},
    summary="Delete a retention policy",
)
def delete_policy(request: HttpRequest, policy_id: int) -> Any:
    """Deletes the policy and its run history; what it anonymized stays anonymized."""
    policy = retention.policy_get_for(request.user, policy_id)
    retention.policy_delete(
        actor=request.user, policy=policy, expected_version=if_match_version(request)
    )
    return 204, None


@router.post(
    "/retention-policies/{policy_id}/dry-run",
    response={201: RetentionRunOut},
    summary="Dry run: what a run would anonymize now",
)
def dry_run(request: HttpRequest, policy_id: int) -> Any:
    """Counts the records a run would anonymize now and lists their ids (the first 10,000);
    changes no record. The dry run is kept in the policy's runs."""
    policy = retention.policy_get_for(request.user, policy_id)
    run = retention.policy_dry_run(actor=request.user, policy=policy)
    return 201, RetentionRunOut.from_run(run)


@router.post(
    "/retention-policies/{policy_id}/run",
    response={202: RetentionRunOut},
    summary="Run a retention policy now (irreversible)",
)
def run_now(request: HttpRequest, policy_id: int) -> Any:
    """Starts a run: counts what the policy selects now (`matched`) and leaves the
    anonymizing, one record at a time and irreversible, to the task worker. Follow
    `/runs/{run_id}` until `finished_at` is set. A run that stops (see `error`) keeps what it
    did; running again carries on."""
    policy = retention.policy_get_for(request.user, policy_id)
    run = retention.policy_run_start(actor=request.user, policy=policy)
    return 202, RetentionRunOut.from_run(run)


@router.get(
    "/retention-policies/{policy_id}/runs",
    response=RetentionRunList,
    summary="A retention policy's runs",
)
def list_runs(request: HttpRequest, policy_id: int, query: Query[RetentionPageQuery]) -> Any:
    """Newest first, dry runs included; the ids of a run are on `/runs/{run_id}`."""
    policy = retention.policy_get_for(request.user, policy_id)
    page = retention.run_list_for(
        request.user, policy, cursor=query.cursor, size=page_size(query.limit)
    )
    return {
        "items": [RetentionRunSummary.from_run(run) for run in page.items],
        "next": next_link(request, page),
    }


@router.get(
    "/retention-policies/{policy_id}/runs/{run_id}",
    response=RetentionRunOut,
    summary="A retention run with the ids it matched or anonymized",
)
def get_run(request: HttpRequest, policy_id: int, run_id: int) -> Any:
    policy = retention.policy_get_for(request.user, policy_id)
    return RetentionRunOut.from_run(retention.run_get_for(request.user, policy, run_id))
