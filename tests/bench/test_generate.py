"""The benchmark's data generator and wrk script against ../shared/bench/workload.md.

Small and fast: the splitmix64 state only grows by a constant, so the first row of a later
file is checked by jumping the stream ahead instead of generating the files before it.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import re
import sys
from pathlib import Path
from types import ModuleType

import pytest

BENCH = Path(__file__).resolve().parents[2] / "bench"

WORKLOAD_FIRST_ROWS = {
    "companies.csv": "1,Perez LLC 1,info@perez1.example.com,+1-555-8255764,Milan,"
    "https://perez1.example.com,2020-05-08T15:34:10Z",
    "contacts.csv": "1,Donald,Okafor,donald.okafor.1@example.com,+1-555-4906738,1803,Brussels,"
    "2020-10-11T12:08:38Z",
    "deals.csv": "1,Deal 1 demo,15430,9594,Proposal,64990.41,2020-01-15T21:53:03Z",
    "activities.csv": "1,99858,email,email meeting 1,Discussed meeting and contract with "
    "contact 99858.,2022-02-09T15:21:22Z",
}


@pytest.fixture(scope="module")
def generate() -> ModuleType:
    spec = importlib.util.spec_from_file_location("bench_generate", BENCH / "generate.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _line(row: list[object]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerow(row)
    return buffer.getvalue().rstrip("\n")


class CompanyOfContact:
    """company_id_of_contact(ct) read straight from the stream: the 3rd draw of contact ct."""

    def __init__(self, generate: ModuleType) -> None:
        self.generate = generate

    def __getitem__(self, contact: int) -> int:
        start = self.generate.draws_before("contacts.csv") + (contact - 1) * 6 + 2
        rng = self.generate.SplitMix64().advance(start)
        return 1 + int(rng.below(10_000))


def test_splitmix64_first_values_with_seed_42(generate: ModuleType) -> None:
    rng = generate.SplitMix64(42)
    assert [rng.next() for _ in range(3)] == [
        0xBDD732262FEB6E95,
        0x28EFE333B266F103,
        0x47526757130F9F52,
    ]


def test_below_is_next_mod_n_and_advance_skips_draws(generate: ModuleType) -> None:
    a, b = generate.SplitMix64(), generate.SplitMix64()
    assert [a.below(64) for _ in range(5)] == [b.next() % 64 for _ in range(5)]
    stepped = generate.SplitMix64()
    for _ in range(1000):
        stepped.next()
    assert generate.SplitMix64().advance(1000).next() == stepped.next()


def test_first_company_draws_match_the_workload(generate: ModuleType) -> None:
    rng = generate.SplitMix64()
    assert generate.LAST[rng.below(64)] == "Perez"
    assert generate.SUFFIX[rng.below(8)] == "LLC"
    assert generate.CITIES[rng.below(32)] == "Milan"
    assert rng.below(10**7) == 8255764
    assert generate.ts(rng.below(generate.SPAN)) == "2020-05-08T15:34:10Z"


def test_word_lists_have_the_workload_sizes(generate: ModuleType) -> None:
    assert [len(generate.FIRST), len(generate.LAST), len(generate.CITIES)] == [64, 64, 32]
    assert [len(generate.SUFFIX), len(generate.STAGES), len(generate.KINDS)] == [8, 6, 4]
    assert len(generate.WORDS) == 16
    assert (generate.FIRST[30], generate.LAST[63], generate.WORDS[2]) == (
        "Donald",
        "Larsen",
        "demo",
    )


def test_companies_and_contacts_files_start_as_the_workload_says(
    generate: ModuleType, tmp_path: Path
) -> None:
    # Contacts follow all 10,000 companies in the stream, so companies keep their count here.
    scale = generate.Scale(companies=10_000, contacts=3, deals=2, activities=2)
    generate.write(tmp_path, scale)
    for name in ("companies.csv", "contacts.csv"):
        lines = (tmp_path / name).read_bytes().decode("utf-8").split("\n")
        assert lines[0] == ",".join(generate.HEADERS[name])
        assert lines[1] == WORKLOAD_FIRST_ROWS[name]
        assert generate.EXPECTED_FIRST_ROWS[name] == WORKLOAD_FIRST_ROWS[name]
    assert len((tmp_path / "companies.csv").read_text().splitlines()) == 10_001


def test_first_deal_row(generate: ModuleType) -> None:
    rng = generate.SplitMix64().advance(generate.draws_before("deals.csv"))
    first = next(generate.deals(rng, 1, CompanyOfContact(generate)))
    assert _line(first) == WORKLOAD_FIRST_ROWS["deals.csv"]


def test_first_activity_row(generate: ModuleType) -> None:
    rng = generate.SplitMix64().advance(generate.draws_before("activities.csv"))
    first = next(generate.activities(rng, 1))
    assert _line(first) == WORKLOAD_FIRST_ROWS["activities.csv"]


def test_expected_sums_and_pipeline_are_the_workloads(generate: ModuleType) -> None:
    assert generate.EXPECTED_SHA256["deals.csv"].startswith("c9fee0089df0")
    assert sum(count for count, _amount in generate.EXPECTED_PIPELINE.values()) == 50_000
    assert str(sum(amount for _count, amount in generate.EXPECTED_PIPELINE.values())) == (
        "2499418007.62"
    )


def test_wrk_script_has_the_workload_formulas() -> None:
    script = (BENCH / "workload.lua").read_text()
    compact = re.sub(r"\s+", "", script)
    assert "1+((k*7919+t*104729)%contacts)" in compact
    assert "localcontacts=100000" in compact
    assert 'start..tostring(t)..string.format("%06d",k)' in compact
    assert "os.time()%1000000" in compact
    assert 'wrk.headers["Authorization"]="Bearer"..token' in compact
    for figure in ("percentile(50)", "percentile(95)", "percentile(99)", "errors.status"):
        assert figure in compact
    assert "summary.requests/seconds" in compact
    assert "errors.connect+errors.read+errors.write+errors.timeout" in compact
    assert '"N"..n' in compact or "N'..n" in compact


def test_wrk_script_has_the_board_and_summary_operations() -> None:
    compact = re.sub(r"\s+", "", (BENCH / "workload.lua").read_text())
    assert '"/api/v1/pipelines/"..pipeline.."/board"' in compact
    assert '"/api/v1/deals/summary?pipeline="..pipeline' in compact
    assert "pipeline=args[5]" in compact
