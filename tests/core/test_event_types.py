"""The event catalogue: every emitted name is declared with a description and an example,
docs/events.md is generated from it, and the API lists it."""

from __future__ import annotations

import ast
import fnmatch
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.core.exceptions import ImproperlyConfigured

from elo.core import event_types

ROOT = Path(__file__).resolve().parents[2]
SOURCE = ROOT / "src" / "elo"
DOCS = ROOT / "docs" / "events.md"


@dataclass
class Emit:
    where: str
    name: str  # the literal name, or a glob pattern for an f-string
    literal: bool
    payload_keys: set[str] | None  # keys of a literal payload dict without ** spreads


def _name(node: ast.expr) -> tuple[str, bool] | None:
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value, True
    if isinstance(node, ast.JoinedStr):
        parts = [
            part.value if isinstance(part, ast.Constant) else "*"
            for part in node.values
            if isinstance(part, ast.Constant | ast.FormattedValue)
        ]
        return "".join(str(part) for part in parts), False
    return None


def _payload_keys(node: ast.expr | None) -> set[str] | None:
    if not isinstance(node, ast.Dict) or any(key is None for key in node.keys):
        return None
    keys = {key.value for key in node.keys if isinstance(key, ast.Constant)}
    return keys if len(keys) == len(node.keys) else None


def emitted() -> list[Emit]:
    """Every events.emit / emit_many call in src/elo whose name is a (format) string."""
    found: list[Emit] = []
    for path in sorted(SOURCE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call) or not node.args:
                continue
            function = node.func
            called = function.attr if isinstance(function, ast.Attribute) else None
            if isinstance(function, ast.Name):
                called = function.id
            if called not in {"emit", "emit_many"}:
                continue
            named = _name(node.args[0])
            if named is None:
                continue
            payload = node.args[1] if len(node.args) > 1 else None
            if isinstance(payload, ast.ListComp):  # emit_many(name, [{...} for row in rows])
                payload = payload.elt
            where = f"{path.relative_to(ROOT)}:{node.lineno}"
            found.append(Emit(where, named[0], named[1], _payload_keys(payload)))
    return found


def test_the_scan_finds_the_known_emits() -> None:
    names = {emit.name for emit in emitted()}
    assert {"sales.deal.stage_changed", "contacts.person.created", "core.tag.created"} <= names
    assert "contacts.*.*" in names  # the soft-delete helper's f-string
    assert len(names) > 40


def test_every_emitted_event_is_in_the_catalogue() -> None:
    catalogued = event_types.names()
    missing = [
        f"{emit.where}: {emit.name}"
        for emit in emitted()
        if (emit.name not in catalogued)
        if emit.literal or not fnmatch.filter(catalogued, emit.name)
    ]
    assert missing == [], "declare these in the app's event_types.py"


def test_examples_carry_the_keys_the_code_sends() -> None:
    """Where the payload is a dict literal, the example shows every key it can have."""
    catalogue = event_types.catalogue()
    drifted = [
        f"{emit.where}: {emit.name} sends {sorted(emit.payload_keys - set(example))}"
        for emit in emitted()
        if emit.literal and emit.payload_keys is not None and emit.name in catalogue
        for example in [catalogue[emit.name].example]
        if emit.payload_keys - set(example)
    ]
    assert drifted == [], "\n".join(drifted)


def test_every_installed_app_that_emits_declares_its_events() -> None:
    apps_emitting = {emit.name.split(".")[0] for emit in emitted() if emit.literal}
    apps_declaring = {event_type.app for event_type in event_types.catalogue().values()}
    assert apps_emitting <= apps_declaring


def test_docs_events_md_is_generated_from_the_catalogue() -> None:
    expected = event_types.render_markdown()
    if os.environ.get("ELO_UPDATE_EVENT_DOCS") == "1":
        DOCS.write_text(expected, encoding="utf-8")
    current = DOCS.read_text(encoding="utf-8") if DOCS.exists() else ""
    assert current == expected, (
        "docs/events.md is out of date: ELO_UPDATE_EVENT_DOCS=1 pytest tests/core/test_event_types.py"
    )
    for name, event_type in event_types.catalogue().items():
        section = re.search(rf"^### {re.escape(name)}\n\n(.+?)\n\n```json\n", current, re.M | re.S)
        assert section is not None and section.group(1) == event_type.description


@pytest.mark.parametrize(
    ("name", "spec", "problem"),
    [
        ("deal.won", {"description": "x", "example": {}}, "event names are"),
        ("billing.deal.won", {"description": "x", "example": {}}, "event names are"),
        ("sales.Deal.Won", {"description": "x", "example": {}}, "event names are"),
        ("sales.deal.won", {"example": {}}, "description is missing"),
        ("sales.deal.won", {"description": "x", "example": []}, "must be a dict"),
        ("sales.deal.won", {"description": "x", "example": {"at": object()}}, "not JSON"),
        ("sales.deal.won", {"description": "x", "example": {}, "extra": 1}, "exactly"),
    ],
    ids=["two-parts", "other-app", "upper-case", "no-description", "list", "not-json", "extra"],
)
def test_a_bad_declaration_is_refused(name: str, spec: dict[str, Any], problem: str) -> None:
    with pytest.raises(ImproperlyConfigured, match=problem):
        event_types._check("sales", name, spec)


def test_event_types_api(api: Any, rep: Any, django_assert_max_num_queries: Any) -> None:
    assert api(None).get("/api/v1/events/types").status_code == 401
    client = api(rep)
    with django_assert_max_num_queries(2):
        response = client.get("/api/v1/events/types")
    assert response.status_code == 200
    listed = {item["name"]: item for item in response.json()}
    assert list(listed) == event_types.names()
    assert listed["sales.deal.stage_changed"] == {
        "name": "sales.deal.stage_changed",
        "app": "sales",
        "description": event_types.catalogue()["sales.deal.stage_changed"].description,
        "example": {"id": 230, "from": 3, "to": 4, "status": "open"},
    }
