"""Health and system status: is the database answering, how full is the task queue, which
workers are alive, how the outbox and the scheduled jobs are doing. Read-only."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from django.db import DatabaseError, connections
from django.db.models import Count, Min, Q
from django.utils import timezone
from django_tasks import task_backends
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from elo.core import workers
from elo.core.models import OutboxEvent, ScheduledJob, WorkerHeartbeat

logger = logging.getLogger(__name__)

RECENT_FAILURES = 10
WORKERS_SHOWN = 50
STOPPED_WORKERS_SHOWN_FOR = timedelta(days=1)


def database_answers(using: str = "default") -> bool:
    """True when the database runs a trivial query."""
    try:
        with connections[using].cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        logger.warning("health check: database %s does not answer", using, exc_info=True)
        return False
    return True


@dataclass
class TaskQueueStatus:
    backend: str
    ready: int = 0
    running: int = 0
    successful: int = 0
    failed: int = 0
    available: bool = True
    recent_failures: list[dict[str, Any]] = field(default_factory=list)


@dataclass
class SystemStatus:
    tasks: TaskQueueStatus
    outbox_pending: int
    outbox_failed: int
    outbox_oldest_pending_at: datetime | None
    workers: list[WorkerHeartbeat]
    schedules: list[ScheduledJob]
    checked_at: datetime


def _database_queue(backend_path: str) -> TaskQueueStatus:
    status = TaskQueueStatus(backend=backend_path)
    counts = dict(DBTaskResult.objects.order_by().values_list("status").annotate(count=Count("id")))
    status.ready = counts.get(TaskResultStatus.READY, 0)
    status.running = counts.get(TaskResultStatus.RUNNING, 0)
    status.successful = counts.get(TaskResultStatus.SUCCESSFUL, 0)
    status.failed = counts.get(TaskResultStatus.FAILED, 0)
    failures = (
        DBTaskResult.objects.filter(status=TaskResultStatus.FAILED)
        .order_by("-finished_at")
        .values("id", "task_path", "finished_at", "exception_class_path", "worker_ids")[
            :RECENT_FAILURES
        ]
    )
    status.recent_failures = [
        {
            "id": str(row["id"]),
            "task": row["task_path"],
            "finished_at": row["finished_at"],
            "error": row["exception_class_path"],
            "worker": row["worker_ids"][-1] if row["worker_ids"] else "",
        }
        for row in failures
    ]
    return status


def _rq_queue(backend: Any, backend_path: str) -> TaskQueueStatus:
    import django_rq
    from rq.registry import FailedJobRegistry, FinishedJobRegistry, StartedJobRegistry

    status = TaskQueueStatus(backend=backend_path)
    try:
        for name in sorted(backend.queues):
            queue = django_rq.get_queue(name)
            status.ready += queue.count
            status.running += StartedJobRegistry(queue=queue).count
            status.successful += FinishedJobRegistry(queue=queue).count
            status.failed += FailedJobRegistry(queue=queue).count
    except Exception:  # Redis down: the page still shows the rest
        logger.warning("system status: the RQ queues do not answer", exc_info=True)
        status.available = False
    return status


def task_queue_status() -> TaskQueueStatus:
    from django_tasks_rq.backend import RQBackend

    backend = task_backends["default"]
    backend_path = f"{type(backend).__module__}.{type(backend).__name__}"
    if isinstance(backend, RQBackend):
        return _rq_queue(backend, backend_path)
    return _database_queue(backend_path)


def worker_alive(worker: WorkerHeartbeat, now: datetime | None = None) -> bool:
    now = now or timezone.now()
    return worker.stopped_at is None and worker.last_seen_at >= now - timedelta(
        seconds=workers.STALE_AFTER
    )


def system_status() -> SystemStatus:
    """Everything an operator checks first, in a fixed handful of queries."""
    now = timezone.now()
    pending = OutboxEvent.objects.filter(
        delivered_at__isnull=True, failed_at__isnull=True
    ).aggregate(count=Count("id"), oldest=Min("created_at"))
    shown = WorkerHeartbeat.objects.filter(
        Q(stopped_at__isnull=True) | Q(stopped_at__gte=now - STOPPED_WORKERS_SHOWN_FOR)
    ).order_by("-last_seen_at")[:WORKERS_SHOWN]
    return SystemStatus(
        tasks=task_queue_status(),
        outbox_pending=pending["count"],
        outbox_failed=OutboxEvent.objects.filter(failed_at__isnull=False).count(),
        outbox_oldest_pending_at=pending["oldest"],
        workers=list(shown),
        schedules=list(ScheduledJob.objects.order_by("key")),
        checked_at=now,
    )
