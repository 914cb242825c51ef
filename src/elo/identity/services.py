"""Users, teams, roles, API tokens and sign-in throttling."""

from __future__ import annotations

import secrets
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from elo.core import audit, events
from elo.core.permissions import require
from elo.identity.models import ApiToken, LoginFailure, Role, Team, User
from elo.identity.permissions import DEFAULT_ROLES, PERMISSIONS

TOKEN_PREFIX = "elo_"
LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


def roles_ensure_defaults() -> None:
    """Creates the shipped roles that do not exist yet; never overwrites an admin's edits."""
    for key, (name, permissions) in DEFAULT_ROLES.items():
        Role.objects.get_or_create(key=key, defaults={"name": name, "permissions": permissions})


def _validate_user(
    *, email: str, role_key: str | None, language: str, instance: User | None
) -> tuple[str, Role | None]:
    errors: dict[str, str] = {}
    email = email.strip().lower()
    try:
        validate_email(email)
    except ValidationError:
        errors["email"] = _("Enter a valid email address.")
    clash = User.objects.filter(email=email)
    if instance is not None:
        clash = clash.exclude(pk=instance.pk)
    if email and clash.exists():
        errors["email"] = _("A user with this email already exists.")
    role = None
    if role_key:
        role = Role.objects.filter(key=role_key).first()
        if role is None:
            errors["role"] = _("There is no role with this key.")
    if language and language not in LANGUAGE_CODES:
        errors["language"] = _("Pick a supported language.")
    if errors:
        raise ValidationError(errors)
    return email, role


def user_create(
    *,
    actor: Any,
    email: str,
    password: str,
    role: str = "sales_rep",
    team: Team | None = None,
    full_name: str = "",
    language: str = "",
) -> User:
    """Adds a user. `actor=None` is the command line, which runs with full rights."""
    if actor is not None:
        require(actor, "settings.manage")
    clean_email, role_obj = _validate_user(
        email=email, role_key=role, language=language, instance=None
    )
    try:
        validate_password(password)
    except ValidationError as error:
        raise ValidationError({"password": error.messages}) from error
    with transaction.atomic():
        user = User.objects.create_user(
            clean_email,
            password,
            full_name=full_name.strip(),
            role=role_obj,
            team=team,
            language=language,
            is_superuser=role == "admin",
            is_staff=role == "admin",
        )
        audit.record(
            action="identity.user.created",
            instance=user,
            changes={
                "email": [None, user.email],
                "role": [None, role],
                "team": [None, team and team.pk],
            },
        )
        events.emit("identity.user.created", {"id": user.pk})
    return user


def user_update(
    *,
    actor: Any,
    user: User,
    full_name: str | None = None,
    role: str | None = None,
    team: Team | bool | None = False,
    is_active: bool | None = None,
    is_available: bool | None = None,
) -> User:
    require(actor, "settings.manage")
    fields = ["full_name", "role", "team", "is_active", "is_available"]
    before = audit.snapshot(user, fields)
    _email, role_obj = _validate_user(
        email=user.email, role_key=role, language=user.language, instance=user
    )
    if user.pk == actor.pk and (
        is_active is False or (role and role != "admin" and actor.is_admin)
    ):
        raise ValidationError(_("You cannot lock yourself out."), code="self_lockout")
    with transaction.atomic():
        if full_name is not None:
            user.full_name = full_name.strip()
        if role_obj is not None:
            user.role = role_obj
            user.is_superuser = user.is_staff = role_obj.key == "admin"
        if team is not False:
            user.team = team  # type: ignore[assignment]
        if is_active is not None:
            user.is_active = is_active
        if is_available is not None:
            user.is_available = is_available
        user.save()
        changes = audit.diff(before, audit.snapshot(user, fields))
        audit.record(action="identity.user.updated", instance=user, changes=changes)
        events.emit("identity.user.updated", {"id": user.pk, "changed": sorted(changes)})
    return user


def user_set_language(*, user: User, language: str) -> User:
    if language not in LANGUAGE_CODES:
        raise ValidationError({"language": _("Pick a supported language.")})
    with transaction.atomic():
        before = user.language
        user.language = language
        user.save(update_fields=["language"])
        audit.record(
            action="identity.user.language_changed",
            instance=user,
            changes={"language": [before, language]},
        )
    return user


def user_change_password(*, user: User, old_password: str, new_password: str) -> User:
    if not user.check_password(old_password):
        raise ValidationError({"old_password": _("The current password is wrong.")})
    try:
        validate_password(new_password, user)
    except ValidationError as error:
        raise ValidationError({"new_password": error.messages}) from error
    with transaction.atomic():
        user.set_password(new_password)
        user.save(update_fields=["password"])
        audit.record(action="identity.user.password_changed", instance=user)
    return user


def team_create(*, actor: Any, name: str) -> Team:
    if actor is not None:
        require(actor, "settings.manage")
    clean = " ".join(name.split())
    if not clean:
        raise ValidationError({"name": _("Enter a team name.")})
    if Team.objects.filter(name__iexact=clean).exists():
        raise ValidationError({"name": _("A team with this name already exists.")})
    with transaction.atomic():
        team = Team.objects.create(name=clean)
        audit.record(action="identity.team.created", instance=team, changes={"name": [None, clean]})
        events.emit("identity.team.created", {"id": team.pk})
    return team


def role_set_permissions(*, actor: Any, role: Role, permissions: list[str]) -> Role:
    require(actor, "settings.manage")
    unknown = sorted(set(permissions) - set(PERMISSIONS))
    if unknown:
        raise ValidationError({"permissions": _("Unknown permissions: %s") % ", ".join(unknown)})
    if role.key == "admin":
        raise ValidationError(_("The admin role always holds every permission."), code="admin_role")
    with transaction.atomic():
        before = sorted(role.permissions)
        role.permissions = sorted(set(permissions))
        role.save(update_fields=["permissions"])
        audit.record(
            action="identity.role.permissions_changed",
            instance=role,
            changes={"permissions": [before, role.permissions]},
        )
        events.emit("identity.role.updated", {"id": role.pk})
    return role


def token_create(*, actor: Any, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for `user`; the secret is returned once and never stored."""
    if actor is not None and actor.pk != user.pk:
        require(actor, "settings.manage")
    clean = name.strip() or _("API token")
    secret = TOKEN_PREFIX + secrets.token_urlsafe(32)
    with transaction.atomic():
        token = ApiToken.objects.create(
            user=user, name=clean[:100], prefix=secret[:12], digest=ApiToken.digest_of(secret)
        )
        audit.record(
            action="identity.token.created", instance=token, changes={"name": [None, clean]}
        )
        events.emit("identity.token.created", {"id": token.pk, "user": user.pk})
    return token, secret


def token_revoke(*, actor: Any, token: ApiToken) -> ApiToken:
    if actor.pk != token.user_id and not actor.has_elo_perm("settings.manage"):
        raise PermissionDenied(_("You can revoke only your own tokens."))
    with transaction.atomic():
        if token.revoked_at is None:
            token.revoked_at = timezone.now()
            token.save(update_fields=["revoked_at"])
            audit.record(action="identity.token.revoked", instance=token)
            events.emit("identity.token.revoked", {"id": token.pk, "user": token.user_id})
    return token


def token_authenticate(secret: str) -> User | None:
    """The active user owning the active token `secret`, or None."""
    if not secret.startswith(TOKEN_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user", "user__role")
        .filter(digest=ApiToken.digest_of(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


def login_is_throttled(*, email: str, address: str) -> bool:
    since = timezone.now() - timedelta(seconds=settings.ELO_LOGIN_WINDOW_SECONDS)
    limit = settings.ELO_LOGIN_MAX_FAILURES
    recent = LoginFailure.objects.filter(created_at__gte=since)
    by_email = recent.filter(email=email.strip().lower()).count()
    by_address = recent.filter(address=address).count() if address else 0
    return by_email >= limit or by_address >= limit * 4


def login_failed(*, email: str, address: str) -> None:
    LoginFailure.objects.create(email=email.strip().lower()[:254], address=address[:64])


def login_succeeded(*, user: User) -> None:
    LoginFailure.objects.filter(email=user.email).delete()
