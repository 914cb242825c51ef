"""Runs the standard CRM workload (../shared/bench/workload.md) against Elo.

For each database: migrate a template database, load the data set 3 times into fresh copies
of it (each load timed with /usr/bin/time -v), then 3 repetitions of the HTTP part, each
restoring the loaded snapshot first and following section 3(b)'s order, timing the pipeline
summary of section 3(d), then running Elo's own board and summary operations. Results go to
bench/results/<stamp>.json; a standard run also writes docs/benchmarks.json and
docs/benchmarks.md. `--quick` is a smoke test, NOT the standard workload.
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import re
import secrets
import statistics
import subprocess
import sys
import tarfile
import time
import urllib.request
from decimal import Decimal
from pathlib import Path
from typing import Any

from bench import databases, generate, load, report, server, wrk

REPO = Path(__file__).resolve().parent.parent
ADMIN = "bench-admin@example.com"
GET_OPS = ("list", "search", "detail")
# Elo's own targets, after the workload's steps: the kanban board and the pipeline summary.
PIPELINE_OPS = ("board", "summary")
SUMMARY_GETS = 6
SUMMARY_COMPUTES = (
    "GET /api/v1/deals/summary?pipeline=<default pipeline id>: for each stage of the default "
    "pipeline, the number of deals the caller can see (the admin sees every deal; deleted "
    "deals are left out) and the sum of their amounts: one GROUP BY stage over the deals, "
    "the stages' names and order taken from the pipeline"
)
EXPECTED_SEARCH_MATCHES = 12_261
STANDARD_DURATION = "20s"


def log(message: str) -> None:
    stamp = datetime.datetime.now().strftime("%H:%M:%S")
    print(f"[bench {stamp}] {message}", flush=True)


def detail_id(k: int, t: int, contacts: int = 100_000) -> int:
    """The workload's contact id for thread t's k-th request (the Lua script's formula)."""
    return 1 + ((k * 7919 + t * 104729) % contacts)


def phone_check() -> dict[str, Any]:
    """Whether Elo's phone validation accepts the workload's create phone, and what is sent."""
    import phonenumbers

    suffix = "123456" + "1" + f"{1:06d}"
    result: dict[str, Any] = {}
    for label, value in (
        ("workload_phone", f"+1-555-{suffix}"),
        ("sent_phone", f"+1-555-{suffix[-7:]}"),
    ):
        number = phonenumbers.parse(value, "BR")
        reason = phonenumbers.is_possible_number_with_reason(number)
        names = {value: key for key, value in vars(phonenumbers.ValidationResult).items()}
        result[label] = {
            "example": value,
            "is_possible_number": phonenumbers.is_possible_number(number),
            "reason": names.get(reason, str(reason)),
        }
    return result


class Context:
    """Settings shared by every step of one benchmark run."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.python = sys.executable
        self.stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        self.work = REPO / "bench" / "results" / self.stamp
        self.work.mkdir(parents=True, exist_ok=True)
        self.scale = (
            generate.STANDARD.scaled(args.divisor) if args.divisor > 1 else generate.STANDARD
        )
        self.data = (
            REPO
            / "bench"
            / "data"
            / ("standard" if self.scale.is_standard else f"divided-by-{args.divisor}")
        )
        self.secret = secrets.token_urlsafe(32)
        self.password = secrets.token_urlsafe(16)
        self.code = self._code()

    def _code(self) -> Path | None:
        """With --code head, a copy of the committed src/ so edits in progress do not leak in."""
        if self.args.code != "head":
            return None
        target = self.work / "code"
        target.mkdir(exist_ok=True)
        archive = subprocess.run(
            ["git", "archive", "--format=tar", "HEAD", "src"],
            cwd=REPO,
            capture_output=True,
            check=True,
        )
        archive_path = self.work / "code.tar"
        archive_path.write_bytes(archive.stdout)
        with tarfile.open(archive_path) as tar:
            tar.extractall(target, filter="data")
        archive_path.unlink()
        return target / "src"

    def env(self, database_url: str) -> dict[str, str]:
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith(("ELO_", "GUNICORN_", "DJANGO_"))
        }
        env.update(
            ELO_DATA_DIR=str(self.work / "elo-data"),
            ELO_SECRET_KEY=self.secret,
            ELO_DEBUG="0",
            ELO_DATABASE_URL=database_url,
            DJANGO_SETTINGS_MODULE="elo.settings",
        )
        if self.code is not None:
            env["PYTHONPATH"] = str(self.code)
        return env

    def elo(self, database_url: str, *command: str) -> str:
        completed = subprocess.run(
            [self.python, "-m", "elo.cli", *command],
            cwd=REPO,
            env=self.env(database_url),
            capture_output=True,
            text=True,
            check=False,
        )
        if completed.returncode:
            raise SystemExit(
                f"elo {command[0]} failed ({completed.returncode}):\n"
                f"{completed.stdout}{completed.stderr}"
            )
        return completed.stdout.strip()


def _time_v(text: str) -> dict[str, Any]:
    """The figures of /usr/bin/time -v that the report uses."""

    def field(label: str) -> str:
        match = re.search(rf"^\s*{re.escape(label)}: (.+)$", text, re.MULTILINE)
        return match.group(1).strip() if match else ""

    elapsed = field("Elapsed (wall clock) time (h:mm:ss or m:ss)")
    seconds = 0.0
    for part in elapsed.split(":"):
        seconds = seconds * 60 + float(part or 0)
    return {
        "wall_s": round(seconds, 2),
        "user_s": float(field("User time (seconds)") or 0),
        "system_s": float(field("System time (seconds)") or 0),
        "cpu_percent": field("Percent of CPU this job got"),
        "peak_rss_kib": int(field("Maximum resident set size (kbytes)") or 0),
        "exit_status": int(field("Exit status") or 0),
    }


def prepare(ctx: Context, db: databases.Database) -> None:
    """The migrated template with Elo's own initial data and the admin who loads the data."""
    db.create("migrated")
    url = db.url("migrated")
    ctx.elo(url, "migrate", "-v0")
    ctx.elo(url, "createuser", "--email", ADMIN, "--password", ctx.password, "--role", "admin")
    db.settle("migrated")


def load_once(ctx: Context, db: databases.Database, index: int) -> dict[str, Any]:
    name = f"load{index}"
    db.copy("migrated", name)
    url = db.url(name)
    folder = ctx.work / db.kind
    folder.mkdir(exist_ok=True)
    loaded = folder / f"load{index}.json"
    argv = ["/usr/bin/time", "-v", ctx.python, "-m", "bench.load", "load"]
    argv += ["--data", str(ctx.data), "--report", str(loaded), "--admin", ADMIN]
    load_average = os.getloadavg()
    completed = subprocess.run(
        argv, cwd=REPO, env=ctx.env(url), capture_output=True, text=True, check=False
    )
    (folder / f"load{index}.time.txt").write_text(completed.stdout + completed.stderr)
    if completed.returncode or not loaded.exists():
        raise SystemExit(
            f"Load {index} on {db.kind} failed ({completed.returncode}); see {folder}:\n"
            f"{completed.stderr[-3000:]}"
        )
    result = json.loads(loaded.read_text())
    result["time_v"] = _time_v(completed.stderr)
    result["load_average_at_start"] = [round(value, 2) for value in load_average]
    checked = folder / f"verify{index}.json"
    verify = subprocess.run(
        [ctx.python, "-m", "bench.load", "verify", "--data", str(ctx.data), "--report", checked],
        cwd=REPO,
        env=ctx.env(url),
        capture_output=True,
        text=True,
        check=False,
    )
    if verify.returncode or not checked.exists():
        raise SystemExit(
            f"The loaded {db.kind} database {name} is not what the workload needs:\n"
            f"{verify.stdout}{verify.stderr}"
        )
    result["verify"] = json.loads(checked.read_text())
    db.settle(name)
    return result


class Api:
    """Just enough of an HTTP client for the steps wrk does not time."""

    def __init__(self, base: str, token: str) -> None:
        self.base = base
        self.token = token

    def get(self, path: str) -> tuple[int, Any]:
        # Always http://127.0.0.1:<port>, built by server.Server.
        request = urllib.request.Request(  # noqa: S310
            self.base + path,
            headers={"Authorization": f"Bearer {self.token}", "Accept": "application/json"},
        )
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310
            return response.status, json.loads(response.read())

    def people_count(self) -> int:
        _status, body = self.get("/api/v1/people")
        return int(body["count"])


def summary_report(ctx: Context, api: Api, url: str, pipeline: int, folder: Path) -> dict[str, Any]:
    """Section 3(d): the built-in summary endpoint (6 GETs timed from the client, the first
    dropped, median of 5) and the in-process ORM query (`python -m bench.load pipeline`),
    both checked against the expected pipeline."""
    path = f"/api/v1/deals/summary?pipeline={pipeline}"
    seconds: list[float] = []
    body: Any = []
    for _get in range(SUMMARY_GETS):
        begun = time.perf_counter()
        _status, body = api.get(path)
        seconds.append(time.perf_counter() - begun)
    measured = {row["name"]: (row["count"], Decimal(row["amount"])) for row in body}
    endpoint = load.compare(measured, ctx.data)
    endpoint.update(
        path=path,
        computes=SUMMARY_COMPUTES,
        runs_ms=[round(value * 1000, 3) for value in seconds],
        median_ms=round(statistics.median(seconds[1:]) * 1000, 3),
    )
    report_path = folder / "pipeline-orm.json"
    argv = [ctx.python, "-m", "bench.load", "pipeline", "--data", str(ctx.data)]
    completed = subprocess.run(
        [*argv, "--report", str(report_path)],
        cwd=REPO,
        env=ctx.env(url),
        capture_output=True,
        text=True,
        check=False,
    )
    if not report_path.exists():
        raise SystemExit(f"The ORM pipeline timing failed:\n{completed.stderr[-3000:]}")
    return {"endpoint": endpoint, "orm": json.loads(report_path.read_text())}


def repetition(
    ctx: Context, db: databases.Database, index: int, organization: int, pipeline: int
) -> dict[str, Any]:
    args = ctx.args
    folder = ctx.work / db.kind / f"rep{index}"
    folder.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {"load_average_at_start": [round(v, 2) for v in os.getloadavg()]}
    log(f"{db.kind} repetition {index}: restore the loaded snapshot")
    db.copy("load1", "run")
    url = db.url("run")
    env = ctx.env(url)
    web = server.Server(python=ctx.python, env=env, cwd=ctx.work, log=folder / "gunicorn.log")
    result["server_command"] = " ".join(web.command)
    web.start()
    try:
        token = ctx.elo(url, "token", "create", "--user", ADMIN, "--name", f"bench rep {index}")
        api = Api(web.url, token)
        contacts = ctx.scale.contacts
        warm: dict[str, list[int]] = {op: [] for op in GET_OPS}
        for k in range(1, 6):
            warm["list"].append(api.get("/api/v1/people")[0])
            status, body = api.get("/api/v1/people?q=son")
            warm["search"].append(status)
            result["search_matches_reported"] = body["count"]
            path = f"/api/v1/people/{detail_id(k, 1, contacts)}?expand=timeline"
            warm["detail"].append(api.get(path)[0])
        result["warm_up_statuses"] = warm
        runs: dict[str, Any] = {}

        def measure(op: str, clients: int) -> dict[str, Any]:
            log(f"{db.kind} repetition {index}: {op} with {clients} client(s)")
            return wrk.run(
                url=web.url,
                op=op,
                clients=clients,
                duration=args.duration,
                token=token,
                organization=organization,
                contacts=contacts,
                pipeline=pipeline,
                log=folder / f"{op}-c{clients}.txt",
            )

        for clients in (1, 8):
            for op in GET_OPS:
                runs[f"{op}_c{clients}"] = measure(op, clients)
        for clients in (1, 8):
            before = api.people_count()
            figures = measure("create", clients)
            figures["rows_added"] = api.people_count() - before
            runs[f"create_c{clients}"] = figures
        log(f"{db.kind} repetition {index}: pipeline summary (section 3d)")
        result["reports"] = summary_report(ctx, api, url, pipeline, folder)
        paths = {
            "board": f"/api/v1/pipelines/{pipeline}/board",
            "summary": f"/api/v1/deals/summary?pipeline={pipeline}",
        }
        result["pipeline_warm_up_statuses"] = {
            op: [api.get(paths[op])[0] for _k in range(5)] for op in PIPELINE_OPS
        }
        for op in PIPELINE_OPS:
            runs[f"{op}_c1"] = measure(op, 1)
        result["runs"] = runs
    finally:
        web.stop()
    sampler = web.sampler
    result["rss"] = {
        "peak_sum_kib": sampler.peak_sum_kib if sampler else 0,
        "peak_single_kib": sampler.peak_single_kib if sampler else 0,
        "samples": sampler.samples if sampler else 0,
    }
    return result


def median_runs(repetitions: list[dict[str, Any]]) -> dict[str, Any]:
    names = repetitions[0]["runs"].keys()
    summary: dict[str, Any] = {}
    for name in names:
        runs = [rep["runs"][name] for rep in repetitions]
        figures: dict[str, Any] = {
            key: round(statistics.median(run[key] for run in runs), 3)
            for key in ("p50_ms", "p95_ms", "p99_ms", "requests_per_s")
        }
        figures["requests"] = [run["requests"] for run in runs]
        figures["non_2xx_3xx"] = [run["non_2xx_3xx"] for run in runs]
        figures["socket_errors"] = [run["socket_errors"] for run in runs]
        if "rows_added" in runs[0]:
            figures["rows_added"] = [run["rows_added"] for run in runs]
        summary[name] = figures
    return summary


def run_database(ctx: Context, kind: str) -> dict[str, Any]:
    db = databases.database(kind, ctx.work)
    log(f"{kind}: migrate the template database ({db.version()})")
    prepare(ctx, db)
    loads = []
    for index in range(1, ctx.args.loads + 1):
        log(f"{kind}: load {index} of {ctx.args.loads}")
        loads.append(load_once(ctx, db, index))
        log(f"{kind}: load {index} took {loads[-1]['time_v']['wall_s']} s")
        if index > 1:
            db.drop(f"load{index}")
    organization = loads[0]["verify"]["company_17_pk"]
    pipeline = loads[0]["verify"]["pipeline_pk"]
    repetitions = [
        repetition(ctx, db, index, organization, pipeline)
        for index in range(1, ctx.args.repetitions + 1)
    ]
    if not ctx.args.keep:
        for name in ("run", "load1", "migrated"):
            db.drop(name)
    split = {
        filename: statistics.median(load["entities"][filename]["seconds"] for load in loads)
        for filename, value in loads[0]["entities"].items()
        if value["seconds"] is not None
    }
    return {
        "database": db.version(),
        "url_example": db.url("run"),
        "loads": loads,
        "load_median": {
            "wall_s": statistics.median(load["time_v"]["wall_s"] for load in loads),
            "peak_rss_kib": statistics.median(load["time_v"]["peak_rss_kib"] for load in loads),
            "analyze_s": statistics.median(load["analyze_s"] for load in loads),
            "entities_s": split,
        },
        "repetitions": repetitions,
        "http_median": median_runs(repetitions),
        "rss_median": {
            key: statistics.median(rep["rss"][key] for rep in repetitions)
            for key in ("peak_sum_kib", "peak_single_kib")
        },
        "search_matches_reported": [rep["search_matches_reported"] for rep in repetitions],
        "pipeline": pipeline_median(repetitions, loads[0]["verify"]["pipeline"]),
    }


def pipeline_median(repetitions: list[dict[str, Any]], loaded: dict[str, Any]) -> dict[str, Any]:
    """Section 3(d) over the repetitions: medians of the per-repetition medians, the rows
    the endpoint returned in the first repetition, and whether every check matched."""
    endpoint = [rep["reports"]["endpoint"] for rep in repetitions]
    orm = [rep["reports"]["orm"] for rep in repetitions]
    return {
        "pipeline_pk": loaded["pipeline_pk"],
        "expected_from": loaded["expected_from"],
        "loaded_matches": loaded["matches"],
        "endpoint_path": endpoint[0]["path"],
        "endpoint_computes": endpoint[0]["computes"],
        "endpoint_median_ms": statistics.median(item["median_ms"] for item in endpoint),
        "endpoint_matches": all(item["matches"] for item in endpoint),
        "orm_query": orm[0]["query"],
        "orm_median_ms": statistics.median(item["median_ms"] for item in orm),
        "orm_matches": all(item["matches"] for item in orm),
        "orm_unrounded": orm[0]["unrounded"],
        "endpoint_unrounded": endpoint[0]["unrounded"],
        "rows": endpoint[0]["rows"],
        "problems": sorted(
            {problem for item in [*endpoint, *orm] for problem in item["problems"]}
            | set(loaded["problems"])
        ),
    }


def parse(argv: list[str] | None = None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="elo bench", description=__doc__.splitlines()[0])
    parser.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="smoke test, NOT the standard workload: -d3s, 1 load, 1 repetition, data / 10",
    )
    parser.add_argument("--duration", help="wrk -d (standard: 20s)")
    parser.add_argument("--repetitions", type=int, help="standard: 3")
    parser.add_argument("--loads", type=int, help="standard: 3")
    parser.add_argument(
        "--divisor", type=int, help="divide the data set's row counts (standard: 1)"
    )
    parser.add_argument(
        "--code",
        choices=["checkout", "head"],
        default="checkout",
        help="run the working tree's src/ (default) or a copy of the committed HEAD",
    )
    parser.add_argument("--keep", action="store_true", help="keep the databases afterwards")
    parser.add_argument(
        "--no-docs", action="store_true", help="do not write docs/benchmarks.{json,md}"
    )
    args = parser.parse_args(argv)
    quick = args.quick
    args.duration = args.duration or ("3s" if quick else STANDARD_DURATION)
    args.repetitions = args.repetitions or (1 if quick else 3)
    args.loads = args.loads or (1 if quick else 3)
    args.divisor = args.divisor or (10 if quick else 1)
    args.standard = (
        args.duration == STANDARD_DURATION
        and args.repetitions == 3
        and args.loads == 3
        and args.divisor == 1
    )
    return args


def main(argv: list[str] | None = None) -> None:
    args = parse(argv)
    ctx = Context(args)
    started = time.time()
    meta = report.machine(REPO, ctx)
    meta["phone_check"] = phone_check()
    log(
        f"{'standard workload' if args.standard else 'NOT the standard workload'}; "
        f"results in {ctx.work}; load average {meta['load_average_at_start']}"
    )
    log(f"generate the data set in {ctx.data}")
    meta["data_sha256"] = generate.ensure(ctx.data, ctx.scale)
    results: dict[str, Any] = {"meta": meta, "databases": {}}
    kinds = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    for kind in kinds:
        results["databases"][kind] = run_database(ctx, kind)
        results["meta"]["duration_s"] = round(time.time() - started, 1)
        (ctx.work.parent / f"{ctx.stamp}.json").write_text(json.dumps(results, indent=2))
    results["targets"] = report.targets(results)
    results["meta"]["finished"] = datetime.datetime.now().astimezone().isoformat(timespec="seconds")
    full = ctx.work.parent / f"{ctx.stamp}.json"
    full.write_text(json.dumps(results, indent=2))
    log(f"full results: {full}")
    print(report.markdown(results, notes=""))
    if args.standard and not args.no_docs:
        report.write_docs(REPO / "docs", results)
        log("wrote docs/benchmarks.json and docs/benchmarks.md")


if __name__ == "__main__":
    main()
