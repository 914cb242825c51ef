"""The people and organizations API: permissions, ETags, errors, pages, query counts."""

from __future__ import annotations

from typing import Any

import pytest

from elo.contacts.models import Organization, Person
from elo.core.models import AuditEntry

pytestmark = pytest.mark.django_db


@pytest.fixture
def ritas_person(make_person: Any, rep: Any) -> Any:
    return make_person(owner=rep, given_name="Paula", family_name="Souza", emails=["p@ex.com"])


def test_anonymous_gets_401_problem(api: Any, ritas_person: Any) -> None:
    response = api(None).get(f"/api/v1/people/{ritas_person.pk}")
    assert response.status_code == 401
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "not_authenticated"


def test_bad_token_gets_401(api: Any, client: Any) -> None:
    response = client.get("/api/v1/people", headers={"Authorization": "Bearer elo_nope"})
    assert response.status_code == 401


@pytest.mark.parametrize(
    ("persona", "read", "write", "delete"),
    [
        ("outsider", 404, 404, 404),
        ("other_rep", 404, 404, 404),
        ("teammate", 404, 404, 404),
        ("reader", 200, 403, 403),
        ("rep", 200, 200, 403),
        ("manager", 200, 200, 204),
        ("admin", 200, 200, 204),
    ],
)
def test_permission_matrix(
    request: pytest.FixtureRequest,
    api: Any,
    ritas_person: Any,
    persona: str,
    read: int,
    write: int,
    delete: int,
) -> None:
    client = api(request.getfixturevalue(persona))
    url = f"/api/v1/people/{ritas_person.pk}"
    assert client.get(url).status_code == read
    assert client.patch(url, {"city": "Recife"}).status_code == write
    assert client.delete(url).status_code == delete
    ritas_person.refresh_from_db()
    assert (ritas_person.city == "Recife") == (write == 200)
    assert (ritas_person.deleted_at is not None) == (delete == 204)


def test_list_shows_only_visible(api: Any, rep: Any, teammate: Any, make_person: Any) -> None:
    make_person(owner=rep, given_name="Mine")
    make_person(owner=teammate, given_name="Theirs")
    body = api(rep).get("/api/v1/people").json()
    assert body["count"] == 1
    assert [item["given_name"] for item in body["items"]] == ["Mine"]


def test_create_returns_201_with_etag_and_audit(api: Any, rep: Any, make_organization: Any) -> None:
    organization = make_organization(name="Acme")
    response = api(rep).post(
        "/api/v1/people",
        {
            "given_name": "Ana",
            "family_name": "Lima",
            "emails": ["ana@acme.com"],
            "phones": ["+351 912 345 678"],
            "organizations": [{"organization": organization.pk, "job_title": "CFO"}],
            "tags": ["board"],
        },
    )
    assert response.status_code == 201
    body = response.json()
    assert response["ETag"] == f'"{body["id"]}-1"'
    assert body["phones"] == [{"number": "+351912345678", "display": "+351 912 345 678"}]
    assert body["organizations"] == [
        {"organization": organization.pk, "name": "Acme", "job_title": "CFO"}
    ]
    assert body["tags"] == ["board"]
    entry = AuditEntry.objects.get(action="contacts.person.created", object_id=str(body["id"]))
    assert entry.actor_kind == "token" and entry.actor_user_id == rep.pk
    assert entry.request_id == response["X-Request-ID"]


def test_create_with_bad_fields_is_422_with_every_field_and_changes_nothing(
    api: Any, rep: Any
) -> None:
    response = api(rep).post(
        "/api/v1/people",
        {"given_name": "Ana", "emails": ["nope"], "phones": ["1"], "lifecycle_stage": "boss"},
    )
    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["code"] == "validation_failed"
    assert {error["field"] for error in problem["errors"]} == {
        "emails",
        "phones",
        "lifecycle_stage",
    }
    assert not Person.objects.exists()


def test_schema_errors_are_422_problems(api: Any, rep: Any) -> None:
    response = api(rep).post("/api/v1/people", {"emails": "not-a-list", "owner": "x"})
    assert response.status_code == 422
    fields = {error["field"] for error in response.json()["errors"]}
    assert {"emails", "owner"} <= fields


def test_if_match_stale_is_412_and_changes_nothing(
    api: Any, rep: Any, manager: Any, ritas_person: Any
) -> None:
    client = api(rep)
    url = f"/api/v1/people/{ritas_person.pk}"
    etag = client.get(url)["ETag"]
    first = client.patch(url, {"city": "Natal"}, **{"If-Match": etag})
    assert first.status_code == 200
    assert first["ETag"] == f'"{ritas_person.pk}-2"'
    stale = client.patch(url, {"city": "Belém"}, **{"If-Match": etag})
    assert stale.status_code == 412
    assert stale.json()["code"] == "stale_version"
    stale_delete = api(manager).delete(url, **{"If-Match": etag})
    assert stale_delete.status_code == 412
    ritas_person.refresh_from_db()
    assert ritas_person.city == "Natal" and ritas_person.deleted_at is None


def test_put_replaces_fields(api: Any, rep: Any, ritas_person: Any) -> None:
    url = f"/api/v1/people/{ritas_person.pk}"
    response = api(rep).put(url, {"given_name": "Paula", "emails": ["new@ex.com"]})
    assert response.status_code == 200
    assert response.json()["emails"] == ["new@ex.com"]
    assert response.json()["family_name"] == ""


def test_delete_then_restore(api: Any, manager: Any, ritas_person: Any) -> None:
    client = api(manager)
    url = f"/api/v1/people/{ritas_person.pk}"
    assert client.delete(url).status_code == 204
    assert client.get(url).status_code == 404
    assert client.get("/api/v1/people?deleted=true").json()["count"] == 1
    assert client.post(f"{url}/restore").status_code == 200
    assert client.get(url).status_code == 200


def test_cursor_pagination_walks_every_record_once(api: Any, rep: Any, make_person: Any) -> None:
    for index in range(7):
        make_person(given_name=f"P{index}", family_name="Same")
    client = api(rep)
    seen: list[int] = []
    url = "/api/v1/people?limit=3&ordering=name"
    while url:
        body = client.get(url).json()
        assert body["count"] == 7
        seen += [item["id"] for item in body["items"]]
        url = body["next"]
    assert len(seen) == 7 and len(set(seen)) == 7


def test_bad_filters_are_422(api: Any, rep: Any) -> None:
    client = api(rep)
    assert client.get("/api/v1/people?ordering=height").status_code == 422
    assert client.get("/api/v1/people?cursor=garbage").status_code == 422
    assert client.get("/api/v1/people?limit=500").status_code == 422
    assert client.get("/api/v1/people?cf_nope=1").status_code == 422


def test_detail_expands_timeline(api: Any, rep: Any, ritas_person: Any) -> None:
    from elo.activities.services import activity_create

    activity_create(actor=rep, data={"kind": "note", "body": "*hello*", "person": ritas_person.pk})
    body = api(rep).get(f"/api/v1/people/{ritas_person.pk}?expand=timeline").json()
    assert [entry["body_html"] for entry in body["timeline"]] == ["<p><em>hello</em></p>"]


def test_list_query_count_does_not_grow(
    api: Any, rep: Any, make_person: Any, make_organization: Any, django_assert_max_num_queries: Any
) -> None:
    organization = make_organization()
    client = api(rep)

    def fill(count: int) -> None:
        for index in range(count):
            make_person(
                given_name=f"N{index}",
                emails=[f"n{index}-{Person.objects.count()}@ex.com"],
                phones=["+5511988887777"],
                tags=["a", "b"],
                organizations=[{"organization": organization.pk}],
            )

    fill(3)
    with django_assert_max_num_queries(10) as few:
        assert client.get("/api/v1/people").status_code == 200
    fill(20)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/api/v1/people").json()["count"] == 23


def test_detail_query_count(
    api: Any, rep: Any, ritas_person: Any, django_assert_max_num_queries: Any
) -> None:
    client = api(rep)
    # One more than before for the access log: the 5-minute repeat check and its insert.
    with django_assert_max_num_queries(10):
        assert client.get(f"/api/v1/people/{ritas_person.pk}?expand=timeline").status_code == 200


def test_organization_crud_and_matrix(
    api: Any, rep: Any, teammate: Any, manager: Any, make_organization: Any
) -> None:
    response = api(rep).post(
        "/api/v1/organizations",
        {"name": "Padaria", "tax_id": "11222333000181", "phones": ["(21) 2222-3333"]},
    )
    assert response.status_code == 201
    org_id = response.json()["id"]
    assert response.json()["tax_id"] == "11.222.333/0001-81"
    assert api(teammate).get(f"/api/v1/organizations/{org_id}").status_code == 404
    assert api(manager).get(f"/api/v1/organizations/{org_id}").status_code == 200
    bad = api(rep).patch(f"/api/v1/organizations/{org_id}", {"tax_id": "123"})
    assert bad.status_code == 422
    assert Organization.objects.get(pk=org_id).tax_id == "11.222.333/0001-81"


def test_organization_list_query_count(
    api: Any, rep: Any, make_organization: Any, django_assert_max_num_queries: Any
) -> None:
    for index in range(3):
        make_organization(name=f"Org {index}", tags=["x"])
    client = api(rep)
    with django_assert_max_num_queries(8) as few:
        client.get("/api/v1/organizations")
    for index in range(15):
        make_organization(name=f"More {index}", tags=["y"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/api/v1/organizations").json()["count"] == 18
    org = Organization.objects.first()
    assert org is not None
    with django_assert_max_num_queries(6):
        assert client.get(f"/api/v1/organizations/{org.pk}").status_code == 200


def test_search_endpoint(api: Any, rep: Any, make_person: Any, make_organization: Any) -> None:
    make_person(given_name="Wilson", family_name="Pereira")
    make_organization(name="Wilsonville Ltda")
    body = api(rep).get("/api/v1/search?q=wilson").json()
    assert [hit["title"] for hit in body["people"]] == ["Wilson Pereira"]
    assert [hit["title"] for hit in body["organizations"]] == ["Wilsonville Ltda"]


def test_list_items_are_exactly_what_the_detail_schema_says(
    api: Any, admin: Any, make_person: Any, make_organization: Any
) -> None:
    """The list builds its items without schema validation; they must match `PersonOut`."""
    from elo.contacts.schemas import PersonList, PersonOut
    from elo.contacts.selectors import person_get_for
    from elo.core.services import custom_field_create

    custom_field_create(actor=admin, entity="person", key="tier", label="Tier", field_type="text")
    acme, beta = make_organization(name="Acme"), make_organization(name="Beta")
    make_person(given_name="Ana", family_name="Lima", emails=["ana@ex.com", "a2@ex.com"],
                phones=["+5511988887777", "+351912345678"], tags=["vip", "alpha"], custom={"tier": "x"},
                organizations=[{"organization": beta.pk, "job_title": "CFO"}, {"organization": acme.pk}],
                country="BR", city="Recife")  # fmt: skip
    make_person(given_name="", family_name="", emails=["only@ex.com"])
    body = api(admin).get("/api/v1/people?ordering=name").json()
    assert set(body) == set(PersonList.model_fields) and body["count"] == 2
    for item in body["items"]:
        person = person_get_for(admin, item["id"])
        assert item == PersonOut.from_orm(person).model_dump(mode="json")
    ana = next(item for item in body["items"] if item["given_name"] == "Ana")
    assert ana["tags"] == ["alpha", "vip"]
    assert [job["name"] for job in ana["organizations"]] == ["Beta", "Acme"]
    assert ana["phones"][1] == {"number": "+351912345678", "display": "+351 912 345 678"}


def test_detail_is_exactly_what_the_detail_schema_says(
    api: Any, rep: Any, make_person: Any, make_organization: Any
) -> None:
    from elo.activities.selectors import person_timeline
    from elo.activities.services import activity_create
    from elo.contacts.schemas import PersonDetailOut
    from elo.contacts.selectors import person_get_for

    acme = make_organization(name="Acme", owner=rep)
    person = make_person(owner=rep, given_name="Rui", emails=["rui@ex.com"], phones=["+351912345678"],
                         tags=["b", "a"], organizations=[{"organization": acme.pk, "job_title": "CEO"}])  # fmt: skip
    activity_create(actor=rep, data={"kind": "note", "body": "*hi*", "person": person.pk})
    activity_create(actor=rep, data={"kind": "task", "subject": "Call", "person": person.pk,
                                     "due_at": "2030-01-02T03:04:05Z"})  # fmt: skip
    client = api(rep)
    for expand in ("", "timeline"):
        response = client.get(f"/api/v1/people/{person.pk}?expand={expand}")
        expected_person = person_get_for(rep, person.pk)
        if expand:
            page = person_timeline(expected_person, size=50)
            expected_person.timeline = page.items
            expected_person.timeline_next = page.next_cursor
        expected = PersonDetailOut.from_orm(expected_person).model_dump(mode="json")
        assert response.json() == expected
        assert response["ETag"] == expected_person.etag
    assert [entry["kind"] for entry in response.json()["timeline"]] == ["task", "note"]
