"""Bulk writes to the store: executemany on SQLite, COPY on PostgreSQL, inside the caller's
transaction. Ids are reserved up front so child rows (offences, risk factors) can be
written without reading back what was inserted."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import Connection, text

SQLITE_CACHE_KIB = 256 * 1024  # page cache while importing: indexes of a large file fit


def reserve_ids(conn: Connection, table: str, n: int) -> int:
    """The first of `n` consecutive free ids in `table`, held until the transaction ends."""
    if conn.dialect.name == "postgresql":
        # Other writers wait until we commit; the sequence jumps past our block.
        conn.execute(text(f"LOCK TABLE {table} IN SHARE ROW EXCLUSIVE MODE"))
        start = int(
            conn.execute(text(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")).scalar_one()
        )
        seq = conn.execute(text(f"SELECT pg_get_serial_sequence('{table}', 'id')")).scalar_one()
        if seq:
            conn.execute(
                text(
                    "SELECT setval(CAST(:s AS regclass), "
                    "GREATEST(:last, nextval(CAST(:s AS regclass))))"
                ),
                {"s": seq, "last": start + n},
            )
        return start
    # SQLite's default 2,000-page cache makes index updates of a large import thrash.
    conn.exec_driver_sql(f"PRAGMA cache_size = -{SQLITE_CACHE_KIB}")
    return int(conn.execute(text(f"SELECT COALESCE(MAX(id), 0) + 1 FROM {table}")).scalar_one())


def insert_rows(
    conn: Connection, table: str, columns: list[str], rows: list[tuple[Any, ...]]
) -> None:
    if not rows:
        return
    names = ", ".join(columns)
    if conn.dialect.name == "postgresql":
        raw = conn.connection.driver_connection
        with raw.cursor() as cur, cur.copy(f"COPY {table} ({names}) FROM STDIN") as copy:  # type: ignore[union-attr]
            for row in rows:
                copy.write_row(row)
        return
    marks = ", ".join("?" for _ in columns)
    if any(isinstance(v, date) for v in rows[0]):  # callers send ISO text; this is a fallback
        rows = [tuple(v.isoformat() if isinstance(v, date) else v for v in r) for r in rows]
    conn.exec_driver_sql(f"INSERT INTO {table} ({names}) VALUES ({marks})", rows)
