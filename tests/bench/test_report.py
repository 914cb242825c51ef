"""The benchmark's pipeline check and its targets table (bench/load.py, bench/report.py)."""

from __future__ import annotations

from decimal import Decimal
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def bench(monkeypatch: pytest.MonkeyPatch) -> dict[str, ModuleType]:
    monkeypatch.syspath_prepend(str(REPO))
    from bench import generate, load, report

    return {"generate": generate, "load": load, "report": report}


def _deals_csv(folder: Path, generate: ModuleType) -> None:
    """A deals.csv with the workload's 50,000 rows' totals: one row per stage."""
    lines = ["id,name,contact_id,company_id,stage,amount,created_at"]
    for index, (stage, (count, amount)) in enumerate(generate.EXPECTED_PIPELINE.items(), 1):
        lines += [f"{index}{n},D,1,1,{stage},0.00,2020-01-01T00:00:00Z" for n in range(count - 1)]
        lines.append(f"{index}x,D,1,1,{stage},{amount},2020-01-01T00:00:00Z")
    (folder / "deals.csv").write_text("\n".join(lines) + "\n")


def test_pipeline_check_is_exact_against_the_workload_table(
    bench: dict[str, ModuleType], tmp_path: Path
) -> None:
    generate, load = bench["generate"], bench["load"]
    _deals_csv(tmp_path, generate)
    measured = dict(generate.EXPECTED_PIPELINE)
    result = load.compare(measured, tmp_path)
    assert (result["matches"], result["expected_from"]) == (
        True,
        "the table in workload.md section 2",
    )
    assert result["rows"][-1] == {"stage": "total", "count": 50000, "amount": "2499418007.62"}
    count, amount = measured["Proposal"]
    measured["Proposal"] = (count, amount + Decimal("0.01"))
    off = load.compare(measured, tmp_path)
    assert not off["matches"] and off["problems"][0].startswith("Proposal:")


def test_reduced_data_is_checked_against_its_own_file(
    bench: dict[str, ModuleType], tmp_path: Path
) -> None:
    (tmp_path / "deals.csv").write_text(
        "id,name,contact_id,company_id,stage,amount,created_at\n"
        "1,D,1,1,Proposal,1.50,2020-01-01T00:00:00Z\n"
        "2,D,1,1,Proposal,2.25,2020-01-01T00:00:00Z\n"
    )
    result = bench["load"].compare({"Proposal": (2, Decimal("3.75"))}, tmp_path)
    assert result["matches"] and "reduced" in result["expected_from"]


def test_targets_include_board_and_summary_at_one_client(bench: dict[str, ModuleType]) -> None:
    def run(p95: float) -> dict[str, Any]:
        return {"p50_ms": p95 / 2, "p95_ms": p95, "p99_ms": p95, "requests_per_s": 500.0}

    database = {
        "http_median": {"board_c1": run(120.0), "summary_c1": run(30.0)},
        "load_median": {"wall_s": 10.0},
    }
    rows = bench["report"].targets({"databases": {"sqlite": database}})
    found = {row["target"]: (row["measured"], row["met"]) for row in rows}
    assert found["board p95 < 100 ms, 1 client"] == (120.0, False)
    assert found["summary p95 < 100 ms, 1 client"] == (30.0, True)
