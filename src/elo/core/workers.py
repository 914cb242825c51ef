"""The `elo worker` processes: their heartbeats, and returning a dead worker's tasks to the queue.

Every worker writes a `WorkerHeartbeat` row when it starts (its id is the worker id that the
database queue stores on each task it claims) and touches it every few seconds. A worker
whose row has not been touched for `stale_after` seconds is dead: its tasks still marked
RUNNING go back to READY, so another worker runs them. A task may therefore run more than
once when a worker dies mid-task; tasks are written to be idempotent (see STYLE.md).
"""

from __future__ import annotations

import logging
import os
import socket
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import get_random_string
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from elo.core.models import WorkerHeartbeat

logger = logging.getLogger(__name__)

STALE_AFTER = 60.0
KEEP_STOPPED = timedelta(days=7)


def new_worker_id() -> str:
    """A worker id unique across the pool that still says where the worker runs."""
    return f"{socket.gethostname()[:40]}-{os.getpid()}-{get_random_string(8)}"


def worker_start(*, worker_id: str, backend: str = "") -> WorkerHeartbeat:
    """Records a starting worker process; forgets long-stopped ones.

    A worker id is unique across the pool, so a worker restarted under its old id (e.g. by
    a process manager) knows its previous run is gone: that run's tasks go back to the
    queue at once instead of after `stale_after`.
    """
    now = timezone.now()
    WorkerHeartbeat.objects.filter(stopped_at__lt=now - KEEP_STOPPED).delete()
    with transaction.atomic():
        _requeue_tasks_of({worker_id})
        heartbeat, _ = WorkerHeartbeat.objects.update_or_create(
            id=worker_id,
            defaults={
                "host": socket.gethostname()[:255],
                "pid": os.getpid(),
                "backend": backend[:200],
                "started_at": now,
                "last_seen_at": now,
                "stopped_at": None,
                "reaped_at": None,
                "tasks_done": 0,
                "tasks_failed": 0,
            },
        )
    return heartbeat


def worker_beat(*, worker_id: str, tasks_done: int, tasks_failed: int) -> None:
    """Says the worker is alive, with its task counts so far."""
    WorkerHeartbeat.objects.filter(pk=worker_id).update(
        last_seen_at=timezone.now(),
        reaped_at=None,
        tasks_done=tasks_done,
        tasks_failed=tasks_failed,
    )


def worker_stop(*, worker_id: str, tasks_done: int, tasks_failed: int) -> None:
    """Records a clean exit. The row stays for the status page, and its last-seen time is
    left alone so that a task interrupted by a forced exit is still re-queued."""
    WorkerHeartbeat.objects.filter(pk=worker_id).update(
        stopped_at=timezone.now(), tasks_done=tasks_done, tasks_failed=tasks_failed
    )


def requeue_orphaned_tasks(*, stale_after: float = STALE_AFTER) -> int:
    """Returns to the queue the RUNNING tasks of workers silent for `stale_after` seconds;
    returns how many went back. Safe to call from every worker at once: each dead worker is
    handled by the one caller that locks its row, and a task is only reset while it is still
    the same run (same start time) of that worker."""
    now = timezone.now()
    cutoff = now - timedelta(seconds=stale_after)
    with transaction.atomic():
        dead = WorkerHeartbeat.objects.filter(last_seen_at__lt=cutoff, reaped_at__isnull=True)
        if transaction.get_connection().features.has_select_for_update_skip_locked:
            dead = dead.select_for_update(skip_locked=True)
        dead_ids = set(dead.values_list("id", flat=True))
        if not dead_ids:
            return 0
        requeued = _requeue_tasks_of(dead_ids)
        WorkerHeartbeat.objects.filter(pk__in=dead_ids).update(reaped_at=now)
    return requeued


def _requeue_tasks_of(worker_ids: set[str]) -> int:
    """Puts back to READY the RUNNING tasks last claimed by one of `worker_ids`."""
    requeued = 0
    running = DBTaskResult.objects.filter(status=TaskResultStatus.RUNNING).values_list(
        "id", "worker_ids", "started_at"
    )
    for task_id, claimed_by, started_at in running:
        if not claimed_by or claimed_by[-1] not in worker_ids:
            continue
        requeued += DBTaskResult.objects.filter(
            pk=task_id, status=TaskResultStatus.RUNNING, started_at=started_at
        ).update(status=TaskResultStatus.READY, started_at=None)
        logger.warning("task %s of gone worker %s returned to the queue", task_id, claimed_by[-1])
    return requeued
