""" "This looks like João Silva, open it?": similar records on create, in the form and API."""

from __future__ import annotations

from typing import Any

import pytest

from elo.contacts import duplicates
from elo.contacts.models import Organization, Person

pytestmark = pytest.mark.django_db


def _names(found: list[duplicates.Similar]) -> list[str]:
    return [str(item.record) for item in found]


@pytest.fixture
def joao(make_person: Any, rep: Any) -> Any:
    return make_person(
        owner=rep,
        given_name="João",
        family_name="Silva",
        emails=["joao.silva@example.com"],
        phones=["+55 (11) 98765-4321"],
    )


@pytest.mark.parametrize(
    "values",
    [
        {"given_name": "Joao", "family_name": "Silva"},
        {"given_name": "Silva,", "family_name": "João"},
        {"given_name": "Joao", "family_name": "Silvva", "phones": ["+55 11 98765 4321"]},
        {"emails": ["joao.silva@EXAMPLE.com"]},
        {"phones": ["+5511987654321"]},
        {"given_name": "João Pedro", "family_name": "Silva", "emails": ["JOAO.SILVA@example.com"]},
    ],
)
def test_new_values_find_joao(joao: Any, rep: Any, values: dict[str, Any]) -> None:
    found = duplicates.similar_people(rep, **values)
    assert [item.record.pk for item in found] == [joao.pk]
    assert found[0].score >= duplicates.THRESHOLD
    assert found[0].reasons


def test_reasons_say_why(joao: Any, rep: Any) -> None:
    found = duplicates.similar_people(
        rep, given_name="Joao", family_name="Silva", emails=["joao.silva@EXAMPLE.com"]
    )
    assert found[0].codes == ["same_email", "same_name"]
    assert found[0].score == 100
    (by_email,) = duplicates.similar_people(rep, emails=["joao.silva@example.com"])
    assert by_email.codes == ["same_email"]
    assert by_email.score == 96


def test_different_people_are_not_suggested(joao: Any, rep: Any, make_person: Any) -> None:
    make_person(owner=rep, given_name="Maria", family_name="Silva")
    assert duplicates.similar_people(rep, given_name="Ana", family_name="Silva") == []
    assert duplicates.similar_people(rep, given_name="João", family_name="Santos") == []
    # An invalid email is ignored rather than an error.
    assert duplicates.similar_people(rep, emails=["not an email"]) == []


def test_deleted_merged_and_excluded_people_are_left_out(joao: Any, rep: Any) -> None:
    assert (
        duplicates.similar_people(rep, given_name="Joao", family_name="Silva", exclude=joao) == []
    )
    Person.objects.filter(pk=joao.pk).update(deleted_at="2026-01-01T00:00:00Z")
    assert duplicates.similar_people(rep, given_name="Joao", family_name="Silva") == []


def test_a_user_does_not_see_people_they_cannot_see(
    joao: Any, other_rep: Any, teammate: Any, manager: Any
) -> None:
    values = {"given_name": "Joao", "family_name": "Silva", "emails": ["joao.silva@example.com"]}
    assert duplicates.similar_people(other_rep, **values) == []
    assert duplicates.similar_people(teammate, **values) == []
    assert _names(duplicates.similar_people(manager, **values)) == ["João Silva"]


def test_best_first_and_limited(make_person: Any, rep: Any) -> None:
    exact = make_person(owner=rep, given_name="Carla", family_name="Mendes", emails=["c@ex.com"])
    for index in range(7):
        make_person(owner=rep, given_name="Carla", family_name="Mendes", source=str(index))
    found = duplicates.similar_people(
        rep, given_name="Carla", family_name="Mendes", emails=["c@ex.com"]
    )
    assert len(found) == 5
    assert found[0].record.pk == exact.pk
    assert [item.score for item in found] == sorted((item.score for item in found), reverse=True)


def test_queries_stay_flat(make_person: Any, rep: Any, django_assert_max_num_queries: Any) -> None:
    def count(people: int) -> int:
        for index in range(people):
            make_person(
                owner=rep,
                given_name=f"Pessoa{index}",
                family_name="Souza",
                emails=[f"p{index}@example.com"],
                phones=[f"+55119876{index:05d}"],
            )
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            duplicates.similar_people(
                rep,
                given_name="Pessoa1",
                family_name="Souza",
                emails=["p1@example.com"],
                phones=["+551198760000 1"],
            )
        return len(queries)

    small = count(5)
    assert count(45) == small
    with django_assert_max_num_queries(small):
        duplicates.similar_people(rep, given_name="Pessoa2", family_name="Souza")


# --- organizations ------------------------------------------------------------------------


@pytest.fixture
def acme(make_organization: Any, rep: Any) -> Any:
    return make_organization(
        owner=rep, name="Acme Comércio Ltda", domains=["acme.com.br"], tax_id="11222333000181"
    )


@pytest.mark.parametrize(
    "values",
    [
        {"domains": ["www.ACME.com.br"]},
        {"tax_id": "11.222.333/0001-81"},
        {"tax_id": "11222333000181"},
        {"name": "ACME Comercio S.A."},
    ],
)
def test_new_values_find_acme(acme: Any, rep: Any, values: dict[str, Any]) -> None:
    found = duplicates.similar_organizations(rep, **values)
    assert [item.record.pk for item in found] == [acme.pk]


def test_other_organizations_are_not_suggested(acme: Any, rep: Any, other_rep: Any) -> None:
    assert duplicates.similar_organizations(rep, name="Beta Serviços", domains=["beta.com"]) == []
    assert duplicates.similar_organizations(other_rep, tax_id="11222333000181") == []


def test_organization_queries_stay_flat(make_organization: Any, rep: Any) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(extra: int) -> int:
        for index in range(extra):
            make_organization(owner=rep, name=f"Empresa {index}", domains=[f"e{index}.com"])
        with CaptureQueriesContext(connection) as queries:
            duplicates.similar_organizations(rep, name="Empresa 1", domains=["e1.com"])
        return len(queries)

    assert count(5) == count(45)


# --- the web form -------------------------------------------------------------------------


def _person_form(**overrides: Any) -> dict[str, Any]:
    data = {
        "given_name": "Joao",
        "family_name": "Silva",
        "emails": "",
        "phones": "",
        "lifecycle_stage": "lead",
        "owner": "",
        "tags": "",
        "street": "",
        "city": "",
        "region": "",
        "postal_code": "",
        "country": "",
        "preferred_language": "",
        "source": "",
        "external_id": "",
    }
    data.update(overrides)
    return data


def test_form_shows_the_notice_and_saves_nothing_then_create_anyway_saves(
    joao: Any, rep: Any, web: Any
) -> None:
    client = web(rep)
    response = client.post("/people/new/", _person_form())
    assert response.status_code == 200
    html = response.content.decode()
    assert f'<a href="/people/{joao.pk}/">João Silva</a>' in html
    assert "joao.silva@example.com" in html
    assert "Create anyway" in html
    assert Person.objects.count() == 1

    response = client.post("/people/new/", _person_form(confirm_duplicate="on"))
    assert response.status_code == 302
    assert Person.objects.count() == 2


def test_field_errors_win_over_the_notice(joao: Any, rep: Any, web: Any) -> None:
    response = web(rep).post("/people/new/", _person_form(emails="joao.silva@"))
    html = response.content.decode()
    assert "Enter a valid email address." in html
    assert "Create anyway" not in html
    assert Person.objects.count() == 1


def test_form_without_lookalikes_saves_at_once(joao: Any, rep: Any, web: Any) -> None:
    response = web(rep).post(
        "/people/new/", _person_form(given_name="Beatriz", family_name="Lopes")
    )
    assert response.status_code == 302
    assert Person.objects.count() == 2


def test_typing_hint_returns_the_notice(joao: Any, rep: Any, other_rep: Any, web: Any) -> None:
    url = "/people/new/similar/?given_name=&family_name=&emails=JOAO.SILVA%40example.com"
    response = web(rep).get(url)
    assert f'href="/people/{joao.pk}/"' in response.content.decode()
    assert "Create anyway" not in response.content.decode()
    assert f'href="/people/{joao.pk}/"' not in web(other_rep).get(url).content.decode()


def test_organization_form_notice_then_create_anyway(acme: Any, rep: Any, web: Any) -> None:
    client = web(rep)
    form = {"name": "Outra", "domains": "", "website": "", "industry": "", "size": "",
            "tax_id": "11.222.333/0001-81", "phones": "", "owner": "", "tags": "",
            "external_id": ""}  # fmt: skip
    response = client.post("/organizations/new/", form)
    assert response.status_code == 200
    assert (
        f'<a href="/organizations/{acme.pk}/">Acme Comércio Ltda</a>' in response.content.decode()
    )
    assert Organization.objects.count() == 1
    response = client.post("/organizations/new/", {**form, "confirm_duplicate": "on"})
    assert response.status_code == 302
    assert Organization.objects.count() == 2


# --- the API ------------------------------------------------------------------------------


def test_api_people_similar(joao: Any, rep: Any, other_rep: Any, api: Any) -> None:
    response = api(rep).get(
        "/api/v1/people/similar?email=joao.silva%40EXAMPLE.com&phone=%2B5511987654321"
    )
    assert response.status_code == 200
    (item,) = response.json()["items"]
    assert item["id"] == joao.pk
    assert item["name"] == "João Silva"
    assert item["url"] == f"/people/{joao.pk}/"
    assert item["score"] == 99
    assert set(item["codes"]) == {"same_email", "same_phone"}
    assert api(other_rep).get(
        "/api/v1/people/similar?given_name=Joao&family_name=Silva"
    ).json() == {"items": []}


def test_api_people_similar_bad_input_is_a_problem(rep: Any, api: Any) -> None:
    response = api(rep).get("/api/v1/people/similar?email=nope")
    assert response.status_code in (400, 422)
    assert response["Content-Type"] == "application/problem+json"
    assert [error["field"] for error in response.json()["errors"]] == ["email"]
    response = api(rep).get("/api/v1/people/similar")
    assert response["Content-Type"] == "application/problem+json"


def test_api_organizations_similar(acme: Any, rep: Any, api: Any) -> None:
    response = api(rep).get("/api/v1/organizations/similar?tax_id=11.222.333%2F0001-81")
    assert [item["id"] for item in response.json()["items"]] == [acme.pk]
    assert response.json()["items"][0]["codes"][0] == "same_tax_id"
    response = api(rep).get("/api/v1/organizations/similar?domain=acme.com.br")
    assert [item["id"] for item in response.json()["items"]] == [acme.pk]
    response = api(rep).get("/api/v1/organizations/similar?tax_id=123")
    assert response["Content-Type"] == "application/problem+json"
