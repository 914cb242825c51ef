"""The personal data access log: what is recorded (person and lead pages, API reads, subject
bundles), what is not (anonymous requests, repeats within five minutes), and the data
protection officer's page, CSV download and API."""

from __future__ import annotations

import csv
import datetime
import io
import re
from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from elo.privacy import services
from elo.privacy.access import log_access_by, log_view
from elo.privacy.models import PersonalDataAccess
from elo.sales import services as sales

pytestmark = pytest.mark.django_db


@pytest.fixture
def ana(make_person: Any) -> Any:
    return make_person(given_name="Ana", family_name="Lima", emails=["ana@cliente.com.br"])


def _at(day: str, hour: int = 12) -> datetime.datetime:
    return timezone.make_aware(
        datetime.datetime.combine(datetime.date.fromisoformat(day), datetime.time(hour))
    )


def _entry(user: Any, *, kind: str = "view", person: Any = None, at: str = "", **extra: Any) -> Any:
    entry = log_access_by(
        user,
        kind=kind,
        what=extra.pop("what", "Person page"),
        person_id=person.pk if person else None,
        **extra,
    )
    if at:
        PersonalDataAccess.objects.filter(pk=entry.pk).update(at=_at(at))
    return entry


def _listed(response: Any) -> list[int]:
    assert response.status_code == 200
    return [int(pk) for pk in re.findall(r'data-access="(\d+)"', response.content.decode())]


# --- what is recorded ---------------------------------------------------------------------


def test_opening_a_person_page_logs_who_whom_where_and_from_which_address(
    web: Any, rep: Any, ana: Any
) -> None:
    response = web(rep).get(f"/people/{ana.pk}/", REMOTE_ADDR="203.0.113.7")
    assert response.status_code == 200
    entry = PersonalDataAccess.objects.get()
    assert (entry.user, entry.kind, entry.person, entry.record_count) == (rep, "view", ana, 1)
    assert (entry.path, entry.ip_address) == (f"/people/{ana.pk}/", "203.0.113.7")
    assert "Ana" not in entry.what and "Lima" not in entry.what


def test_the_same_user_reopening_within_five_minutes_is_logged_once(
    web: Any, rep: Any, admin: Any, ana: Any, time_machine: Any
) -> None:
    time_machine.move_to("2026-03-02T09:00:00Z", tick=False)
    client = web(rep)
    client.get(f"/people/{ana.pk}/")
    time_machine.move_to("2026-03-02T09:04:59Z", tick=False)
    client.get(f"/people/{ana.pk}/")
    client.get(f"/people/{ana.pk}/", headers={"HX-Request": "true"})  # the timeline tab
    assert PersonalDataAccess.objects.count() == 1
    client.get(f"/people/{ana.pk}/history/")  # the history tab is the same page
    web(admin).get(f"/people/{ana.pk}/history/")  # another user is another entry
    assert PersonalDataAccess.objects.filter(user=admin).count() == 1
    time_machine.move_to("2026-03-02T09:05:01Z", tick=False)
    web(rep).get(f"/people/{ana.pk}/")
    assert list(PersonalDataAccess.objects.filter(user=rep).values_list("at", flat=True)) == [
        _at("2026-03-02", 9) + datetime.timedelta(minutes=5, seconds=1),
        _at("2026-03-02", 9),
    ]


def test_anonymous_requests_log_nothing(client: Any, ana: Any) -> None:
    assert client.get(f"/people/{ana.pk}/").status_code == 302
    request = RequestFactory().get(f"/people/{ana.pk}/")
    request.user = AnonymousUser()
    assert log_view(request, what="Person page", person_id=ana.pk) is None
    assert not PersonalDataAccess.objects.exists()


def test_reading_a_person_over_the_api_is_logged(api: Any, rep: Any, ana: Any) -> None:
    assert api(rep).get(f"/api/v1/people/{ana.pk}").status_code == 200
    entry = PersonalDataAccess.objects.get()
    assert (entry.user, entry.kind, entry.person, entry.what) == (
        rep,
        "view",
        ana,
        "Person API read",
    )
    assert entry.path == f"/api/v1/people/{ana.pk}"


def test_a_person_another_user_cannot_see_is_not_logged(web: Any, other_rep: Any, ana: Any) -> None:
    assert web(other_rep).get(f"/people/{ana.pk}/").status_code == 404
    assert not PersonalDataAccess.objects.exists()


def test_a_lead_page_is_logged_by_id_never_by_name(web: Any, rep: Any) -> None:
    lead = sales.lead_create(
        actor=rep, data={"given_name": "Joana", "family_name": "Prado", "company": "Prado ME"}
    )
    assert web(rep).get(f"/leads/{lead.pk}/history/").status_code == 200
    entry = PersonalDataAccess.objects.get()
    assert (entry.user, entry.kind, entry.person, entry.what) == (
        rep,
        "view",
        None,
        f"Lead #{lead.pk} page",
    )
    assert web(rep).get(f"/leads/{lead.pk}/").status_code == 200
    assert PersonalDataAccess.objects.count() == 1


def test_downloading_a_subject_bundle_is_logged(web: Any, admin: Any, ana: Any) -> None:
    request = services.request_create(actor=admin, person=ana, kind="access", law="lgpd")
    request = services.request_verify_identity(
        actor=admin, request=request, identity_check="ID card seen"
    )
    request = services.request_build_bundle(actor=admin, request=request)
    response = web(admin).get(f"/settings/privacy-requests/{request.pk}/bundle.zip")
    assert response.status_code == 200
    entry = PersonalDataAccess.objects.get(kind="bundle")
    assert (entry.user, entry.person, entry.what) == (
        admin,
        ana,
        f"Subject request #{request.pk} bundle",
    )


# --- the data protection officer's page ---------------------------------------------------


def test_only_those_who_manage_settings_open_the_log(
    client: Any, web: Any, rep: Any, manager: Any, admin: Any
) -> None:
    assert client.get("/settings/access-log/").status_code == 302
    assert web(rep).get("/settings/access-log/").status_code == 403
    assert web(manager).get("/settings/access-log/").status_code == 403
    assert web(manager).get("/settings/access-log/export.csv").status_code == 403
    assert web(admin).get("/settings/access-log/").status_code == 200
    assert 'href="/settings/access-log/"' in web(admin).get("/settings/").content.decode()


def test_the_page_lists_newest_first_with_who_what_person_and_address(
    web: Any, admin: Any, rep: Any, ana: Any
) -> None:
    older = _entry(rep, person=ana, at="2026-03-01", path="/people/1/", ip_address="198.51.100.4")
    newer = _entry(rep, kind="export", what="People list, CSV", count=120, at="2026-03-02")
    response = web(admin).get("/settings/access-log/")
    assert _listed(response) == [newer.pk, older.pk]
    html = response.content.decode()
    row = html[html.index(f'data-access="{older.pk}"') :]
    row = row[: row.index("</tr>")]
    assert "Rita Rep" in row and "Viewed" in row and "198.51.100.4" in row
    assert f'href="/people/{ana.pk}/">Ana Lima</a>' in row
    assert re.search(r'text-end">120<', html)


def test_the_page_filters_by_user_person_kind_and_dates(
    web: Any, admin: Any, rep: Any, teammate: Any, ana: Any, make_person: Any
) -> None:
    bia = make_person(given_name="Bia")
    rep_ana = _entry(rep, person=ana, at="2026-03-01")
    rep_bia = _entry(rep, person=bia, at="2026-03-05")
    mate_ana = _entry(teammate, person=ana, at="2026-03-10")
    export = _entry(rep, kind="export", what="People list, CSV", count=3, at="2026-03-10")
    client = web(admin)
    assert _listed(client.get(f"/settings/access-log/?user={rep.pk}")) == [
        export.pk,
        rep_bia.pk,
        rep_ana.pk,
    ]
    assert _listed(client.get(f"/settings/access-log/?person={ana.pk}")) == [
        mate_ana.pk,
        rep_ana.pk,
    ]
    assert _listed(client.get("/settings/access-log/?kind=export")) == [export.pk]
    in_range = client.get("/settings/access-log/?since=2026-03-02&until=2026-03-05")
    assert _listed(in_range) == [rep_bia.pk]
    assert _listed(client.get("/settings/access-log/?until=2026-03-01")) == [rep_ana.pk]
    both = client.get(f"/settings/access-log/?user={rep.pk}&person={ana.pk}")
    assert _listed(both) == [rep_ana.pk]


def test_a_bad_filter_is_shown_on_its_field_and_lists_nothing(
    web: Any, admin: Any, rep: Any, ana: Any
) -> None:
    _entry(rep, person=ana)
    response = web(admin).get("/settings/access-log/?kind=peek&since=2026-03-09&until=2026-03-01")
    assert _listed(response) == []
    html = response.content.decode()
    assert 'data-field-error="kind">Pick a kind from the list.' in html
    assert 'data-field-error="until">The end date is before the start date.' in html


def test_the_page_pages_with_a_cursor(web: Any, admin: Any, rep: Any, ana: Any) -> None:
    entries = [_entry(rep, person=ana) for _index in range(55)]
    client = web(admin)
    first = client.get("/settings/access-log/")
    assert _listed(first) == [entry.pk for entry in reversed(entries)][:50]
    cursor = re.search(r'href="\?cursor=([^"]+)" rel="next"', first.content.decode())
    assert cursor is not None
    second = client.get(f"/settings/access-log/?cursor={cursor.group(1)}")
    assert _listed(second) == [entry.pk for entry in reversed(entries[:5])]
    broken = client.get("/settings/access-log/?cursor=x")
    assert _listed(broken) == []
    assert "The cursor is not valid." in broken.content.decode()


def test_the_person_privacy_section_links_to_their_log_for_the_officer_only(
    web: Any, admin: Any, rep: Any, ana: Any
) -> None:
    link = f'href="/settings/access-log/?person={ana.pk}"'
    assert link in web(admin).get(f"/people/{ana.pk}/consents/").content.decode()
    assert link not in web(rep).get(f"/people/{ana.pk}/consents/").content.decode()


def test_csv_download_holds_the_filtered_log_safe_to_open_in_a_spreadsheet(
    web: Any, admin: Any, rep: Any, ana: Any
) -> None:
    _entry(rep, person=ana, at="2026-03-01", ip_address="198.51.100.4")
    _entry(rep, kind="export", what='=HYPERLINK("http://x")', count=2, at="2026-03-02")
    _entry(admin, person=ana, at="2026-03-03")
    response = web(admin).get(f"/settings/access-log/export.csv?user={rep.pk}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0] == [
        "at", "user_id", "user", "kind", "what", "records", "person_id", "path", "ip_address",
    ]  # fmt: skip
    assert [row[3] for row in rows[1:]] == ["export", "view"]
    assert rows[1][4] == '\'=HYPERLINK("http://x")'
    assert rows[2] == [
        _at("2026-03-01").isoformat(),
        str(rep.pk),
        rep.email,
        "view",
        "Person page",
        "1",
        str(ana.pk),
        "",
        "198.51.100.4",
    ]


# --- API ----------------------------------------------------------------------------------


def test_api_permission_matrix(api: Any, rep: Any, manager: Any, admin: Any) -> None:
    assert api(None).get("/api/v1/privacy/access-log").status_code == 401
    assert api(rep).get("/api/v1/privacy/access-log").status_code == 403
    assert api(manager).get("/api/v1/privacy/access-log").status_code == 403
    assert api(admin).get("/api/v1/privacy/access-log").json() == {"items": [], "next": None}


def test_api_filters_and_pages(api: Any, admin: Any, rep: Any, teammate: Any, ana: Any) -> None:
    for day in ("2026-03-01", "2026-03-02", "2026-03-03"):
        _entry(rep, person=ana, at=day, ip_address="198.51.100.4")
    _entry(teammate, person=ana, at="2026-03-02")
    _entry(rep, kind="export", what="People list, CSV", count=9, at="2026-03-02")
    client = api(admin)
    body = client.get(f"/api/v1/privacy/access-log?user={rep.pk}&kind=view&limit=2").json()
    assert [item["at"][:10] for item in body["items"]] == ["2026-03-03", "2026-03-02"]
    item = body["items"][0]
    assert (item["user"], item["user_email"], item["person"], item["ip_address"]) == (
        rep.pk,
        rep.email,
        ana.pk,
        "198.51.100.4",
    )
    rest = client.get(body["next"]).json()
    assert [item["at"][:10] for item in rest["items"]] == ["2026-03-01"]
    assert rest["next"] is None
    dated = client.get("/api/v1/privacy/access-log?since=2026-03-02&until=2026-03-02").json()
    assert sorted(item["user"] for item in dated["items"]) == sorted([rep.pk, rep.pk, teammate.pk])
    bad = client.get("/api/v1/privacy/access-log?kind=peek")
    assert bad.status_code == 422
    assert [error["field"] for error in bad.json()["errors"]] == ["kind"]


# --- query counts -------------------------------------------------------------------------


def _count(client: Any, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    if hasattr(response, "streaming_content"):
        with CaptureQueriesContext(connection) as streamed:
            b"".join(response.streaming_content)
        return len(queries) + len(streamed)
    return len(queries)


@pytest.mark.parametrize(
    "url",
    ["/settings/access-log/", "/settings/access-log/export.csv", "/api/v1/privacy/access-log"],
)
def test_queries_do_not_grow_with_the_log(
    web: Any, api: Any, admin: Any, rep: Any, make_person: Any, url: str
) -> None:
    client = api(admin) if url.startswith("/api/") else web(admin)

    def fill(count: int) -> None:
        for index in range(count):
            person = make_person(given_name=f"P{index}")
            _entry(rep if index % 2 else admin, person=person, ip_address="198.51.100.4")

    fill(5)
    _count(client, url)  # the first API call also stamps the token's last use
    few = _count(client, url)
    fill(45)
    assert _count(client, url) == few
