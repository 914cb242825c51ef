"""Eight processes writing to one SQLite file at once never see "database is locked"."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from django.db import connection

WRITER = textwrap.dedent(
    """
    import sys
    import django
    django.setup()
    from elo.contacts.services import person_create
    from elo.activities.services import activity_create
    from elo.identity.models import User

    actor = User.objects.get(email="writer@example.com")
    worker = sys.argv[1]
    for index in range(20):
        person = person_create(
            actor=actor,
            data={"given_name": f"W{worker}", "family_name": f"N{index}",
                  "emails": [f"w{worker}.{index}@example.com"]},
        )
        activity_create(actor=actor, data={"kind": "note", "body": "hi", "person": person.pk})
    """
)


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite locking only")
def test_eight_concurrent_writers(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "ELO_DATA_DIR": str(tmp_path),
        "ELO_DATABASE_URL": f"sqlite:///{tmp_path / 'concurrent.sqlite3'}",
        "DJANGO_SETTINGS_MODULE": "elo.settings",
        "ELO_TASKS_BACKEND": "django_tasks.backends.dummy.DummyBackend",
    }
    manage = [sys.executable, "-m", "elo.cli"]
    subprocess.run([*manage, "migrate", "-v0"], env=env, check=True)
    subprocess.run(
        [*manage, "createuser", "--email", "writer@example.com", "--password", "x-Long-pass-1",
         "--role", "admin"],
        env=env, check=True, capture_output=True,
    )  # fmt: skip
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", WRITER, str(n)],
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(8)
    ]
    results = [writer.communicate(timeout=240) for writer in writers]
    errors = [
        err for writer, (_out, err) in zip(writers, results, strict=True) if writer.returncode
    ]
    assert errors == []
    count = subprocess.run(
        [sys.executable, "-c", "import django; django.setup();"
         "from elo.contacts.models import Person; from elo.activities.models import Activity;"
         "print(Person.objects.count(), Activity.objects.count())"],
        env=env, check=True, capture_output=True, text=True,
    ).stdout.split()  # fmt: skip
    assert count == ["160", "160"]
