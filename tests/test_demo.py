"""The demo data: sizes, validity, determinism, idempotence and the demo logins."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import phonenumbers
import pytest
from django.db import transaction
from django.utils import timezone
from stdnum.br import cnpj
from stdnum.pt import nif

from elo import demo
from elo.demo import plan as demo_plan

SMALL = {"organizations": 30, "people": 300, "activities": 1000}
NOW = datetime.datetime(2026, 3, 2, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture(scope="module")
def small_demo(django_db_setup: Any, django_db_blocker: Any) -> Iterator[str]:
    """One small load shared by the module's tests, rolled back at the end."""
    with django_db_blocker.unblock():
        atomic = transaction.atomic()
        atomic.__enter__()
        try:
            yield demo.load(**SMALL)
        finally:
            transaction.set_rollback(True)
            atomic.__exit__(None, None, None)


def _counts() -> dict[str, int]:
    from elo.activities.models import Activity
    from elo.contacts.models import Employment, Organization, Person
    from elo.core.models import AuditEntry, CustomField, Tag
    from elo.identity.models import Team, User

    return {
        "users": User.objects.count(),
        "teams": Team.objects.count(),
        # Converted demo leads add their own person and organization; count the plan's.
        "organizations": Organization.objects.exclude(leads__isnull=False).count(),
        "people": Person.objects.exclude(source__startswith="lead ").count(),
        "employments": Employment.objects.count(),
        "activities": Activity.objects.count(),
        "custom_fields": CustomField.objects.count(),
        "tags": Tag.objects.count(),
        "audit": AuditEntry.objects.count(),
    }


def _is_valid_phone(number: str) -> bool:
    return phonenumbers.is_valid_number(phonenumbers.parse(number, None))


# --- the plan, without a database ---------------------------------------------------------


def test_full_size_plan_has_the_documented_counts() -> None:
    plan = demo_plan.build(now=NOW)

    assert len(plan.organizations) == 300
    assert len(plan.people) == 3000
    assert len(plan.activities) == 10_000


def test_same_seed_gives_the_same_rows_whatever_the_time() -> None:
    first = demo_plan.build(**SMALL, now=NOW)
    second = demo_plan.build(**SMALL, now=NOW + datetime.timedelta(days=40))

    def identity(plan: demo_plan.Plan) -> list[Any]:
        return [
            *[(o.data["name"], o.data["tax_id"], o.data["phones"]) for o in plan.organizations],
            *[(p.data["given_name"], p.data["family_name"], p.data["emails"]) for p in plan.people],
            *[(a.data["kind"], a.data.get("subject"), a.data.get("body")) for a in plan.activities],
        ]

    assert identity(first) == identity(second)
    other_seed = demo_plan.build(**SMALL, now=NOW, seed=7)
    assert identity(other_seed) != identity(first)


def test_full_size_plan_has_only_valid_tax_ids_phones_and_emails() -> None:
    from elo.contacts.cleaning import clean_email

    plan = demo_plan.build(now=NOW)

    tax_ids = [o.data["tax_id"] for o in plan.organizations if o.data["tax_id"]]
    assert all(cnpj.is_valid(t) or nif.is_valid(t) for t in tax_ids)
    assert len(set(tax_ids)) == len(tax_ids)
    assert {o.country.code for o in plan.organizations if not o.data["tax_id"]} == {"US", "GB"}
    phones = [n for o in plan.organizations for n in o.data["phones"]]
    phones += [n for p in plan.people for n in p.data["phones"]]
    assert [n for n in phones if not _is_valid_phone(n)] == []
    assert len(set(phones)) == len(phones)
    emails = [e for p in plan.people for e in p.data["emails"]]
    assert len(set(emails)) == len(emails)
    assert all(clean_email(e) == e for e in emails[:300])


def test_full_size_plan_dates_put_tasks_on_both_sides_of_now() -> None:
    plan = demo_plan.build(now=NOW)
    tasks = [a for a in plan.activities if a.data["kind"] == "task"]
    open_tasks = [a for a in tasks if not a.done]

    assert sum(a.data["due_at"] < NOW for a in open_tasks) > 200
    assert sum(a.data["due_at"] > NOW for a in open_tasks) > 400
    assert all(a.data["due_at"] < NOW for a in tasks if a.done)
    past_only = [a for a in plan.activities if a.data["kind"] in {"note", "call", "email"}]
    assert all(a.data["occurred_at"] <= NOW for a in past_only)
    meetings = [a for a in plan.activities if a.data["kind"] == "meeting"]
    assert all(m.data["ends_at"] > m.data["starts_at"] for m in meetings)
    assert any(m.data["starts_at"] > NOW for m in meetings)
    assert all(m.data["starts_at"].weekday() < 5 for m in meetings)


# --- a small load through the services ----------------------------------------------------


@pytest.mark.django_db
def test_small_load_writes_the_requested_numbers(small_demo: str) -> None:
    counts = _counts()

    assert counts["users"] == 11
    assert counts["teams"] == 2
    assert counts["organizations"] == 30
    assert counts["people"] == 300
    assert counts["activities"] == 1000
    assert counts["custom_fields"] == 2
    assert counts["tags"] >= 4
    assert small_demo.startswith("Loaded the demo data in ")
    assert "30 organizations, 300 people, 1000 timeline entries" in small_demo


@pytest.mark.django_db
def test_first_people_are_always_the_same(small_demo: str) -> None:
    from elo.contacts.models import Organization, Person

    people = list(Person.objects.order_by("pk")[:3])
    organizations = list(Organization.objects.order_by("pk")[:2])

    assert [(p.given_name, p.family_name, p.primary_email) for p in people] == [
        ("Ethan", "Young", "ethan@lakesidehealth.com"),
        ("André", "Vieira", "andre.vieira@calcadonau.pt"),
        ("Ricardo", "Mendes", "mendes@construtora-cruzeiro-do-sul.com.br"),
    ]
    assert [(o.name, o.tax_id) for o in organizations] == [
        ("Boa Vista Consultoria Ltda", "87.166.641/0001-07"),
        ("Granite Construction Inc.", ""),
    ]


@pytest.mark.django_db
def test_second_load_adds_nothing(small_demo: str) -> None:
    before = _counts()

    summary = demo.load(**SMALL)

    assert summary.startswith("The demo data is already loaded")
    assert "nothing was added" in summary
    assert _counts() == before


@pytest.mark.django_db
def test_stored_tax_ids_and_phones_are_valid(small_demo: str) -> None:
    from elo.contacts.models import Organization, PersonPhone

    organizations = list(Organization.objects.filter(leads__isnull=True))
    for organization in organizations:
        if organization.tax_id_kind == "cnpj":
            assert cnpj.is_valid(organization.tax_id), organization.tax_id
        elif organization.tax_id_kind == "nif":
            assert nif.is_valid(organization.tax_id), organization.tax_id
        else:
            assert organization.tax_id == ""
            assert organization.addresses[0]["country"] in {"US", "GB"}
        assert all(_is_valid_phone(n) for n in organization.phones)
    numbers = list(PersonPhone.objects.values_list("number", flat=True))
    assert numbers
    assert [n for n in numbers if not _is_valid_phone(n)] == []


@pytest.mark.django_db
def test_people_speak_their_country_language_and_work_at_its_domains(small_demo: str) -> None:
    from elo.contacts.models import Employment, Person

    languages = set(Person.objects.values_list("country", "preferred_language").distinct())
    assert languages <= {("BR", "pt-br"), ("PT", "pt-pt"), ("US", "en"), ("GB", "en")}
    assert {language for _country, language in languages} == {"pt-br", "pt-pt", "en"}
    primary = (
        Employment.objects.filter(is_primary=True)
        .exclude(person__source__startswith="lead ")
        .select_related("person", "organization")
    )
    assert primary.count() > 250
    for job in primary:
        assert job.job_title
        assert job.person.primary_email.endswith("@" + job.organization.domains[0])
    assert Person.objects.values("lifecycle_stage").distinct().count() >= 6
    assert Person.objects.values("owner").distinct().count() >= 6
    assert Person.objects.filter(custom__has_key="birthday").count() > 100
    assert Person.objects.filter(tags__name="Newsletter").count() > 30


@pytest.mark.django_db
def test_timeline_has_every_kind_with_its_details(small_demo: str) -> None:
    from elo.activities.models import Activity

    now = timezone.now()
    kinds = set(Activity.objects.values_list("kind", flat=True))
    tasks = Activity.objects.filter(kind="task")
    calls = Activity.objects.filter(kind="call")

    assert kinds == {"note", "task", "call", "meeting", "email"}
    assert tasks.filter(done_at__isnull=False).count() > 20
    assert tasks.filter(done_at__isnull=True, due_at__lt=now).count() > 10
    assert tasks.filter(done_at__isnull=True, due_at__gt=now).count() > 10
    assert not tasks.filter(assignee__isnull=True).exists()
    assert not calls.filter(direction="").exists()
    assert not calls.filter(outcome="").exists()
    assert calls.filter(outcome="connected", duration_seconds__gt=0).exists()
    assert not Activity.objects.filter(kind="meeting", ends_at__isnull=True).exists()
    assert not Activity.objects.filter(kind="email", email_to="").exists()
    assert Activity.objects.values("owner").distinct().count() >= 6
    assert Activity.objects.filter(body_html__contains="<strong>").exists()


@pytest.mark.django_db
def test_users_fill_every_role_in_two_teams(small_demo: str) -> None:
    from elo.identity.models import User

    users = list(User.objects.select_related("role", "team"))
    roles = {user.role.key for user in users if user.role}
    teams = {user.team.name for user in users if user.team}

    assert roles == {"admin", "manager", "sales_rep", "support_agent", "marketer", "read_only"}
    assert teams == {"Brasil", "Portugal & International"}
    managers = [user for user in users if user.role and user.role.key == "manager"]
    assert {user.team.name for user in managers if user.team} == teams
    assert sorted(user.email for user in users) == sorted(email for email, _role in demo.LOGINS)


@pytest.mark.django_db
def test_every_demo_user_can_sign_in(small_demo: str, client: Any) -> None:
    assert len(demo.PASSWORD) >= 8
    for email, _role in demo.LOGINS:
        assert client.login(email=email, password=demo.PASSWORD), email
        client.logout()


@pytest.mark.django_db
def test_demo_changes_are_audited_as_the_demo_system(small_demo: str) -> None:
    from elo.core.models import AuditEntry

    actors = set(AuditEntry.objects.values_list("actor_kind", "actor_label").distinct())

    assert actors == {("system", "demo")}


@pytest.mark.django_db
def test_sales_demo_has_rules_leads_and_deals_across_the_pipeline(small_demo: str) -> None:
    from elo.sales.models import Assignment, AssignmentRule, Deal, Lead

    assert "12 leads" in small_demo
    assert AssignmentRule.objects.count() == 3
    statuses = set(Lead.objects.values_list("status", flat=True))
    assert {"new", "working", "qualified", "disqualified", "converted"} <= statuses
    # Leads from Brazil went round robin to the Brazilian reps, the rest by capacity.
    br_owners = set(Lead.objects.filter(country="BR").values_list("owner__email", flat=True))
    assert br_owners == {"ana.souza@elo.example", "rafael.lima@elo.example",
                         "juliana.costa@elo.example"}  # fmt: skip
    assert Assignment.objects.filter(reason="rule").count() >= 12
    deals = Deal.objects.all()
    assert deals.count() > 10
    assert {"open", "won", "lost"} <= set(deals.values_list("status", flat=True))
    assert all(deal.stage_history.exists() for deal in deals[:20])
    converted = Lead.objects.filter(status="converted")
    assert all(lead.person_id and lead.deal_id for lead in converted)


def test_back_office_demo_has_a_catalogue_quotes_and_invoices_in_every_state(
    small_demo: str,
) -> None:
    from elo.billing.models import Invoice
    from elo.core.selectors import company_profile
    from elo.sales.models import Deal, PriceList, Product, Quote

    assert company_profile().tax_id == "11.222.333/0001-81"
    assert Product.objects.count() == 6
    assert set(PriceList.objects.values_list("currency", flat=True)) == {"BRL", "EUR", "USD", "GBP"}
    won = Deal.objects.filter(status="won").count()
    assert Quote.objects.filter(status="accepted").count() == won == Invoice.objects.count() > 0
    for quote in Quote.objects.select_related("deal"):
        assert quote.currency == quote.deal.currency
        assert quote.total == sum(line.total for line in quote.lines.all())
    invoices = Invoice.objects.all()
    assert all(invoice.number and invoice.balance >= 0 for invoice in invoices)
    statuses = set(invoices.values_list("status", flat=True))
    assert "paid" in statuses and statuses <= {"paid", "partially_paid", "issued"}
