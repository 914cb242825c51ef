"""The scheduler: cron and interval arithmetic (daylight saving included), one run per
occurrence with several workers, failures recorded and retried at the next occurrence."""

from __future__ import annotations

import threading
from datetime import UTC, datetime
from typing import Any

import pytest
from django.db import connection

from elo.core import schedule
from elo.core.models import AuditEntry, ScheduledJob


def utc(*parts: int) -> datetime:
    return datetime(*parts, tzinfo=UTC)


@pytest.fixture(autouse=True)
def only_test_jobs(monkeypatch: pytest.MonkeyPatch) -> None:
    """The apps' own jobs (registered in ready()) stay out of these tests."""
    monkeypatch.setattr(schedule, "_jobs", {})


@pytest.mark.parametrize(
    ("spec", "after", "expected"),
    [
        ("every 5m", utc(2026, 3, 28, 12, 2, 30), utc(2026, 3, 28, 12, 5)),
        ("every 5m", utc(2026, 3, 28, 12, 5), utc(2026, 3, 28, 12, 10)),
        ("every 30s", utc(2026, 3, 28, 12, 0, 29), utc(2026, 3, 28, 12, 0, 30)),
        ("every 2h", utc(2026, 3, 28, 13, 0), utc(2026, 3, 28, 14, 0)),
        ("*/15 * * * *", utc(2026, 3, 28, 12, 0), utc(2026, 3, 28, 12, 15)),
        ("@daily", utc(2026, 3, 28, 12, 0), utc(2026, 3, 29, 0, 0)),
    ],
    ids=["interval-mid", "interval-on-boundary", "seconds", "hours", "cron-step", "alias"],
)
def test_next_run_in_utc(spec: str, after: datetime, expected: datetime) -> None:
    assert schedule.next_run(spec, after) == expected


@pytest.mark.parametrize(
    ("spec", "after", "expected"),
    [
        # 29 March 2026: Lisbon jumps from 01:00 WET to 02:00 WEST; 01:30 never happens,
        # so the 01:30 job runs right after the jump (02:00 WEST = 01:00 UTC), once.
        ("30 1 * * *", utc(2026, 3, 28, 12, 0), utc(2026, 3, 29, 1, 0)),
        ("30 1 * * *", utc(2026, 3, 29, 1, 0), utc(2026, 3, 30, 0, 30)),
        # Summer time: 09:00 in Lisbon is 08:00 UTC.
        ("0 9 * * 1-5", utc(2026, 3, 29, 12, 0), utc(2026, 3, 30, 8, 0)),
        # 25 October 2026: 01:00-02:00 happens twice; the 01:30 job runs once (in WEST).
        ("30 1 * * *", utc(2026, 10, 25, 0, 0), utc(2026, 10, 25, 0, 30)),
        ("30 1 * * *", utc(2026, 10, 25, 0, 30), utc(2026, 10, 26, 1, 30)),
        ("30 1 * * *", utc(2026, 10, 25, 1, 10), utc(2026, 10, 26, 1, 30)),
        # An hourly job keeps firing every real hour through the repeated hour.
        ("0 * * * *", utc(2026, 10, 25, 0, 0), utc(2026, 10, 25, 1, 0)),
        # Intervals count real time, whatever the clocks do.
        ("every 1h", utc(2026, 3, 29, 0, 30), utc(2026, 3, 29, 1, 0)),
    ],
    ids=[
        "spring-skipped-time",
        "spring-next-day",
        "summer-offset",
        "autumn-first-pass",
        "autumn-not-twice",
        "autumn-inside-repeat",
        "autumn-hourly",
        "interval-ignores-dst",
    ],
)
def test_cron_follows_the_site_time_zone_across_dst(
    settings: Any, spec: str, after: datetime, expected: datetime
) -> None:
    settings.TIME_ZONE = "Europe/Lisbon"
    assert schedule.next_run(spec, after) == expected


@pytest.mark.parametrize(
    "spec", ["every 0m", "every 5d", "*/5 * * *", "61 * * * *", "soon"], ids=str
)
def test_register_refuses_a_bad_spec(spec: str) -> None:
    with pytest.raises(ValueError):
        schedule.register("bad", spec, lambda: None)
    assert "bad" not in schedule.registered()


@pytest.mark.django_db
def test_an_occurrence_runs_once_at_its_time() -> None:
    calls: list[str] = []
    schedule.register("test.tick", "every 5m", lambda: calls.append("tick"))

    assert schedule.run_due(utc(2026, 5, 4, 10, 1)) == 0
    job = ScheduledJob.objects.get(key="test.tick")
    assert job.next_run_at == utc(2026, 5, 4, 10, 5)
    assert schedule.run_due(utc(2026, 5, 4, 10, 4, 59)) == 0

    assert schedule.run_due(utc(2026, 5, 4, 10, 5)) == 1
    assert schedule.run_due(utc(2026, 5, 4, 10, 5)) == 0
    assert schedule.run_due(utc(2026, 5, 4, 10, 9)) == 0
    assert calls == ["tick"]
    job.refresh_from_db()
    assert (job.runs, job.failures, job.last_error) == (1, 0, "")
    assert (job.last_run_at, job.next_run_at) == (utc(2026, 5, 4, 10, 5), utc(2026, 5, 4, 10, 10))


@pytest.mark.django_db
def test_missed_occurrences_run_once_not_once_each() -> None:
    calls: list[str] = []
    schedule.register("test.tick", "every 1m", lambda: calls.append("tick"))
    schedule.run_due(utc(2026, 5, 4, 10, 0, 30))

    assert schedule.run_due(utc(2026, 5, 4, 11, 0, 30)) == 1  # an hour without a worker
    assert calls == ["tick"]
    assert ScheduledJob.objects.get().next_run_at == utc(2026, 5, 4, 11, 1)


@pytest.mark.django_db
def test_a_failing_job_is_recorded_and_retried_at_its_next_occurrence() -> None:
    outcomes = iter([RuntimeError("mail server down"), None])
    calls: list[str] = []

    def flaky() -> None:
        calls.append("flaky")
        error = next(outcomes)
        if error:
            raise error

    schedule.register("test.flaky", "*/10 * * * *", flaky)
    schedule.register("test.steady", "*/10 * * * *", lambda: calls.append("steady"))
    schedule.run_due(utc(2026, 5, 4, 10, 1))

    assert schedule.run_due(utc(2026, 5, 4, 10, 10)) == 2
    assert sorted(calls) == ["flaky", "steady"]
    flaky_row = ScheduledJob.objects.get(key="test.flaky")
    assert (flaky_row.runs, flaky_row.failures) == (1, 1)
    assert "RuntimeError: mail server down" in flaky_row.last_error
    assert flaky_row.next_run_at == utc(2026, 5, 4, 10, 20)
    assert ScheduledJob.objects.get(key="test.steady").last_error == ""

    assert schedule.run_due(utc(2026, 5, 4, 10, 15)) == 0  # no retry before the next one
    assert schedule.run_due(utc(2026, 5, 4, 10, 20)) == 2
    flaky_row.refresh_from_db()
    assert (flaky_row.runs, flaky_row.failures, flaky_row.last_error) == (2, 1, "")


@pytest.mark.django_db
def test_a_job_runs_as_the_system_under_its_own_name() -> None:
    from elo.core import audit, context

    def job() -> None:
        actor = context.current_actor()
        assert actor is not None
        audit.record(action="test.scheduled", changes={})

    schedule.register("test.audited", "every 1m", job)
    schedule.run_due(utc(2026, 5, 4, 10, 0, 30))
    schedule.run_due(utc(2026, 5, 4, 10, 1))
    entry = AuditEntry.objects.get(action="test.scheduled")
    assert (entry.actor_kind, entry.actor_label) == ("system", "schedule:test.audited")


@pytest.mark.django_db
def test_a_changed_spec_takes_effect_at_once() -> None:
    schedule.register("test.tick", "0 3 * * *", lambda: None)
    schedule.run_due(utc(2026, 5, 4, 10, 0))
    assert ScheduledJob.objects.get().next_run_at == utc(2026, 5, 5, 3, 0)

    schedule.register("test.tick", "every 15m", lambda: None)
    schedule.run_due(utc(2026, 5, 4, 10, 1))
    job = ScheduledJob.objects.get()
    assert (job.spec, job.next_run_at) == ("every 15m", utc(2026, 5, 4, 10, 15))


@pytest.mark.django_db(transaction=True)
def test_several_workers_run_each_occurrence_once() -> None:
    if connection.vendor != "postgresql":
        pytest.skip("SQLite serialises writers; the race needs concurrent transactions")
    calls: list[datetime] = []
    lock = threading.Lock()
    schedule.register("test.once", "every 1m", lambda: None)
    schedule.run_due(utc(2026, 5, 4, 10, 0, 30))
    occurrences = [utc(2026, 5, 4, 10, minute) for minute in range(1, 21)]

    def record(at: datetime) -> None:
        with lock:
            calls.append(at)

    errors: list[BaseException] = []
    for at in occurrences:
        schedule.register("test.once", "every 1m", lambda at=at: record(at))
        start = threading.Barrier(4)

        def claimer(at: datetime = at, start: threading.Barrier = start) -> None:
            try:
                start.wait()
                schedule.run_due(at)
            except BaseException as error:
                errors.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=claimer) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

    assert not errors
    assert calls == occurrences
    assert ScheduledJob.objects.get(key="test.once").runs == 20
