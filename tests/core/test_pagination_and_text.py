from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError

from elo.core.pagination import _decode, _encode
from elo.core.search import build_text, terms
from elo.core.text import fold


@pytest.mark.parametrize(
    ("raw", "folded"),
    [("  João  D'Ávila ", "joao d'avila"), ("ÇÃO", "cao"), ("Straße", "strasse"), ("", "")],
)
def test_fold(raw: str, folded: str) -> None:
    assert fold(raw) == folded


def test_build_text_frames_words_with_spaces() -> None:
    assert build_text("Zé", None, "a@b.com") == " ze a@b.com "
    assert terms("  Zé   Silva ") == ["ze", "silva"]


def test_cursor_round_trip_and_garbage() -> None:
    import datetime

    moment = datetime.datetime(2026, 1, 2, 3, 4, 5, tzinfo=datetime.UTC)
    assert _decode(_encode(["a", moment, 3]), 3) == ["a", moment, 3]
    with pytest.raises(ValidationError):
        _decode("!!!", 3)
    with pytest.raises(ValidationError):
        _decode(_encode([1, 2]), 3)
