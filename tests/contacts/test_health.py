"""Stale-data flags and the data-health page: bounced emails, invalid phones, silent people,
organizations whose domain no longer resolves, people nobody can reach."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from elo.activities.services import activity_create
from elo.contacts import health, services
from elo.contacts.models import Organization, PersonEmail, PersonPhone
from elo.core.models import AuditEntry, OutboxEvent

pytestmark = pytest.mark.django_db


def _ids(problem: health.Problem) -> list[int]:
    return [record.pk for record in problem.records]


def test_email_mark_bounced_flags_audits_and_emits(make_person: Any) -> None:
    maria = make_person(emails=["maria@example.com"])
    make_person(given_name="Other", emails=["other@example.com"])
    when = timezone.now() - timedelta(days=1)
    assert services.email_mark_bounced(email=" Maria@Example.com ", at=when, reason="550") == 1
    row = PersonEmail.objects.get(email="maria@example.com")
    assert row.bounced_at == when
    assert PersonEmail.objects.get(email="other@example.com").bounced_at is None
    entry = AuditEntry.objects.get(action="contacts.email.bounced")
    assert entry.object_id == str(maria.pk)
    assert entry.changes["reason"] == "550"
    event = OutboxEvent.objects.get(name="contacts.email.bounced")
    assert event.payload == {"id": maria.pk, "email": "maria@example.com", "reason": "550"}


def test_email_mark_bounced_unknown_address_writes_nothing(make_person: Any) -> None:
    make_person(emails=["maria@example.com"])
    assert services.email_mark_bounced(email="nobody@example.com") == 0
    assert not AuditEntry.objects.filter(action="contacts.email.bounced").exists()
    assert not OutboxEvent.objects.filter(name="contacts.email.bounced").exists()


def test_bounced_emails_are_counted_for_who_can_see_them(
    make_person: Any, rep: Any, other_rep: Any, manager: Any
) -> None:
    mine = make_person(emails=["mine@example.com"])
    theirs = make_person(owner=other_rep, emails=["theirs@example.com"])
    make_person(given_name="Fine", emails=["fine@example.com"])
    services.email_mark_bounced(email="mine@example.com")
    services.email_mark_bounced(email="theirs@example.com")
    assert _ids(health.bounced_emails(rep)) == [mine.pk]
    assert health.bounced_emails(rep).count == 1
    assert _ids(health.bounced_emails(other_rep)) == [theirs.pk]
    assert health.bounced_emails(manager).count == 1


def test_invalid_phone_is_detected(make_person: Any, rep: Any, other_rep: Any) -> None:
    good = make_person(given_name="Good", phones=["+5511987654321"])
    bad = make_person(given_name="Bad")
    # Imported long ago, before numbers were validated: the right shape, not a real number.
    PersonPhone.objects.create(person=bad, number="+5511000000000")
    hidden = make_person(owner=other_rep, given_name="Hidden")
    PersonPhone.objects.create(person=hidden, number="+5511000000000")
    problem = health.invalid_phones(rep)
    assert problem.count == 1
    assert _ids(problem) == [bad.pk]
    assert problem.records[0].invalid_phone == "+5511000000000"
    assert good.pk not in _ids(problem)


def test_no_activity_in_months(make_person: Any, rep: Any) -> None:
    recent = make_person(given_name="Recent")
    old = make_person(given_name="Old")
    never = make_person(given_name="Never")
    now = timezone.now()
    activity_create(
        actor=rep, data={"kind": "note", "body": "hi", "person": recent.pk, "occurred_at": now}
    )
    activity_create(
        actor=rep,
        data={
            "kind": "note",
            "body": "long ago",
            "person": old.pk,
            "occurred_at": now - timedelta(days=500),
        },
    )
    problem = health.no_activity(rep, months=12)
    assert problem.count == 2
    assert _ids(problem) == [never.pk, old.pk]
    assert problem.records[1].last_activity_at is not None
    assert health.no_activity(rep, months=24).count == 1


def test_people_without_email_or_phone(make_person: Any, rep: Any) -> None:
    make_person(given_name="Mail", emails=["m@example.com"])
    make_person(given_name="Phone", phones=["+5511987654321"])
    nobody = make_person(given_name="Nobody")
    problem = health.unreachable(rep)
    assert (problem.count, _ids(problem)) == (1, [nobody.pk])


def test_domain_check_marks_invalid_domain_not_resolving(
    make_organization: Any, rep: Any, other_rep: Any
) -> None:
    broken = make_organization(name="Broken", domains=["acme.invalid"])
    local = make_organization(name="Local")
    # The form wants a dotted domain; "localhost" resolves on this machine, without a network.
    Organization.objects.filter(pk=local.pk).update(domains=["localhost"])
    hidden = make_organization(owner=other_rep, name="Hidden", domains=["hidden.invalid"])
    make_organization(name="No domain")
    result = services.organization_domains_check(
        actor=rep, organizations=Organization.objects.visible_to(rep)
    )
    assert result == {"checked": 2, "not_resolving": 1}
    broken.refresh_from_db()
    local.refresh_from_db()
    hidden.refresh_from_db()
    assert broken.domain_resolves is False and broken.domain_checked_at is not None
    assert local.domain_resolves is True
    assert hidden.domain_checked_at is None
    problem = health.domains_not_resolving(rep)
    assert (problem.count, _ids(problem)) == (1, [broken.pk])
    assert health.domains_not_resolving(other_rep).count == 0
    assert AuditEntry.objects.filter(action="contacts.organization.domains_checked").exists()


def test_domain_check_needs_change_permission(make_organization: Any, reader: Any) -> None:
    make_organization(domains=["acme.invalid"])
    with pytest.raises(PermissionDenied):
        services.organization_domains_check(
            actor=reader, organizations=Organization.objects.visible_to(reader)
        )
    assert not Organization.objects.filter(domain_checked_at__isnull=False).exists()


def test_domain_check_is_limited_per_click(make_organization: Any, rep: Any) -> None:
    for index in range(3):
        make_organization(name=f"Org {index}", domains=[f"org{index}.invalid"])
    first = services.organization_domains_check(
        actor=rep, organizations=Organization.objects.visible_to(rep), limit=2
    )
    assert first["checked"] == 2
    assert Organization.objects.filter(domain_checked_at__isnull=True).count() == 1
    services.organization_domains_check(
        actor=rep, organizations=Organization.objects.visible_to(rep), limit=2
    )
    assert not Organization.objects.filter(domain_checked_at__isnull=True).exists()


def _problem_people(make_person: Any, rep: Any) -> None:
    bounced = make_person(given_name="Bounced", emails=["bounced@example.com"])
    services.email_mark_bounced(email="bounced@example.com")
    invalid = make_person(given_name="Invalid", emails=["invalid@example.com"])
    PersonPhone.objects.create(person=invalid, number="+5511000000000")
    make_person(given_name="Silent")
    activity_create(actor=rep, data={"kind": "note", "body": "hi", "person": bounced.pk})


def test_page_shows_counts_and_worst_records(
    web: Any, rep: Any, other_rep: Any, make_person: Any, make_organization: Any
) -> None:
    _problem_people(make_person, rep)
    make_person(owner=other_rep, given_name="Hidden")
    broken = make_organization(name="Broken Ltda", domains=["broken.invalid"])
    services.organization_domains_check(actor=rep, organizations=Organization.objects.all())
    page = web(rep).get("/data-health/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-count="bounced_emails">1<' in html
    assert 'data-count="invalid_phones">1<' in html
    assert 'data-count="no_activity">2<' in html
    assert 'data-count="unreachable">1<' in html
    assert 'data-count="domains_not_resolving">1<' in html
    for name in ("Bounced", "Invalid", "Silent", "Broken Ltda", "+5511000000000"):
        assert name in html
    assert f"/organizations/{broken.pk}/" in html
    assert "Hidden" not in html
    assert "Check domains" in html


def test_page_months_parameter(web: Any, rep: Any, make_person: Any) -> None:
    old = make_person(given_name="Old")
    activity_create(
        actor=rep,
        data={
            "kind": "note",
            "body": "x",
            "person": old.pk,
            "occurred_at": timezone.now() - timedelta(days=400),
        },
    )
    client = web(rep)
    assert 'data-count="no_activity">1<' in client.get("/data-health/").content.decode()
    page = client.get("/data-health/?months=24").content.decode()
    assert 'data-count="no_activity">0<' in page
    assert client.get("/data-health/?months=abc").status_code == 200


def test_page_needs_login(client: Any) -> None:
    response = client.get("/data-health/")
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_people_list_links_to_data_health_and_duplicates(web: Any, rep: Any) -> None:
    html = web(rep).get("/people/").content.decode()
    assert 'href="/data-health/"' in html
    assert 'href="/people/duplicates/"' in html


def test_check_domains_button(web: Any, rep: Any, make_organization: Any) -> None:
    broken = make_organization(name="Broken", domains=["broken.invalid"])
    response = web(rep).post("/data-health/check-domains/")
    assert response.status_code == 302
    broken.refresh_from_db()
    assert broken.domain_resolves is False
    page = web(rep).get("/data-health/").content.decode()
    assert 'data-count="domains_not_resolving">1<' in page


def test_check_domains_refused_to_reader(web: Any, reader: Any, make_organization: Any) -> None:
    make_organization(domains=["broken.invalid"])
    client = web(reader)
    assert client.post("/data-health/check-domains/").status_code == 403
    assert "Check domains" not in client.get("/data-health/").content.decode()
    assert client.get("/data-health/check-domains/").status_code == 405
    assert not Organization.objects.filter(domain_checked_at__isnull=False).exists()


def test_page_query_count_does_not_grow(
    web: Any, rep: Any, make_person: Any, make_organization: Any
) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = web(rep)
    _problem_people(make_person, rep)
    make_organization(name="Broken 0", domains=["broken0.invalid"])
    services.organization_domains_check(actor=rep, organizations=Organization.objects.all())
    client.get("/data-health/")
    with CaptureQueriesContext(connection) as small:
        client.get("/data-health/")
    for index in range(5):
        _problem_people(make_person, rep)
        make_organization(name=f"Broken {index + 1}", domains=[f"broken{index + 1}.invalid"])
    services.organization_domains_check(actor=rep, organizations=Organization.objects.all())
    with CaptureQueriesContext(connection) as large:
        response = client.get("/data-health/")
    assert 'data-count="invalid_phones">6<' in response.content.decode()
    assert len(large.captured_queries) == len(small.captured_queries)


def test_api_counts_and_ids(
    api: Any, rep: Any, other_rep: Any, outsider: Any, make_person: Any
) -> None:
    _problem_people(make_person, rep)
    hidden = make_person(owner=other_rep, given_name="Hidden")
    response = api(rep).get("/api/v1/data-health")
    assert response.status_code == 200
    body = response.json()
    assert body["months"] == 12
    assert body["bounced_emails"]["count"] == 1
    assert body["invalid_phones"]["count"] == 1
    assert body["no_activity"]["count"] == 2
    assert body["unreachable"]["count"] == 1
    assert body["domains_not_resolving"] == {"count": 0, "ids": []}
    assert hidden.pk not in body["unreachable"]["ids"]
    limited = api(rep).get("/api/v1/data-health?limit=1&months=6").json()
    assert limited["months"] == 6
    assert limited["no_activity"]["count"] == 2 and len(limited["no_activity"]["ids"]) == 1
    nothing = api(outsider).get("/api/v1/data-health").json()
    assert all(nothing[key]["count"] == 0 for key in health.PROBLEMS)


def test_api_refuses_anonymous_and_bad_parameters(api: Any, rep: Any) -> None:
    assert api(None).get("/api/v1/data-health").status_code == 401
    assert api(rep).get("/api/v1/data-health?months=0").status_code in (400, 422)
    assert api(rep).get("/api/v1/data-health?limit=1000").status_code in (400, 422)


def test_api_query_count_does_not_grow(api: Any, rep: Any, make_person: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = api(rep)
    _problem_people(make_person, rep)
    client.get("/api/v1/data-health")
    with CaptureQueriesContext(connection) as small:
        client.get("/api/v1/data-health")
    for _ in range(5):
        _problem_people(make_person, rep)
    with CaptureQueriesContext(connection) as large:
        body = client.get("/api/v1/data-health").json()
    assert body["invalid_phones"]["count"] == 6
    assert len(large.captured_queries) == len(small.captured_queries)


def test_editing_a_person_keeps_the_bounce_flag(make_person: Any, rep: Any) -> None:
    person = make_person(emails=["kept@example.com", "dropped@example.com"])
    services.email_mark_bounced(email="kept@example.com")
    person.refresh_from_db()
    services.person_update(
        actor=rep,
        person=person,
        data={"emails": ["new@example.com", "kept@example.com"], "city": "Porto"},
        expected_version=person.version,
    )
    flags = dict(PersonEmail.objects.filter(person=person).values_list("email", "bounced_at"))
    assert flags["kept@example.com"] is not None
    assert flags["new@example.com"] is None
    assert _ids(health.bounced_emails(rep)) == [person.pk]
