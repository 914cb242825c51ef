"""The retention policy settings pages: list, create and edit with field errors, the dry
run page, "Run now" behind a confirmation, the runs history, and flat query counts."""

from __future__ import annotations

import datetime
from collections.abc import Iterator
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from elo.contacts.models import Person
from elo.privacy import retention
from elo.privacy.models import RetentionPolicy, RetentionRun
from elo.sales.models import Lead
from elo.sales.services import lead_create

BASE = "/settings/retention-policies/"
NOW = datetime.datetime(2026, 6, 15, 12, 0, tzinfo=datetime.UTC)
LONG_AGO = datetime.datetime(2024, 1, 10, 9, 0, tzinfo=datetime.UTC)


@pytest.fixture(autouse=True)
def clock() -> Iterator[None]:
    with time_machine.travel(NOW, tick=False):
        yield


def _old_leads(owner: Any, count: int, start: int = 0) -> list[Lead]:
    with time_machine.travel(LONG_AGO, tick=False):
        return [
            lead_create(actor=owner, data={"given_name": f"Old{start + index}"})
            for index in range(count)
        ]


def _policy(admin: Any, name: str = "Stale leads", **data: Any) -> RetentionPolicy:
    fields = {"name": name, "entity": "leads", "inactive_months": 12, **data}
    return retention.policy_create(actor=admin, data=fields)


def _queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        reply = client.get(url)
    assert reply.status_code == 200
    return len(captured)


def test_settings_links_the_policies_once(web: Any, admin: Any) -> None:
    page = web(admin).get("/settings/").content.decode()
    assert page.count(f'href="{BASE}"') == 1


def test_people_without_settings_permission_are_refused(
    web: Any, admin: Any, manager: Any, rep: Any, client: Any
) -> None:
    policy = _policy(admin)
    _old_leads(rep, 1)
    assert client.get(BASE).status_code == 302
    browser = web(manager)
    for url in (BASE, f"{BASE}new/", f"{BASE}{policy.pk}/", f"{BASE}{policy.pk}/runs/"):
        assert browser.get(url).status_code == 403
    assert browser.post(f"{BASE}{policy.pk}/run/", {"confirm": "on"}).status_code == 403
    assert browser.post(f"{BASE}{policy.pk}/dry-run/").status_code == 403
    assert browser.post(f"{BASE}{policy.pk}/delete/").status_code == 403
    assert not RetentionRun.objects.exists() and RetentionPolicy.objects.count() == 1
    assert not Lead.objects.filter(erased_at__isnull=False).exists()


def test_create_with_field_errors_then_valid(web: Any, admin: Any) -> None:
    client = web(admin)
    form = client.get(f"{BASE}new/")
    assert form.status_code == 200 and 'name="statuses"' in form.content.decode()
    refused = client.post(
        f"{BASE}new/",
        {"name": "Old people", "entity": "people", "inactive_months": "0", "statuses": "new"},
    )
    html = refused.content.decode()
    assert refused.status_code == 200
    assert 'data-field-error="inactive_months"' in html
    assert 'data-field-error="statuses"' in html
    assert not RetentionPolicy.objects.exists()
    created = client.post(
        f"{BASE}new/",
        {"name": "Old people", "entity": "people", "inactive_months": "24", "statuses": "lead"},
    )
    policy = RetentionPolicy.objects.get()
    assert created.status_code == 302 and created["Location"] == f"{BASE}{policy.pk}/"
    assert (policy.entity, policy.inactive_months, policy.statuses, policy.enabled) == (
        "people",
        24,
        ["lead"],
        False,
    )


def test_edit_refuses_a_stale_version_and_keeps_the_policy(web: Any, admin: Any) -> None:
    policy = _policy(admin)
    retention.policy_update(actor=admin, policy=policy, data={"inactive_months": 18})
    client = web(admin)
    data = {"name": "Renamed", "entity": "leads", "inactive_months": "6", "version": "1"}
    reply = client.post(f"{BASE}{policy.pk}/", data)
    assert reply.status_code == 200 and "Nothing was saved" in reply.content.decode()
    policy.refresh_from_db()
    assert (policy.name, policy.inactive_months, policy.version) == ("Stale leads", 18, 2)
    saved = client.post(f"{BASE}{policy.pk}/", {**data, "version": "2", "enabled": "on"})
    assert saved.status_code == 302
    policy.refresh_from_db()
    assert (policy.name, policy.inactive_months, policy.enabled) == ("Renamed", 6, True)


def test_delete_removes_the_policy(web: Any, admin: Any) -> None:
    policy = _policy(admin)
    reply = web(admin).post(f"{BASE}{policy.pk}/delete/", {"version": "1"})
    assert reply.status_code == 302 and reply["Location"] == BASE
    assert not RetentionPolicy.objects.exists()


def test_dry_run_page_shows_how_many_and_which_linked(
    web: Any, admin: Any, rep: Any, other_rep: Any
) -> None:
    mine = _old_leads(rep, 2)
    theirs = _old_leads(other_rep, 1, start=10)
    policy = _policy(admin)
    client = web(admin)
    reply = client.post(f"{BASE}{policy.pk}/dry-run/")
    run = RetentionRun.objects.get()
    assert reply["Location"] == f"{BASE}{policy.pk}/runs/{run.pk}/"
    html = client.get(reply["Location"]).content.decode()
    assert 'data-count="3"' in html and "3 records would be anonymized" in html
    for lead in [*mine, *theirs]:
        assert f'<a href="/leads/{lead.pk}/">{lead.given_name}</a>' in html
    assert not Lead.objects.filter(erased_at__isnull=False).exists()


def test_dry_run_names_only_records_the_viewer_may_see(
    web: Any, admin: Any, manager: Any, rep: Any, other_rep: Any
) -> None:
    from elo.identity.models import Role

    north = _old_leads(rep, 1)[0]
    south = _old_leads(other_rep, 1, start=5)[0]
    policy = _policy(admin)
    run = retention.policy_dry_run(actor=admin, policy=policy)
    # A north privacy officer: manages settings, sees the north team's records only.
    manager.role = Role.objects.create(
        key="privacy_officer",
        name="Privacy officer",
        permissions=["settings.manage", "records.view_team"],
    )
    manager.save()
    html = web(manager).get(f"{BASE}{policy.pk}/runs/{run.pk}/").content.decode()
    assert 'data-count="2"' in html
    assert f'<a href="/leads/{north.pk}/">Old0</a>' in html
    assert "Old5" not in html and f'data-record="{south.pk}"' in html


def test_run_now_asks_first_then_shows_the_result(web: Any, admin: Any, rep: Any) -> None:
    leads = _old_leads(rep, 3)
    policy = _policy(admin)
    client = web(admin)
    ask = client.get(f"{BASE}{policy.pk}/run/")
    assert ask.status_code == 200 and 'data-run-count="3"' in ask.content.decode()
    unconfirmed = client.post(f"{BASE}{policy.pk}/run/", {})
    assert 'data-field-error="confirm"' in unconfirmed.content.decode()
    assert not RetentionRun.objects.exists()
    assert not Lead.objects.filter(erased_at__isnull=False).exists()
    done = client.post(f"{BASE}{policy.pk}/run/", {"confirm": "on"}, follow=True)
    html = done.content.decode()
    assert "3 records anonymized" in html and 'data-count="3"' in html
    assert Lead.objects.filter(erased_at__isnull=False).count() == 3
    for lead in leads:
        assert f'data-record="{lead.pk}"' in html and lead.given_name not in html
    listed = client.get(BASE).content.decode()
    assert "3 anonymized" in listed


def test_people_runs_link_to_people(web: Any, admin: Any, make_person: Any) -> None:
    with time_machine.travel(LONG_AGO, tick=False):
        person = make_person(given_name="Zélia")
    policy = _policy(admin, name="People", entity="people")
    run = retention.policy_dry_run(actor=admin, policy=policy)
    html = web(admin).get(f"{BASE}{policy.pk}/runs/{run.pk}/").content.decode()
    assert f'<a href="/people/{person.pk}/">Zélia Silva</a>' in html
    assert Person.objects.get(pk=person.pk).erased_at is None


def test_pages_keep_a_flat_query_count(web: Any, admin: Any, rep: Any) -> None:
    client = web(admin)
    policy = _policy(admin, name="A")
    _old_leads(rep, 2)
    dry = retention.policy_dry_run(actor=admin, policy=policy)
    urls = [
        BASE,
        f"{BASE}{policy.pk}/",
        f"{BASE}{policy.pk}/runs/",
        f"{BASE}{policy.pk}/runs/{dry.pk}/",
        f"{BASE}{policy.pk}/run/",
    ]
    client.get(BASE)
    few = [_queries(client, url) for url in urls]
    for index in range(6):
        _policy(admin, name=f"P{index}")
        retention.policy_dry_run(actor=admin, policy=policy)
    _old_leads(rep, 8, start=2)
    dry = retention.policy_dry_run(actor=admin, policy=policy)
    urls[3] = f"{BASE}{policy.pk}/runs/{dry.pk}/"
    assert [_queries(client, url) for url in urls] == few
    assert max(few) <= 12
