"""Write validated rows from DuckDB into the store, inside the caller's transaction.

A first submission takes the fast path: DuckDB computes every stored column (ids included)
and batches go straight to the driver. A superseding submission goes row by row, because
rows that keep their agency id are updated in place so records referring to them stay valid.
"""

from __future__ import annotations

import queue
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import duckdb
from sqlalchemy import Connection, Table, text

from opsc.intake.contracts import Contract
from opsc.intake.writer import insert_rows, reserve_ids
from opsc.records.base import Base

BATCH = 50_000


def _table(name: str) -> Table:
    return Base.metadata.tables[name]


def load_rows(
    conn: Connection,
    duck: Any,
    contract: Contract,
    sub_id: int,
    inst: int,
    country: str,
    replaced: list[int],
) -> int:
    """Write the validated rows of DuckDB view `t` into the store; return the row count."""
    if not replaced:
        return _load_new(conn, duck, contract, _fixed(contract, sub_id, inst, country))
    table = _table(contract.table)
    fixed = _fixed(contract, sub_id, inst, country)
    fk_cols = {fk.column: fk for fk in contract.foreign_keys}
    own = [f.name for f in contract.fields if f.name in table.c and f.name not in contract.children]
    columns = [*own, *fk_cols]
    select_cols = [f't."{c}"' for c in own] + [f"r_{fk.field}.id" for fk in fk_cols.values()]
    joins = "".join(
        f' LEFT JOIN "ref_{fk.target}" r_{fk.field} ON r_{fk.field}.agency_id = t."{fk.field}"'
        for fk in fk_cols.values()
    )
    key = contract.agency_key
    existing: dict[str, int] = {}
    if replaced:
        ids = ", ".join(str(int(r)) for r in replaced)
        for child, parent_col, _ in contract.children.values():
            conn.execute(
                text(
                    f"DELETE FROM {child} WHERE {parent_col} IN "
                    f"(SELECT id FROM {contract.table} WHERE submission_id IN ({ids}))"
                )
            )
        if key:
            existing = dict(
                conn.execute(
                    text(f"SELECT {key}, id FROM {contract.table} WHERE submission_id IN ({ids})")
                ).all()
            )
    n = int(duck.execute("SELECT count(*) FROM t").fetchone()[0])
    first_id = reserve_ids(conn, contract.table, n)
    cursor = duck.execute(
        f"SELECT {', '.join(select_cols)}{_child_select(contract)} FROM t{joins} ORDER BY t._row"
    )
    all_columns = ["id", *fixed, *columns]
    next_id = first_id
    written = 0
    seen: set[int] = set()
    for batch in _batches(cursor):
        rows: list[tuple[Any, ...]] = []
        updates: list[tuple[Any, ...]] = []
        children: dict[str, list[tuple[Any, ...]]] = {c: [] for c in contract.children}
        for r in batch:
            base = r[: len(columns)]
            old = existing.get(r[own.index(key)]) if key and existing else None
            if old is not None:
                rid = old
                seen.add(old)
                updates.append((*fixed.values(), *base, old))
            else:
                rid = next_id
                next_id += 1
                rows.append((rid, *fixed.values(), *base))
            for i, name in enumerate(contract.children):
                value = r[len(columns) + i]
                if value:
                    for code in dict.fromkeys(value.split()):
                        children[name].append((rid, code))
        if "submission_id" not in table.c:
            _replace_by_key(conn, contract, table, all_columns, rows)
        insert_rows(conn, contract.table, all_columns, rows)
        if updates:
            sets = ", ".join(f"{c} = :{c}" for c in [*fixed, *columns])
            conn.execute(
                text(f"UPDATE {contract.table} SET {sets} WHERE id = :id"),
                [dict(zip([*fixed, *columns, "id"], u, strict=True)) for u in updates],
            )
        for name, pairs in children.items():
            child, parent_col, value_col = contract.children[name]
            defaults = _scalar_defaults(_table(child), (parent_col, value_col))
            insert_rows(
                conn,
                child,
                [parent_col, value_col, *defaults],
                [(*p, *defaults.values()) for p in pairs],
            )
        written += len(batch)
    if replaced and "submission_id" in table.c:
        ids = ", ".join(str(int(r)) for r in replaced)
        gone = [i for i in existing.values() if i not in seen]
        if gone or not key:
            conn.execute(
                text(f"DELETE FROM {contract.table} WHERE submission_id IN ({ids})")
                if not key
                else text(f"DELETE FROM {contract.table} WHERE id IN ({', '.join(map(str, gone))})")
            )
    return written


def _fixed(contract: Contract, sub_id: int, inst: int, country: str) -> dict[str, Any]:
    """Columns with one value for the whole file: its submission, institution, country."""
    table = _table(contract.table)
    values = {"submission_id": sub_id, "institution_id": inst, "country": country}
    return {k: v for k, v in values.items() if k in table.c}


def _sql_literal(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    return "'" + str(value).replace("'", "''") + "'"


def _load_new(
    conn: Connection,
    duck: duckdb.DuckDBPyConnection,
    contract: Contract,
    fixed: dict[str, Any],
) -> int:
    """Insert every row of `t` as new: ids are `first + _row - 2`, computed by DuckDB (a
    blank line leaves an unused id; the whole span is reserved)."""
    table = _table(contract.table)
    fks = [fk for fk in contract.foreign_keys if fk.column in table.c]
    own = [f for f in contract.fields if f.name in table.c and f.name not in contract.children]
    as_text = conn.dialect.name == "sqlite"  # SQLite keeps dates as ISO text
    n, last = duck.execute("SELECT count(*), max(_row) FROM t").fetchone() or (0, None)
    if not n:
        return 0
    first = reserve_ids(conn, contract.table, int(last) - 1)
    exprs = [f"{first} - 2 + t._row"] + [_sql_literal(v) for v in fixed.values()]
    for f in own:
        col = f't."{f.name}"'
        exprs.append(f"strftime({col}, '%Y-%m-%d')" if as_text and f.type == "date" else col)
    exprs += [f"r{i}.id" for i, _ in enumerate(fks)]
    joins = "".join(
        f' LEFT JOIN "ref_{fk.target}" r{i} ON r{i}.agency_id = t."{fk.field}"'
        for i, fk in enumerate(fks)
    )
    columns = ["id", *fixed, *(f.name for f in own), *(fk.column for fk in fks)]
    if "submission_id" not in table.c:
        rows = duck.execute(f"SELECT {', '.join(exprs)} FROM t{joins}").fetchall()
        _replace_by_key(conn, contract, table, columns, rows)
        insert_rows(conn, contract.table, columns, rows)
    else:
        _stream(conn, duck, f"SELECT {', '.join(exprs)} FROM t{joins}", contract.table, columns)
    for name, (child, parent_col, value_col) in contract.children.items():
        defaults = _scalar_defaults(_table(child), (parent_col, value_col))
        extra = "".join(f", {_sql_literal(v)}" for v in defaults.values())
        sql = (
            f"SELECT DISTINCT {first} - 2 + _row, unnest(string_split(\"{name}\", ' ')){extra} "
            f'FROM t WHERE "{name}" IS NOT NULL AND "{name}" <> \'\''
        )
        _stream(conn, duck, sql, child, [parent_col, value_col, *defaults])
    return int(n)


def _stream(
    conn: Connection, duck: duckdb.DuckDBPyConnection, sql: str, table: str, columns: list[str]
) -> None:
    """Rows of a DuckDB query into a store table: on PostgreSQL DuckDB writes CSV that COPY
    reads as bytes (no Python object per value); on SQLite, batches of tuples."""
    if conn.dialect.name != "postgresql":
        for batch in _prefetched(duck, sql):
            insert_rows(conn, table, columns, batch)
        return
    with tempfile.TemporaryDirectory(prefix="opsc-copy-") as tmp:
        path = Path(tmp) / "rows.csv"
        # DuckDB writes NULL as an empty field and an empty string as "", as COPY expects.
        duck.execute(f"COPY ({sql}) TO '{path}' (FORMAT csv, HEADER false)")
        raw = conn.connection.driver_connection
        copy_sql = f"COPY {table} ({', '.join(columns)}) FROM STDIN WITH (FORMAT csv)"
        with raw.cursor() as cur, cur.copy(copy_sql) as copy, path.open("rb") as f:  # type: ignore[union-attr]
            while chunk := f.read(1 << 20):
                copy.write(chunk)


def _replace_by_key(
    conn: Connection,
    contract: Contract,
    table: Table,
    columns: list[str],
    rows: list[tuple[Any, ...]],
) -> None:
    """Tables without a submission column (plan evaluations): a row with the same key
    (stored columns of the primary key, with references resolved) replaces the old one."""
    fk_store = {fk.field: fk.column for fk in contract.foreign_keys}
    key_cols = [fk_store.get(k, k) for k in contract.primary_key]
    if not rows or not all(c in table.c for c in key_cols):
        return
    where = " AND ".join(f"{c} = :{c}" for c in key_cols)
    positions = [columns.index(c) for c in key_cols]
    conn.execute(
        text(f"DELETE FROM {contract.table} WHERE {where}"),
        [{c: r[i] for c, i in zip(key_cols, positions, strict=True)} for r in rows],
    )


def _scalar_defaults(table: Table, skip: tuple[str, ...]) -> dict[str, Any]:
    """Columns filled by a Python-side scalar default in the model (e.g. attempt=False)."""
    out: dict[str, Any] = {}
    for col in table.c:
        default = col.default
        if col.name not in skip and default is not None and getattr(default, "is_scalar", False):
            out[col.name] = default.arg  # type: ignore[attr-defined]
    return out


def _child_select(contract: Contract) -> str:
    return "".join(f', t."{name}"' for name in contract.children)


def _prefetched(duck: duckdb.DuckDBPyConnection, sql: str) -> Iterator[list[tuple[Any, ...]]]:
    """Batches of a DuckDB query, the next one fetched in a thread while the caller writes
    this one (SQLite writes pages without holding the GIL: the two overlap)."""
    done = object()
    ready: queue.Queue[Any] = queue.Queue(maxsize=1)
    stop = threading.Event()

    def offer(item: Any) -> bool:
        """Hand `item` over unless the caller has stopped reading; say if it was taken."""
        while not stop.is_set():
            try:
                ready.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def produce() -> None:
        try:
            for batch in _batches(duck.execute(sql)):
                if not offer(batch):
                    return
            offer(done)
        except BaseException as exc:  # handed to the caller, raised there
            offer(exc)

    worker = threading.Thread(target=produce, name="opsc-intake-fetch", daemon=True)
    worker.start()
    try:
        while (item := ready.get()) is not done:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        stop.set()
        worker.join()


def _batches(cursor: Any) -> Iterator[list[tuple[Any, ...]]]:
    while batch := cursor.fetchmany(BATCH):
        yield batch
