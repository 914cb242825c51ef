from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from elo.core import context


class RequestContextMiddleware:
    """Gives each request an id and an audit actor (the signed-in user, unless a token says
    otherwise). Sits after AuthenticationMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        rid = incoming if incoming.isalnum() and len(incoming) <= 64 else context.new_request_id()
        request.request_id = rid  # type: ignore[attr-defined]

        def session_actor() -> context.Actor | None:
            user = request.user
            if user.is_authenticated:
                return context.Actor(kind="user", user_id=user.pk, label=user.get_username())
            return None

        with context.acting(request=rid, resolve_actor=session_actor):
            response = self.get_response(request)
        response["X-Request-ID"] = rid
        return response
