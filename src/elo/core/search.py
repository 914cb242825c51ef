"""Global text search over a record's `search_text`, one interface for SQLite and PostgreSQL.

`search_text` holds folded words (names, emails, phone digits) framed by spaces. Substrings of
three or more characters are found through an index: an FTS5 trigram table on SQLite, a
pg_trgm GIN index on PostgreSQL. Shorter terms match word prefixes.
"""

from __future__ import annotations

from typing import TypeVar

from django.db import connection, models
from django.db.models.expressions import RawSQL

from elo.core.text import fold

M = TypeVar("M", bound=models.Model)

MIN_SUBSTRING = 3


def build_text(*parts: str | None) -> str:
    words = " ".join(fold(part) for part in parts if part)
    return f" {words} " if words else ""


def terms(query: str) -> list[str]:
    return [term for term in fold(query).split(" ") if term]


def _fts_phrase(term: str) -> str:
    return '"' + term.replace('"', '""') + '"'


def filter_text(queryset: models.QuerySet[M], query: str, *, fts_table: str) -> models.QuerySet[M]:
    """Rows whose text has every term of `query`, annotated with `search_rank` (0 is best)."""
    words = terms(query)
    if not words:
        return queryset.annotate(search_rank=models.Value(0, output_field=models.IntegerField()))
    long_words = [word for word in words if len(word) >= MIN_SUBSTRING]
    for word in words:
        if len(word) < MIN_SUBSTRING:
            queryset = queryset.filter(search_text__contains=f" {word}")
    if long_words:
        if connection.vendor == "sqlite":
            match = " AND ".join(_fts_phrase(word) for word in long_words)
            queryset = queryset.filter(
                # fts_table is a constant of the calling selector; the query is a parameter.
                pk__in=RawSQL(  # noqa: S611
                    f"SELECT rowid FROM {fts_table} WHERE {fts_table} MATCH %s",  # noqa: S608
                    [match],
                )
            )
        else:
            for word in long_words:
                queryset = queryset.filter(search_text__contains=word)
    first = words[0]
    return queryset.annotate(
        search_rank=models.Case(
            models.When(sort_name__startswith=first, then=models.Value(0)),
            models.When(search_text__contains=f" {first}", then=models.Value(1)),
            default=models.Value(2),
            output_field=models.IntegerField(),
        )
    )


def sqlite_fts_sql(table: str, fts_table: str) -> list[str]:
    """DDL for an external-content FTS5 trigram index kept current by triggers.

    Table names come from migrations, never from input."""
    return [
        f"CREATE VIRTUAL TABLE IF NOT EXISTS {fts_table} USING fts5("
        f"search_text, content='{table}', content_rowid='id', tokenize='trigram')",
        f"CREATE TRIGGER IF NOT EXISTS {fts_table}_ai AFTER INSERT ON {table} BEGIN "  # noqa: S608
        f"INSERT INTO {fts_table}(rowid, search_text) VALUES (new.id, new.search_text); END",
        f"CREATE TRIGGER IF NOT EXISTS {fts_table}_ad AFTER DELETE ON {table} BEGIN "  # noqa: S608
        f"INSERT INTO {fts_table}({fts_table}, rowid, search_text) "
        f"VALUES ('delete', old.id, old.search_text); END",
        f"CREATE TRIGGER IF NOT EXISTS {fts_table}_au AFTER UPDATE OF search_text ON {table} "  # noqa: S608
        f"BEGIN INSERT INTO {fts_table}({fts_table}, rowid, search_text) "
        f"VALUES ('delete', old.id, old.search_text); "
        f"INSERT INTO {fts_table}(rowid, search_text) VALUES (new.id, new.search_text); END",
    ]


def postgres_trigram_sql(table: str, index: str) -> list[str]:
    return [
        "CREATE EXTENSION IF NOT EXISTS pg_trgm",
        f"CREATE INDEX IF NOT EXISTS {index} ON {table} USING gin (search_text gin_trgm_ops)",
    ]


def index_operation(table: str, fts_table: str):  # type: ignore[no-untyped-def]
    """A migration operation creating the search index for `table` on either database."""
    from django.db import migrations

    def forwards(apps, schema_editor):  # type: ignore[no-untyped-def]
        vendor = schema_editor.connection.vendor
        if vendor == "sqlite":
            statements = sqlite_fts_sql(table, fts_table)
        elif vendor == "postgresql":
            statements = postgres_trigram_sql(table, f"{table}_search_trgm")
        else:
            statements = []
        for statement in statements:
            schema_editor.execute(statement)

    def backwards(apps, schema_editor):  # type: ignore[no-untyped-def]
        if schema_editor.connection.vendor == "sqlite":
            for suffix in ("ai", "ad", "au"):
                schema_editor.execute(f"DROP TRIGGER IF EXISTS {fts_table}_{suffix}")
            schema_editor.execute(f"DROP TABLE IF EXISTS {fts_table}")
        elif schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(f"DROP INDEX IF EXISTS {table}_search_trgm")

    return migrations.RunPython(forwards, backwards)
