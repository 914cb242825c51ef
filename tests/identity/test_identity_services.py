"""Identity services: users, roles, tokens and what they leave behind."""

from __future__ import annotations

import hashlib
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from elo import settings as production
from elo.core.models import AuditEntry, OutboxEvent
from elo.identity import services
from elo.identity.models import ApiToken, Role, User

PASSWORD = "s3cret-Passphrase!"


def test_user_create_writes_an_audit_entry_and_an_event(admin: Any) -> None:
    user = services.user_create(
        actor=admin, email="Nina.New@Example.com", password=PASSWORD, role="manager"
    )

    entry = AuditEntry.objects.get(action="identity.user.created", object_id=str(user.pk))
    event = OutboxEvent.objects.get(name="identity.user.created", payload={"id": user.pk})
    assert user.email == "nina.new@example.com"
    assert entry.object_type == "identity.user"
    assert entry.changes["email"] == [None, "nina.new@example.com"]
    assert entry.changes["role"] == [None, "manager"]
    assert event.payload == {"id": user.pk}


def test_user_create_needs_settings_manage(rep: Any) -> None:
    before = User.objects.count()

    with pytest.raises(PermissionDenied):
        services.user_create(actor=rep, email="sneaky@example.com", password=PASSWORD)

    assert User.objects.count() == before


def test_user_create_refuses_a_duplicate_email(admin: Any, rep: Any) -> None:
    with pytest.raises(ValidationError) as raised:
        services.user_create(actor=admin, email=rep.email.upper(), password=PASSWORD)

    assert "email" in raised.value.error_dict
    assert User.objects.filter(email=rep.email).count() == 1


def test_token_is_stored_hashed(rep: Any) -> None:
    token, secret = services.token_create(actor=rep, user=rep, name="script")

    stored = ApiToken.objects.get(pk=token.pk)
    columns = ApiToken.objects.filter(pk=token.pk).values().get()
    assert stored.digest == hashlib.sha256(secret.encode()).hexdigest()
    assert not any(secret in str(value) for value in columns.values())
    assert secret.startswith(stored.prefix)
    assert services.token_authenticate(secret) == rep


def test_revoked_token_no_longer_authenticates(rep: Any) -> None:
    token, secret = services.token_create(actor=rep, user=rep, name="script")

    services.token_revoke(actor=rep, token=token)

    assert services.token_authenticate(secret) is None
    assert AuditEntry.objects.filter(action="identity.token.revoked").count() == 1


def test_user_cannot_revoke_a_colleagues_token(rep: Any, teammate: Any) -> None:
    token, _secret = services.token_create(actor=teammate, user=teammate, name="theirs")

    with pytest.raises(PermissionDenied):
        services.token_revoke(actor=rep, token=token)

    token.refresh_from_db()
    assert token.revoked_at is None


def test_passwords_are_hashed_with_argon2_in_production(admin: Any, settings: Any) -> None:
    settings.PASSWORD_HASHERS = production.PASSWORD_HASHERS

    user = services.user_create(actor=admin, email="argon@example.com", password=PASSWORD)

    assert user.password.startswith("argon2")
    assert user.check_password(PASSWORD)


def test_role_set_permissions_refuses_unknown_permissions(admin: Any) -> None:
    role = Role.objects.get(key="sales_rep")
    before = list(role.permissions)

    with pytest.raises(ValidationError) as raised:
        services.role_set_permissions(
            actor=admin, role=role, permissions=["contacts.add", "launch.rockets"]
        )

    assert "permissions" in raised.value.error_dict
    role.refresh_from_db()
    assert role.permissions == before


def test_role_set_permissions_is_audited(admin: Any) -> None:
    role = Role.objects.get(key="read_only")

    services.role_set_permissions(actor=admin, role=role, permissions=["exports.run"])

    entry = AuditEntry.objects.get(action="identity.role.permissions_changed")
    assert entry.changes == {"permissions": [["records.view_team"], ["exports.run"]]}


def test_admin_cannot_demote_themselves(admin: Any) -> None:
    with pytest.raises(ValidationError):
        services.user_update(actor=admin, user=admin, role="sales_rep")

    admin.refresh_from_db()
    assert admin.role.key == "admin"


def test_user_set_language_refuses_unknown_languages(rep: Any) -> None:
    with pytest.raises(ValidationError):
        services.user_set_language(user=rep, language="klingon")

    rep.refresh_from_db()
    assert rep.language == ""
