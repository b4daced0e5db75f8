"""Reference tables from the store, copied into DuckDB for the cross-file rules and import.

Only agency identifiers and internal ids of one institution are copied: the references a
file may make are always to the same institution's own records.
"""

from __future__ import annotations

from collections.abc import Collection
from typing import Any

import duckdb
import pyarrow as pa
from sqlalchemy import Connection, text

from opsc.intake.contracts import Contract, get_contract

PROSECUTION_STEPS = ("PROSECUTION", "TRIAL", "JUDGEMENT")


TYPES = {
    "agency_id": "VARCHAR",
    "agency_case_id": "VARCHAR",
    "agency_perpetrator_id": "VARCHAR",
    "period": "VARCHAR",
    "id": "BIGINT",
    "submission_id": "BIGINT",
    "date_offence": "DATE",
}


def _put(con: duckdb.DuckDBPyConnection, name: str, rows: list[Any], columns: list[str]) -> None:
    """A DuckDB table with fixed column types, even when `rows` is empty."""
    typed = ", ".join(f"CAST({c} AS {TYPES[c]}) AS {c}" for c in columns)
    con.execute(
        f'CREATE OR REPLACE TABLE "{name}" (' + ", ".join(f"{c} {TYPES[c]}" for c in columns) + ")"
    )
    if rows:  # column by column through Arrow: no Python object per cell on the way in
        frame = pa.table([pa.array(values) for values in zip(*rows, strict=True)], names=columns)
        con.register("_frame", frame)
        con.execute(f'INSERT INTO "{name}" SELECT {typed} FROM _frame')
        con.unregister("_frame")


def load_refs(
    con: duckdb.DuckDBPyConnection,
    conn: Connection,
    contract: Contract,
    institution_id: int,
    replaced: Collection[int] = (),
) -> None:
    """Create `ref_<target>`, `own_keys` and (for proceedings) `ref_steps` in DuckDB.

    `replaced` are submissions this file supersedes: their rows do not count as existing.
    """
    skip = tuple(replaced) or (-1,)
    skip_sql = ", ".join(str(int(s)) for s in skip)
    for fk in contract.foreign_keys:
        target = get_contract(fk.target)
        extra = ", date_offence" if fk.target == "cases" else ""
        # Programme tables (plans) know their institution through their submission.
        owner = (
            "institution_id = :i"
            if target.kind == "records"
            else "submission_id IN (SELECT id FROM submission WHERE institution_id = :i)"
        )
        rows = conn.execute(
            text(f"SELECT {fk.target_field}, id{extra} FROM {target.table} WHERE {owner}"),
            {"i": institution_id},
        ).all()
        cols = ["agency_id", "id"] + (["date_offence"] if extra else [])
        _put(con, f"ref_{fk.target}", [tuple(r) for r in rows], cols)
    if contract.agency_key:
        rows = conn.execute(
            text(
                f"SELECT r.{contract.agency_key}, r.submission_id, s.period_start, s.period_end "
                f"FROM {contract.table} r JOIN submission s ON s.id = r.submission_id "
                f"WHERE r.institution_id = :i AND r.submission_id NOT IN ({skip_sql})"
            ),
            {"i": institution_id},
        ).all()
        _put(
            con,
            "own_keys",
            [(r[0], r[1], f"{r[2]} – {r[3]}") for r in rows],
            ["agency_id", "submission_id", "period"],
        )
    if contract.name == "proceedings":
        stages = ", ".join(f"'{s}'" for s in PROSECUTION_STEPS)
        rows = conn.execute(
            text(
                "SELECT c.agency_case_id, p.agency_perpetrator_id FROM proceeding r "
                "JOIN case_record c ON c.id = r.case_id "
                "LEFT JOIN perpetrator p ON p.id = r.perpetrator_id "
                f"WHERE r.institution_id = :i AND r.stage IN ({stages}) "
                f"AND r.submission_id NOT IN ({skip_sql})"
            ),
            {"i": institution_id},
        ).all()
        _put(
            con, "ref_steps", [tuple(r) for r in rows], ["agency_case_id", "agency_perpetrator_id"]
        )
