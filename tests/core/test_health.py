"""/healthz for load balancers, and the system status operators read (page and API)."""

from __future__ import annotations

import socket
import uuid
from datetime import timedelta
from typing import Any

import pytest
from django.db import OperationalError, connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult, get_date_max

from elo.core import schedule
from elo.core.models import OutboxEvent, WorkerHeartbeat


@pytest.mark.django_db
def test_healthz_answers_without_signing_in(
    client: Any, django_assert_max_num_queries: Any
) -> None:
    with django_assert_max_num_queries(1):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


@pytest.mark.django_db(transaction=True)
def test_healthz_answers_503_when_the_database_is_unreachable(client: Any) -> None:
    if connection.vendor != "postgresql":
        pytest.skip("an in-memory SQLite test database cannot be taken away")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    saved = dict(connection.settings_dict)
    connection.close()
    connection.settings_dict.update(HOST="127.0.0.1", PORT=str(closed_port))
    try:
        response = client.get("/healthz")
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)
    assert response.status_code == 503
    assert response.json() == {"status": "error", "database": "unavailable"}


@pytest.mark.django_db
def test_healthz_answers_503_when_the_database_errors(client: Any) -> None:
    def refuse(*args: Any) -> Any:
        raise OperationalError("server closed the connection unexpectedly")

    with connection.execute_wrapper(refuse):
        response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "unavailable"


def _queue(status: str, *, worker: str = "", error: str = "", minutes_ago: int = 0) -> None:
    finished = timezone.now() - timedelta(minutes=minutes_ago)
    DBTaskResult.objects.create(
        id=uuid.uuid4(),
        status=status,
        args_kwargs={"args": [], "kwargs": {}},
        task_path="elo.core.tasks.deliver_outbox",
        backend_name="default",
        run_after=get_date_max(),
        worker_ids=[worker] if worker else [],
        finished_at=finished if status in {"SUCCESSFUL", "FAILED"} else None,
        exception_class_path=error,
    )


def _deliver_other_events() -> None:
    """Marks the events of the personas' set-up (users, tokens) delivered."""
    OutboxEvent.objects.exclude(name__startswith="sales.deal.").update(delivered_at=timezone.now())


@pytest.fixture
def busy_system(admin: Any, rep: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    """Two waiting tasks, one running, three done, two failed; outbox with one pending and
    one failed event; a live, a silent and a stopped worker; one scheduled job."""
    for status in ["READY", "READY", "RUNNING", "SUCCESSFUL", "SUCCESSFUL", "SUCCESSFUL"]:
        _queue(status, worker="w-live" if status == "RUNNING" else "")
    _queue("FAILED", worker="w-live", error="builtins.TimeoutError", minutes_ago=5)
    _queue("FAILED", worker="w-live", error="builtins.KeyError", minutes_ago=1)
    now = timezone.now()
    OutboxEvent.objects.create(name="sales.deal.won", payload={})
    OutboxEvent.objects.create(name="sales.deal.lost", payload={}, failed_at=now, attempts=8)
    OutboxEvent.objects.create(name="sales.deal.created", payload={}, delivered_at=now)
    WorkerHeartbeat.objects.create(id="w-live", host="app1", pid=11, tasks_done=3, tasks_failed=2)
    WorkerHeartbeat.objects.create(
        id="w-silent", host="app2", pid=12, last_seen_at=now - timedelta(minutes=10)
    )
    WorkerHeartbeat.objects.create(id="w-stopped", host="app3", pid=13, stopped_at=now)
    WorkerHeartbeat.objects.create(
        id="w-long-gone", host="app4", pid=14, stopped_at=now - timedelta(days=3)
    )
    monkeypatch.setattr(schedule, "_jobs", {})
    schedule.register("core.nightly", "0 3 * * *", lambda: None)
    schedule.run_due()


def test_system_status_api(
    api: Any, admin: Any, rep: Any, busy_system: None, django_assert_max_num_queries: Any
) -> None:
    assert api(None).get("/api/v1/system/status").status_code == 401
    assert api(rep).get("/api/v1/system/status").status_code == 403
    client = api(admin)
    _deliver_other_events()
    with django_assert_max_num_queries(8):
        response = client.get("/api/v1/system/status")
    assert response.status_code == 200, response.content
    body = response.json()
    tasks = body["tasks"]
    assert tasks["backend"] == "django_tasks.backends.immediate.ImmediateBackend"
    assert (tasks["ready"], tasks["running"], tasks["successful"], tasks["failed"]) == (2, 1, 3, 2)
    assert [failure["error"] for failure in tasks["recent_failures"]] == [
        "builtins.KeyError",
        "builtins.TimeoutError",
    ]
    assert tasks["recent_failures"][0]["worker"] == "w-live"
    assert (body["outbox"]["pending"], body["outbox"]["failed"]) == (1, 1)
    assert body["outbox"]["oldest_pending_at"] is not None
    workers = {worker["id"]: worker for worker in body["workers"]}
    assert set(workers) == {"w-live", "w-silent", "w-stopped"}
    assert {name: worker["alive"] for name, worker in workers.items()} == {
        "w-live": True,
        "w-silent": False,
        "w-stopped": False,
    }
    assert (workers["w-live"]["tasks_done"], workers["w-live"]["tasks_failed"]) == (3, 2)
    assert [job["key"] for job in body["schedules"]] == ["core.nightly"]
    assert body["schedules"][0]["spec"] == "0 3 * * *"


def test_system_status_page(
    web: Any,
    admin: Any,
    rep: Any,
    busy_system: None,
    client: Any,
    django_assert_max_num_queries: Any,
) -> None:
    assert client.get("/settings/system/").status_code == 302
    assert web(rep).get("/settings/system/").status_code == 403
    page = web(admin)
    settings_page = page.get("/settings/").content.decode()
    assert 'href="/settings/system/"' in settings_page
    _deliver_other_events()
    with django_assert_max_num_queries(8):
        response = page.get("/settings/system/")
    assert response.status_code == 200
    html = response.content.decode()
    for expected in [
        'data-count="ready">2<',
        'data-count="running">1<',
        'data-count="failed">2<',
        'data-count="outbox-pending">1<',
        'data-count="outbox-failed">1<',
        "w-live",
        "w-silent",
        "builtins.KeyError",
        "core.nightly",
    ]:
        assert expected in html
    assert "w-long-gone" not in html
