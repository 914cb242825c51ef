"""Fast inserts for imports: many rows in one `executemany`, ids reserved up front.

`QuerySet.bulk_create` compiles every value of every object through the SQL compiler, which
costs more than the database does when an import writes hundreds of thousands of rows. These
helpers prepare each column once, adapt only the values that need it (dates, JSON, decimals),
and hand plain tuples to the driver. They run inside the caller's transaction; on SQLite that
transaction holds the write lock (IMMEDIATE), so reserved ids cannot be taken by anyone else.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone

# Field classes whose Python values the drivers take as they are.
_PLAIN = (
    models.AutoField,
    models.BigAutoField,
    models.BooleanField,
    models.CharField,
    models.ForeignKey,
    models.IntegerField,
    models.TextField,
)

CHUNK = 1000


def _adapter(field: models.Field[Any, Any]) -> Callable[[Any], Any] | None:
    if isinstance(field, _PLAIN) and not isinstance(field, models.JSONField):
        return None
    if isinstance(field, models.DateTimeField):
        return _sqlite_moment if connection.vendor == "sqlite" else None
    return lambda value: field.get_db_prep_save(value, connection)


def _sqlite_moment(value: datetime.datetime | None) -> str | None:
    """What Django's SQLite backend stores for an aware datetime: naive UTC text."""
    if value is None:
        return None
    if value.tzinfo is not None:
        value = value.astimezone(datetime.UTC).replace(tzinfo=None)
    return value.isoformat(" ")


def insert_values(
    model: type[models.Model], attnames: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """Inserts plain rows given by field attname (`person_id`, `created_at`), adapting the
    values that need it; no model instances are built."""
    by_attname = {field.attname: field for field in model._meta.concrete_fields}
    fields = [by_attname[name] for name in attnames]
    adapters = [_adapter(field) for field in fields]
    columns = [field.column for field in fields]
    if not any(adapters):
        insert_rows(model, columns, rows)
        return
    pairs = list(enumerate(adapters))
    insert_rows(
        model,
        columns,
        ([adapt(row[i]) if adapt else row[i] for i, adapt in pairs] for row in rows),
    )


def reserve_ids(model: type[models.Model], count: int) -> list[int]:
    """`count` fresh primary keys for `model`, taken inside the current transaction."""
    if count <= 0:
        return []
    table = model._meta.db_table
    pk = model._meta.pk
    assert pk is not None
    column = pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [connection.ops.quote_name(table), column, count],
            )
            return sorted(row[0] for row in cursor.fetchall())
        cursor.execute(
            f"SELECT MAX({connection.ops.quote_name(column)}) FROM "  # noqa: S608
            f"{connection.ops.quote_name(table)}"
        )
        highest = cursor.fetchone()[0] or 0
        cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
        row = cursor.fetchone()
        start = max(highest, row[0] if row else 0) + 1
    return list(range(start, start + count))


def insert(model: type[models.Model], objects: Sequence[models.Model]) -> None:
    """Inserts unsaved `objects`, all with their primary keys (see `reserve_ids`) or none.

    Every concrete local field is written from the object's attribute; `auto_now` and
    `auto_now_add` fields get the current time, as `save()` would give them.
    """
    if not objects:
        return
    fields = [field for field in model._meta.concrete_fields if field.model is model]
    if objects[0].pk is None:  # the database numbers them
        fields = [field for field in fields if not field.primary_key]
    now = timezone.now()
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            for obj in objects:
                setattr(obj, field.attname, now)
    attnames = [field.attname for field in fields]
    insert_values(model, attnames, ([getattr(obj, name) for name in attnames] for obj in objects))
    if objects[0].pk is not None:
        for obj in objects:
            obj._state.adding = False
            obj._state.db = connection.alias


def insert_rows(
    model: type[models.Model], columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """`INSERT INTO model (columns) VALUES (...)` for every row, values already adapted."""
    quote = connection.ops.quote_name
    if connection.vendor == "postgresql":
        # COPY streams the rows in one round trip; executemany would pay one per row.
        target = f"{quote(model._meta.db_table)} ({', '.join(quote(c) for c in columns)})"
        with connection.cursor() as cursor, cursor.cursor.copy(f"COPY {target} FROM STDIN") as copy:
            for row in rows:
                copy.write_row(row)
        return
    sql = (
        f"INSERT INTO {quote(model._meta.db_table)} "  # noqa: S608
        f"({', '.join(quote(column) for column in columns)}) "
        f"VALUES ({', '.join(['%s'] * len(columns))})"
    )
    batch: list[Sequence[Any]] = []
    with connection.cursor() as cursor:
        for row in rows:
            batch.append(row)
            if len(batch) >= CHUNK:
                cursor.executemany(sql, batch)
                batch = []
        if batch:
            cursor.executemany(sql, batch)
