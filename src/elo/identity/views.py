"""Sign-in, the user's own account (password, language, API tokens) and the people
settings (users, teams, roles)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import authenticate, login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import get_object_or_404, redirect, render, resolve_url
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from elo.core.forms import add_service_errors
from elo.core.views import permission_required, posted
from elo.identity import selectors, services
from elo.identity.forms import (
    LoginForm,
    PasswordChangeForm,
    RolePermissionsForm,
    TeamCreateForm,
    TokenCreateForm,
    UserCreateForm,
    UserEditForm,
)
from elo.identity.models import ApiToken, User
from elo.identity.permissions import PERMISSIONS


class SignedInRequest(HttpRequest):
    """The request a login_required view receives."""

    user: User


def _safe_url(request: HttpRequest, url: str | None) -> str | None:
    """`url` if it points back into this site, else None."""
    if url and url_has_allowed_host_and_scheme(
        url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return url
    return None


def _with_language(response: HttpResponse, language: str) -> HttpResponse:
    """Sets Django's language cookie, the way django.views.i18n.set_language does."""
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )
    return response


@sensitive_post_parameters("password")
@never_cache
def login_view(request: HttpRequest) -> HttpResponse:
    next_url = _safe_url(request, request.POST.get("next") or request.GET.get("next"))
    if request.user.is_authenticated:
        return redirect(next_url or settings.LOGIN_REDIRECT_URL)
    form = LoginForm(posted(request))
    status = 200
    if form.is_valid():
        email = form.cleaned_data["email"]
        address = request.META.get("REMOTE_ADDR", "")
        if services.login_is_throttled(email=email, address=address):
            form.add_error(None, _("Too many failed sign-ins. Wait a few minutes, then try again."))
            status = 429
        else:
            user = authenticate(request, username=email, password=form.cleaned_data["password"])
            if user is None:
                services.login_failed(email=email, address=address)
                form.add_error(None, _("The email or the password is wrong."))
            else:
                login(request, user)
                services.login_succeeded(user=user)
                response = redirect(next_url or settings.LOGIN_REDIRECT_URL)
                language = getattr(user, "language", "")
                return _with_language(response, language) if language else response
    context = {"form": form, "next": next_url or ""}
    return render(request, "identity/login.html", context, status=status)


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout(request)
    return redirect(settings.LOGOUT_REDIRECT_URL)


@sensitive_post_parameters("old_password", "new_password", "new_password_again")
@login_required
def password_change(request: SignedInRequest) -> HttpResponse:
    form = PasswordChangeForm(posted(request))
    if form.is_valid():
        try:
            services.user_change_password(
                user=request.user,
                old_password=form.cleaned_data["old_password"],
                new_password=form.cleaned_data["new_password"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            update_session_auth_hash(request, request.user)
            messages.success(request, _("Your password was changed."))
            return redirect("identity:settings")
    return render(request, "identity/password_change.html", {"form": form})


@require_POST
def language(request: HttpRequest) -> HttpResponse:
    """Switches the interface language: saved on the user when signed in, and in the cookie
    Django's LocaleMiddleware reads."""
    back = _safe_url(request, request.POST.get("next") or request.META.get("HTTP_REFERER"))
    response = HttpResponseRedirect(back or resolve_url(settings.LOGIN_REDIRECT_URL))
    code = request.POST.get("language", "")
    try:
        if request.user.is_authenticated:
            services.user_set_language(user=request.user, language=code)
        elif code not in services.LANGUAGE_CODES:
            raise ValidationError({"language": _("Pick a supported language.")})
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return response
    return _with_language(response, code)


@login_required
def settings_index(request: SignedInRequest) -> HttpResponse:
    context = {
        "can_manage": request.user.has_elo_perm("settings.manage"),
        "can_configure_sales": request.user.has_elo_perm("sales.configure"),
    }
    return render(request, "identity/settings.html", context)


@never_cache
@login_required
def tokens(request: SignedInRequest) -> HttpResponse:
    """The user's own API tokens. A new token's secret is shown on this response only."""
    form = TokenCreateForm(posted(request))
    secret = None
    if form.is_valid():
        _token, secret = services.token_create(
            actor=request.user,
            user=request.user,
            name=form.cleaned_data["name"],
        )
        form = TokenCreateForm()
    context = {"form": form, "tokens": selectors.tokens_of(request.user), "secret": secret}
    return render(request, "identity/token_list.html", context)


@require_POST
@login_required
def token_revoke(request: SignedInRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user_id=request.user.pk)
    services.token_revoke(actor=request.user, token=token)
    if getattr(request, "htmx", False):
        return render(request, "identity/token_list.html#token-row", {"token": token})
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": token.name})
    return redirect("identity:tokens")


@permission_required("settings.manage")
def user_list(request: SignedInRequest) -> HttpResponse:
    users = selectors.user_list_for(request.user)
    return render(request, "identity/user_list.html", {"users": users})


@permission_required("settings.manage")
def user_create(request: SignedInRequest) -> HttpResponse:
    form = UserCreateForm(posted(request), initial={"role": "sales_rep"})
    if form.is_valid():
        data = form.cleaned_data
        try:
            user = services.user_create(
                actor=request.user,
                email=data["email"],
                password=data["password"],
                role=data["role"].key,
                team=data["team"],
                full_name=data["full_name"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("User %(user)s added.") % {"user": user})
            return redirect("identity:user_list")
    return render(request, "identity/user_form.html", {"form": form, "subject": None})


@permission_required("settings.manage")
def user_edit(request: SignedInRequest, pk: int) -> HttpResponse:
    subject = get_object_or_404(selectors.user_list_for(request.user), pk=pk)
    form = UserEditForm(posted(request), initial=UserEditForm.initial_for(subject))
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.user_update(
                actor=request.user,
                user=subject,
                full_name=data["full_name"],
                role=data["role"].key,
                team=data["team"],
                is_active=data["is_active"],
                is_available=data["is_available"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("User %(user)s saved.") % {"user": subject})
            return redirect("identity:user_list")
    return render(request, "identity/user_form.html", {"form": form, "subject": subject})


@permission_required("settings.manage")
def team_list(request: SignedInRequest) -> HttpResponse:
    form = TeamCreateForm(posted(request))
    if form.is_valid():
        try:
            team = services.team_create(actor=request.user, name=form.cleaned_data["name"])
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Team %(team)s added.") % {"team": team})
            return redirect("identity:team_list")
    context = {"form": form, "teams": selectors.team_list()}
    return render(request, "identity/team_list.html", context)


def _permission_rows(role: Any) -> list[dict[str, Any]]:
    return [
        {"key": key, "label": label, "granted": role.grants(key)}
        for key, label in PERMISSIONS.items()
    ]


@permission_required("settings.manage")
def role_list(request: SignedInRequest) -> HttpResponse:
    roles = [
        {"role": role, "permissions": _permission_rows(role)} for role in selectors.role_list()
    ]
    return render(request, "identity/role_list.html", {"roles": roles})


@permission_required("settings.manage")
def role_edit(request: SignedInRequest, pk: int) -> HttpResponse:
    role = get_object_or_404(selectors.role_list(), pk=pk)
    form = RolePermissionsForm(posted(request), initial={"permissions": role.permissions})
    if form.is_valid():
        try:
            services.role_set_permissions(
                actor=request.user, role=role, permissions=form.cleaned_data["permissions"]
            )
        except ValidationError as error:
            add_service_errors(form, error)
        else:
            messages.success(request, _("Role %(role)s saved.") % {"role": role})
            return redirect("identity:role_list")
    context = {"form": form, "role": role, "permissions": _permission_rows(role)}
    return render(request, "identity/role_form.html", context)
