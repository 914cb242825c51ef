"""Erasure through a data subject request, confirmed twice: the API and the settings pages."""

from __future__ import annotations

from typing import Any

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone

from elo.activities import services as activity_services
from elo.contacts.models import Person
from elo.core.models import AuditEntry
from elo.privacy import services
from elo.privacy.models import SubjectRequest

pytestmark = pytest.mark.django_db

EMAIL = "clara.erasable@exemplo-mail.pt"


@pytest.fixture
def clara(make_person: Any) -> Any:
    return make_person(given_name="Clara", family_name="Apagada", emails=[EMAIL])


def _request(admin: Any, person: Any, kind: str = "erasure", verify: bool = True) -> Any:
    request = services.request_create(actor=admin, person=person, kind=kind, law="gdpr")
    if verify:
        request = services.request_verify_identity(
            actor=admin, request=request, identity_check="Passport seen"
        )
    return request


def _untouched(person: Any) -> bool:
    person.refresh_from_db()
    return person.erased_at is None and person.primary_email == EMAIL


# --- API --------------------------------------------------------------------------------------


def test_api_needs_the_confirmation_twice(api: Any, admin: Any, clara: Any) -> None:
    request = _request(admin, clara)
    client = api(admin)
    url = f"/api/v1/privacy/requests/{request.pk}/erase"
    first = client.post(url, {})
    assert first.status_code == 409
    assert first["Content-Type"] == "application/problem+json"
    body = first.json()
    assert body["code"] == "confirmation_required"
    assert body["counts"]["people"] == 1 and body["counts"]["emails"] == 1
    assert body["expires_in"] == 900 and body["confirmation"]
    assert _untouched(clara)
    second = client.post(url, {"confirmation": body["confirmation"], "reason": "GDPR art. 17"})
    assert second.status_code == 200, second.json()
    assert second.json() == {"request": request.pk, "person": clara.pk, "counts": body["counts"]}
    clara.refresh_from_db()
    assert clara.erased_at is not None and clara.primary_email == ""
    request.refresh_from_db()
    assert request.status == "completed" and request.completed_at is not None
    entry = AuditEntry.objects.get(action="privacy.person.erased")
    assert (entry.actor_kind, entry.actor_user_id) == ("token", admin.pk)
    assert entry.changes["request"] == request.pk and entry.changes["reason"] == "GDPR art. 17"
    again = client.post(url, {"confirmation": body["confirmation"]})
    assert again.status_code == 422


@pytest.mark.parametrize(
    "token",
    ["", "forged-token", "eyJyIjoxfQ:1vQ2bc:abc"],
    ids=["empty-means-preview", "forged", "bad-signature"],
)
def test_api_bad_tokens_change_nothing(api: Any, admin: Any, clara: Any, token: str) -> None:
    request = _request(admin, clara)
    reply = api(admin).post(f"/api/v1/privacy/requests/{request.pk}/erase", {"confirmation": token})
    assert reply.status_code == (409 if not token else 422)
    if token:
        assert reply.json()["errors"][0]["field"] == "confirmation"
    assert _untouched(clara)
    assert SubjectRequest.objects.get(pk=request.pk).status == "identity_verified"


def test_api_stale_tokens_change_nothing(
    api: Any, admin: Any, clara: Any, make_person: Any
) -> None:
    request = _request(admin, clara)
    client = api(admin)
    url = f"/api/v1/privacy/requests/{request.pk}/erase"
    with time_machine.travel(timezone.now() - timezone.timedelta(minutes=16)):
        old = client.post(url, {}).json()["confirmation"]
    assert client.post(url, {"confirmation": old}).status_code == 422
    # a token from before the request changed
    token = client.post(url, {}).json()["confirmation"]
    services.request_set_status(actor=admin, request=request, status="in_progress")
    assert client.post(url, {"confirmation": token}).status_code == 422
    # a token for another request
    other = _request(admin, make_person(given_name="Other", emails=["other@example.com"]))
    foreign = client.post(f"/api/v1/privacy/requests/{other.pk}/erase", {}).json()
    assert client.post(url, {"confirmation": foreign["confirmation"]}).status_code == 422
    assert _untouched(clara)


@pytest.mark.parametrize(
    ("kind", "verify", "field"),
    [("access", True, "kind"), ("erasure", False, "status")],
    ids=["not-an-erasure-request", "identity-not-verified"],
)
def test_api_refuses_the_wrong_requests(
    api: Any, admin: Any, clara: Any, kind: str, verify: bool, field: str
) -> None:
    request = _request(admin, clara, kind=kind, verify=verify)
    reply = api(admin).post(f"/api/v1/privacy/requests/{request.pk}/erase", {})
    assert reply.status_code == 422
    assert reply.json()["errors"][0]["field"] == field
    assert _untouched(clara)


def test_api_refuses_a_closed_request(api: Any, admin: Any, clara: Any) -> None:
    request = _request(admin, clara)
    services.request_set_status(actor=admin, request=request, status="rejected")
    reply = api(admin).post(f"/api/v1/privacy/requests/{request.pk}/erase", {})
    assert reply.status_code == 422 and "closed" in reply.json()["errors"][0]["message"]
    assert _untouched(clara)


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 401), ("outsider", 403), ("rep", 403), ("admin", 409)],
)
def test_api_permissions(
    api: Any, request: Any, admin: Any, clara: Any, who: str, status: int
) -> None:
    found = _request(admin, clara)
    user = None if who == "anonymous" else request.getfixturevalue(who)
    reply = api(user).post(f"/api/v1/privacy/requests/{found.pk}/erase", {})
    assert reply.status_code == status
    assert _untouched(clara)


# --- web --------------------------------------------------------------------------------------


def test_web_flow_confirmed_twice(web: Any, admin: Any, clara: Any) -> None:
    request = _request(admin, clara)
    client = web(admin)
    detail = client.get(reverse("privacy:request_detail", args=[request.pk])).content.decode()
    erase_url = reverse("privacy:request_erase", args=[request.pk])
    assert erase_url in detail
    preview = client.get(erase_url).content.decode()
    assert "Email addresses (removed)" in preview and 'id="erase-counts"' in preview
    wrong = client.post(erase_url, {"typed": "Clara"})
    assert 'data-field-error="typed"' in wrong.content.decode()
    assert _untouched(clara)
    confirm = client.post(erase_url, {"typed": " clara   apagada "}).content.decode()
    assert "Erase for good" in confirm and _untouched(clara)
    token = confirm.split('name="confirmation" value="')[1].split('"')[0]
    done = client.post(
        reverse("privacy:request_erase_confirm", args=[request.pk]), {"confirmation": token}
    )
    assert done.status_code == 200
    assert "Person erased" in done.content.decode()
    clara.refresh_from_db()
    assert clara.erased_at is not None
    assert SubjectRequest.objects.get(pk=request.pk).status == "completed"
    entry = AuditEntry.objects.get(action="privacy.person.erased")
    assert (entry.actor_kind, entry.actor_user_id) == ("user", admin.pk)
    person_page = client.get(reverse("contacts:person_detail", args=[clara.pk])).content.decode()
    assert 'id="person-erased"' in person_page
    assert reverse("contacts:person_edit", args=[clara.pk]) not in person_page


def test_web_the_word_erase_works_and_a_bad_token_changes_nothing(
    web: Any, admin: Any, clara: Any
) -> None:
    request = _request(admin, clara)
    client = web(admin)
    erase_url = reverse("privacy:request_erase", args=[request.pk])
    assert b"Erase for good" in client.post(erase_url, {"typed": "erase"}).content
    reply = client.post(
        reverse("privacy:request_erase_confirm", args=[request.pk]), {"confirmation": "x"}
    )
    assert reply.status_code == 302 and reply["Location"] == erase_url
    assert _untouched(clara)


def test_web_no_erase_button_before_the_identity_check(web: Any, admin: Any, clara: Any) -> None:
    request = _request(admin, clara, verify=False)
    client = web(admin)
    page = client.get(reverse("privacy:request_detail", args=[request.pk])).content.decode()
    assert reverse("privacy:request_erase", args=[request.pk]) not in page
    reply = client.get(reverse("privacy:request_erase", args=[request.pk]))
    assert reply.status_code == 302
    assert _untouched(clara)


def test_web_erase_pages_need_settings_permission(
    web: Any, rep: Any, admin: Any, clara: Any
) -> None:
    request = _request(admin, clara)
    client = web(rep)
    assert client.get(reverse("privacy:request_erase", args=[request.pk])).status_code == 403
    assert (
        client.post(
            reverse("privacy:request_erase_confirm", args=[request.pk]), {"confirmation": "x"}
        ).status_code
        == 403
    )
    assert _untouched(clara)


def test_erased_person_cannot_be_restored_from_the_trash_page(
    web: Any, admin: Any, make_person: Any
) -> None:
    from elo.contacts.services import person_delete
    from elo.privacy.erasure import person_erase

    person = make_person(emails=["trash.me@example.com"])
    person_delete(actor=admin, person=person)
    person_erase(actor=admin, person=person, reason="Asked")
    reply = web(admin).post(reverse("contacts:person_restore", args=[person.pk]))
    assert reply.status_code == 302
    assert Person._base_manager.get(pk=person.pk).deleted_at is not None


def test_preview_page_query_count_stays_flat(
    web: Any, admin: Any, rep: Any, clara: Any, django_assert_max_num_queries: Any
) -> None:
    request = _request(admin, clara)
    # one of each kind first: a table with nothing in scope is not even asked
    activity_services.activity_create(
        actor=rep, data={"kind": "note", "body": f"First note for {EMAIL}", "person": clara.pk}
    )
    client = web(admin)
    url = reverse("privacy:request_erase", args=[request.pk])
    client.get(url)
    with django_assert_max_num_queries(40) as captured:
        assert client.get(url).status_code == 200
    counted = len(captured.captured_queries)
    for index in range(12):
        activity_services.activity_create(
            actor=rep,
            data={"kind": "note", "body": f"Note {index} for {EMAIL}", "person": clara.pk},
        )
        services.request_create(actor=admin, person=clara, kind="access", law="gdpr")
    with django_assert_max_num_queries(counted):
        page = client.get(url)
    assert "Timeline entries" in page.content.decode()


def test_erased_person_cannot_be_changed_through_the_api_or_the_form(
    api: Any, web: Any, admin: Any, make_person: Any
) -> None:
    from elo.privacy.erasure import person_erase

    person = make_person(emails=["gone@example.com"])
    person_erase(actor=admin, person=person, reason="Asked")
    reply = api(admin).patch(f"/api/v1/people/{person.pk}", {"given_name": "Back"})
    assert reply.status_code == 422 and reply.json()["errors"][0]["code"] == "erased"
    page = web(admin).post(
        reverse("contacts:person_edit", args=[person.pk]),
        {
            "given_name": "Back",
            "lifecycle_stage": "lead",
            "version": Person.objects.get(pk=person.pk).version,
        },
    )
    assert page.status_code == 200 and "can no longer be changed" in page.content.decode()
    assert Person.objects.get(pk=person.pk).given_name == "Erased person"
    consents = web(admin).get(reverse("privacy:person_consents", args=[person.pk]))
    assert consents.status_code == 200 and "<form" not in consents.content.decode()


@pytest.mark.parametrize(("language", "word"), [("pt-br", "eliminar"), ("pt-pt", "APAGAR")])
def test_the_confirmation_word_is_also_accepted_in_the_page_language(
    language: str, word: str
) -> None:
    from django.utils import translation

    from elo.privacy.forms import ErasureCheckForm

    with translation.override(language):
        form = ErasureCheckForm({"typed": word}, expected="Clara Nunes")
        assert form.is_valid(), form.errors
        assert word.upper() in str(form.fields["typed"].label)
        wrong = ErasureCheckForm({"typed": "APAGAR" if word == "eliminar" else "ELIMINAR"},
                                 expected="Clara Nunes")  # fmt: skip
        assert not wrong.is_valid()
