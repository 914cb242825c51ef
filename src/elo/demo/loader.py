"""Writes the demo plan through Elo's own services, in one transaction."""

from __future__ import annotations

import time
from collections import defaultdict
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from django.db import transaction
from django.utils import timezone

from elo.activities.models import Activity
from elo.activities.services import activities_import_batch, task_set_done
from elo.contacts.imports import organizations_import_batch, people_import_batch
from elo.contacts.models import Organization, Person
from elo.core.context import Actor, acting
from elo.core.services import custom_field_create
from elo.demo import billing as demo_billing
from elo.demo import plan as demo_plan
from elo.demo import sales as demo_sales
from elo.demo import staff
from elo.demo.vocabulary import SEGMENTS
from elo.identity.models import Team, User
from elo.identity.services import roles_ensure_defaults, team_create, user_create


class DemoLoadError(RuntimeError):
    """A generated row did not pass a service's validation: a bug in the generator."""


def _counts() -> str:
    return (
        f"{User.objects.count()} users in {Team.objects.count()} teams, "
        f"{Organization.objects.count()} organizations, {Person.objects.count()} people, "
        f"{Activity.objects.count()} timeline entries"
    )


def _check(
    what: str, rows: Sequence[Any], created: Sequence[int], rejected: Mapping[Any, Any]
) -> None:
    if rejected or len(created) != len(rows):
        sample = dict(list(rejected.items())[:3])
        raise DemoLoadError(f"demo {what} refused: {len(rejected)} rows, e.g. {sample}")


def _import_contacts(
    service: Callable[..., Any], what: str, actor: User, rows: list[dict[str, Any]]
) -> list[int]:
    outcome = service(actor=actor, rows=rows)
    _check(what, rows, outcome.created, outcome.rejected)
    return list(outcome.created)


def load(
    *,
    organizations: int = 300,
    people: int = 3000,
    activities: int = 10_000,
    seed: int = demo_plan.SEED,
) -> str:
    """Loads the demo once: users, teams, custom fields, organizations, people, timeline.

    A database that already holds the demo admin keeps what it has and gets nothing new.
    Returns a one-line summary.
    """
    if User.objects.filter(email=staff.ADMIN.email).exists():
        return f"The demo data is already loaded ({_counts()}); nothing was added."
    started = time.monotonic()
    plan = demo_plan.build(
        seed=seed,
        organizations=organizations,
        people=people,
        activities=activities,
        now=timezone.now(),
    )
    with acting(Actor(kind="system", label="demo")), transaction.atomic():
        users = _users()
        admin = users["admin"]
        custom_field_create(
            actor=admin,
            entity="organization",
            key="segment",
            label="Segment",
            field_type="choice",
            choices=list(SEGMENTS),
        )
        custom_field_create(
            actor=admin, entity="person", key="birthday", label="Birthday", field_type="date"
        )
        organization_pks = _import_contacts(
            organizations_import_batch,
            "organizations",
            admin,
            [{**org.data, "owner": users[org.owner].pk} for org in plan.organizations],
        )
        person_rows = [
            {
                **person.data,
                "owner": users[person.owner].pk,
                "organizations": [
                    {"organization": organization_pks[index], "job_title": title}
                    for index, title in person.organizations
                ],
            }
            for person in plan.people
        ]
        person_pks = _import_contacts(people_import_batch, "people", admin, person_rows)
        done = _activities(plan.activities, users, organization_pks, person_pks)
        leads, deals = demo_sales.load(
            users=users, plan=plan, organization_pks=organization_pks, seed=seed
        )
        quotes, invoices = demo_billing.load(users=users, seed=seed)
    seconds = time.monotonic() - started
    return (
        f"Loaded the demo data in {seconds:.1f} s: {len(users)} users in {len(staff.TEAMS)} "
        f"teams, {len(organization_pks)} organizations, {len(person_pks)} people, "
        f"{len(plan.activities)} timeline entries ({done} tasks done), {leads} leads, "
        f"{deals} deals, {quotes} quotes, {invoices} invoices."
    )


def _users() -> dict[str, User]:
    roles_ensure_defaults()
    teams = {key: team_create(actor=None, name=name) for key, name in staff.TEAMS.items()}
    return {
        user.key: user_create(
            actor=None,
            email=user.email,
            password=staff.PASSWORD,
            role=user.role,
            team=teams[user.team] if user.team else None,
            full_name=user.full_name,
            language=user.language,
        )
        for user in staff.USERS
    }


def _activities(
    activities: list[demo_plan.ActivityPlan],
    users: dict[str, User],
    organization_pks: list[int],
    person_pks: list[int],
) -> int:
    """Imports the timeline in one batch per author (the owner of what they log), then
    completes the done tasks as their assignees."""
    by_author: dict[str, list[demo_plan.ActivityPlan]] = defaultdict(list)
    for activity in activities:
        by_author[activity.author].append(activity)
    done: list[tuple[int, str]] = []
    for author, items in by_author.items():
        rows = []
        for item in items:
            row = dict(item.data)
            if item.person is not None:
                row["person"] = person_pks[item.person]
            if item.organization is not None:
                row["organization"] = organization_pks[item.organization]
            if item.assignee is not None:
                row["assignee"] = users[item.assignee].pk
            if item.attendees:
                row["attendees"] = [person_pks[index] for index in item.attendees]
            rows.append(row)
        result = activities_import_batch(actor=users[author], rows=rows)
        _check("activities", rows, result["created"], result["rejected"])
        done.extend(
            (pk, item.assignee or author)
            for pk, item in zip(result["created"], items, strict=True)
            if item.done
        )
    tasks = Activity.objects.in_bulk([pk for pk, _assignee in done])
    for pk, assignee in done:
        task_set_done(actor=users[assignee], activity=tasks[pk])
    return len(done)
