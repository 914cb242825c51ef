"""Screen-pop: GET /api/v1/lookup/phone returns the card of the person who is calling."""

from __future__ import annotations

from typing import Any

import pytest

from elo.activities.services import activity_create
from elo.sales import services as sales

pytestmark = pytest.mark.django_db

URL = "/api/v1/lookup/phone?number="


@pytest.fixture(autouse=True)
def brazil(settings: Any) -> None:
    settings.ELO_DEFAULT_REGION = "BR"


@pytest.fixture
def caller(rep: Any, make_person: Any, make_organization: Any) -> Any:
    organization = make_organization(name="Padaria Central")
    person = make_person(
        given_name="Joana",
        family_name="Souza",
        emails=["joana@padaria.example"],
        phones=["+5511912345678"],
        organizations=[organization.pk],
    )
    sales.pipeline_ensure_default()
    sales.deal_create(actor=rep, data={"title": "Pães", "amount": "10", "people": [person.pk]})
    sales.deal_create(actor=rep, data={"title": "Bolos", "amount": "20", "people": [person.pk]})
    activity_create(
        actor=rep,
        data={
            "kind": "note",
            "person": person.pk,
            "body": "Older",
            "occurred_at": "2026-01-01T10:00:00Z",
        },
    )
    activity_create(
        actor=rep,
        data={
            "kind": "call",
            "person": person.pk,
            "subject": "Asked for prices",
            "occurred_at": "2026-02-01T10:00:00Z",
        },
    )
    return person


def test_lookup_returns_the_callers_card(api: Any, rep: Any, caller: Any) -> None:
    response = api(rep).get(URL + "(11)%2091234-5678")
    assert response.status_code == 200
    card = response.json()
    organization_pk = caller.organizations.get().pk
    assert card == {
        "id": caller.pk,
        "name": "Joana Souza",
        "number": "+5511912345678",
        "organization": {"id": organization_pk, "name": "Padaria Central"},
        "owner": {"id": rep.pk, "name": str(rep), "email": "rita.rep@example.com"},
        "primary_email": "joana@padaria.example",
        "open_deals": 2,
        "last_activity": {
            "id": card["last_activity"]["id"],
            "kind": "call",
            "subject": "Asked for prices",
            "occurred_at": "2026-02-01T10:00:00Z",
        },
    }


def test_lookup_reads_international_numbers(api: Any, rep: Any, make_person: Any) -> None:
    person = make_person(phones=["+351 912 345 678"])
    response = api(rep).get(URL + "%2B351912345678")
    assert response.json()["id"] == person.pk
    assert response.json()["organization"] is None
    assert response.json()["last_activity"] is None


def test_a_person_the_user_cannot_see_is_not_found(api: Any, other_rep: Any, caller: Any) -> None:
    response = api(other_rep).get(URL + "%2B5511912345678")
    assert response.status_code == 404
    assert response.headers["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("number", ["%2B5521998887777", "not-a-number", ""])
def test_unknown_or_unreadable_numbers_are_not_found(
    api: Any, rep: Any, caller: Any, number: str
) -> None:
    assert api(rep).get(URL + number).status_code == 404


def test_a_deleted_person_is_not_found(api: Any, rep: Any, admin: Any, caller: Any) -> None:
    from elo.contacts.services import person_delete

    person_delete(actor=admin, person=caller)
    assert api(rep).get(URL + "%2B5511912345678").status_code == 404


def test_anonymous_callers_get_401(api: Any, caller: Any) -> None:
    assert api(None).get(URL + "%2B5511912345678").status_code == 401


def test_lookup_queries_stay_flat_as_data_grows(
    api: Any, rep: Any, caller: Any, make_person: Any, django_assert_max_num_queries: Any
) -> None:
    client = api(rep)
    with django_assert_max_num_queries(6) as few:
        assert client.get(URL + "%2B5511912345678").status_code == 200
    for index in range(8):
        other = make_person(given_name=f"P{index}", phones=[f"+55119000000{index:02d}"])
        activity_create(actor=rep, data={"kind": "note", "person": other.pk, "body": "x"})
        activity_create(actor=rep, data={"kind": "note", "person": caller.pk, "body": "y"})
        sales.deal_create(
            actor=rep, data={"title": f"D{index}", "amount": "1", "people": [caller.pk]}
        )
    with django_assert_max_num_queries(len(few)):
        response = client.get(URL + "%2B5511912345678")
    assert response.json()["open_deals"] == 10
