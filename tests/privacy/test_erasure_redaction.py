"""How mentions of a person's values are found and replaced in text and JSON."""

from __future__ import annotations

import pytest

from elo.privacy.redaction import MARKER, Needles, Redactor


@pytest.fixture
def redactor() -> Redactor:
    needles = Needles()
    needles.add_name("João", "Conceição")
    needles.add("joao.c@exemplo.pt", strong=True)
    needles.add_phone("+351912345678")
    needles.add_phone("+5511987654321")
    needles.add("Viseu", strong=False)
    needles.weak -= needles.strong
    return Redactor(needles)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Call João Conceição today", f"Call {MARKER} today"),
        ("JOAO CONCEICAO signed", f"{MARKER} signed"),
        ("Conceição, João", MARKER),
        ("mail JOAO.C@EXEMPLO.PT now", f"mail {MARKER} now"),
        ("+351 912 345 678 or 912-345-678", f"{MARKER} or {MARKER}"),
        ("ligue (11) 98765-4321", f"ligue {MARKER}"),
        ("moved to Viseu last year", f"moved to {MARKER} last year"),
        ("Joãozinho and Viseuense stay", "Joãozinho and Viseuense stay"),
        ("order 19123456789 stays", "order 19123456789 stays"),
    ],
    ids=[
        "full-name",
        "folded-upper",
        "family-first",
        "email-any-case",
        "phone-as-written",
        "brazilian-national",
        "weak-value",
        "only-whole-words",
        "digits-inside-a-longer-number",
    ],
)
def test_mentions_are_replaced(redactor: Redactor, text: str, expected: str) -> None:
    assert redactor.text(text) == expected


def test_json_keeps_shape_and_blanks_personal_keys_of_the_persons_own_entries(
    redactor: Redactor,
) -> None:
    changes = {
        "given_name": [None, "Zé"],
        "custom": [{}, {"shoe_size": 42}],
        "lifecycle_stage": [None, "lead"],
        "note": "João Conceição asked",
        "count": 3,
    }
    assert redactor.json(changes, personal_keys=True) == {
        "given_name": [None, MARKER],
        "custom": [{}, {"shoe_size": MARKER}],
        "lifecycle_stage": [None, "lead"],
        "note": f"{MARKER} asked",
        "count": 3,
    }
    assert redactor.json(changes)["given_name"] == [None, "Zé"]


def test_lookups_cover_json_escaped_forms() -> None:
    needles = Needles()
    needles.add_name("Inês", "Gonçalves")
    assert "Inês Gonçalves" in needles.lookups()
    assert "In\\u00eas Gon\\u00e7alves" in needles.lookups()
    assert "Inês" not in needles.lookups()  # a lone given name is looked for in scope only
