"""`elo worker` processes on the database queue: several share it without running a task
twice, a heartbeat row per worker, and a worker killed mid-task loses nothing."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import redis
from django.db import connection
from django.utils import timezone
from django_tasks import TaskContext, task
from django_tasks_db.compat import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from elo.core import workers
from elo.core.models import Tag, WorkerHeartbeat

ROOT = Path(__file__).resolve().parents[2]


@task()
def make_tag(number: int) -> None:
    """Fails when run a second time for the same number: the slug is unique."""
    Tag.objects.create(name=f"run {number}", slug=f"run-{number}")


@task(takes_context=True)
def slow_on_first_attempt(context: TaskContext, slug: str) -> None:
    if context.attempt == 1:
        Tag.objects.create(name="started", slug=f"{slug}-started")
        time.sleep(300)
    Tag.objects.create(name="done", slug=slug)


def enqueue_in_database(task_path: str, argument_lists: list[list[Any]]) -> list[DBTaskResult]:
    """Puts tasks on the database queue (the tests' own backend runs tasks at enqueue)."""
    return DBTaskResult.objects.bulk_create(
        [
            DBTaskResult(
                id=uuid.uuid4(),
                args_kwargs={"args": arguments, "kwargs": {}},
                task_path=task_path,
                backend_name="default",
                queue_name="default",
                run_after=get_date_max(),
            )
            for arguments in argument_lists
        ],
        batch_size=2000,
    )


def database_url() -> str:
    db = connection.settings_dict
    return f"postgres://{db['USER']}:{db['PASSWORD']}@{db['HOST']}:{db['PORT']}/{db['NAME']}"


def worker_env(database: str) -> dict[str, str]:
    return {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "elo.settings",
        "ELO_DATABASE_URL": database,
        "ELO_TASKS_BACKEND": "django_tasks_db.DatabaseBackend",
    }


@pytest.fixture
def start_worker(tmp_path: Path) -> Iterator[Callable[..., subprocess.Popen[bytes]]]:
    """Starts real `elo worker` processes on the test database; stops them afterwards."""
    started: list[subprocess.Popen[bytes]] = []

    def start(
        worker_id: str,
        *options: str,
        database: str = "",
        environment: dict[str, str] | None = None,
    ) -> subprocess.Popen[bytes]:
        log = (tmp_path / f"{worker_id}.log").open("wb")
        process = subprocess.Popen(
            [sys.executable, "-m", "elo.cli", "worker", "-v0", "--worker-id", worker_id, *options],
            cwd=ROOT,
            env={**worker_env(database or database_url()), **(environment or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
    for process in started:
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_for(condition: Callable[[], bool], timeout: float, what: str) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {timeout}s waiting for {what}")
        time.sleep(0.2)


def stop(process: subprocess.Popen[bytes]) -> None:
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=20) == 0


needs_postgres = pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="worker processes share the test database only on PostgreSQL",
)


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_two_workers_run_ten_thousand_tasks_each_exactly_once(start_worker: Any) -> None:
    enqueue_in_database(make_tag.module_path, [[number] for number in range(10_000)])
    options = ("--interval", "0.05", "--heartbeat", "1", "--poll", "2")
    first, second = start_worker("w-one", *options), start_worker("w-two", *options)

    def queue_empty() -> bool:
        assert first.poll() is None and second.poll() is None, "a worker exited"
        return not DBTaskResult.objects.filter(
            status__in=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
        ).exists()

    wait_for(queue_empty, timeout=150, what="10,000 tasks")
    stop(first)
    stop(second)

    assert DBTaskResult.objects.filter(status=TaskResultStatus.FAILED).count() == 0
    assert DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL).count() == 10_000
    assert Tag.objects.filter(slug__startswith="run-").count() == 10_000
    claims = list(DBTaskResult.objects.values_list("worker_ids", flat=True))
    assert all(len(worker_ids) == 1 for worker_ids in claims)
    assert {worker_ids[0] for worker_ids in claims} == {"w-one", "w-two"}
    beats = {beat.id: beat for beat in WorkerHeartbeat.objects.all()}
    assert set(beats) == {"w-one", "w-two"}
    assert sum(beat.tasks_done for beat in beats.values()) == 10_000
    assert all(beat.tasks_failed == 0 and beat.stopped_at for beat in beats.values())
    assert all(beat.pid in {first.pid, second.pid} for beat in beats.values())


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_a_task_of_a_worker_killed_mid_task_is_finished_by_another(start_worker: Any) -> None:
    [queued] = enqueue_in_database(slow_on_first_attempt.module_path, [["invoice-42"]])
    victim = start_worker("w-victim", "--interval", "0.1", "--heartbeat", "0.3")
    wait_for(
        lambda: Tag.objects.filter(slug="invoice-42-started").exists(), 30, "the task to start"
    )
    queued.refresh_from_db()
    assert (queued.status, queued.worker_ids) == (TaskResultStatus.RUNNING, ["w-victim"])

    victim.send_signal(signal.SIGKILL)
    victim.wait(timeout=10)
    rescuer = start_worker(
        "w-rescuer", "--interval", "0.1", "--heartbeat", "0.3", "--stale-after", "2"
    )

    def finished() -> bool:
        queued.refresh_from_db()
        return queued.status == TaskResultStatus.SUCCESSFUL

    wait_for(finished, timeout=40, what="another worker to finish the task")
    assert queued.worker_ids == ["w-victim", "w-rescuer"]
    assert Tag.objects.filter(slug="invoice-42").count() == 1
    dead = WorkerHeartbeat.objects.get(pk="w-victim")
    assert dead.reaped_at is not None and dead.stopped_at is None
    stop(rescuer)


@pytest.mark.django_db
def test_only_the_tasks_of_silent_workers_go_back_to_the_queue() -> None:
    now = timezone.now()
    WorkerHeartbeat.objects.create(id="alive", host="a", pid=1, last_seen_at=now)
    WorkerHeartbeat.objects.create(
        id="silent", host="b", pid=2, last_seen_at=now - timedelta(seconds=90)
    )
    alive_task, silent_task, finished_task = enqueue_in_database(
        make_tag.module_path, [[1], [2], [3]]
    )
    DBTaskResult.objects.filter(pk=alive_task.pk).update(
        status=TaskResultStatus.RUNNING, worker_ids=["alive"], started_at=now
    )
    DBTaskResult.objects.filter(pk=silent_task.pk).update(
        status=TaskResultStatus.RUNNING, worker_ids=["alive", "silent"], started_at=now
    )
    DBTaskResult.objects.filter(pk=finished_task.pk).update(
        status=TaskResultStatus.SUCCESSFUL, worker_ids=["silent"], started_at=now
    )

    assert workers.requeue_orphaned_tasks(stale_after=60) == 1
    statuses = dict(DBTaskResult.objects.values_list("pk", "status"))
    assert statuses == {
        alive_task.pk: TaskResultStatus.RUNNING,
        silent_task.pk: TaskResultStatus.READY,
        finished_task.pk: TaskResultStatus.SUCCESSFUL,
    }
    assert workers.requeue_orphaned_tasks(stale_after=60) == 0
    assert WorkerHeartbeat.objects.get(pk="silent").reaped_at is not None
    assert WorkerHeartbeat.objects.get(pk="alive").reaped_at is None


@pytest.mark.django_db
def test_heartbeat_records_the_worker_and_its_counts() -> None:
    workers.worker_start(worker_id="w-1", backend="django_tasks_db.DatabaseBackend")
    workers.worker_beat(worker_id="w-1", tasks_done=7, tasks_failed=1)
    beat = WorkerHeartbeat.objects.get()
    assert (beat.pid, beat.tasks_done, beat.tasks_failed, beat.stopped_at) == (
        os.getpid(),
        7,
        1,
        None,
    )
    workers.worker_stop(worker_id="w-1", tasks_done=9, tasks_failed=1)
    beat.refresh_from_db()
    assert beat.tasks_done == 9 and beat.stopped_at is not None


@pytest.mark.django_db
def test_a_worker_restarted_under_its_id_requeues_its_previous_runs_tasks_at_once() -> None:
    [task_result] = enqueue_in_database(make_tag.module_path, [[1]])
    workers.worker_start(worker_id="w-1")
    DBTaskResult.objects.filter(pk=task_result.pk).update(
        status=TaskResultStatus.RUNNING, worker_ids=["w-1"], started_at=timezone.now()
    )
    workers.worker_start(worker_id="w-1")
    task_result.refresh_from_db()
    assert (task_result.status, task_result.started_at) == (TaskResultStatus.READY, None)
    assert WorkerHeartbeat.objects.count() == 1


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the SQLite queue")
def test_two_workers_share_a_sqlite_queue(tmp_path: Path, start_worker: Any) -> None:
    database = f"sqlite:///{tmp_path / 'queue.sqlite3'}"
    env = {**worker_env(database), "ELO_DATA_DIR": str(tmp_path)}
    subprocess.run([sys.executable, "-m", "elo.cli", "migrate", "-v0"], env=env, check=True)
    enqueue = (
        "import django; django.setup();"
        "from tests.core.test_worker import enqueue_in_database, make_tag;"
        "enqueue_in_database(make_tag.module_path, [[n] for n in range(300)])"
    )
    subprocess.run([sys.executable, "-c", enqueue], env=env, cwd=ROOT, check=True)
    options = ("--interval", "0.05", "--heartbeat", "1")
    first = start_worker("s-one", *options, database=database)
    second = start_worker("s-two", *options, database=database)

    def count(sql: str) -> list[tuple[Any, ...]]:
        with sqlite3.connect(tmp_path / "queue.sqlite3", timeout=20) as db:
            return db.execute(sql).fetchall()

    table = DBTaskResult._meta.db_table
    wait_for(
        lambda: (
            count(f"SELECT count(*) FROM {table} WHERE status = 'SUCCESSFUL'") == [(300,)]
            or count(f"SELECT count(*) FROM {table} WHERE status IN ('READY', 'RUNNING')") == [(0,)]
        ),
        timeout=90,
        what="300 tasks",
    )
    stop(first)
    stop(second)
    assert count(f"SELECT status, count(*) FROM {table} GROUP BY status") == [("SUCCESSFUL", 300)]
    assert count("SELECT count(*) FROM core_tag") == [(300,)]
    assert count(f"SELECT count(*) FROM {table} WHERE json_array_length(worker_ids) != 1") == [(0,)]


@pytest.fixture(scope="module")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real redis-server on 127.0.0.1 on a free port, for this module's tests."""
    binary = shutil.which("redis-server")
    if binary is None:
        if os.environ.get("ELO_REQUIRE_REDIS") == "1":
            pytest.fail("ELO_REQUIRE_REDIS=1 and redis-server is not installed")
        pytest.skip("redis-server is not installed (apt-get install redis-server)")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    directory = tmp_path_factory.mktemp("redis")
    server = subprocess.Popen(
        [binary, "--bind", "127.0.0.1", "--port", str(port), "--save", "", "--appendonly", "no",
         "--dir", str(directory)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )  # fmt: skip
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    try:
        wait_for(lambda: _answers(client), timeout=15, what="redis-server to start")
        yield url
    finally:
        client.close()
        server.terminate()
        server.wait(timeout=10)


def _answers(client: redis.Redis) -> bool:
    try:
        return bool(client.ping())
    except redis.ConnectionError:
        return False


@pytest.fixture
def rq_backend(settings: Any, redis_url: str) -> str:
    """Switches the task backend to RQ on the test's Redis by settings alone."""
    redis.Redis.from_url(redis_url).flushdb()
    settings.TASKS = {"default": {"BACKEND": "django_tasks_rq.RQBackend"}}
    settings.RQ_QUEUES = {"default": {"URL": redis_url}}
    return redis_url


@pytest.mark.django_db
def test_outbox_delivery_runs_on_redis_through_rq(
    rq_backend: str, django_capture_on_commit_callbacks: Any
) -> None:
    import django_rq
    from django_tasks_rq.backend import Job as RQJob

    from elo.core import events
    from elo.core.models import OutboxEvent

    delivered: list[dict[str, Any]] = []

    def handler(event: OutboxEvent) -> None:
        delivered.append(event.payload)

    events.subscribe("test.rq.*", handler)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            event = events.emit("test.rq.pinged", {"deal": 7})
        queue = django_rq.get_queue("default", job_class=RQJob)
        assert queue.count == 1
        assert delivered == []  # queued in Redis, not run at enqueue

        handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            worker = django_rq.get_worker("default", job_class=RQJob)
            assert type(worker).__name__ == "SimpleWorker"
            worker.work(burst=True)
        finally:
            for sig, previous in handlers.items():
                signal.signal(sig, previous)
    finally:
        events.unsubscribe("test.rq.*", handler)

    assert delivered == [{"deal": 7}]
    event.refresh_from_db()
    assert event.delivered_at is not None and event.attempts == 1
    assert queue.count == 0


@needs_postgres
@pytest.mark.django_db(transaction=True)
def test_elo_worker_runs_rq_tasks_when_configured_for_redis(
    rq_backend: str, start_worker: Any, tmp_path: Path
) -> None:
    results = [make_tag.enqueue(number) for number in range(20)]
    assert {result.status for result in results} == {TaskResultStatus.READY}
    worker = start_worker(
        "rq-one",
        "--heartbeat",
        "0.5",
        database=database_url(),
        environment={"ELO_TASKS_BACKEND": "django_tasks_rq.RQBackend", "ELO_REDIS_URL": rq_backend},
    )
    wait_for(lambda: Tag.objects.filter(slug__startswith="run-").count() == 20, 60, "20 tasks")
    for result in results:
        result.refresh()
    assert {result.status for result in results} == {TaskResultStatus.SUCCESSFUL}
    wait_for(
        lambda: WorkerHeartbeat.objects.filter(pk="rq-one", tasks_done=20).exists(), 10, "beat"
    )
    assert WorkerHeartbeat.objects.get().backend == "django_tasks_rq.backend.RQBackend"
    stop(worker)
    assert not DBTaskResult.objects.exists()  # nothing went through the database queue
