"""Sign-in, the user's own account pages and the users, teams and roles settings."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from elo.identity.models import ApiToken, LoginFailure, Role, Team, User
from elo.identity.services import team_create, token_create, user_create

PASSWORD = "s3cret-Passphrase!"


def _sign_in(client: Any, email: str, password: str, **extra: Any) -> Any:
    return client.post(reverse("identity:login"), {"email": email, "password": password}, **extra)


# Sign-in and sign-out


def test_login_page_shows_no_navigation(client: Any, db: Any) -> None:
    response = client.get(reverse("identity:login"))

    assert response.status_code == 200
    assert b'name="email"' in response.content
    assert b"navbar" not in response.content


def test_login_with_right_password_lands_on_home(client: Any, rep: Any) -> None:
    response = _sign_in(client, "Rita.Rep@example.com", PASSWORD)

    assert response.status_code == 302
    assert response.url == reverse("web:home")
    assert client.session["_auth_user_id"] == str(rep.pk)
    assert client.get(response.url).status_code == 200


def test_login_follows_a_safe_next_but_not_an_outside_one(client: Any, rep: Any) -> None:
    inside = client.post(
        reverse("identity:login") + "?next=/settings/",
        {"email": rep.email, "password": PASSWORD},
    )
    client.logout()
    outside = client.post(
        reverse("identity:login") + "?next=https://evil.example/",
        {"email": rep.email, "password": PASSWORD},
    )

    assert inside.url == "/settings/"
    assert outside.url == reverse("web:home")


def test_login_sets_the_language_cookie_from_the_user(client: Any, rep: Any) -> None:
    rep.language = "pt-pt"
    rep.save(update_fields=["language"])

    response = _sign_in(client, rep.email, PASSWORD)

    assert response.cookies["django_language"].value == "pt-pt"


def test_login_with_wrong_password_shows_an_error(client: Any, rep: Any) -> None:
    response = _sign_in(client, rep.email, "not-the-password")

    assert response.status_code == 200
    assert b"The email or the password is wrong." in response.content
    assert "_auth_user_id" not in client.session
    assert LoginFailure.objects.filter(email=rep.email).count() == 1


def test_after_too_many_failures_the_right_password_is_refused(
    client: Any, rep: Any, settings: Any
) -> None:
    settings.ELO_LOGIN_MAX_FAILURES = 3
    for _attempt in range(3):
        _sign_in(client, rep.email, "guess", REMOTE_ADDR="203.0.113.9")

    response = _sign_in(client, rep.email, PASSWORD, REMOTE_ADDR="203.0.113.9")

    assert response.status_code == 429
    assert b"Too many failed sign-ins" in response.content
    assert "_auth_user_id" not in client.session
    assert LoginFailure.objects.filter(email=rep.email).count() == 3


def test_a_throttled_attempt_does_not_check_the_password(
    client: Any, rep: Any, settings: Any, monkeypatch: Any
) -> None:
    settings.ELO_LOGIN_MAX_FAILURES = 1
    _sign_in(client, rep.email, "guess")
    checked: list[str] = []
    monkeypatch.setattr(
        "elo.identity.views.authenticate", lambda *args, **kwargs: checked.append("checked")
    )

    response = _sign_in(client, rep.email, PASSWORD)

    assert response.status_code == 429
    assert checked == []


def test_a_successful_login_clears_earlier_failures(client: Any, rep: Any) -> None:
    _sign_in(client, rep.email, "guess")

    _sign_in(client, rep.email, PASSWORD)

    assert not LoginFailure.objects.filter(email=rep.email).exists()


def test_inactive_user_cannot_sign_in(client: Any, rep: Any) -> None:
    User.objects.filter(pk=rep.pk).update(is_active=False)

    response = _sign_in(client, rep.email, PASSWORD)

    assert response.status_code == 200
    assert "_auth_user_id" not in client.session


def test_logout_by_post_signs_out(web: Any, rep: Any) -> None:
    client = web(rep)

    response = client.post(reverse("identity:logout"))

    assert response.status_code == 302
    assert response.url == reverse("identity:login")
    assert "_auth_user_id" not in client.session


def test_logout_by_get_is_refused(web: Any, rep: Any) -> None:
    client = web(rep)

    response = client.get(reverse("identity:logout"))

    assert response.status_code == 405
    assert client.session["_auth_user_id"] == str(rep.pk)


# The user's own account


def test_password_change_with_wrong_old_password_is_a_field_error(web: Any, rep: Any) -> None:
    response = web(rep).post(
        reverse("identity:password_change"),
        {
            "old_password": "wrong",
            "new_password": "another-Long-passphrase",
            "new_password_again": "another-Long-passphrase",
        },
    )

    assert response.status_code == 200
    assert b'data-field-error="old_password"' in response.content
    rep.refresh_from_db()
    assert rep.check_password(PASSWORD)


def test_password_change_keeps_the_session(web: Any, rep: Any) -> None:
    client = web(rep)

    response = client.post(
        reverse("identity:password_change"),
        {
            "old_password": PASSWORD,
            "new_password": "another-Long-passphrase",
            "new_password_again": "another-Long-passphrase",
        },
    )

    assert response.status_code == 302
    rep.refresh_from_db()
    assert rep.check_password("another-Long-passphrase")
    assert client.get(reverse("identity:settings")).status_code == 200


def test_password_change_with_differing_new_passwords_changes_nothing(web: Any, rep: Any) -> None:
    response = web(rep).post(
        reverse("identity:password_change"),
        {
            "old_password": PASSWORD,
            "new_password": "another-Long-passphrase",
            "new_password_again": "a-different-passphrase",
        },
    )

    assert b'data-field-error="new_password_again"' in response.content
    rep.refresh_from_db()
    assert rep.check_password(PASSWORD)


def test_language_switch_is_stored_and_used_by_the_next_page(web: Any, rep: Any) -> None:
    client = web(rep)

    response = client.post(
        reverse("identity:language"),
        {"language": "pt-br"},
        HTTP_REFERER="http://testserver/settings/tokens/",
    )

    assert response.status_code == 302
    assert response.url == "http://testserver/settings/tokens/"
    rep.refresh_from_db()
    assert rep.language == "pt-br"
    page = client.get(reverse("identity:settings"))
    assert b'<html lang="pt-br">' in page.content


def test_language_switch_does_not_redirect_off_site(web: Any, rep: Any) -> None:
    response = web(rep).post(
        reverse("identity:language"),
        {"language": "pt-pt"},
        HTTP_REFERER="https://evil.example/",
    )

    assert response.url == reverse("web:home")


def test_unknown_language_changes_nothing(web: Any, rep: Any) -> None:
    client = web(rep)

    response = client.post(reverse("identity:language"), {"language": "xx"})

    rep.refresh_from_db()
    assert rep.language == ""
    assert "django_language" not in response.cookies


def test_token_secret_is_shown_once(web: Any, rep: Any) -> None:
    client = web(rep)

    created = client.post(reverse("identity:tokens"), {"name": "Spreadsheet sync"})
    token = ApiToken.objects.get(user=rep)
    secret = created.context["secret"]
    again = client.get(reverse("identity:tokens"))

    assert secret.startswith(token.prefix)
    assert secret.encode() in created.content
    assert b"Spreadsheet sync" in again.content
    assert token.prefix.encode() in again.content
    assert secret.encode() not in again.content


def test_created_token_works_until_revoked(web: Any, rep: Any) -> None:
    client = web(rep)
    secret = client.post(reverse("identity:tokens"), {"name": "script"}).context["secret"]
    token = ApiToken.objects.get(user=rep)
    bearer = {"Authorization": f"Bearer {secret}"}
    client.logout()

    works = client.get("/api/v1/users/me", headers=bearer)
    web(rep).post(reverse("identity:token_revoke", args=[token.pk]))
    client.logout()
    refused = client.get("/api/v1/users/me", headers=bearer)

    assert works.status_code == 200
    assert works.json()["email"] == rep.email
    assert refused.status_code == 401


def test_revoke_by_htmx_returns_the_row(web: Any, rep: Any) -> None:
    token, _secret = token_create(actor=rep, user=rep, name="script")

    response = web(rep).post(
        reverse("identity:token_revoke", args=[token.pk]), HTTP_HX_REQUEST="true"
    )

    assert response.status_code == 200
    assert response.content.lstrip().startswith(b"<tr")
    assert b"Revoked" in response.content


def test_nobody_revokes_another_users_token(web: Any, rep: Any, teammate: Any) -> None:
    token, _secret = token_create(actor=teammate, user=teammate, name="theirs")

    response = web(rep).post(reverse("identity:token_revoke", args=[token.pk]))

    assert response.status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_token_list_shows_only_own_tokens(web: Any, rep: Any, teammate: Any) -> None:
    token_create(actor=teammate, user=teammate, name="Teammate integration")
    token_create(actor=rep, user=rep, name="My integration")

    response = web(rep).get(reverse("identity:tokens"))

    assert b"My integration" in response.content
    assert b"Teammate integration" not in response.content


# Settings: who may see them

MANAGED_PAGES = [
    "identity:user_list",
    "identity:user_create",
    "identity:team_list",
    "identity:role_list",
]


@pytest.mark.parametrize("name", MANAGED_PAGES)
def test_settings_pages_are_for_admins(client: Any, admin: Any, rep: Any, name: str) -> None:
    url = reverse(name)

    anonymous = client.get(url)
    client.force_login(rep)
    refused = client.get(url)
    client.force_login(admin)
    allowed = client.get(url)

    assert anonymous.status_code == 302
    assert anonymous.url.startswith(reverse("identity:login"))
    assert refused.status_code == 403
    assert allowed.status_code == 200


def test_settings_index_links_only_what_the_user_may_use(web: Any, rep: Any) -> None:
    response = web(rep).get(reverse("identity:settings"))

    assert reverse("identity:tokens").encode() in response.content
    assert reverse("identity:user_list").encode() not in response.content


def test_settings_index_links_admin_sections_for_admins(web: Any, admin: Any) -> None:
    content = web(admin).get(reverse("identity:settings")).content

    for name in ["identity:user_list", "identity:role_list", "core:custom_field_list"]:
        assert reverse(name).encode() in content


def test_role_edit_is_refused_to_a_rep(web: Any, rep: Any) -> None:
    role = Role.objects.get(key="sales_rep")

    response = web(rep).post(
        reverse("identity:role_edit", args=[role.pk]), {"permissions": ["settings.manage"]}
    )

    assert response.status_code == 403
    role.refresh_from_db()
    assert "settings.manage" not in role.permissions


# Users


def test_admin_creates_a_user(web: Any, admin: Any, teams: Any) -> None:
    response = web(admin).post(
        reverse("identity:user_create"),
        {
            "email": "Nina.New@example.com",
            "full_name": "Nina New",
            "password": "a-Long-first-passphrase",
            "role": "manager",
            "team": teams["south"].pk,
        },
    )

    assert response.status_code == 302
    nina = User.objects.get(email="nina.new@example.com")
    assert (nina.full_name, nina.role.key, nina.team) == ("Nina New", "manager", teams["south"])
    assert nina.check_password("a-Long-first-passphrase")


def test_create_user_with_duplicate_email_is_a_field_error(web: Any, admin: Any, rep: Any) -> None:
    before = User.objects.count()

    response = web(admin).post(
        reverse("identity:user_create"),
        {
            "email": rep.email.upper(),
            "full_name": "Copy",
            "password": "a-Long-first-passphrase",
            "role": "sales_rep",
        },
    )

    assert response.status_code == 200
    assert b'data-field-error="email"' in response.content
    assert b"A user with this email already exists." in response.content
    assert User.objects.count() == before


def test_create_user_with_a_weak_password_is_a_field_error(web: Any, admin: Any) -> None:
    response = web(admin).post(
        reverse("identity:user_create"),
        {"email": "weak@example.com", "password": "password", "role": "sales_rep"},
    )

    assert b'data-field-error="password"' in response.content
    assert not User.objects.filter(email="weak@example.com").exists()


def test_admin_edits_role_team_and_availability(web: Any, admin: Any, rep: Any, teams: Any) -> None:
    response = web(admin).post(
        reverse("identity:user_edit", args=[rep.pk]),
        {
            "full_name": "Rita Rep",
            "role": "manager",
            "team": teams["south"].pk,
            "is_active": "on",
        },
    )

    assert response.status_code == 302
    rep.refresh_from_db()
    assert (rep.role.key, rep.team, rep.is_active, rep.is_available) == (
        "manager",
        teams["south"],
        True,
        False,
    )


def test_admin_cannot_lock_themselves_out(web: Any, admin: Any) -> None:
    response = web(admin).post(
        reverse("identity:user_edit", args=[admin.pk]),
        {"full_name": "Ana Admin", "role": "admin", "is_available": "on"},
    )

    assert response.status_code == 200
    assert b"You cannot lock yourself out." in response.content
    admin.refresh_from_db()
    assert admin.is_active


def test_deactivated_user_can_no_longer_sign_in(
    client: Any, web: Any, admin: Any, rep: Any
) -> None:
    web(admin).post(
        reverse("identity:user_edit", args=[rep.pk]),
        {"full_name": "Rita Rep", "role": "sales_rep", "is_available": "on"},
    )
    client.logout()

    response = _sign_in(client, rep.email, PASSWORD)

    assert "_auth_user_id" not in client.session
    assert response.status_code == 200


# Teams and roles


def test_admin_creates_a_team(web: Any, admin: Any) -> None:
    response = web(admin).post(reverse("identity:team_list"), {"name": "  East   Coast "})

    assert response.status_code == 302
    assert Team.objects.filter(name="East Coast").exists()


def test_duplicate_team_name_is_a_field_error(web: Any, admin: Any, teams: Any) -> None:
    response = web(admin).post(reverse("identity:team_list"), {"name": "north"})

    assert b'data-field-error="name"' in response.content
    assert Team.objects.count() == 2


def test_role_permission_edit_changes_what_the_role_can_do(
    client: Any, admin: Any, rep: Any
) -> None:
    role = Role.objects.get(key="sales_rep")
    client.force_login(rep)
    before = client.get(reverse("identity:user_list"))

    client.force_login(admin)
    response = client.post(
        reverse("identity:role_edit", args=[role.pk]),
        {"permissions": ["contacts.add", "settings.manage"]},
    )
    client.force_login(rep)
    after = client.get(reverse("identity:user_list"))

    assert (before.status_code, response.status_code, after.status_code) == (403, 302, 200)
    rep = User.objects.get(pk=rep.pk)
    assert rep.has_elo_perm("settings.manage")
    assert not rep.has_elo_perm("contacts.change")


def test_unticking_every_permission_empties_the_role(web: Any, admin: Any) -> None:
    role = Role.objects.get(key="sales_rep")

    web(admin).post(reverse("identity:role_edit", args=[role.pk]), {})

    role.refresh_from_db()
    assert role.permissions == []


def test_admin_role_is_fixed(web: Any, admin: Any) -> None:
    role = Role.objects.get(key="admin")
    before = list(role.permissions)

    page = web(admin).get(reverse("identity:role_edit", args=[role.pk]))
    response = web(admin).post(
        reverse("identity:role_edit", args=[role.pk]), {"permissions": ["contacts.add"]}
    )

    assert b'type="checkbox"' not in page.content
    assert response.status_code == 200
    role.refresh_from_db()
    assert role.permissions == before


def test_unknown_permission_is_a_field_error(web: Any, admin: Any) -> None:
    role = Role.objects.get(key="sales_rep")
    before = list(role.permissions)

    response = web(admin).post(
        reverse("identity:role_edit", args=[role.pk]), {"permissions": ["launch.rockets"]}
    )

    assert b'data-field-error="permissions"' in response.content
    role.refresh_from_db()
    assert role.permissions == before


# Query counts: a list page costs the same however many rows it shows

# The session, the signed-in user, the rows; the rest is headroom for the layout.
MAX_LIST_QUERIES = 5


def _add_users(admin: Any, count: int, start: int) -> None:
    team = Team.objects.first()
    for number in range(start, start + count):
        user_create(
            actor=admin,
            email=f"user{number}@example.com",
            password=PASSWORD,
            role="sales_rep",
            team=team,
        )


def _add_teams(admin: Any, count: int, start: int) -> None:
    for number in range(start, start + count):
        team_create(actor=admin, name=f"Team {number}")


def _add_tokens(admin: Any, count: int, start: int) -> None:
    for number in range(start, start + count):
        token_create(actor=admin, user=admin, name=f"token {number}")


def _add_roles(admin: Any, count: int, start: int) -> None:
    for number in range(start, start + count):
        Role.objects.create(key=f"role_{number}", name=f"Role {number}", permissions=[])


@pytest.mark.parametrize(
    ("name", "add_rows"),
    [
        ("identity:user_list", _add_users),
        ("identity:team_list", _add_teams),
        ("identity:role_list", _add_roles),
        ("identity:tokens", _add_tokens),
    ],
    ids=["users", "teams", "roles", "tokens"],
)
def test_list_page_query_count_does_not_grow_with_rows(
    web: Any, admin: Any, django_assert_max_num_queries: Any, name: str, add_rows: Any
) -> None:
    client = web(admin)
    add_rows(admin, 2, 0)
    with CaptureQueriesContext(connection) as few_rows:
        assert client.get(reverse(name)).status_code == 200

    add_rows(admin, 20, 2)
    with django_assert_max_num_queries(len(few_rows)):
        assert client.get(reverse(name)).status_code == 200
    assert len(few_rows) <= MAX_LIST_QUERIES
