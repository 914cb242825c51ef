"""API plumbing every router shares: authentication, problem+json errors, ETags, pages."""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer, SessionAuth

from elo.core import context
from elo.core.errors import PreconditionFailed
from elo.core.pagination import Page

PROBLEM_TYPE = "https://elo.invalid/problems/"


class TokenAuth(HttpBearer):
    """`Authorization: Bearer elo_…`, a personal API token."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        from elo.identity.services import token_authenticate

        user = token_authenticate(token)
        if user is None:
            return None
        request.user = user
        context.set_actor(context.Actor(kind="token", user_id=user.pk, label=user.email))
        return user


class BrowserSessionAuth(SessionAuth):
    """The signed-in browser session; unsafe methods need the CSRF token."""


def problem(
    status: int,
    code: str,
    title: str,
    detail: str = "",
    errors: list[dict[str, Any]] | None = None,
    headers: dict[str, str] | None = None,
) -> HttpResponse:
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE + code,
        "title": title,
        "status": status,
        "code": code,
    }
    if detail:
        body["detail"] = detail
    if errors is not None:
        body["errors"] = errors
    response = HttpResponse(
        json.dumps(body), status=status, content_type="application/problem+json"
    )
    for key, value in (headers or {}).items():
        response[key] = value
    return response


def field_errors(error: DjangoValidationError) -> list[dict[str, Any]]:
    if hasattr(error, "error_dict"):
        result = []
        for name, items in error.error_dict.items():
            for item in items:
                message = item.message % item.params if item.params else item.message
                result.append(
                    {"field": name, "code": item.code or "invalid", "message": str(message)}
                )
        return result
    return [
        {"field": None, "code": item.code or "invalid", "message": str(message)}
        for item, message in zip(error.error_list, error.messages, strict=False)
    ]


def install_problem_handlers(api: NinjaAPI) -> None:
    def on_ninja_validation(request: HttpRequest, exc: Any) -> HttpResponse:
        errors = []
        for item in exc.errors:
            location = [str(part) for part in item.get("loc", ())]
            if location and location[0] in {"body", "query", "path", "form"}:
                location = location[1:]
            if location and location[0] in {"payload", "data", "query", "filters"}:
                location = location[1:]
            errors.append(
                {
                    "field": ".".join(location) or None,
                    "code": item.get("type", "invalid"),
                    "message": item.get("msg", _("Invalid value.")),
                }
            )
        return problem(
            422, "validation_failed", _("The request has invalid fields."), errors=errors
        )

    def on_django_validation(request: HttpRequest, exc: Any) -> HttpResponse:
        errors = field_errors(exc)
        return problem(
            422, "validation_failed", _("The request has invalid fields."), errors=errors
        )

    def on_permission(request: HttpRequest, exc: Any) -> HttpResponse:
        return problem(403, "permission_denied", _("You are not allowed to do this."), str(exc))

    def on_not_found(request: HttpRequest, exc: Any) -> HttpResponse:
        return problem(404, "not_found", _("Not found."))

    def on_stale(request: HttpRequest, exc: Any) -> HttpResponse:
        return problem(
            412, "stale_version", _("The record has changed since you read it."), str(exc)
        )

    def on_auth(request: HttpRequest, exc: Any) -> HttpResponse:
        return problem(
            401,
            "not_authenticated",
            _("Send a valid API token as 'Authorization: Bearer <token>'."),
            headers={"WWW-Authenticate": 'Bearer realm="elo"'},
        )

    def on_http(request: HttpRequest, exc: Any) -> HttpResponse:
        code = re.sub(r"[^a-z]+", "_", str(exc).lower()).strip("_")[:40] or "error"
        return problem(exc.status_code, code, str(exc))

    api.add_exception_handler(NinjaValidationError, on_ninja_validation)
    api.add_exception_handler(DjangoValidationError, on_django_validation)
    api.add_exception_handler(PermissionDenied, on_permission)
    api.add_exception_handler(Http404, on_not_found)
    api.add_exception_handler(PreconditionFailed, on_stale)
    api.add_exception_handler(AuthenticationError, on_auth)
    api.add_exception_handler(HttpError, on_http)


def set_etag(response: HttpResponse, record: Any) -> None:
    """The ETag of a versioned record, `"<id>-<version>"`, which If-Match sends back."""
    response["ETag"] = f'"{record.pk}-{record.version}"'


def if_match_version(request: HttpRequest) -> int | None:
    """The version named by If-Match (`"<id>-<version>"`), or None when absent or `*`."""
    header = request.headers.get("If-Match", "").strip()
    if not header or header == "*":
        return None
    match = re.fullmatch(r'(?:W/)?"\d+-(\d+)"', header)
    if match is None:
        raise HttpError(412, "If-Match must be an ETag this API returned")
    return int(match.group(1))


def page_size(limit: int | None) -> int:
    if limit is None:
        return 50
    return max(1, min(int(limit), settings.ELO_API_MAX_PAGE_SIZE))


def next_link(request: HttpRequest, page: Page[Any]) -> str | None:
    if page.next_cursor is None:
        return None
    params = request.GET.copy()
    params["cursor"] = page.next_cursor
    return (
        request.build_absolute_uri(request.path) + "?" + urlencode(list(params.lists()), doseq=True)
    )
