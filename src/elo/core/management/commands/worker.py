"""`elo worker`: runs background tasks and the periodic work every Elo installation needs.

The main thread runs the task queue of the configured backend: the database queue
(django-tasks-db, claiming tasks with SKIP LOCKED on PostgreSQL) or Redis through RQ. Two
threads beside it:

- heartbeat: touches this worker's `WorkerHeartbeat` row and returns the RUNNING tasks of
  dead workers to the queue (database queue only; RQ re-queues abandoned jobs itself);
- maintenance: delivers due outbox events (retries included) and runs due scheduled jobs.

They are separate so that a long scheduled job never delays the heartbeat.
"""

from __future__ import annotations

import logging
import random
import signal
import sys
import threading
from collections.abc import Callable
from dataclasses import dataclass
from types import FrameType
from typing import Any

import django_rq
from django.core.management.base import BaseCommand, CommandParser
from django.db import OperationalError, close_old_connections, connection
from django.utils import timezone
from django_tasks import TaskResult, task_backends
from django_tasks.signals import task_finished
from django_tasks_db.backend import DatabaseBackend
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker as DatabaseQueueWorker
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction, is_locked_database_exception
from django_tasks_rq.backend import Job as RQJob
from django_tasks_rq.backend import RQBackend

from elo.core import events, schedule, workers

logger = logging.getLogger("elo.worker")


@dataclass
class Counts:
    """Tasks this worker finished, counted from django-tasks' `task_finished` signal, which
    the database queue and RQ both send in the process that ran the task."""

    done: int = 0
    failed: int = 0

    def task_finished(self, sender: Any, task_result: TaskResult, **kwargs: Any) -> None:
        if task_result.status == TaskResultStatus.SUCCESSFUL:
            self.done += 1
        else:
            self.failed += 1

    def snapshot(self) -> tuple[int, int]:
        return self.done, self.failed


class _DatabaseQueueWorker(DatabaseQueueWorker):
    """django-tasks-db's worker, claiming up to `batch_size` tasks per transaction.

    django-tasks-db claims one task per transaction; at a few milliseconds per round trip
    that caps a worker at a few hundred tasks a second. Claiming a small batch at once (rows
    locked with SKIP LOCKED, so workers never share a task) cuts that cost, and a batch this
    small keeps the work spread over the pool. Tasks claimed but not started when the
    worker stops go back to the queue; if it dies, the heartbeat reaper returns them. Running
    a task, its signals and its result are django-tasks-db's own code.
    """

    def __init__(self, *, batch_size: int, **options: Any) -> None:
        super().__init__(**options)
        self.batch_size = batch_size
        self.wake = threading.Event()

    def shutdown(self, signum: int, frame: FrameType | None) -> None:
        """First signal: finish the running task, hand back the rest, exit. Second: exit now."""
        if not self.running:
            logger.warning("%s again: stopping now", signal.strsignal(signum))
            self.reset_signals()
            sys.exit(1)
        logger.warning("%s: stopping after the running task", signal.strsignal(signum))
        self.running = False
        self.wake.set()

    def _claim(self) -> list[DBTaskResult]:
        tasks = DBTaskResult.objects.ready().filter(backend_name=self.backend_name)
        if not self.process_all_queues:
            tasks = tasks.filter(queue_name__in=self.queue_names)
        try:
            with exclusive_transaction(tasks.db):
                claimed = list(tasks.select_for_update(skip_locked=True)[: self.batch_size])
                now = timezone.now()
                for task_result in claimed:
                    task_result.status = TaskResultStatus.RUNNING
                    task_result.started_at = now
                    task_result.worker_ids = [*task_result.worker_ids, self.worker_id]
                if claimed:
                    DBTaskResult.objects.bulk_update(
                        claimed, ["status", "started_at", "worker_ids"]
                    )
        except OperationalError as error:
            if is_locked_database_exception(error):  # SQLite busy: try again shortly
                return []
            raise
        return claimed

    def _release(self, unstarted: list[DBTaskResult]) -> None:
        for task_result in unstarted:
            DBTaskResult.objects.filter(
                pk=task_result.pk,
                status=TaskResultStatus.RUNNING,
                started_at=task_result.started_at,
            ).update(status=TaskResultStatus.READY, started_at=None)

    def run(self) -> None:
        logger.info("worker %s takes tasks from queues %s", self.worker_id, self.queue_names)
        if self.startup_delay and self.interval:
            self.wake.wait(random.random())  # spreads a fleet's first queries
        while self.running:
            close_old_connections()
            claimed = self._claim()
            for position, task_result in enumerate(claimed):
                if not self.running:
                    self._release(claimed[position:])
                    break
                self.run_task(task_result)
            if self.running and not claimed:
                self.wake.wait(self.interval)


def _every(seconds: float, stop: threading.Event, name: str, step: Callable[[], object]) -> None:
    """Runs `step` now and then every `seconds` until `stop`; an error is logged, not fatal."""
    try:
        while not stop.is_set():
            close_old_connections()
            try:
                step()
            except Exception:
                logger.exception("%s failed; trying again in %ss", name, seconds)
            stop.wait(seconds)
    finally:
        connection.close()


class Command(BaseCommand):
    help = (
        "Run background tasks (database queue or RQ), deliver outbox events with retries, "
        "run scheduled jobs and keep this worker's heartbeat."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--poll", type=float, default=5.0, help="seconds between outbox and schedule rounds"
        )
        parser.add_argument(
            "--interval", type=float, default=1.0, help="seconds between looks at an empty queue"
        )
        parser.add_argument(
            "--heartbeat", type=float, default=5.0, help="seconds between heartbeats"
        )
        parser.add_argument(
            "--stale-after",
            type=float,
            default=workers.STALE_AFTER,
            help="seconds without a heartbeat after which a worker counts as dead and its "
            "running tasks go back to the queue",
        )
        parser.add_argument(
            "--queue-name", default="*", help="queues to run, comma-separated ('*': all)"
        )
        parser.add_argument("--worker-id", default="", help="unique across the pool")
        parser.add_argument(
            "--batch-size", type=int, default=10, help="tasks claimed per database transaction"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        logging.basicConfig(
            level=logging.INFO if options["verbosity"] >= 1 else logging.WARNING,
            format="%(asctime)s %(levelname)s %(name)s: %(message)s",
        )
        backend = task_backends["default"]
        worker_id = options["worker_id"] or workers.new_worker_id()
        counts = Counts()
        task_finished.connect(counts.task_finished, weak=False)
        is_database_queue = isinstance(backend, DatabaseBackend)
        workers.worker_start(
            worker_id=worker_id, backend=f"{type(backend).__module__}.{type(backend).__name__}"
        )
        logger.info("worker %s started on %s", worker_id, type(backend).__name__)

        def heartbeat() -> None:
            done, failed = counts.snapshot()
            workers.worker_beat(worker_id=worker_id, tasks_done=done, tasks_failed=failed)
            if is_database_queue:
                workers.requeue_orphaned_tasks(stale_after=options["stale_after"])

        def maintenance() -> None:
            events.deliver_pending()
            schedule.run_due()

        stop = threading.Event()
        threads = [
            threading.Thread(
                target=_every,
                args=(options["heartbeat"], stop, "heartbeat", heartbeat),
                name="heartbeat",
                daemon=True,
            ),
            threading.Thread(
                target=_every,
                args=(options["poll"], stop, "outbox and schedule", maintenance),
                name="maintenance",
                daemon=True,
            ),
        ]
        for thread in threads:
            thread.start()
        try:
            if is_database_queue:
                self._run_database_queue(options, worker_id, backend.alias)
            elif isinstance(backend, RQBackend):
                self._run_rq(backend, options, worker_id)
            else:
                self._run_threads_only()
        finally:
            stop.set()
            for thread in threads:
                thread.join(timeout=10)
            close_old_connections()
            done, failed = counts.snapshot()
            workers.worker_stop(worker_id=worker_id, tasks_done=done, tasks_failed=failed)
            logger.info("worker %s stopped", worker_id)

    def _run_database_queue(self, options: dict[str, Any], worker_id: str, alias: str) -> None:
        queue_worker = _DatabaseQueueWorker(
            batch_size=options["batch_size"],
            queue_names=options["queue_name"].split(","),
            interval=options["interval"],
            batch=False,
            backend_name=alias,
            startup_delay=True,
            max_tasks=None,
            worker_id=worker_id,
            excluded_queue_names=[],
        )
        queue_worker.configure_signals()
        queue_worker.run()

    def _run_rq(self, backend: RQBackend, options: dict[str, Any], worker_id: str) -> None:
        """Runs RQ's worker on the backend's queues. RQ keeps its own worker registry and
        moves the jobs of a worker that died to its failed-job registry."""
        queue_names = (
            sorted(backend.queues)
            if options["queue_name"] == "*"
            else options["queue_name"].split(",")
        )
        rq_worker = django_rq.get_worker(*queue_names, job_class=RQJob, name=worker_id)
        connection.close()  # the main thread's; jobs open their own
        rq_worker.work(
            with_scheduler=True, logging_level=logging.getLevelName(logger.getEffectiveLevel())
        )

    def _run_threads_only(self) -> None:
        """Backends that run tasks at enqueue (or nowhere): only the outbox and the schedule."""
        signal.signal(signal.SIGTERM, lambda signum, frame: sys.exit(0))
        try:
            threading.Event().wait()
        except KeyboardInterrupt:
            return
