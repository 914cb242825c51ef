"""The deterministic data set of the standard CRM workload, version 1.

One splitmix64 stream (seed 42) shared by the four files, generated in order: companies,
contacts, deals, activities. Each row's draws are made in exactly the order the workload
lists them; the SHA-256 sums in `EXPECTED_SHA256` check the result byte for byte.
"""

from __future__ import annotations

import argparse
import csv
import datetime
import hashlib
import io
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

MASK = (1 << 64) - 1
GOLDEN = 0x9E3779B97F4A7C15
SEED = 42
SPAN = 6 * 365 * 86400
EPOCH = datetime.datetime(2020, 1, 1, tzinfo=datetime.UTC)

FIRST = [
    "James",
    "Mary",
    "John",
    "Patricia",
    "Robert",
    "Jennifer",
    "Michael",
    "Linda",
    "William",
    "Elizabeth",
    "David",
    "Barbara",
    "Richard",
    "Susan",
    "Joseph",
    "Jessica",
    "Thomas",
    "Sarah",
    "Charles",
    "Karen",
    "Christopher",
    "Nancy",
    "Daniel",
    "Lisa",
    "Matthew",
    "Betty",
    "Anthony",
    "Margaret",
    "Mark",
    "Sandra",
    "Donald",
    "Ashley",
    "Steven",
    "Kimberly",
    "Paul",
    "Emily",
    "Andrew",
    "Donna",
    "Joshua",
    "Michelle",
    "Kenneth",
    "Dorothy",
    "Kevin",
    "Carol",
    "Brian",
    "Amanda",
    "George",
    "Melissa",
    "Edward",
    "Deborah",
    "Ronald",
    "Stephanie",
    "Timothy",
    "Rebecca",
    "Jason",
    "Sharon",
    "Jeffrey",
    "Laura",
    "Ryan",
    "Cynthia",
    "Jacob",
    "Kathleen",
    "Gary",
    "Amy",
]
LAST = [
    "Smith",
    "Johnson",
    "Williams",
    "Brown",
    "Jones",
    "Garcia",
    "Miller",
    "Davis",
    "Rodriguez",
    "Martinez",
    "Hernandez",
    "Lopez",
    "Gonzalez",
    "Wilson",
    "Anderson",
    "Thomas",
    "Taylor",
    "Moore",
    "Jackson",
    "Martin",
    "Lee",
    "Perez",
    "Thompson",
    "White",
    "Harris",
    "Sanchez",
    "Clark",
    "Ramirez",
    "Lewis",
    "Robinson",
    "Walker",
    "Young",
    "Allen",
    "King",
    "Wright",
    "Scott",
    "Torres",
    "Nguyen",
    "Hill",
    "Flores",
    "Green",
    "Adams",
    "Nelson",
    "Baker",
    "Hall",
    "Rivera",
    "Campbell",
    "Mitchell",
    "Carter",
    "Roberts",
    "Kowalski",
    "Muller",
    "Schmidt",
    "Dubois",
    "Rossi",
    "Novak",
    "Tanaka",
    "Kim",
    "Singh",
    "Cohen",
    "Silva",
    "Ivanova",
    "Okafor",
    "Larsen",
]
CITIES = [
    "London",
    "Paris",
    "Berlin",
    "Madrid",
    "Rome",
    "Vienna",
    "Prague",
    "Warsaw",
    "Amsterdam",
    "Brussels",
    "Lisbon",
    "Dublin",
    "Oslo",
    "Stockholm",
    "Helsinki",
    "Copenhagen",
    "Zurich",
    "Munich",
    "Milan",
    "Barcelona",
    "Lyon",
    "Hamburg",
    "Krakow",
    "Porto",
    "Athens",
    "Budapest",
    "Sofia",
    "Bucharest",
    "Riga",
    "Tallinn",
    "Vilnius",
    "Zagreb",
]
SUFFIX = ["Ltd", "GmbH", "Inc", "LLC", "Group", "Holdings", "Partners", "Systems"]
STAGES = ["Prospecting", "Qualification", "Proposal", "Negotiation", "Closed Won", "Closed Lost"]
KINDS = ["call", "email", "meeting", "note"]
WORDS = [
    "followup",
    "pricing",
    "demo",
    "contract",
    "renewal",
    "invoice",
    "meeting",
    "proposal",
    "budget",
    "timeline",
    "support",
    "onboarding",
    "feedback",
    "discount",
    "quote",
    "integration",
]

FILES = ("companies.csv", "contacts.csv", "deals.csv", "activities.csv")
HEADERS = {
    "companies.csv": ["id", "name", "email", "phone", "city", "website", "created_at"],
    "contacts.csv": [
        "id",
        "first_name",
        "last_name",
        "email",
        "phone",
        "company_id",
        "city",
        "created_at",
    ],
    "deals.csv": ["id", "name", "contact_id", "company_id", "stage", "amount", "created_at"],
    "activities.csv": ["id", "contact_id", "kind", "subject", "body", "created_at"],
}
EXPECTED_SHA256 = {
    "companies.csv": "4d14c95f36063845bdab8149c0624dc667bdc511fe095c824ec0c5eb75432a8f",
    "contacts.csv": "d455c6ee8a6939b3ff56c5edda7532dbb707138769920d5b2134b6283777d177",
    "deals.csv": "c9fee0089df0338de1f08f78dfa4a90525d6fb681521653505e790716acb8028",
    "activities.csv": "d87db2c11ef1b26c76bb885aaed8051e7ae9f97c820b24c5b61a973e3c331bf6",
}
EXPECTED_FIRST_ROWS = {
    "companies.csv": "1,Perez LLC 1,info@perez1.example.com,+1-555-8255764,Milan,"
    "https://perez1.example.com,2020-05-08T15:34:10Z",
    "contacts.csv": "1,Donald,Okafor,donald.okafor.1@example.com,+1-555-4906738,1803,Brussels,"
    "2020-10-11T12:08:38Z",
    "deals.csv": "1,Deal 1 demo,15430,9594,Proposal,64990.41,2020-01-15T21:53:03Z",
    "activities.csv": "1,99858,email,email meeting 1,Discussed meeting and contract with "
    "contact 99858.,2022-02-09T15:21:22Z",
}
EXPECTED_PIPELINE = {
    "Prospecting": (8384, Decimal("419716694.04")),
    "Qualification": (8279, Decimal("413825990.89")),
    "Proposal": (8392, Decimal("419831306.80")),
    "Negotiation": (8446, Decimal("420944757.02")),
    "Closed Won": (8291, Decimal("413489788.22")),
    "Closed Lost": (8208, Decimal("411609470.65")),
}


@dataclass(frozen=True)
class Scale:
    """Row counts. Only `STANDARD` is the workload; smaller scales are for smoke tests."""

    companies: int = 10_000
    contacts: int = 100_000
    deals: int = 50_000
    activities: int = 200_000

    @property
    def is_standard(self) -> bool:
        return self == STANDARD

    def scaled(self, divisor: int) -> Scale:
        return Scale(
            companies=max(1, self.companies // divisor),
            contacts=max(1, self.contacts // divisor),
            deals=max(1, self.deals // divisor),
            activities=max(1, self.activities // divisor),
        )


STANDARD = Scale()


class SplitMix64:
    """splitmix64; all arithmetic mod 2**64."""

    def __init__(self, seed: int = SEED) -> None:
        self.state = seed & MASK

    def next(self) -> int:
        self.state = (self.state + GOLDEN) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def below(self, n: int) -> int:
        return self.next() % n

    def advance(self, draws: int) -> SplitMix64:
        """Skips `draws` values at once: the state only ever grows by the same constant."""
        self.state = (self.state + draws * GOLDEN) & MASK
        return self


def ts(sec: int) -> str:
    return (EPOCH + datetime.timedelta(seconds=sec)).strftime("%Y-%m-%dT%H:%M:%SZ")


def companies(rng: SplitMix64, count: int) -> Iterator[list[object]]:
    for i in range(1, count + 1):
        last = LAST[rng.below(64)]
        suf = SUFFIX[rng.below(8)]
        city = CITIES[rng.below(32)]
        phone = f"+1-555-{rng.below(10**7):07d}"
        sec = rng.below(SPAN)
        low = last.lower()
        yield [
            i,
            f"{last} {suf} {i}",
            f"info@{low}{i}.example.com",
            phone,
            city,
            f"https://{low}{i}.example.com",
            ts(sec),
        ]


def contacts(
    rng: SplitMix64, count: int, company_of: list[int], companies: int = 10_000
) -> Iterator[list[object]]:
    """Contacts; fills `company_of[i]` with contact i's company (index 0 unused)."""
    for i in range(1, count + 1):
        fn = FIRST[rng.below(64)]
        ln = LAST[rng.below(64)]
        co = 1 + rng.below(companies)
        city = CITIES[rng.below(32)]
        phone = f"+1-555-{rng.below(10**7):07d}"
        sec = rng.below(SPAN)
        company_of.append(co)
        yield [i, fn, ln, f"{fn.lower()}.{ln.lower()}.{i}@example.com", phone, co, city, ts(sec)]


def deals(
    rng: SplitMix64, count: int, company_of: list[int], contacts: int = 100_000
) -> Iterator[list[object]]:
    for i in range(1, count + 1):
        ct = 1 + rng.below(contacts)
        st = STAGES[rng.below(6)]
        cents = 10_000 + rng.below(10**7)
        sec = rng.below(SPAN)
        w = WORDS[rng.below(16)]
        amount = f"{cents // 100}.{cents % 100:02d}"
        yield [i, f"Deal {i} {w}", ct, company_of[ct], st, amount, ts(sec)]


def activities(rng: SplitMix64, count: int, contacts: int = 100_000) -> Iterator[list[object]]:
    for i in range(1, count + 1):
        ct = 1 + rng.below(contacts)
        k = KINDS[rng.below(4)]
        a = WORDS[rng.below(16)]
        b = WORDS[rng.below(16)]
        sec = rng.below(SPAN)
        yield [i, ct, k, f"{k} {a} {i}", f"Discussed {a} and {b} with contact {ct}.", ts(sec)]


def draws_before(filename: str, scale: Scale = STANDARD) -> int:
    """How many values the stream has given out before `filename`'s first row."""
    counts = {
        "companies.csv": 0,
        "contacts.csv": scale.companies * 5,
        "deals.csv": scale.companies * 5 + scale.contacts * 6,
        "activities.csv": scale.companies * 5 + scale.contacts * 6 + scale.deals * 5,
    }
    return counts[filename]


def rows(scale: Scale = STANDARD) -> Iterator[tuple[str, Iterator[list[object]]]]:
    """(file name, its data rows) in generation order; consume each before the next.

    At a reduced scale (not the workload) the references are drawn below the reduced counts
    so every row still points at a loaded record; the number of draws per row is unchanged.
    """
    rng = SplitMix64()
    company_of: list[int] = [0]
    yield "companies.csv", companies(rng, scale.companies)
    yield "contacts.csv", contacts(rng, scale.contacts, company_of, scale.companies)
    yield "deals.csv", deals(rng, scale.deals, company_of, scale.contacts)
    yield "activities.csv", activities(rng, scale.activities, scale.contacts)


def write(directory: Path, scale: Scale = STANDARD) -> dict[str, str]:
    """Writes the four files into `directory`; returns their SHA-256 sums."""
    directory.mkdir(parents=True, exist_ok=True)
    sums: dict[str, str] = {}
    for name, data in rows(scale):
        buffer = io.StringIO(newline="")
        writer = csv.writer(buffer, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
        writer.writerow(HEADERS[name])
        writer.writerows(data)
        raw = buffer.getvalue().encode("utf-8")
        (directory / name).write_bytes(raw)
        sums[name] = hashlib.sha256(raw).hexdigest()
    return sums


def pipeline(path: Path) -> dict[str, tuple[int, Decimal]]:
    """Count and sum of amount per stage, read back from deals.csv."""
    totals: dict[str, tuple[int, Decimal]] = {}
    with path.open(encoding="utf-8", newline="") as stream:
        for row in csv.DictReader(stream):
            count, amount = totals.get(row["stage"], (0, Decimal(0)))
            totals[row["stage"]] = (count + 1, amount + Decimal(row["amount"]))
    return totals


def first_rows(directory: Path) -> dict[str, str]:
    result = {}
    for name in FILES:
        with (directory / name).open(encoding="utf-8") as stream:
            stream.readline()
            result[name] = stream.readline().rstrip("\n")
    return result


def verify(directory: Path, sums: dict[str, str]) -> list[str]:
    """What differs from workload.md for the standard scale (empty when all checks pass)."""
    problems = [
        f"{name}: SHA-256 {sums.get(name)} != {expected}"
        for name, expected in EXPECTED_SHA256.items()
        if sums.get(name) != expected
    ]
    for name, row in first_rows(directory).items():
        if row != EXPECTED_FIRST_ROWS[name]:
            problems.append(f"{name}: first row {row!r} != {EXPECTED_FIRST_ROWS[name]!r}")
    if pipeline(directory / "deals.csv") != EXPECTED_PIPELINE:
        problems.append("deals.csv: the pipeline table differs from workload.md")
    return problems


def ensure(directory: Path, scale: Scale = STANDARD) -> dict[str, str]:
    """Generates the files (reusing them when their recorded sums still match) and checks them."""
    stamp = directory / "SHA256SUMS"
    sums: dict[str, str] = {}
    if stamp.exists():
        recorded = dict(
            (name, digest)
            for digest, name in (line.split("  ", 1) for line in stamp.read_text().splitlines())
        )
        current = {
            name: hashlib.sha256((directory / name).read_bytes()).hexdigest()
            for name in FILES
            if (directory / name).exists()
        }
        if current == recorded and len(current) == len(FILES):
            sums = current
    if not sums:
        sums = write(directory, scale)
        stamp.write_text("".join(f"{sums[name]}  {name}\n" for name in FILES))
    if scale.is_standard:
        problems = verify(directory, sums)
        if problems:
            raise SystemExit("The generated data set is wrong:\n  " + "\n  ".join(problems))
    return sums


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path(__file__).parent / "data" / "standard")
    parser.add_argument(
        "--divisor",
        type=int,
        default=1,
        help="divide every row count (NOT the standard workload unless 1)",
    )
    args = parser.parse_args(argv)
    scale = STANDARD.scaled(args.divisor) if args.divisor > 1 else STANDARD
    sums = write(args.out, scale)
    for name in FILES:
        print(f"{sums[name]}  {name}")
    if scale.is_standard:
        problems = verify(args.out, sums)
        for problem in problems:
            print("MISMATCH:", problem, file=sys.stderr)
        if problems:
            raise SystemExit(1)
        print("All SHA-256 sums, first rows and the pipeline table match workload.md.")


if __name__ == "__main__":
    main()
