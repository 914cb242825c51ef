"""Loads the workload's CSV files into Elo through its own import service.

`python -m bench.load load` is the process the benchmark times with `/usr/bin/time -v`: it
starts Django, imports companies, contacts, deals and activities with
`interchange.services.import_csv` (the path behind `elo import` and POST /api/v1/imports),
finishes with ANALYZE and writes the per-entity split as JSON. `python -m bench.load verify`
checks the loaded database afterwards (outside the timed process): row counts, that every
person's and organization's Elo id equals its CSV id (the detail operation relies on it), and
the pipeline (count and sum of amount per stage) against the workload's table.
`python -m bench.load pipeline` times the in-process ORM query of section 3(d).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench import generate

ENTITIES = (
    ("organizations", "companies.csv"),
    ("people", "contacts.csv"),
    ("deals", "deals.csv"),
    ("activities", "activities.csv"),
)
ORM_RUNS = 11
CENT = Decimal("0.01")
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
    from elo.sales.models import Deal, DealPerson, DealStageChange

    problems: list[str] = []
    expected = {}
    for _entity, filename in ENTITIES:
        with (data / filename).open(encoding="utf-8", newline="") as stream:
            expected[filename] = sum(1 for _row in csv.reader(stream)) - 1
    counts = {
        "companies.csv": Organization.objects.count(),
        "contacts.csv": Person.objects.count(),
        "deals.csv": Deal.objects.count(),
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
    deals = expected["deals.csv"]
    links = (DealPerson.objects.count(), DealStageChange.objects.count())
    if links != (deals, deals):
        problems.append(f"deal people and stage history rows {links}, expected {deals} each")
    linked = Deal.objects.filter(organization__isnull=False).count()
    if linked != deals:
        problems.append(f"{deals - linked} deals have no organization")
    pipeline = pipeline_check(data)
    problems += pipeline["problems"]
    return {
        "counts": counts,
        "expected": expected,
        "company_17_pk": company_17,
        "pipeline_pk": pipeline["pipeline_pk"],
        "pipeline": pipeline,
        "problems": problems,
    }


def expected_pipeline(data: Path) -> tuple[dict[str, tuple[int, Decimal]], str]:
    """The per-stage (count, sum of amount) to expect, and where it comes from."""
    totals = generate.pipeline(data / "deals.csv")
    if sum(count for count, _amount in totals.values()) == generate.STANDARD.deals:
        return generate.EXPECTED_PIPELINE, "the table in workload.md section 2"
    return totals, "the reduced deals.csv (not the workload's table)"


def _rows(totals: dict[str, tuple[int, Decimal]]) -> list[dict[str, Any]]:
    rows = [
        {"stage": stage, "count": count, "amount": str(amount)}
        for stage, (count, amount) in totals.items()
    ]
    rows.append(
        {
            "stage": "total",
            "count": sum(count for count, _amount in totals.values()),
            "amount": str(sum((amount for _count, amount in totals.values()), Decimal(0))),
        }
    )
    return rows


def compare(measured: dict[str, tuple[int, Decimal]], data: Path) -> dict[str, Any]:
    """`measured` against the expected pipeline: counts and sums in cents, stage by stage.

    SQLite keeps a decimal column as a floating-point REAL and sums it in floating point;
    Django hands such a sum back with 15 significant digits (419716694.040001), so sums are
    compared rounded to the cent and the database's own figures are kept in `unrounded`."""
    expected, source = expected_pipeline(data)
    rounded = {stage: (count, amount.quantize(CENT)) for stage, (count, amount) in measured.items()}
    problems = [
        f"{stage}: {rounded.get(stage)} in Elo, {wanted} expected"
        for stage, wanted in expected.items()
        if rounded.get(stage) != wanted
    ]
    problems += [f"{stage}: not in the data set" for stage in measured if stage not in expected]
    return {
        "expected_from": source,
        "rows": _rows(rounded),
        "unrounded": {
            stage: str(amount)
            for stage, (_count, amount) in measured.items()
            if amount != amount.quantize(CENT)
        },
        "matches": not problems,
        "problems": problems,
    }


def _orm_summary() -> dict[str, tuple[int, Decimal]]:
    """values(stage).annotate(count, Sum(amount)): section 3(d)'s query, stage ids named."""
    from django.db.models import Count, Sum

    from elo.sales.models import Deal, Stage

    rows = list(
        Deal.objects.order_by().values("stage").annotate(count=Count("id"), amount=Sum("amount"))
    )
    names = dict(Stage.objects.values_list("pk", "name"))
    return {names[row["stage"]]: (row["count"], row["amount"]) for row in rows}


def pipeline_check(data: Path) -> dict[str, Any]:
    from elo.sales.models import Pipeline

    pipeline_pk = Pipeline.objects.filter(is_default=True).values_list("pk", flat=True).first()
    result = compare(_orm_summary(), data)
    result["pipeline_pk"] = pipeline_pk
    return result


def orm_timing(data: Path) -> dict[str, Any]:
    """Section 3(d), in process: the ORM query 11 times, the first dropped, the median."""
    _django()
    from django.db.models import Count, Sum

    from elo.sales.models import Deal

    seconds = []
    for _run in range(ORM_RUNS):
        begun = time.perf_counter()
        list(
            Deal.objects.order_by()
            .values("stage")
            .annotate(count=Count("id"), amount=Sum("amount"))
        )
        seconds.append(time.perf_counter() - begun)
    kept = seconds[1:]
    result = compare(_orm_summary(), data)
    result.update(
        query=(
            'Deal.objects.order_by().values("stage").annotate(count=Count("id"), '
            'amount=Sum("amount")), evaluated with list(); every deal, no visibility filter'
        ),
        runs_ms=[round(value * 1000, 3) for value in seconds],
        median_ms=round(statistics.median(kept) * 1000, 3),
        ok=result["matches"],
    )
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("action", choices=["load", "verify", "pipeline"])
    parser.add_argument("--data", type=Path, required=True, help="folder with the CSV files")
    parser.add_argument("--report", type=Path, required=True, help="JSON written here")
    parser.add_argument("--admin", default="bench-admin@example.com")
    args = parser.parse_args(argv)
    actions = {
        "load": lambda: load(args.data, args.admin),
        "verify": lambda: verify(args.data),
        "pipeline": lambda: orm_timing(args.data),
    }
    result = actions[args.action]()
    args.report.write_text(json.dumps(result, indent=2, default=str))
    if not result.get("ok", not result.get("problems")):
        print(json.dumps(result, indent=2, default=str), file=sys.stderr)
        raise SystemExit(1)


if __name__ == "__main__":
    main()
