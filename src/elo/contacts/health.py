"""Data health: the stale or broken contact data a user can see, counted and listed.

Every problem costs the same few queries whatever the table size (one count, one list)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

import phonenumbers
from django.db.models import Exists, F, Max, OuterRef, Q, QuerySet
from django.utils import timezone

from elo.activities.models import Activity
from elo.contacts.models import Organization, Person, PersonEmail, PersonPhone

WORST = 20
DEFAULT_MONTHS = 12
PROBLEMS = (
    "bounced_emails",
    "invalid_phones",
    "no_activity",
    "domains_not_resolving",
    "unreachable",
)


@dataclass
class Problem:
    key: str
    count: int
    records: list[Any] = field(default_factory=list)


def _people(user: Any) -> QuerySet[Person]:
    return Person.objects.visible_to(user).alive()


def phone_is_valid(number: str) -> bool:
    try:
        parsed = phonenumbers.parse(number, None)
    except phonenumbers.NumberParseException:
        return False
    return phonenumbers.is_valid_number(parsed)


def bounced_emails(user: Any, *, limit: int = WORST) -> Problem:
    bounced = PersonEmail.objects.filter(person=OuterRef("pk"), bounced_at__isnull=False)
    people = _people(user).filter(Exists(bounced))
    latest = Max("emails__bounced_at", filter=Q(emails__bounced_at__isnull=False))
    records = list(people.annotate(bounced_at=latest).order_by("-bounced_at", "id")[:limit])
    return Problem("bounced_emails", people.count(), records)


def invalid_phones(user: Any, *, limit: int = WORST) -> Problem:
    """People with a number phonenumbers does not accept for its region (one read of the
    visible numbers; the check itself runs in Python)."""
    rows = PersonPhone.objects.filter(person__in=_people(user).values("pk")).values_list(
        "person_id", "number"
    )
    bad: dict[int, str] = {}
    for person_id, number in rows.iterator(chunk_size=2000):
        if person_id not in bad and not phone_is_valid(number):
            bad[person_id] = number
    ids = sorted(bad)[:limit]
    records = list(Person.objects.filter(pk__in=ids).order_by("id")) if ids else []
    for person in records:
        person.invalid_phone = bad[person.pk]
    return Problem("invalid_phones", len(bad), records)


def no_activity(user: Any, *, months: int = DEFAULT_MONTHS, limit: int = WORST) -> Problem:
    """People whose newest timeline entry is older than `months` (or who have none), the
    longest silent first."""
    cutoff = timezone.now() - timedelta(days=round(months * 365.25 / 12))
    newest = Max("activities__occurred_at", filter=Q(activities__deleted_at__isnull=True))
    recent = Activity.objects.filter(
        person=OuterRef("pk"), deleted_at__isnull=True, occurred_at__gte=cutoff
    )
    people = _people(user).filter(~Exists(recent))
    records = list(
        people.annotate(last_activity_at=newest).order_by(
            F("last_activity_at").asc(nulls_first=True), "id"
        )[:limit]
    )
    return Problem("no_activity", people.count(), records)


def domains_not_resolving(user: Any, *, limit: int = WORST) -> Problem:
    organizations = Organization.objects.visible_to(user).alive().filter(domain_resolves=False)
    records = list(organizations.order_by("-domain_checked_at", "id")[:limit])
    return Problem("domains_not_resolving", organizations.count(), records)


def unreachable(user: Any, *, limit: int = WORST) -> Problem:
    """People without any email address or phone number."""
    people = _people(user).filter(
        ~Exists(PersonEmail.objects.filter(person=OuterRef("pk"))),
        ~Exists(PersonPhone.objects.filter(person=OuterRef("pk"))),
    )
    records = list(people.order_by("created_at", "id")[:limit])
    return Problem("unreachable", people.count(), records)


def data_health_for(
    user: Any, *, months: int = DEFAULT_MONTHS, limit: int = WORST
) -> list[Problem]:
    return [
        bounced_emails(user, limit=limit),
        invalid_phones(user, limit=limit),
        no_activity(user, months=months, limit=limit),
        domains_not_resolving(user, limit=limit),
        unreachable(user, limit=limit),
    ]
