"""Periodic jobs: apps register them in `AppConfig.ready()`; every `elo worker` calls `run_due`.

    schedule.register("automation.time_triggers", "*/5 * * * *", time_triggers.run)
    schedule.register("webhooks.retry", "every 30s", deliveries.retry_due)

A spec is a cron expression (five fields, or `@hourly`, `@daily`, `@weekly`, `@monthly`,
`@yearly`), read in `settings.TIME_ZONE` with the Debian cron rules for daylight saving time
(a time skipped in spring runs right after the jump, a time repeated in autumn runs once),
or an interval `every <n>s`, `every <n>m`, `every <n>h`, counted from the Unix epoch so that
`every 1h` runs on the hour whatever the worker's start time.

Each occurrence runs once, even with several workers: the worker that moves the job's
`next_run_at` on (a conditional UPDATE on the row it locked with SKIP LOCKED on PostgreSQL;
SQLite serialises writers) is the one that runs it. Occurrences missed while no worker ran are
run once, not once each. The job runs after that claim is committed, so a worker that dies
mid-run loses that occurrence; the next one runs as usual. A job that raises is recorded
(`last_error`, `failures`) and runs again at its next occurrence; it never stops the others.
"""

from __future__ import annotations

import logging
import re
import time
import traceback
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from cronsim import CronSim, CronSimError
from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from elo.core import context
from elo.core.models import ScheduledJob

logger = logging.getLogger(__name__)

_ALIASES = {
    "@hourly": "0 * * * *",
    "@daily": "0 0 * * *",
    "@midnight": "0 0 * * *",
    "@weekly": "0 0 * * 0",
    "@monthly": "0 0 1 * *",
    "@yearly": "0 0 1 1 *",
    "@annually": "0 0 1 1 *",
}
_INTERVAL = re.compile(r"^every\s+(\d+)\s*([smh])$")
_UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600}
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Job:
    key: str
    spec: str
    func: Callable[[], object]


_jobs: dict[str, Job] = {}


def _interval_seconds(spec: str) -> int | None:
    match = _INTERVAL.match(spec.strip().lower())
    if match is None:
        return None
    return int(match.group(1)) * _UNIT_SECONDS[match.group(2)]


def validate(spec: str) -> None:
    """Raises ValueError when `spec` is neither a cron expression nor `every <n>s|m|h`."""
    seconds = _interval_seconds(spec)
    if seconds is not None:
        if seconds <= 0:
            raise ValueError(f"schedule {spec!r}: the interval must be positive")
        return
    expression = _ALIASES.get(spec.strip().lower(), spec)
    if len(expression.split()) != 5:
        raise ValueError(f"schedule {spec!r}: expected 5 cron fields or 'every <n>s|m|h'")
    try:
        CronSim(expression, timezone.now())
    except CronSimError as error:
        raise ValueError(f"schedule {spec!r}: {error}") from error


def next_run(spec: str, after: datetime) -> datetime:
    """The first occurrence of `spec` strictly after `after` (an aware datetime), in UTC."""
    seconds = _interval_seconds(spec)
    if seconds is not None:
        elapsed = int((after - _EPOCH).total_seconds())
        return _EPOCH + timedelta(seconds=(elapsed // seconds + 1) * seconds)
    expression = _ALIASES.get(spec.strip().lower(), spec)
    zone = ZoneInfo(settings.TIME_ZONE)
    start = after.astimezone(zone)
    # In the repeated hour of an autumn change, cron's wall-clock arithmetic can name a time
    # already past; skip to the first occurrence that is truly later.
    for occurrence in CronSim(expression, start):
        if occurrence > after:
            return occurrence.astimezone(UTC)
    raise ValueError(f"schedule {spec!r} has no occurrence after {after}")  # pragma: no cover


def register(key: str, spec: str, func: Callable[[], object]) -> None:
    """Registers (or replaces) the periodic job `key`; call it from `AppConfig.ready()`.

    Needs no database: the job's row is made by the first `run_due` that sees the key.
    A changed spec takes effect from the next `run_due`.
    """
    validate(spec)
    _jobs[key] = Job(key=key, spec=spec, func=func)


def unregister(key: str) -> None:
    _jobs.pop(key, None)


def registered() -> dict[str, Job]:
    return dict(_jobs)


def _ensure_rows(jobs: Iterable[Job], now: datetime) -> None:
    """Creates the rows of new jobs and re-times the rows whose spec changed."""
    jobs = list(jobs)
    stored = dict(
        ScheduledJob.objects.filter(key__in=[job.key for job in jobs]).values_list("key", "spec")
    )
    missing = [
        ScheduledJob(key=job.key, spec=job.spec, next_run_at=next_run(job.spec, now))
        for job in jobs
        if job.key not in stored
    ]
    if missing:
        ScheduledJob.objects.bulk_create(missing, ignore_conflicts=True)
    for job in jobs:
        if job.key in stored and stored[job.key] != job.spec:
            ScheduledJob.objects.filter(key=job.key).exclude(spec=job.spec).update(
                spec=job.spec, next_run_at=next_run(job.spec, now)
            )


def _claim(jobs: dict[str, Job], now: datetime) -> list[ScheduledJob]:
    """Moves every due job's `next_run_at` past `now`; returns the jobs this caller won."""
    won: list[ScheduledJob] = []
    with transaction.atomic():
        due = ScheduledJob.objects.filter(key__in=list(jobs), next_run_at__lte=now).order_by(
            "next_run_at", "key"
        )
        if transaction.get_connection().features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True)
        for row in due:
            job = jobs[row.key]
            following = next_run(job.spec, now)
            claimed = ScheduledJob.objects.filter(pk=row.pk, next_run_at=row.next_run_at).update(
                next_run_at=following, last_run_at=now
            )
            if claimed:
                won.append(row)
    return won


def _run(job: Job) -> str:
    """Runs one job in a scope of its own; returns the error text, empty on success."""
    started = time.monotonic()
    try:
        with context.acting(
            context.Actor(kind="system", label=f"schedule:{job.key}"),
            request=context.new_request_id(),
        ):
            job.func()
    except Exception as error:
        logger.exception("scheduled job %s failed", job.key)
        return "".join(traceback.format_exception(error))[-4000:] or type(error).__name__
    logger.debug("scheduled job %s ran in %.3fs", job.key, time.monotonic() - started)
    return ""


def run_due(now: datetime | None = None) -> int:
    """Runs every registered job whose occurrence is due at `now` (default: the current
    time) and not yet claimed by another worker; returns how many jobs ran."""
    now = now or timezone.now()
    jobs = dict(_jobs)
    if not jobs:
        return 0
    _ensure_rows(jobs.values(), now)
    ran = 0
    for row in _claim(jobs, now):
        error = _run(jobs[row.key])
        ScheduledJob.objects.filter(pk=row.pk).update(
            runs=F("runs") + 1,
            failures=F("failures") + (1 if error else 0),
            last_error=error,
            last_finished_at=timezone.now(),
        )
        ran += 1
    return ran
