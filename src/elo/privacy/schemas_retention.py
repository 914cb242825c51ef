"""API shapes of retention policies and their runs: input checks shape only, the services
decide (months, statuses valid for the records, a unique name)."""

from __future__ import annotations

import datetime

from ninja import Field, Schema

from elo.privacy.models import RetentionPolicy, RetentionRun

STATUSES_HELP = (
    "Only records in these statuses: lead statuses (new, working, qualified, disqualified,"
    " converted) or people's lifecycle stages (subscriber, lead, marketing_qualified,"
    " sales_qualified, opportunity, customer, evangelist, other). Empty: all."
)


class RetentionPolicyIn(Schema):
    name: str = Field(..., max_length=100)
    entity: str = Field(..., description="leads or people")
    inactive_months: int = Field(
        ..., description="Records with no activity for this many months are anonymized."
    )
    statuses: list[str] = Field(default_factory=list, description=STATUSES_HELP)
    enabled: bool = Field(False, description="Runs daily on the schedule.")


class RetentionPolicyPatch(Schema):
    name: str | None = Field(None, max_length=100)
    entity: str | None = None
    inactive_months: int | None = None
    statuses: list[str] | None = Field(None, description=STATUSES_HELP)
    enabled: bool | None = None


class RetentionPolicyOut(Schema):
    id: int
    name: str
    entity: str
    inactive_months: int
    statuses: list[str]
    enabled: bool
    last_run_at: datetime.datetime | None
    last_run_count: int
    created_by: int | None
    version: int
    created_at: datetime.datetime
    updated_at: datetime.datetime

    @staticmethod
    def from_policy(policy: RetentionPolicy) -> dict[str, object]:
        return {
            "id": policy.pk,
            "name": policy.name,
            "entity": policy.entity,
            "inactive_months": policy.inactive_months,
            "statuses": list(policy.statuses or []),
            "enabled": policy.enabled,
            "last_run_at": policy.last_run_at,
            "last_run_count": policy.last_run_count,
            "created_by": policy.created_by_id,
            "version": policy.version,
            "created_at": policy.created_at,
            "updated_at": policy.updated_at,
        }


class RetentionPolicyList(Schema):
    items: list[RetentionPolicyOut]
    next: str | None


class RetentionRunSummary(Schema):
    id: int
    policy: int
    dry_run: bool
    started_at: datetime.datetime
    finished_at: datetime.datetime | None = Field(
        ..., description="Null while the run goes on, or when it died half way."
    )
    cutoff: datetime.datetime = Field(
        ..., description="Records with activity on or after this moment were kept."
    )
    matched: int = Field(..., description="How many records the policy selected.")
    anonymized: int = Field(..., description="How many the run anonymized (0 for a dry run).")
    error: str
    actor: int | None = Field(..., description="Who started it; null for the schedule.")

    @staticmethod
    def from_run(run: RetentionRun) -> dict[str, object]:
        return {
            "id": run.pk,
            "policy": run.policy_id,
            "dry_run": run.dry_run,
            "started_at": run.started_at,
            "finished_at": run.finished_at,
            "cutoff": run.cutoff,
            "matched": run.matched,
            "anonymized": run.anonymized,
            "error": run.error,
            "actor": run.actor_id,
        }


class RetentionRunOut(RetentionRunSummary):
    record_ids: list[int] = Field(
        ...,
        description="The ids of the records matched (dry run) or anonymized (run), lowest"
        " first, at most 10,000; `ids_complete` is false when there were more.",
    )
    ids_complete: bool

    @staticmethod
    def from_run(run: RetentionRun) -> dict[str, object]:
        count = run.matched if run.dry_run else run.anonymized
        return {
            **RetentionRunSummary.from_run(run),
            "record_ids": list(run.record_ids),
            "ids_complete": len(run.record_ids) >= count,
        }


class RetentionRunList(Schema):
    items: list[RetentionRunSummary]
    next: str | None


class RetentionPageQuery(Schema):
    cursor: str | None = None
    limit: int | None = Field(None, ge=1)
