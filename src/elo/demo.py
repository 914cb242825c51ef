"""Deterministic demo data (placeholder until the generator lands)."""

PASSWORD = "elo-demo-2026"
LOGINS: list[tuple[str, str]] = []


def load() -> str:
    return ""
