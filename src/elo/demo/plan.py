"""The demo data as plain rows, drawn from one seeded random generator.

`build` touches no database: the same seed and sizes always give the same names, emails,
phones, tax ids and texts. Moments are offsets from `now` (the time of loading), so some
tasks are always overdue and some meetings always ahead, whenever the demo is loaded.
Users, organizations and people are referred to by key or index; the loader turns them
into primary keys.
"""

from __future__ import annotations

import datetime
import itertools
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any, TypeVar
from zoneinfo import ZoneInfo

from stdnum.br import cnpj
from stdnum.pt import nif

from elo.core.text import fold
from elo.demo import staff
from elo.demo.texts import TEXTS, Texts
from elo.demo.vocabulary import (
    COUNTRIES,
    JOB_TITLES,
    NAMES,
    PT_MOBILE_PREFIXES,
    SEGMENTS,
    SOURCES,
    UK_MOBILE_PREFIXES,
    UK_POSTCODE_LETTERS,
    City,
    Country,
)

SEED = 20260301
T = TypeVar("T")

ORGANIZATION_STAGES = (
    ("customer", 35),
    ("opportunity", 15),
    ("sales_qualified", 12),
    ("marketing_qualified", 13),
    ("lead", 20),
    ("other", 5),
)
PERSON_STAGES = (
    ("subscriber", 10),
    ("lead", 25),
    ("marketing_qualified", 12),
    ("sales_qualified", 10),
    ("opportunity", 10),
    ("customer", 25),
    ("evangelist", 5),
    ("other", 3),
)
LOOSE_STAGES = (("subscriber", 35), ("lead", 45), ("marketing_qualified", 15), ("other", 5))
STAGE_ACTIVITY = {
    "subscriber": 0.2,
    "lead": 1.0,
    "marketing_qualified": 1.5,
    "sales_qualified": 2.5,
    "opportunity": 4.0,
    "customer": 3.0,
    "evangelist": 2.0,
    "other": 0.5,
}
SIZES = (("1-9", 25), ("10-49", 35), ("50-249", 22), ("250-999", 12), ("1000+", 6))
SIZE_PEOPLE = {"1-9": 2, "10-49": 4, "50-249": 7, "250-999": 11, "1000+": 16}
SIZE_SEGMENT = {
    "1-9": SEGMENTS[0],
    "10-49": SEGMENTS[0],
    "50-249": SEGMENTS[1],
    "250-999": SEGMENTS[2],
    "1000+": SEGMENTS[2],
}
EMAIL_PATTERNS = (("first.last", 55), ("flast", 20), ("first", 12), ("first_last", 8), ("last", 5))
# Which names people working in a country have: (culture, weight).
CULTURES = {
    "BR": (("br", 95), ("pt", 4), ("en", 1)),
    "PT": (("pt", 85), ("br", 12), ("en", 3)),
    "US": (("en", 82), ("br", 12), ("pt", 6)),
    "GB": (("en", 88), ("pt", 7), ("br", 5)),
}
ADVISOR = {
    "pt-br": ("Conselheiro", "Conselheira"),
    "pt-pt": ("Consultor", "Consultora"),
    "en": ("Advisor", "Advisor"),
}
PERSON_KINDS = (("note", 24), ("task", 20), ("call", 26), ("meeting", 12), ("email", 18))
ORGANIZATION_KINDS = (("note", 45), ("task", 35), ("meeting", 20))
OUTBOUND_OUTCOMES = (
    ("connected", 55),
    ("voicemail", 17),
    ("no_answer", 18),
    ("busy", 6),
    ("wrong_number", 4),
)
INBOUND_OUTCOMES = (("connected", 88), ("voicemail", 12))


@dataclass
class OrganizationPlan:
    data: dict[str, Any]
    owner: str
    country: Country
    city: City
    short_name: str
    domain: str
    stage: str
    email_pattern: str
    vip: bool
    age_days: int
    people: list[int] = field(default_factory=list)


@dataclass
class PersonPlan:
    data: dict[str, Any]
    owner: str
    organizations: list[tuple[int, str]]
    language: str
    timezone: str
    first_name: str
    email: str
    age_days: int
    weight: float


@dataclass
class ActivityPlan:
    author: str
    data: dict[str, Any]
    person: int | None = None
    organization: int | None = None
    assignee: str | None = None
    attendees: list[int] = field(default_factory=list)
    done: bool = False


@dataclass
class Plan:
    organizations: list[OrganizationPlan]
    people: list[PersonPlan]
    activities: list[ActivityPlan]


def _ascii(text: str) -> str:
    return "".join(char for char in fold(text) if char.isascii() and char.isalnum())


def _money(country: str, value: int) -> str:
    grouped = f"{value:,.2f}"
    if country == "BR":
        return "R$ " + grouped.replace(",", " ").replace(".", ",").replace(" ", ".")
    if country == "PT":
        return grouped.replace(",", " ").replace(".", ",") + " €"
    return ("£" if country == "GB" else "$") + grouped


class _Generator:
    def __init__(self, *, seed: int, now: datetime.datetime) -> None:
        self.rng = random.Random(seed)
        self.now = now
        self.names: set[str] = set()
        self.domains: set[str] = set()
        self.tax_ids: set[str] = set()
        self.phones: set[str] = set()
        self.emails: set[str] = set()

    # --- small draws ----------------------------------------------------------------------

    def pick(self, weighted: Sequence[tuple[T, int]]) -> T:
        values = [value for value, _weight in weighted]
        return self.rng.choices(values, weights=[weight for _value, weight in weighted])[0]

    def chance(self, probability: float) -> bool:
        return self.rng.random() < probability

    def _local(self, days: int, tz: ZoneInfo, *, future: bool, step: int) -> datetime.datetime:
        """A weekday working-hours moment `days` before (or after) now, in the contact's zone."""
        hour = self.rng.randint(8, 17)
        minute = self.rng.randrange(0, 60, step)
        day = self.now.astimezone(tz).date() + datetime.timedelta(days=days if future else -days)
        moment = datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=tz)
        shift = datetime.timedelta(days=1 if future else -1)
        while moment.weekday() >= 5 or (moment <= self.now if future else moment > self.now):
            moment += shift
        return moment

    def past(self, days: int, tz: ZoneInfo, *, step: int = 5) -> datetime.datetime:
        return self._local(days, tz, future=False, step=step)

    def future(self, days: int, tz: ZoneInfo, *, step: int = 30) -> datetime.datetime:
        return self._local(days, tz, future=True, step=step)

    def recent_days(self, age_days: int, mean: float = 150.0) -> int:
        return min(int(self.rng.expovariate(1 / mean)), age_days)

    def unique_phone(self, make: Callable[[], str]) -> str | None:
        for _attempt in range(20):
            number = make()
            if number not in self.phones:
                self.phones.add(number)
                return number
        return None

    # --- phones, tax ids, addresses -------------------------------------------------------

    def landline(self, country: Country, city: City) -> str | None:
        rng = self.rng

        def make() -> str:
            if country.code == "BR":
                first = self.pick((("3", 6), ("2", 2), ("4", 1), ("5", 1)))
                return f"+55{city.dial[0]}{first}{rng.randrange(10**7):07d}"
            if country.code == "PT":
                prefix = city.dial[0]
                width = 9 - len(prefix)
                return f"+351{prefix}{rng.randrange(10**width):0{width}d}"
            if country.code == "US":
                return f"+1{rng.choice(city.dial)}55501{rng.randrange(100):02d}"
            return f"+44{city.dial[0]}{rng.randrange(1000):03d}"

        return self.unique_phone(make)

    def mobile(self, country: Country, city: City) -> str | None:
        rng = self.rng

        def make() -> str:
            if country.code == "BR":
                return f"+55{city.dial[0]}9{rng.randint(6, 9)}{rng.randrange(10**7):07d}"
            if country.code == "PT":
                return f"+351{rng.choice(PT_MOBILE_PREFIXES)}{rng.randrange(10**7):07d}"
            if country.code == "US":
                return f"+1{rng.choice(city.dial)}55501{rng.randrange(100):02d}"
            return f"+44{rng.choice(UK_MOBILE_PREFIXES)}{rng.randrange(10**6):06d}"

        return self.unique_phone(make)

    def tax_id(self, country: Country) -> str:
        while True:
            if country.code == "BR":
                base = f"{self.rng.randrange(10**7, 10**8):08d}0001"
                value = cnpj.format(base + cnpj.calc_check_digits(base))
            elif country.code == "PT":
                base = f"5{self.rng.randrange(10**7):07d}"
                value = base + nif.calc_check_digit(base)
            else:
                return ""
            if value not in self.tax_ids:
                self.tax_ids.add(value)
                return value

    def street(self, country: Country) -> str:
        rng = self.rng
        name = rng.choice(country.streets)
        if country.code == "BR":
            extra = (
                f" - sala {rng.randint(1, 30)}{rng.randint(1, 9):02d}" if self.chance(0.3) else ""
            )
            return f"{name}, {rng.randint(10, 3500)}{extra}"
        if country.code == "PT":
            extra = (
                f", {rng.randint(1, 6)}.º {rng.choice(('Esq.', 'Dto.'))}"
                if self.chance(0.3)
                else ""
            )
            return f"{name}, {rng.randint(1, 250)}{extra}"
        if country.code == "US":
            extra = (
                f", Suite {rng.randint(1, 9)}{rng.randint(0, 99):02d}" if self.chance(0.3) else ""
            )
            return f"{rng.randint(10, 2500)} {name}{extra}"
        return f"{rng.randint(1, 250)} {name}"

    def postal_code(self, country: Country, city: City) -> str:
        rng = self.rng
        if country.code == "BR":
            return f"{rng.randint(*city.postal):05d}-{rng.randrange(1000):03d}"
        if country.code == "PT":
            return f"{rng.randint(*city.postal):04d}-{rng.randrange(1000):03d}"
        if country.code == "US":
            return f"{rng.randint(*city.postal):05d}"
        letters = UK_POSTCODE_LETTERS
        inward = f"{rng.randint(1, 9)}{rng.choice(letters)}{rng.choice(letters)}"
        return f"{rng.choice(city.outward)} {inward}"

    def city(self, country: Country) -> City:
        return self.pick([(city, city.weight) for city in country.cities])

    # --- organizations --------------------------------------------------------------------

    def organization(self, index: int) -> OrganizationPlan:
        rng = self.rng
        country = COUNTRIES[self.pick([(code, c.weight) for code, c in COUNTRIES.items()])]
        city = self.city(country)
        for attempt in range(40):
            pattern, industry = rng.choice(country.sectors)
            short_name = pattern.format(stem=rng.choice(country.stems))
            if attempt >= 30:
                short_name = (
                    f"{short_name} {city.name}" if attempt < 35 else f"{short_name} {index}"
                )
            words = [_ascii(word) for word in short_name.split()]
            label = "-".join(words) if len(words) > 2 and self.chance(0.4) else "".join(words)
            domain = f"{label}.{country.tld}"
            if fold(short_name) not in self.names and domain not in self.domains:
                break
        self.names.add(fold(short_name))
        self.domains.add(domain)
        name = short_name + self.pick(country.suffixes)
        size = self.pick(SIZES)
        phones = [self.landline(country, city)]
        if self.chance(0.25):
            phones.append(self.landline(country, city))
        stage = self.pick(ORGANIZATION_STAGES)
        tags = []
        vip = self.chance(0.12)
        if vip:
            tags.append("VIP")
        if self.chance(0.08):
            tags.append("Partner")
        if stage == "customer" and self.chance(0.12):
            tags.append("Churn risk")
        custom = {"segment": SIZE_SEGMENT[size]} if self.chance(0.9) else {}
        age_days = rng.randint(60, 1100)
        data: dict[str, Any] = {
            "name": name,
            "industry": industry,
            "size": size,
            "tax_id": self.tax_id(country),
            "website": f"https://www.{domain}" if self.chance(0.9) else "",
            "domains": [domain],
            "phones": [phone for phone in phones if phone],
            "addresses": [
                {
                    "label": country.address_label,
                    "street": self.street(country),
                    "city": city.name,
                    "region": city.region,
                    "postal_code": self.postal_code(country, city),
                    "country": country.code,
                }
            ],
            "tags": tags,
            "custom": custom,
            "created_at": self.past(age_days, ZoneInfo(city.timezone)),
        }
        return OrganizationPlan(
            data=data,
            owner=self.pick(staff.OWNERS[country.code]),
            country=country,
            city=city,
            short_name=short_name,
            domain=domain,
            stage=stage,
            email_pattern=self.pick(EMAIL_PATTERNS),
            vip=vip,
            age_days=age_days,
        )

    # --- people ---------------------------------------------------------------------------

    def work_email(self, pattern: str, first: str, last: str, domain: str) -> str:
        local = {
            "first.last": f"{first}.{last}",
            "flast": f"{first[:1]}{last}",
            "first": first,
            "first_last": f"{first}_{last}",
            "last": last,
        }[pattern]
        candidates = [local, f"{first}.{last}", *(f"{first}.{last}{n}" for n in range(2, 100))]
        for candidate in candidates:
            email = f"{candidate}@{domain}"
            if email not in self.emails:
                self.emails.add(email)
                return email
        raise RuntimeError("no free email address")  # pragma: no cover

    def personal_email(self, first: str, last: str, country: Country) -> str:
        while True:
            year = self.rng.randint(60, 99) if self.chance(0.5) else self.rng.randint(1, 999)
            local = self.rng.choice(
                (f"{first}.{last}{year}", f"{first}{last}{year}", f"{first}{year}")
            )
            email = f"{local}@{self.rng.choice(country.personal_domains)}"
            if email not in self.emails:
                self.emails.add(email)
                return email

    def person(
        self,
        employer: tuple[int, OrganizationPlan] | None,
        position: int,
        advisor_at: tuple[int, OrganizationPlan] | None,
    ) -> PersonPlan:
        """One contact; `position` counts the people already at the employer (0: its head)."""
        rng = self.rng
        organization = employer[1] if employer else None
        if organization is not None:
            country = organization.country
            city = organization.city if self.chance(0.8) else self.city(country)
        else:
            country = COUNTRIES[self.pick([(code, c.weight) for code, c in COUNTRIES.items()])]
            city = self.city(country)
        names = NAMES[self.pick(CULTURES[country.code])]
        female = self.chance(0.5)
        given = rng.choice(names.female if female else names.male)
        surnames = [rng.choice(names.surnames)]
        if self.chance(names.two_surnames):
            other = rng.choice(names.surnames)
            if other != surnames[0]:
                surnames.insert(0, other)
        family = " ".join(surnames)
        first_ascii = ".".join(_ascii(part) for part in given.split())
        last_ascii = _ascii(surnames[-1])
        emails: list[str] = []
        jobs: list[tuple[int, str]] = []
        if employer is not None and organization is not None:
            emails.append(
                self.work_email(
                    organization.email_pattern, first_ascii, last_ascii, organization.domain
                )
            )
            titles = JOB_TITLES[country.language]
            pool = titles[:4] if position == 0 else titles[4:]
            title = rng.choice(pool)[1 if female else 0]
            jobs.append((employer[0], title))
            if self.chance(0.12):
                emails.append(self.personal_email(first_ascii, last_ascii, country))
        else:
            emails.append(self.personal_email(first_ascii, last_ascii, country))
        if advisor_at is not None:
            index, board = advisor_at
            jobs.append((index, ADVISOR[board.country.language][1 if female else 0]))
        phones = []
        if self.chance(0.85):
            phones.append(self.mobile(country, city))
        if organization is not None and self.chance(0.3):
            phones.append(self.landline(country, city))
        if organization is not None and self.chance(0.7):
            stage = organization.stage
        else:
            stage = self.pick(PERSON_STAGES if organization is not None else LOOSE_STAGES)
        if organization is not None:
            owner = organization.owner
            if self.chance(0.12):
                owner = rng.choice(staff.SELLERS[staff.BY_KEY[owner].team or "br"])
        else:
            owner = self.pick(staff.OWNERS[country.code])
        source = self.pick(SOURCES) if self.chance(0.8) else ""
        tags = []
        if self.chance(0.25):
            tags.append("Newsletter")
        if source == "Trade show" and self.chance(0.6):
            tags.append("Trade show")
        if source == "Referral" and self.chance(0.5):
            tags.append("Referral")
        if organization is not None and organization.vip and position == 0:
            tags.append("VIP")
        custom: dict[str, Any] = {}
        if self.chance(0.55):
            born = rng.randint(
                datetime.date(1960, 1, 1).toordinal(), datetime.date(2002, 12, 31).toordinal()
            )
            custom["birthday"] = datetime.date.fromordinal(born).isoformat()
        has_address = self.chance(0.25)
        age_days = rng.randint(0, organization.age_days if organization else 900)
        data: dict[str, Any] = {
            "given_name": given,
            "family_name": family,
            "emails": emails,
            "phones": [phone for phone in phones if phone],
            "street": self.street(country) if has_address else "",
            "postal_code": self.postal_code(country, city) if has_address else "",
            "city": city.name if organization is not None or self.chance(0.6) else "",
            "region": city.region,
            "country": country.code,
            "preferred_language": country.language,
            "lifecycle_stage": stage,
            "source": source,
            "tags": tags,
            "custom": custom,
            "created_at": self.past(age_days, ZoneInfo(city.timezone)),
        }
        if not data["city"]:
            data["region"] = ""
        return PersonPlan(
            data=data,
            owner=owner,
            organizations=jobs,
            language=country.language,
            timezone=city.timezone,
            first_name=given,
            email=emails[0],
            age_days=age_days,
            weight=STAGE_ACTIVITY[stage] * (0.3 + rng.random()),
        )

    def people(self, organizations: list[OrganizationPlan], count: int) -> list[PersonPlan]:
        employed = round(count * 0.92) if organizations else 0
        employers = list(range(min(len(organizations), employed)))
        weights = [SIZE_PEOPLE[org.data["size"]] for org in organizations]
        if organizations:
            employers += self.rng.choices(
                range(len(organizations)), weights=weights, k=employed - len(employers)
            )
        slots: list[int | None] = [*employers, *([None] * (count - employed))]
        self.rng.shuffle(slots)
        result: list[PersonPlan] = []
        for slot in slots:
            organization = organizations[slot] if slot is not None else None
            advisor_at = None
            if organization is not None and self.chance(0.03):
                other = self.rng.randrange(len(organizations))
                if other != slot:
                    advisor_at = (other, organizations[other])
            employer = (slot, organization) if slot is not None and organization else None
            position = len(organization.people) if organization else 0
            if organization is not None:
                organization.people.append(len(result))
            result.append(self.person(employer, position, advisor_at))
        return result

    # --- activities -----------------------------------------------------------------------

    def text(self, options: Sequence[str], values: dict[str, str]) -> str:
        usable = [
            option
            for option in options
            if ("{first}" not in option or values["first"])
            and ("{org}" not in option or values["org"])
        ]
        return self.rng.choice(usable).format(**values) if usable else ""

    def email_pair(
        self, options: Sequence[tuple[str, str]], values: dict[str, str]
    ) -> tuple[str, str]:
        usable = [pair for pair in options if "{org}" not in pair[0] + pair[1] or values["org"]]
        subject, body = self.rng.choice(usable)
        return subject.format(**values), body.format(**values)

    def author_for(self, owner: str, kind: str) -> str:
        team = staff.BY_KEY[owner].team or "br"
        roll = self.rng.random()
        if kind == "email" and team == "intl" and roll < 0.25:
            return "intl_marketer"
        if kind in {"note", "call"} and team == "br" and roll < 0.15:
            return "br_support"
        if roll > 0.96:
            return staff.MANAGERS[team]
        return owner

    def activity(
        self,
        organizations: list[OrganizationPlan],
        people: list[PersonPlan],
        pick: Callable[[str], int],
    ) -> ActivityPlan:
        rng = self.rng
        person_index: int | None
        organization: OrganizationPlan | None
        if not people or (organizations and self.chance(0.1)):
            person_index = None
            organization_index = pick("organization")
            organization = organizations[organization_index]
            kind = self.pick(ORGANIZATION_KINDS)
            owner = organization.owner
            author = staff.MANAGERS[staff.BY_KEY[owner].team or "br"] if self.chance(0.1) else owner
            language = organization.country.language
            tz = ZoneInfo(organization.city.timezone)
            age_days = organization.age_days
            country = organization.country.code
            first = ""
            colleagues = organization.people
        else:
            person_index = pick("person")
            person = people[person_index]
            organization_index = None
            kind = self.pick(PERSON_KINDS)
            owner = person.owner
            author = self.author_for(owner, kind)
            language = person.language
            tz = ZoneInfo(person.timezone)
            age_days = person.age_days
            country = str(person.data["country"])
            first = person.first_name
            employer = person.organizations[0][0] if person.organizations else None
            organization = organizations[employer] if employer is not None else None
            colleagues = [
                index
                for index in (organization.people if organization else [])
                if index != person_index
            ]
        texts: Texts = TEXTS[language]
        values = {
            "first": first,
            "org": organization.short_name if organization else "",
            "product": rng.choice(texts.products),
            "amount": _money(country, rng.randrange(12, 1800) * 100),
            "me": staff.BY_KEY[author].first_name,
        }
        plan = ActivityPlan(author=author, data={"kind": kind}, person=person_index)
        plan.organization = organization_index
        data = plan.data
        if kind == "note":
            data["subject"] = rng.choice(texts.note_subjects) if self.chance(0.3) else ""
            data["body"] = self.text(texts.notes, values)
            data["occurred_at"] = self.past(self.recent_days(age_days), tz)
        elif kind == "task":
            data["subject"] = self.text(texts.task_subjects, values)
            data["body"] = rng.choice(texts.task_bodies) if self.chance(0.4) else ""
            state = rng.random()
            if state < 0.45:
                due_days = 1 + self.recent_days(max(age_days - 1, 0), mean=120)
                plan.done = True
            elif state < 0.65:
                due_days = rng.randint(1, 20)
            else:
                due_days = -rng.randint(1, 30)
            if due_days > 0:
                data["due_at"] = self.past(due_days, tz)
                data["occurred_at"] = self.past(due_days + rng.randint(1, 14), tz)
            else:
                data["due_at"] = self.future(-due_days, tz)
                data["occurred_at"] = self.past(rng.randint(0, 7), tz)
            plan.assignee = owner if self.chance(0.85) else author
        elif kind == "call":
            outbound = self.chance(0.65)
            outcome = self.pick(OUTBOUND_OUTCOMES if outbound else INBOUND_OUTCOMES)
            data["direction"] = "outbound" if outbound else "inbound"
            data["outcome"] = outcome
            data["duration_seconds"] = {
                "connected": max(30, min(3600, int(rng.lognormvariate(5.6, 0.7)))),
                "voicemail": rng.randint(15, 60),
                "wrong_number": rng.randint(5, 25),
            }.get(outcome, 0)
            data["subject"] = rng.choice(texts.call_subjects)
            if outcome == "connected" and self.chance(0.75):
                data["body"] = self.text(texts.call_bodies, values)
            elif outcome == "voicemail":
                data["body"] = rng.choice(texts.voicemail_bodies)
            data["occurred_at"] = self.past(self.recent_days(age_days), tz)
        elif kind == "meeting":
            data["subject"] = self.text(texts.meeting_subjects, values)
            data["body"] = rng.choice(texts.meeting_bodies) if self.chance(0.5) else ""
            if self.chance(0.18):
                starts = self.future(rng.randint(1, 21), tz)
            else:
                starts = self.past(self.recent_days(age_days), tz, step=15)
            data["starts_at"] = starts
            data["ends_at"] = starts + datetime.timedelta(minutes=rng.choice((30, 45, 60, 90)))
            visible = [index for index in colleagues if staff.can_see(author, people[index].owner)]
            extra = rng.sample(visible, min(len(visible), rng.randint(0, 2 if first else 3)))
            plan.attendees = ([person_index] if person_index is not None else []) + extra
        else:
            outgoing = self.chance(0.7)
            subject, body = self.email_pair(
                texts.emails_out if outgoing else texts.emails_in, values
            )
            contact = people[person_index].email if person_index is not None else ""
            me = staff.BY_KEY[author].email
            data["subject"] = subject
            data["body"] = body
            data["email_from"] = me if outgoing else contact
            data["email_to"] = contact if outgoing else me
            data["occurred_at"] = self.past(self.recent_days(age_days), tz)
        return plan

    def activities(
        self, organizations: list[OrganizationPlan], people: list[PersonPlan], count: int
    ) -> list[ActivityPlan]:
        person_weights = list(itertools.accumulate(person.weight for person in people))
        organization_weights = list(
            itertools.accumulate(SIZE_PEOPLE[org.data["size"]] for org in organizations)
        )
        person_range = range(len(people))
        organization_range = range(len(organizations))

        def pick(what: str) -> int:
            if what == "person":
                return self.rng.choices(person_range, cum_weights=person_weights)[0]
            return self.rng.choices(organization_range, cum_weights=organization_weights)[0]

        return [self.activity(organizations, people, pick) for _index in range(count)]


def build(
    *,
    seed: int = SEED,
    organizations: int = 300,
    people: int = 3000,
    activities: int = 10_000,
    now: datetime.datetime,
) -> Plan:
    """The demo rows for these sizes; the same arguments give the same rows."""
    generator = _Generator(seed=seed, now=now)
    organization_plans = [generator.organization(index) for index in range(organizations)]
    people_plans = generator.people(organization_plans, people)
    activity_plans = (
        generator.activities(organization_plans, people_plans, activities)
        if organization_plans or people_plans
        else []
    )
    return Plan(organizations=organization_plans, people=people_plans, activities=activity_plans)
