"""People and organization pages, as a signed-in user sees them."""

from __future__ import annotations

import re
from html import unescape
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from elo.activities.services import activity_create
from elo.contacts import services
from elo.contacts.models import Employment, Organization, Person
from elo.core.models import AuditEntry, CustomField

pytestmark = pytest.mark.django_db


def _person_form(**overrides: Any) -> dict[str, Any]:
    data = {
        "given_name": "Maria",
        "family_name": "Silva",
        "emails": "maria@example.com",
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
        "organization_0": "",
        "job_title_0": "",
    }
    data.update(overrides)
    return data


def _organization_form(**overrides: Any) -> dict[str, Any]:
    data = {
        "name": "Acme Ltda",
        "domains": "",
        "website": "",
        "industry": "",
        "size": "",
        "tax_id": "",
        "phones": "",
        "owner": "",
        "tags": "",
        "external_id": "",
    }
    for part in ("label", "street", "city", "region", "postal_code", "country"):
        data[f"address_0_{part}"] = ""
    data.update(overrides)
    return data


def _row_names(response: Any) -> list[str]:
    """The names in the results table, in order."""
    html = response.content.decode()
    table = html[html.index('id="record-results"') :]
    found = re.findall(
        r'<tr data-record="\d+">\s*(?:<td>.*?</td>\s*)?<td>(?:<a [^>]*>)?([^<]+)', table
    )
    return [unescape(name) for name in found]


def _count_queries(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


# --- access -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    ["/people/", "/people/new/", "/organizations/", "/organizations/new/", "/people/1/"],
)
def test_anonymous_visitor_is_sent_to_sign_in(client: Any, url: str) -> None:
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/login/?next=")


def test_people_list_shows_only_visible_people(
    web: Any,
    admin: Any,
    manager: Any,
    rep: Any,
    teammate: Any,
    other_rep: Any,
    make_person: Any,
) -> None:
    make_person(owner=rep, given_name="Rita's")
    make_person(owner=teammate, given_name="Tiago's")
    make_person(owner=other_rep, given_name="Otto's")
    expected = {
        rep: ["Rita's Silva"],
        teammate: ["Tiago's Silva"],
        manager: ["Rita's Silva", "Tiago's Silva"],
        admin: ["Otto's Silva", "Rita's Silva", "Tiago's Silva"],
    }
    for user, names in expected.items():
        response = web(user).get("/people/")
        assert sorted(_row_names(response)) == names, user


def test_organization_list_shows_only_visible_organizations(
    web: Any, rep: Any, teammate: Any, manager: Any, make_organization: Any
) -> None:
    make_organization(owner=rep, name="Rita Corp")
    make_organization(owner=teammate, name="Tiago SA")
    assert _row_names(web(rep).get("/organizations/")) == ["Rita Corp"]
    assert _row_names(web(manager).get("/organizations/")) == ["Rita Corp", "Tiago SA"]


def test_invisible_person_is_404_everywhere(
    web: Any, rep: Any, teammate: Any, make_person: Any
) -> None:
    person = make_person(owner=rep)
    client = web(teammate)
    for url in ["", "edit/", "history/"]:
        assert client.get(f"/people/{person.pk}/{url}").status_code == 404
    assert client.post(f"/people/{person.pk}/edit/", _person_form()).status_code == 404
    assert client.post(f"/people/{person.pk}/delete/").status_code == 404
    person.refresh_from_db()
    assert person.deleted_at is None


def test_reader_sees_a_person_but_may_not_edit_it(
    web: Any, rep: Any, reader: Any, make_person: Any
) -> None:
    person = make_person(owner=rep, given_name="Paula")
    client = web(reader)
    response = client.get(f"/people/{person.pk}/")
    assert response.status_code == 200
    assert f"/people/{person.pk}/edit/" not in response.content.decode()
    assert client.get(f"/people/{person.pk}/edit/").status_code == 403
    response = client.post(f"/people/{person.pk}/edit/", _person_form(given_name="Changed"))
    assert response.status_code == 403
    assert client.get("/people/new/").status_code == 403
    person.refresh_from_db()
    assert person.given_name == "Paula"


# --- list: search, filters, pages ---------------------------------------------------------


def test_search_finds_part_of_a_name_and_ignores_accents(
    web: Any, rep: Any, make_person: Any
) -> None:
    make_person(given_name="Ana", family_name="Johnson")
    make_person(given_name="João", family_name="Pereira")
    make_person(given_name="Carla", family_name="Mendes")
    client = web(rep)
    assert _row_names(client.get("/people/", {"q": "son"})) == ["Ana Johnson"]
    assert _row_names(client.get("/people/", {"q": "joao"})) == ["João Pereira"]
    response = client.get("/people/", {"q": "zzz"})
    assert _row_names(response) == []
    assert "No people match." in response.content.decode()


def test_typing_in_the_search_box_refreshes_only_the_results(
    web: Any, rep: Any, make_person: Any
) -> None:
    make_person(given_name="Ana", family_name="Johnson")
    make_person(given_name="Bruno", family_name="Costa")
    response = web(rep).get("/people/", {"q": "john"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="record-results"')
    assert "<html" not in html
    assert _row_names(response) == ["Ana Johnson"]
    assert "1 person" in html
    assert "HX-Request" in response["Vary"]


def test_list_shows_total_and_pages_with_a_cursor(web: Any, rep: Any, make_person: Any) -> None:
    for index in range(55):
        make_person(given_name=f"Person{index:02d}", family_name="Test")
    client = web(rep)
    first = client.get("/people/", {"ordering": "name", "q": "test"})
    html = first.content.decode()
    assert "55 people" in html
    assert len(_row_names(first)) == 50
    next_url = re.search(r'href="([^"]+)" rel="next"', html)
    assert next_url is not None
    second = client.get("/people/" + next_url.group(1).replace("&amp;", "&"))
    assert len(_row_names(second)) == 5
    assert set(_row_names(first)).isdisjoint(_row_names(second))
    assert "First page" in second.content.decode()


def test_list_filters_by_tag_stage_and_sorts(web: Any, rep: Any, make_person: Any) -> None:
    make_person(given_name="Alice", family_name="Alves", tags="vip", lifecycle_stage="customer")
    make_person(given_name="Bruno", family_name="Braga", tags="vip")
    make_person(given_name="Carla", family_name="Costa")
    client = web(rep)
    assert _row_names(client.get("/people/", {"tag": "vip"})) == ["Alice Alves", "Bruno Braga"]
    assert _row_names(client.get("/people/", {"lifecycle_stage": "customer"})) == ["Alice Alves"]
    assert _row_names(client.get("/people/", {"ordering": "-name"})) == [
        "Carla Costa",
        "Bruno Braga",
        "Alice Alves",
    ]


def test_a_bad_filter_value_is_reported_not_crashed(web: Any, rep: Any) -> None:
    response = web(rep).get("/people/", {"created_after": "yesterday"})
    assert response.status_code == 200
    assert "Enter a date or date-time in ISO 8601 form." in response.content.decode()


def test_people_list_queries_do_not_grow_with_rows(
    web: Any,
    rep: Any,
    make_person: Any,
    make_organization: Any,
    django_assert_num_queries: Any,
) -> None:
    organization = make_organization()

    def add(count: int) -> None:
        for index in range(count):
            make_person(
                given_name=f"P{index}",
                emails=[f"p{index}@example.com", f"p{index}@example.org"],
                phones=["+5511987654321"],
                tags=["vip", f"t{index}"],
                organizations=[{"organization": organization.pk, "job_title": "CEO"}],
            )

    client = web(rep)
    add(3)
    expected = _count_queries(client, "/people/")
    add(12)
    with django_assert_num_queries(expected):
        response = client.get("/people/")
    assert len(_row_names(response)) == 15


def test_organization_list_queries_do_not_grow_with_rows(
    web: Any, rep: Any, make_organization: Any, django_assert_num_queries: Any
) -> None:
    def add(count: int, start: int) -> None:
        for index in range(start, start + count):
            make_organization(name=f"Org {index}", tags=["key", f"t{index}"])

    client = web(rep)
    add(3, 0)
    expected = _count_queries(client, "/organizations/")
    add(12, 3)
    with django_assert_num_queries(expected):
        response = client.get("/organizations/")
    assert len(_row_names(response)) == 15


# --- bulk actions, delete and restore -----------------------------------------------------


def test_bulk_tag_adds_the_tag_to_the_ticked_visible_people_only(
    web: Any, rep: Any, teammate: Any, make_person: Any
) -> None:
    mine = make_person(owner=rep, given_name="Mine")
    untouched = make_person(owner=rep, given_name="Untouched")
    theirs = make_person(owner=teammate, given_name="Theirs")
    response = web(rep).post(
        "/people/bulk/",
        {"action": "tag", "tag": "Hot lead", "ids": [mine.pk, theirs.pk], "next": "/people/?q="},
    )
    assert response.status_code == 302
    assert response["Location"] == "/people/?q="
    assert [tag.name for tag in mine.tags.all()] == ["Hot lead"]
    assert list(untouched.tags.all()) == []
    assert list(theirs.tags.all()) == []


def test_bulk_assign_changes_the_owner(
    web: Any, manager: Any, rep: Any, teammate: Any, make_person: Any
) -> None:
    first = make_person(owner=rep, given_name="First")
    second = make_person(owner=rep, given_name="Second")
    response = web(manager).post(
        "/people/bulk/", {"action": "assign", "owner": teammate.pk, "ids": [first.pk, second.pk]}
    )
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.owner_id, second.owner_id) == (teammate.pk, teammate.pk)
    followed = web(manager).get(response["Location"])
    assert "Changed 2 rows." in followed.content.decode()


def test_bulk_delete_then_restore_from_the_deleted_view(
    web: Any, manager: Any, rep: Any, make_person: Any
) -> None:
    person = make_person(owner=rep, given_name="Gone")
    kept = make_person(owner=rep, given_name="Kept")
    client = web(manager)
    client.post("/people/bulk/", {"action": "delete", "ids": [person.pk]})
    assert _row_names(client.get("/people/")) == ["Kept Silva"]
    deleted = client.get("/people/", {"deleted": "1"})
    assert _row_names(deleted) == ["Gone Silva"]
    assert f"/people/{person.pk}/restore/" in deleted.content.decode()
    assert client.get(f"/people/{person.pk}/").status_code == 404
    response = client.post(f"/people/{person.pk}/restore/")
    assert response.status_code == 302
    assert response["Location"] == f"/people/{person.pk}/"
    assert sorted(_row_names(client.get("/people/"))) == ["Gone Silva", "Kept Silva"]
    assert kept.deleted_at is None


def test_rep_cannot_bulk_delete(web: Any, rep: Any, make_person: Any) -> None:
    person = make_person(owner=rep)
    response = web(rep).post("/people/bulk/", {"action": "delete", "ids": [person.pk]})
    assert response.status_code == 403
    person.refresh_from_db()
    assert person.deleted_at is None


def test_bulk_without_ticked_rows_explains(web: Any, rep: Any) -> None:
    client = web(rep)
    response = client.post("/people/bulk/", {"action": "tag", "tag": "x"}, follow=True)
    assert "Tick at least one row." in response.content.decode()


def test_delete_from_the_detail_page_refuses_a_stale_version(
    web: Any, manager: Any, rep: Any, make_person: Any
) -> None:
    person = make_person(owner=rep)
    services.person_update(actor=rep, person=person, data={"city": "Porto"})
    client = web(manager)
    response = client.post(f"/people/{person.pk}/delete/", {"version": "1"})
    assert response["Location"] == f"/people/{person.pk}/"
    person.refresh_from_db()
    assert person.deleted_at is None
    response = client.post(f"/people/{person.pk}/delete/", {"version": "2"})
    assert response["Location"] == "/people/"
    person.refresh_from_db()
    assert person.deleted_at is not None


def test_organization_bulk_tag_and_restore(
    web: Any, manager: Any, rep: Any, make_organization: Any
) -> None:
    organization = make_organization(owner=rep, name="Acme")
    client = web(manager)
    client.post(
        "/organizations/bulk/", {"action": "tag", "tag": "partner", "ids": [organization.pk]}
    )
    assert [tag.name for tag in organization.tags.all()] == ["partner"]
    client.post(f"/organizations/{organization.pk}/delete/", {"version": "2"})
    organization.refresh_from_db()
    assert organization.deleted_at is not None
    client.post(f"/organizations/{organization.pk}/restore/")
    organization.refresh_from_db()
    assert organization.deleted_at is None


# --- create and edit ----------------------------------------------------------------------


def test_create_person_with_a_bad_email_shows_the_error_and_creates_nothing(
    web: Any, rep: Any
) -> None:
    response = web(rep).post("/people/new/", _person_form(emails="not-an-email"))
    assert response.status_code == 200
    html = response.content.decode()
    assert re.search(r'data-field-error="emails">Enter a valid email address.', html)
    assert "not-an-email" in html
    assert Person.objects.count() == 0


def test_create_person_with_everything(
    web: Any, rep: Any, teammate: Any, make_organization: Any
) -> None:
    organization = make_organization(owner=rep, name="Acme")
    CustomField.objects.create(entity="person", key="shoe", label="Shoe size", field_type="number")
    response = web(rep).post(
        "/people/new/",
        _person_form(
            given_name="João",
            family_name="Pereira",
            emails="joao@example.com\njoao@work.example.com",
            phones="(11) 98765-4321",
            tags="vip, golf",
            owner=str(teammate.pk),
            organization_0=str(organization.pk),
            job_title_0="Buyer",
            cf_shoe="42",
            country="br",
        ),
    )
    person = Person.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/people/{person.pk}/"
    assert person.full_name == "João Pereira"
    assert list(person.emails.values_list("email", flat=True)) == [
        "joao@example.com",
        "joao@work.example.com",
    ]
    assert person.primary_phone == "+5511987654321"
    assert person.owner_id == teammate.pk
    assert person.country == "BR"
    assert person.custom == {"shoe": 42}
    assert sorted(tag.name for tag in person.tags.all()) == ["golf", "vip"]
    assert list(person.employments.values_list("organization_id", "job_title")) == [
        (organization.pk, "Buyer")
    ]


def test_a_custom_field_error_lands_on_its_field(web: Any, rep: Any) -> None:
    CustomField.objects.create(entity="person", key="shoe", label="Shoe size", field_type="number")
    CustomField.objects.create(
        entity="person", key="region_code", label="Region", field_type="text", required=True
    )
    client = web(rep)
    html = client.post("/people/new/", _person_form(cf_shoe="big", cf_region_code="N")).content
    assert b'data-field-error="cf_shoe">Enter a whole number.' in html
    html = client.post("/people/new/", _person_form(cf_shoe="41", cf_region_code="")).content
    assert b'data-field-error="cf_region_code">This field is required.' in html
    assert Person.objects.count() == 0


def test_edit_person_saves_and_records_history(web: Any, rep: Any, make_person: Any) -> None:
    person = make_person(given_name="Maria", family_name="Silva", emails=["m@example.com"])
    client = web(rep)
    form = client.get(f"/people/{person.pk}/edit/").content.decode()
    assert 'name="version" value="1"' in form
    assert "m@example.com" in form
    response = client.post(
        f"/people/{person.pk}/edit/",
        _person_form(family_name="Souza", emails="m@example.com", version="1"),
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.family_name, person.version) == ("Souza", 2)


def test_edit_with_a_stale_version_changes_nothing_and_keeps_what_was_typed(
    web: Any, rep: Any, manager: Any, make_person: Any
) -> None:
    person = make_person(given_name="Maria", family_name="Silva", emails=["m@example.com"])
    services.person_update(actor=manager, person=person, data={"city": "Lisboa"})
    client = web(rep)
    response = client.post(
        f"/people/{person.pk}/edit/",
        _person_form(family_name="Typed-by-me", emails="m@example.com", version="1"),
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "Someone else saved this record while you were editing it." in html
    assert 'value="Typed-by-me"' in html
    assert 'name="version" value="2"' in html
    person.refresh_from_db()
    assert (person.family_name, person.city, person.version) == ("Silva", "Lisboa", 2)
    response = client.post(
        f"/people/{person.pk}/edit/",
        _person_form(family_name="Typed-by-me", emails="m@example.com", version="2"),
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.family_name == "Typed-by-me"


def test_editing_other_fields_keeps_an_employment_the_editor_cannot_see(
    web: Any, rep: Any, other_rep: Any, make_person: Any, make_organization: Any
) -> None:
    hidden = make_organization(owner=other_rep, name="Hidden Org")
    person = make_person(owner=rep)
    Employment.objects.create(person=person, organization=hidden)
    client = web(rep)
    form = client.get(f"/people/{person.pk}/edit/").content.decode()
    assert "Hidden Org" in form
    response = client.post(
        f"/people/{person.pk}/edit/",
        _person_form(city="Recife", version="1", organization_0=str(hidden.pk), organization_1=""),
    )
    assert response.status_code == 302
    assert list(person.employments.values_list("organization_id", flat=True)) == [hidden.pk]


def test_create_organization_with_a_bad_tax_id_shows_the_error(web: Any, rep: Any) -> None:
    response = web(rep).post("/organizations/new/", _organization_form(tax_id="123"))
    assert response.status_code == 200
    assert 'data-field-error="tax_id">' in response.content.decode()
    assert Organization.objects.count() == 0


def test_create_and_edit_organization(web: Any, rep: Any) -> None:
    client = web(rep)
    response = client.post(
        "/organizations/new/",
        _organization_form(
            name="Padaria Lisboa",
            domains="padaria.pt\nwww.padaria.com",
            website="padaria.pt",
            phones="+351 213 456 789",
            tax_id="501964843",
            address_0_city="Lisboa",
            address_0_country="pt",
            tags="bakery",
        ),
    )
    organization = Organization.objects.get()
    assert response["Location"] == f"/organizations/{organization.pk}/"
    assert organization.domains == ["padaria.pt", "padaria.com"]
    assert organization.addresses == [
        {
            "label": "",
            "street": "",
            "city": "Lisboa",
            "region": "",
            "postal_code": "",
            "country": "PT",
        }
    ]
    edit = client.get(f"/organizations/{organization.pk}/edit/").content.decode()
    assert 'name="address_1_city"' in edit
    response = client.post(
        f"/organizations/{organization.pk}/edit/",
        _organization_form(
            name="Padaria Lisboa Lda",
            domains="padaria.pt",
            address_0_city="Lisboa",
            address_1_city="Porto",
            address_1_street="Rua A",
            address_1_label="Branch",
            address_1_region="",
            address_1_postal_code="",
            address_1_country="PT",
            version="1",
        ),
    )
    assert response.status_code == 302
    organization.refresh_from_db()
    assert organization.name == "Padaria Lisboa Lda"
    assert [address["city"] for address in organization.addresses] == ["Lisboa", "Porto"]


def test_organization_edit_with_a_stale_version_changes_nothing(
    web: Any, rep: Any, make_organization: Any
) -> None:
    organization = make_organization(owner=rep, name="Acme")
    services.organization_update(actor=rep, organization=organization, data={"industry": "Food"})
    response = web(rep).post(
        f"/organizations/{organization.pk}/edit/", _organization_form(name="Other", version="1")
    )
    assert "Someone else saved this record" in response.content.decode()
    organization.refresh_from_db()
    assert organization.name == "Acme"


# --- detail pages -------------------------------------------------------------------------


def test_person_detail_shows_fields_custom_values_and_timeline(
    web: Any, rep: Any, make_person: Any, make_organization: Any
) -> None:
    CustomField.objects.create(
        entity="person", key="vip_since", label="VIP since", field_type="date"
    )
    organization = make_organization(name="Acme")
    person = make_person(
        given_name="João",
        family_name="Pereira",
        emails=["joao@example.com"],
        phones=["+5511987654321"],
        organizations=[{"organization": organization.pk, "job_title": "Buyer"}],
        city="São Paulo",
        custom={"vip_since": "2024-03-01"},
    )
    activity_create(
        actor=rep,
        data={"kind": "note", "person": person.pk, "body": "Likes **coffee** <script>x</script>"},
    )
    html = web(rep).get(f"/people/{person.pk}/").content.decode()
    assert "(11) 98765-4321" in html
    assert "joao@example.com" in html
    assert f'href="/organizations/{organization.pk}/">Acme</a>' in html
    assert "Buyer" in html
    assert "São Paulo" in html
    assert "VIP since" in html
    assert "03/01/2024" in html
    assert "<strong>coffee</strong>" in html
    assert "<script>x</script>" not in html
    assert 'id="quick-add-note"' in html


def test_organization_detail_shows_its_people_and_their_timeline(
    web: Any, rep: Any, make_person: Any, make_organization: Any
) -> None:
    organization = make_organization(name="Acme", phones=["+551133334444"])
    person = make_person(
        given_name="Ana",
        family_name="Lima",
        organizations=[{"organization": organization.pk, "job_title": "CFO"}],
    )
    activity_create(actor=rep, data={"kind": "note", "person": person.pk, "body": "Person note"})
    activity_create(
        actor=rep, data={"kind": "note", "organization": organization.pk, "body": "Org note"}
    )
    html = web(rep).get(f"/organizations/{organization.pk}/").content.decode()
    assert f'href="/people/{person.pk}/">Ana Lima</a>' in html
    assert "CFO" in html
    assert "Person note" in html
    assert "Org note" in html
    assert "(11) 3333-4444" in html


def test_history_tab_shows_who_changed_what(
    web: Any, rep: Any, teammate: Any, manager: Any, make_person: Any
) -> None:
    person = make_person(given_name="Maria", family_name="Silva")
    services.person_update(
        actor=rep,
        person=person,
        data={"family_name": "Souza", "owner": teammate.pk, "lifecycle_stage": "customer"},
    )
    response = web(manager).get(f"/people/{person.pk}/history/")
    html = response.content.decode()
    assert response.status_code == 200
    changed = html[html.index("Changed") :]
    assert re.search(
        r"Family name</td><td><span class=\"diff-old\">Silva</span></td><td>Souza", changed
    )
    assert re.search(
        r"Owner</td><td><span class=\"diff-old\">Rita Rep</span></td><td>Tiago Teammate", changed
    )
    assert re.search(
        r"Lifecycle stage</td><td><span class=\"diff-old\">Lead</span></td><td>Customer", changed
    )
    assert "Created" in html


def test_history_tab_via_htmx_returns_only_the_tab(
    web: Any, rep: Any, make_organization: Any
) -> None:
    organization = make_organization(name="Acme")
    services.organization_update(actor=rep, organization=organization, data={"name": "Acme SA"})
    response = web(rep).get(
        f"/organizations/{organization.pk}/history/", headers={"HX-Request": "true"}
    )
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="record-tab">')
    assert re.search(r"Name</td><td><span class=\"diff-old\">Acme</span></td><td>Acme SA", html)
    assert AuditEntry.objects.filter(object_type="contacts.organization").count() == 2


def test_person_detail_queries_do_not_grow_with_timeline_and_links(
    web: Any,
    rep: Any,
    make_person: Any,
    make_organization: Any,
    django_assert_num_queries: Any,
) -> None:
    organizations = [make_organization(name=f"Org {index}") for index in range(5)]
    attendee = make_person(given_name="Attendee")

    def person_with(count: int) -> Any:
        person = make_person(
            emails=[f"x{index}@example.com" for index in range(count)],
            tags=[f"t{index}" for index in range(count)],
            organizations=[{"organization": org.pk} for org in organizations[: min(count, 5)]],
        )
        for index in range(count):
            activity_create(
                actor=rep,
                data={
                    "kind": ["note", "task", "call", "meeting"][index % 4],
                    "person": person.pk,
                    "subject": f"Entry {index}",
                    "body": "text",
                    "starts_at": "2026-01-01T10:00",
                    "attendees": [attendee.pk],
                    "assignee": rep.pk,
                    "duration_seconds": 60,
                },
            )
        return person

    client = web(rep)
    small, large = person_with(3), person_with(15)
    expected = _count_queries(client, f"/people/{small.pk}/")
    with django_assert_num_queries(expected):
        client.get(f"/people/{large.pk}/")
    expected = _count_queries(client, f"/people/{small.pk}/history/")
    with django_assert_num_queries(expected):
        client.get(f"/people/{large.pk}/history/")


def test_organization_detail_queries_do_not_grow_with_people_and_timeline(
    web: Any,
    rep: Any,
    make_person: Any,
    make_organization: Any,
    django_assert_num_queries: Any,
) -> None:
    def organization_with(count: int) -> Any:
        organization = make_organization(tags=[f"t{index}" for index in range(count)])
        for index in range(count):
            person = make_person(
                given_name=f"P{index}",
                organizations=[{"organization": organization.pk, "job_title": "Staff"}],
            )
            activity_create(
                actor=rep, data={"kind": "note", "person": person.pk, "body": f"n{index}"}
            )
            activity_create(
                actor=rep,
                data={"kind": "task", "organization": organization.pk, "subject": f"t{index}"},
            )
        return organization

    client = web(rep)
    small, large = organization_with(3), organization_with(15)
    expected = _count_queries(client, f"/organizations/{small.pk}/")
    with django_assert_num_queries(expected):
        client.get(f"/organizations/{large.pk}/")
