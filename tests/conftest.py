"""Shared fixtures: the named personas every permission test uses, and API clients."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest

PASSWORD = "s3cret-Passphrase!"


def pytest_configure(config: pytest.Config) -> None:
    from django.conf import settings

    # Hashing speed only; test_identity checks that production uses Argon2.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Tasks run in-process at enqueue time, so after-commit delivery is observable.
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
    from django_tasks import task_backends

    task_backends.__dict__.pop("settings", None)


@pytest.fixture(autouse=True)
def site_language() -> Any:
    """Each test starts in the site's language: a page a test requested in Portuguese leaves
    Portuguese active in the thread, which would leak into the next test."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture
def teams(db: Any) -> dict[str, Any]:
    from elo.identity.services import roles_ensure_defaults, team_create

    roles_ensure_defaults()
    return {
        "north": team_create(actor=None, name="North"),
        "south": team_create(actor=None, name="South"),
    }


def _user(email: str, role: str, team: Any, name: str) -> Any:
    from elo.identity.services import user_create

    return user_create(
        actor=None, email=email, password=PASSWORD, role=role, team=team, full_name=name
    )


@pytest.fixture
def admin(teams: dict[str, Any]) -> Any:
    return _user("ana.admin@example.com", "admin", None, "Ana Admin")


@pytest.fixture
def manager(teams: dict[str, Any]) -> Any:
    """Manager of the north team: sees everything the north team owns."""
    return _user("marcos.manager@example.com", "manager", teams["north"], "Marcos Manager")


@pytest.fixture
def rep(teams: dict[str, Any]) -> Any:
    """A north sales rep; the usual owner of records in tests."""
    return _user("rita.rep@example.com", "sales_rep", teams["north"], "Rita Rep")


@pytest.fixture
def teammate(teams: dict[str, Any]) -> Any:
    """Another north sales rep: reps see only what they own."""
    return _user("tiago.teammate@example.com", "sales_rep", teams["north"], "Tiago Teammate")


@pytest.fixture
def other_rep(teams: dict[str, Any]) -> Any:
    """A sales rep of the south team."""
    return _user("otto.other@example.com", "sales_rep", teams["south"], "Otto Other")


@pytest.fixture
def outsider(teams: dict[str, Any]) -> Any:
    """A read-only user in no team: owns nothing, sees nothing."""
    return _user("olga.outsider@example.com", "read_only", None, "Olga Outsider")


@pytest.fixture
def reader(teams: dict[str, Any]) -> Any:
    """A read-only user of the north team: sees the team's records, may change nothing."""
    return _user("renata.reader@example.com", "read_only", teams["north"], "Renata Reader")


@pytest.fixture
def make_person(rep: Any) -> Callable[..., Any]:
    from elo.contacts.services import person_create

    def make(owner: Any = None, **data: Any) -> Any:
        data.setdefault("given_name", "Maria")
        data.setdefault("family_name", "Silva")
        return person_create(actor=owner or rep, data=data)

    return make


@pytest.fixture
def make_organization(rep: Any) -> Callable[..., Any]:
    from elo.contacts.services import organization_create

    def make(owner: Any = None, **data: Any) -> Any:
        data.setdefault("name", "Acme Ltda")
        return organization_create(actor=owner or rep, data=data)

    return make


class ApiClient:
    """A Django test client that sends a bearer token and JSON."""

    def __init__(self, user: Any) -> None:
        from django.test import Client

        from elo.identity.services import token_create

        self.client = Client()
        self.headers: dict[str, str] = {}
        if user is not None:
            _token, secret = token_create(actor=None, user=user, name="tests")
            self.headers["Authorization"] = f"Bearer {secret}"

    def _call(self, method: str, path: str, body: Any = None, **headers: str) -> Any:
        call = getattr(self.client, method)
        kwargs: dict[str, Any] = {"headers": {**self.headers, **headers}}
        if body is not None:
            kwargs["data"] = json.dumps(body)
            kwargs["content_type"] = "application/json"
        return call(path, **kwargs)

    def get(self, path: str, **headers: str) -> Any:
        return self._call("get", path, **headers)

    def post(self, path: str, body: Any = None, **headers: str) -> Any:
        return self._call("post", path, body if body is not None else {}, **headers)

    def patch(self, path: str, body: Any, **headers: str) -> Any:
        return self._call("patch", path, body, **headers)

    def put(self, path: str, body: Any, **headers: str) -> Any:
        return self._call("put", path, body, **headers)

    def delete(self, path: str, **headers: str) -> Any:
        return self._call("delete", path, **headers)


@pytest.fixture
def api() -> Callable[[Any], ApiClient]:
    return ApiClient


@pytest.fixture
def web(client: Any) -> Callable[[Any], Any]:
    """A browser-like client signed in as the given user."""

    def sign_in(user: Any) -> Any:
        client.force_login(user)
        return client

    return sign_in


class SmtpInbox:
    """A real SMTP server on 127.0.0.1 (aiosmtpd) that keeps every RFC 5322 message."""

    def __init__(self) -> None:
        self.messages: list[Any] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        from email import message_from_bytes, policy

        message = message_from_bytes(envelope.original_content, policy=policy.default)
        message["X-Envelope-To"] = ", ".join(envelope.rcpt_tos)
        self.messages.append(message)
        return "250 Message accepted for delivery"


@pytest.fixture
def smtp(settings: Any) -> Any:
    """Django sends mail to a real SMTP server for the test; `smtp.messages` holds what came."""
    import socket

    from aiosmtpd.controller import Controller

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = SmtpInbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = settings.EMAIL_USE_SSL = False
    settings.EMAIL_HOST_USER = settings.EMAIL_HOST_PASSWORD = ""
    try:
        yield inbox
    finally:
        controller.stop()
