"""Fixtures for the email channel: the .eml corpus, attachment storage in a temporary
directory, and an ingest helper acting as the admin."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

CORPUS = Path(__file__).resolve().parents[2] / "fixtures" / "eml"
SECRET = "inbound-test-secret"


def eml(name: str) -> bytes:
    return (CORPUS / name).read_bytes()


@pytest.fixture(autouse=True)
def email_settings(settings: Any, tmp_path: Path) -> Any:
    settings.ELO_EMAIL_ATTACHMENT_DIR = tmp_path / "attachments"
    settings.ELO_EMAIL_UNKNOWN_SENDER = "lead"
    settings.ELO_EMAIL_INBOUND_SECRET = SECRET
    settings.ELO_EMAIL_INGEST_USER = ""
    return settings


@pytest.fixture(name="eml")
def eml_fixture() -> Callable[[str], bytes]:
    """The raw bytes of a message of the corpus in tests/fixtures/eml."""
    return eml


@pytest.fixture
def ingest(admin: Any) -> Callable[..., Any]:
    from elo.channels.email.services import email_ingest

    def run(raw: bytes | str, via: str = "cli") -> Any:
        data = eml(raw) if isinstance(raw, str) else raw
        return email_ingest(actor=admin, raw=data, via=via)

    return run
