"""The OpenAPI document is committed; any API change shows up as a diff of docs/openapi.json.

Regenerate after an intended change with: ELO_UPDATE_OPENAPI=1 pytest tests/contract
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from elo.api import api

COMMITTED = Path(__file__).resolve().parents[2] / "docs" / "openapi.json"


def _current() -> str:
    return (
        json.dumps(api.get_openapi_schema(path_prefix="/api/v1/"), indent=2, sort_keys=True) + "\n"
    )


def test_openapi_document_matches_the_committed_copy() -> None:
    current = _current()
    if os.environ.get("ELO_UPDATE_OPENAPI") == "1":
        COMMITTED.write_text(current)
    assert COMMITTED.read_text() == current, "API changed: regenerate docs/openapi.json"


def test_documented_paths_cover_the_foundation() -> None:
    paths = json.loads(_current())["paths"]
    for path in (
        "/api/v1/people",
        "/api/v1/people/{person_id}",
        "/api/v1/organizations",
        "/api/v1/activities",
        "/api/v1/tags",
        "/api/v1/custom-fields",
        "/api/v1/users",
        "/api/v1/teams",
        "/api/v1/search",
        "/api/v1/imports",
    ):
        assert path in paths, path


def test_served_document_and_docs_page(client: object) -> None:
    from django.test import Client

    assert isinstance(client, Client)
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Elo API"
    docs = client.get("/api/v1/docs")
    assert docs.status_code == 200
    page = docs.content.decode()
    assert "swagger-ui-bundle.js" in page
    assert "cdn." not in page and "https://" not in page, "the docs page must load nothing remote"
