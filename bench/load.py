"""Loads the workload's CSV files into Elo through its own import service.

`python -m bench.load load` is the process the benchmark times with `/usr/bin/time -v`: it
starts Django, imports companies, contacts and activities with `interchange.services.import_csv`
(the path behind `elo import` and POST /api/v1/imports), finishes with ANALYZE and writes the
per-entity split as JSON. `python -m bench.load verify` checks the loaded database afterwards
(outside the timed process): row counts, and that every person's and organization's Elo id
equals its CSV id, which the detail operation relies on.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

ENTITIES = (
    ("organizations", "companies.csv"),
    ("people", "contacts.csv"),
    ("activities", "activities.csv"),
)
NOT_LOADED = {"deals.csv": "not loaded: Elo has no deals yet (they join with the sales app)"}
IMPORT_PATH = "elo.interchange.services.import_csv (the `elo import` and API path)"


def _django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "elo.settings")
    import django

    django.setup()


def _admin(email: str) -> Any:
    from elo.identity.models import User

    actor = User.objects.filter(email=email.lower(), is_active=True).first()
    if actor is None:
        raise SystemExit(f"bench.load: no active user {email}; create the admin first.")
    return actor


def load(data: Path, admin_email: str) -> dict[str, Any]:
    started = time.perf_counter()
    _django()
    from django.db import connection

    from elo.core import context
    from elo.interchange import services

    report: dict[str, Any] = {"django_setup_s": round(time.perf_counter() - started, 3)}
    actor = _admin(admin_email)
    entities: dict[str, Any] = {}
    failed = False
    for entity, filename in ENTITIES:
        begun = time.perf_counter()
        with (
            context.acting(
                context.Actor(kind="user", user_id=actor.pk, label=f"{actor.email} (bench load)")
            ),
            (data / filename).open(encoding="utf-8", newline="") as stream,
        ):
            run = services.import_csv(actor=actor, entity=entity, stream=stream, filename=filename)
        entities[filename] = {
            "entity": entity,
            "path": IMPORT_PATH,
            "seconds": round(time.perf_counter() - begun, 3),
            "rows": run.total_rows,
            "created": run.created_count,
            "updated": run.updated_count,
            "rejected": run.rejected_count,
            "batches": run.batches,
            "batches_failed": run.batches_failed,
            "first_rejections": run.rejected[:5],
        }
        failed = failed or bool(run.rejected_count)
    for filename, reason in NOT_LOADED.items():
        entities[filename] = {"entity": None, "path": reason, "seconds": None}
    begun = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    report["analyze_s"] = round(time.perf_counter() - begun, 3)
    report["entities"] = entities
    report["in_process_s"] = round(time.perf_counter() - started, 3)
    report["ok"] = not failed
    return report


def verify(data: Path) -> dict[str, Any]:
    """Counts and the id mapping of the loaded database; `problems` lists what is wrong."""
    _django()

    from elo.activities.models import Activity
    from elo.contacts.models import Organization, Person

    problems: list[str] = []
    expected = {}
    for _entity, filename in ENTITIES:
        with (data / filename).open(encoding="utf-8", newline="") as stream:
            expected[filename] = sum(1 for _row in csv.reader(stream)) - 1
    counts = {
        "companies.csv": Organization.objects.count(),
        "contacts.csv": Person.objects.count(),
        "activities.csv": Activity.objects.count(),
    }
    for filename, count in counts.items():
        if count != expected[filename]:
            problems.append(f"{filename}: {count} rows in Elo, {expected[filename]} in the file")
    for model, label in ((Person, "person"), (Organization, "organization")):
        mismatched = [
            (pk, external)
            for pk, external in model.objects.values_list("pk", "external_id").iterator()
            if str(pk) != external
        ]
        if mismatched:
            problems.append(
                f"{len(mismatched)} {label} ids differ from their CSV ids, e.g. "
                f"{mismatched[:3]} (Elo id, CSV id)"
            )
    company_17 = Organization.objects.filter(external_id="17").values_list("pk", flat=True).first()
    if company_17 is None:
        problems.append("company 17 is not loaded")
    return {
        "counts": counts,
        "expected": expected,
        "company_17_pk": company_17,
        "problems": problems,
    }


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["load", "verify"])
    parser.add_argument("--data", type=Path, required=True, help="folder with the CSV files")
    parser.add_argument("--report", type=Path, required=True, help="JSON written here")
    parser.add_argument("--admin", default="bench-admin@example.com")
    args = parser.parse_args(argv)
    result = load(args.data, args.admin) if args.action == "load" else verify(args.data)
    args.report.write_text(json.dumps(result, indent=2, default=str))
    if not result.get("ok", not result.get("problems")):
        print(json.dumps(result, indent=2, default=str), file=sys.stderr)
        raise SystemExit(1)


if __name__ == "__main__":
    main()
