"""The figures as JSON and as the Markdown page docs/benchmarks.md."""

from __future__ import annotations

import datetime
import json
import os
import platform
import subprocess
from importlib import metadata
from pathlib import Path
from typing import Any

from bench import wrk

NOTES_START = "<!-- notes:start (kept when the page is regenerated) -->"
NOTES_END = "<!-- notes:end -->"
OPS = ("list", "search", "detail", "create", "board", "summary")
# (figure, operation, clients, limit, "max" for latency or "min" for throughput)
HTTP_TARGETS = (
    ("p95_ms", "list", 1, 50.0, "max"),
    ("p95_ms", "detail", 1, 50.0, "max"),
    ("p95_ms", "create", 1, 50.0, "max"),
    ("p95_ms", "search", 1, 100.0, "max"),
    ("p95_ms", "board", 1, 100.0, "max"),
    ("p95_ms", "summary", 1, 100.0, "max"),
    ("requests_per_s", "list", 8, 300.0, "min"),
    ("requests_per_s", "detail", 8, 300.0, "min"),
)
LOAD_TARGET_S = 60.0


def _git(repo: Path, *args: str) -> str:
    completed = subprocess.run(
        ["git", *args], cwd=repo, capture_output=True, text=True, check=False
    )
    return completed.stdout.strip()


def _read(path: str) -> str:
    try:
        return Path(path).read_text()
    except OSError:
        return ""


def _cpu() -> str:
    for line in _read("/proc/cpuinfo").splitlines():
        if line.startswith("model name"):
            return line.split(":", 1)[1].strip()
    return platform.processor() or "?"


def _memory_gib() -> float:
    for line in _read("/proc/meminfo").splitlines():
        if line.startswith("MemTotal:"):
            return round(int(line.split()[1]) / 1024 / 1024, 1)
    return 0.0


def _os_name() -> str:
    for line in _read("/etc/os-release").splitlines():
        if line.startswith("PRETTY_NAME="):
            return line.split("=", 1)[1].strip('"')
    return platform.platform()


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "?"


def machine(repo: Path, ctx: Any) -> dict[str, Any]:
    args = ctx.args
    dirty = _git(repo, "status", "--porcelain", "--", "src").splitlines()
    return {
        "workload": "../shared/bench/workload.md, version 1",
        "standard": args.standard,
        "options": {
            "db": args.db,
            "duration": args.duration,
            "repetitions": args.repetitions,
            "loads": args.loads,
            "divisor": args.divisor,
            "code": args.code,
        },
        "started": datetime.datetime.now().astimezone().isoformat(timespec="seconds"),
        "load_average_at_start": [round(value, 2) for value in os.getloadavg()],
        "cpu": _cpu(),
        "cores": os.cpu_count(),
        "memory_gib": _memory_gib(),
        "os": _os_name(),
        "kernel": platform.release(),
        "python": platform.python_version(),
        "django": _version("Django"),
        "django_ninja": _version("django-ninja"),
        "gunicorn": _version("gunicorn"),
        "psycopg": _version("psycopg"),
        "wrk": wrk.version(),
        "commit": _git(repo, "rev-parse", "HEAD"),
        "code": (
            "a copy of the committed HEAD (git archive)"
            if args.code == "head"
            else f"the working tree ({len(dirty)} uncommitted change(s) under src/)"
        ),
        "uncommitted_src": dirty if args.code != "head" else [],
        "scale": vars(ctx.scale),
    }


def _run(database: dict[str, Any], op: str, clients: int) -> dict[str, Any] | None:
    runs: dict[str, Any] = database.get("http_median", {})
    return runs.get(f"{op}_c{clients}")


def targets(results: dict[str, Any]) -> list[dict[str, Any]]:
    rows: list[dict[str, Any]] = []
    for kind, database in results["databases"].items():
        for figure, op, clients, limit, sense in HTTP_TARGETS:
            run = _run(database, op, clients)
            measured = run[figure] if run else None
            met = measured is not None and (
                measured < limit if sense == "max" else measured >= limit
            )
            label = (
                f"{op} p95 < {limit:g} ms, 1 client"
                if sense == "max"
                else f"{op} >= {limit:g} req/s, 8 clients"
            )
            rows.append({"database": kind, "target": label, "measured": measured, "met": bool(met)})
        wall = database["load_median"]["wall_s"]
        rows.append(
            {
                "database": kind,
                "target": f"whole load < {LOAD_TARGET_S:g} s",
                "measured": wall,
                "met": wall < LOAD_TARGET_S,
            }
        )
    return rows


def _mib(kib: float) -> str:
    return f"{kib / 1024:.0f} MiB"


def _seconds(value: float) -> str:
    return f"{value:.1f} s"


def _targets_table(results: dict[str, Any]) -> list[str]:
    lines = ["| database | target | measured | result |", "|---|---|---:|---|"]
    for row in results.get("targets", []):
        measured = row["measured"]
        unit = " s" if "load" in row["target"] else (" ms" if "ms" in row["target"] else "")
        shown = "n/a" if measured is None else f"{measured:.1f}{unit}"
        lines.append(
            f"| {row['database']} | {row['target']} | {shown} | "
            f"{'met' if row['met'] else '**missed**'} |"
        )
    return lines


def _load_section(kind: str, database: dict[str, Any]) -> list[str]:
    median = database["load_median"]
    loads = database["loads"]
    lines = [
        f"**Load ({kind})**: median of {len(loads)} loads "
        f"{_seconds(median['wall_s'])} wall clock (`/usr/bin/time -v`, interpreter and Django "
        f"start-up included), loader peak RSS {_mib(median['peak_rss_kib'])}.",
        "",
        "| file | Elo entity | path | rows | median seconds |",
        "|---|---|---|---:|---:|",
    ]
    for filename, entity in loads[0]["entities"].items():
        seconds = median["entities_s"].get(filename)
        lines.append(
            f"| {filename} | {entity['entity'] or '-'} | {entity['path']} | "
            f"{entity.get('created', '-')} | {'-' if seconds is None else f'{seconds:.1f}'} |"
        )
    lines.append(f"| ANALYZE | | | | {median['analyze_s']:.1f} |")
    each = ", ".join(
        f"{_seconds(load['time_v']['wall_s'])} / {_mib(load['time_v']['peak_rss_kib'])}"
        for load in loads
    )
    lines += ["", f"Each load (wall clock / peak RSS): {each}."]
    return lines


def _http_section(kind: str, database: dict[str, Any]) -> list[str]:
    lines = [
        f"**HTTP ({kind})**: medians of {len(database['repetitions'])} repetitions; errors "
        "and rows are listed per repetition.",
        "",
        "| op | clients | p50 ms | p95 ms | p99 ms | req/s | non-2xx/3xx | socket errors | notes |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for clients in (1, 8):
        for op in OPS:
            run = _run(database, op, clients)
            if run is None:
                continue
            note = ""
            if op == "search":
                note = f"matches reported: {database['search_matches_reported']}"
            if op == "create":
                note = (
                    f"rows added: {run['rows_added']} of {run['requests']} requests; "
                    "phone sent as +1-555-<last 7 digits of N> (see deviations)"
                )
            lines.append(
                f"| {op} | {clients} | {run['p50_ms']:.1f} | {run['p95_ms']:.1f} | "
                f"{run['p99_ms']:.1f} | {run['requests_per_s']:.1f} | "
                f"{'/'.join(map(str, run['non_2xx_3xx']))} | "
                f"{'/'.join(map(str, run['socket_errors']))} | {note} |"
            )
    rss = database["rss_median"]
    lines += [
        "",
        f"Peak RSS of gunicorn (master + 2 workers, sampled every 0.2 s over each repetition, "
        f"median of repetitions): sum {_mib(rss['peak_sum_kib'])}, largest single process "
        f"{_mib(rss['peak_single_kib'])}.",
        "",
        *_pipeline_section(database),
    ]
    return lines


def _pipeline_section(database: dict[str, Any]) -> list[str]:
    pipeline = database.get("pipeline")
    if not isinstance(pipeline, dict):
        return [f"Pipeline summary (d): {pipeline}."]
    checked = "match" if not pipeline["problems"] else "**do not match**"
    lines = [
        f"Pipeline summary (d), median of the repetitions: the built-in endpoint "
        f"`{pipeline['endpoint_path']}` {pipeline['endpoint_median_ms']:.1f} ms (6 GETs timed "
        "from the client after the HTTP runs, the first dropped, median of 5); the ORM query "
        f"in process {pipeline['orm_median_ms']:.1f} ms (11 runs, the first dropped, median). "
        f"The endpoint computes: {pipeline['endpoint_computes']}. The ORM query: "
        f"`{pipeline['orm_query']}`. Both results, and the loaded deals, {checked} "
        f"{pipeline['expected_from']} exactly (per stage: the count, and the sum of amount "
        "to the cent).",
        "",
        "| stage | count | sum of amount |",
        "|---|---:|---:|",
    ]
    for row in pipeline["rows"]:
        lines.append(f"| {row['stage']} | {row['count']} | {row['amount']} |")
    for label, key in (("ORM query", "orm_unrounded"), ("endpoint", "endpoint_unrounded")):
        if pipeline.get(key):
            shown = ", ".join(f"{stage} {amount}" for stage, amount in pipeline[key].items())
            lines += [
                "",
                f"The {label}'s sums are not whole cents as the database returns them ({shown}): "
                "SQLite stores a decimal column as a floating-point REAL and sums it in floating "
                "point, and Django hands the sum back with 15 significant digits. They are "
                "compared rounded to the cent.",
            ]
    for problem in pipeline["problems"]:
        lines.append(f"- mismatch: {problem}")
    return lines


def _adaptations(results: dict[str, Any]) -> list[str]:
    lines = []
    for kind, database in results["databases"].items():
        for filename, entity in database["loads"][0]["entities"].items():
            if entity.get("adapted"):
                lines.append(f"- {filename} on {kind}: {entity['adapted']}.")
    return lines


def markdown(results: dict[str, Any], *, notes: str) -> str:
    meta = results["meta"]
    phone = meta.get("phone_check", {})
    workload_phone = phone.get("workload_phone", {})
    lines = [
        "# Benchmarks",
        "",
        "Elo under the standard CRM workload (`../shared/bench/workload.md`, version 1), run "
        "with `make bench` (`elo bench`). This page is written by `bench/run.py`; the figures "
        "are also in `docs/benchmarks.json`.",
        "",
    ]
    if not meta.get("standard"):
        lines += ["**NOT the standard workload** (a reduced smoke test).", ""]
    lines += [
        "## Run",
        "",
        f"- Date: {meta['started']} to {meta.get('finished', '?')} "
        f"({meta.get('duration_s', 0) / 60:.0f} min)",
        f"- Machine: {meta['cpu']}, {meta['cores']} cores, {meta['memory_gib']} GiB RAM, "
        f"{meta['os']}, Linux {meta['kernel']}",
        f"- Load average at start: {', '.join(map(str, meta['load_average_at_start']))}. "
        "The machine is shared with other work while the benchmark runs, so the figures can "
        "be noisy; the load average at the start of each load and repetition is in the JSON.",
        f"- Software: Python {meta['python']}, Django {meta['django']}, django-ninja "
        f"{meta['django_ninja']}, gunicorn {meta['gunicorn']} (2 sync workers, 127.0.0.1, "
        f"no access log, DEBUG off), psycopg {meta['psycopg']}, {meta['wrk']}",
        f"- Code: commit `{meta['commit'][:12]}`, {meta['code']}",
    ]
    for kind, database in results["databases"].items():
        lines.append(f"- {kind}: {database['database']}")
    lines += ["", "## Targets vs measured", "", *_targets_table(results), ""]
    lines += ["## Figures", ""]
    for kind, database in results["databases"].items():
        lines += [f"### {kind}", "", *_load_section(kind, database), ""]
        lines += [*_http_section(kind, database), ""]
    lines += [
        "## Deviations from the workload",
        "",
        "- Data: all four files are generated and match the workload's SHA-256 sums, first "
        "rows and pipeline table. All four load through Elo's own import service "
        "(`elo.interchange.services.import_csv`, the path of `elo import` and "
        "`POST /api/v1/imports`), in its default batches of 2,000 rows, acting as an admin. "
        "Deals go into Elo's default pipeline, whose stages are the workload's six; each deal "
        "links its contact and company, keeps its `created_at`, and gets one stage-history "
        "row, an audit entry and an outbox event.",
        *_adaptations(results),
        "- Board and summary (Elo's own targets, not in the workload): after step 8 of each "
        "repetition, 5 warm-up GETs each, then wrk at 1 client on "
        "`GET /api/v1/pipelines/<default id>/board` (per stage: count, sum and weighted sum, "
        "and the 50 most recent cards) and `GET /api/v1/deals/summary?pipeline=<default id>`. "
        "The repetition's peak RSS includes these runs.",
        "- Create: Elo checks phones with `phonenumbers.is_possible_number`; the workload's "
        f"`{workload_phone.get('example', '+1-555-{N}')}` (13-digit N) is refused "
        f"({workload_phone.get('reason', 'TOO_LONG')}), so the request sends "
        "`+1-555-<last 7 digits of N>` (the thread index and the request counter). Last name "
        "`N{N}` and email `bench{N}@example.com` are as written. The JSON API body is "
        "`given_name`, `family_name`, `emails`, `phones`, `organizations` (company 17's "
        "Elo id).",
        "- Log in: the API's normal authentication is a bearer token; each repetition creates "
        "a fresh token with `elo token create` for the admin created in the migrated template "
        "(`elo createuser --role admin`).",
        "- wrk's non-2xx/3xx count is its status-error counter (responses with status >= 400).",
        "- Rows added by create are counted through the API (people before and after each "
        "run). They can exceed wrk's request count by up to the number of connections: "
        "requests in flight when wrk stops still complete on the server but are not counted.",
        "",
        "## Findings",
        "",
        NOTES_START,
        notes.strip() or "(none recorded yet)",
        NOTES_END,
        "",
        "## Running it",
        "",
        "`make bench` runs the standard workload on SQLite and PostgreSQL "
        f"({meta.get('duration_s', 0) / 60:.0f} min for the run above); "
        "`elo bench --db sqlite|postgres|both`, `--quick` for a smoke test that is NOT the "
        "standard workload, `--code head` to measure the committed code rather than the "
        "working tree. See `bench/README.md`.",
        "",
    ]
    return "\n".join(lines)


def _compact(results: dict[str, Any]) -> dict[str, Any]:
    databases = {}
    for kind, database in results["databases"].items():
        databases[kind] = {
            "database": database["database"],
            "load_median": database["load_median"],
            "loads": [
                {
                    "wall_s": load["time_v"]["wall_s"],
                    "peak_rss_kib": load["time_v"]["peak_rss_kib"],
                    "entities_s": {
                        name: entity["seconds"] for name, entity in load["entities"].items()
                    },
                    "load_average_at_start": load["load_average_at_start"],
                }
                for load in database["loads"]
            ],
            "http_median": database["http_median"],
            "rss_median": database["rss_median"],
            "search_matches_reported": database["search_matches_reported"],
            "repetitions": [
                {
                    "load_average_at_start": rep["load_average_at_start"],
                    "rss": rep["rss"],
                    "runs": {
                        name: {
                            key: run[key]
                            for key in (
                                "p50_ms",
                                "p95_ms",
                                "p99_ms",
                                "requests_per_s",
                                "requests",
                                "non_2xx_3xx",
                                "socket_errors",
                                "rows_added",
                            )
                            if key in run
                        }
                        for name, run in rep["runs"].items()
                    },
                }
                for rep in database["repetitions"]
            ],
            "pipeline": database["pipeline"],
        }
    return {"meta": results["meta"], "targets": results["targets"], "databases": databases}


def existing_notes(page: Path) -> str:
    if not page.exists():
        return ""
    text = page.read_text()
    if NOTES_START not in text or NOTES_END not in text:
        return ""
    notes = text.split(NOTES_START, 1)[1].split(NOTES_END, 1)[0].strip()
    return "" if notes == "(none recorded yet)" else notes


def write_docs(docs: Path, results: dict[str, Any]) -> None:
    page = docs / "benchmarks.md"
    notes = existing_notes(page)
    (docs / "benchmarks.json").write_text(json.dumps(_compact(results), indent=2) + "\n")
    page.write_text(markdown(results, notes=notes))
