"""History of superseded submissions: the rows as they were, and what the correction did.

A corrected resubmission updates rows in place (their ids stay, so records that refer to
them stay valid) and deletes the rows it no longer holds. Before that, every row of the
superseded submission is copied to `record_archive` with its stored values (and its
multi-valued fields) as JSON; after the import each copy is marked `unchanged`, `updated`
or `deleted`. Both steps run inside the import's transaction: all or nothing.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from typing import Any

from sqlalchemy import Connection, Table, bindparam, select, update

from opsc.intake.contracts import Contract
from opsc.records.base import Base
from opsc.records.institutions import RecordArchive

BATCH = 5_000
SKIP = ("id", "submission_id")  # the row's identity and its submission are columns already


def _archive() -> Table:
    return RecordArchive.__table__  # type: ignore[return-value]


def _snapshots(
    conn: Connection, contract: Contract, where: Any
) -> Iterator[list[tuple[int, str | None, str]]]:
    """Batches of (id, agency id, JSON of the stored values) for the rows matching `where`."""
    table = Base.metadata.tables[contract.table]
    key = contract.agency_key
    columns = [c for c in table.c if c.name not in SKIP]
    result = conn.execute(
        select(table.c.id, *columns)
        .where(where)
        .order_by(table.c.id)
        .execution_options(yield_per=BATCH)
    )
    for part in result.partitions():
        ids = [r[0] for r in part]
        children = child_values(conn, contract, ids)
        out = []
        for r in part:
            values = dict(zip((c.name for c in columns), r[1:], strict=True))
            for name in contract.children:
                values[name] = children[name].get(r[0], [])
            agency = values.get(key) if key else None
            out.append((r[0], agency, json.dumps(values, sort_keys=True, default=str)))
        yield out


def child_values(
    conn: Connection, contract: Contract, ids: Sequence[int]
) -> dict[str, dict[int, list[str]]]:
    """Multi-valued field -> parent id -> its codes (sorted), for the rows `ids`."""
    found: dict[str, dict[int, list[str]]] = {}
    for name, (child, parent_col, value_col) in contract.children.items():
        table = Base.metadata.tables[child]
        values: dict[int, list[str]] = {}
        rows = conn.execute(
            select(table.c[parent_col], table.c[value_col])
            .where(table.c[parent_col].in_(ids))
            .order_by(table.c[parent_col], table.c[value_col])
        )
        for parent, value in rows:
            values.setdefault(parent, []).append(str(value))
        found[name] = values
    return found


def archive_superseded(
    conn: Connection, contract: Contract, replaced: Sequence[int], new_submission: int
) -> int:
    """Copy every row of the `replaced` submissions to the archive (marked `deleted` until
    `mark_changes` runs); return how many. Tables without a submission column: none."""
    table = Base.metadata.tables[contract.table]
    if not replaced or "submission_id" not in table.c:
        return 0
    archive = _archive()
    n = 0
    for old in replaced:
        for batch in _snapshots(conn, contract, table.c.submission_id == old):
            conn.execute(
                archive.insert(),
                [
                    {
                        "table_name": contract.table,
                        "record_id": rid,
                        "agency_id": agency,
                        "submission_id": old,
                        "superseded_by": new_submission,
                        "change": "deleted",
                        "data": data,
                    }
                    for rid, agency, data in batch
                ],
            )
            n += len(batch)
    return n


def mark_changes(conn: Connection, contract: Contract, new_submission: int) -> dict[str, int]:
    """After the import: each archived row still in the store is `unchanged` or `updated`
    (compared value by value); the others stay `deleted`. Return the counts."""
    table = Base.metadata.tables[contract.table]
    archive = _archive()
    before = dict(
        conn.execute(
            select(archive.c.record_id, archive.c.data).where(
                archive.c.superseded_by == new_submission,
                archive.c.table_name == contract.table,
            )
        ).all()
    )
    counts = {"unchanged": 0, "updated": 0, "deleted": len(before)}
    if not before:
        return counts
    ids = list(before)
    for start in range(0, len(ids), BATCH):
        chunk = ids[start : start + BATCH]
        changes = []
        for batch in _snapshots(conn, contract, table.c.id.in_(chunk)):
            for rid, _, data in batch:
                change = "unchanged" if data == before[rid] else "updated"
                counts[change] += 1
                counts["deleted"] -= 1
                changes.append({"rid": rid, "change": change})
        if changes:
            conn.execute(
                update(archive)
                .where(archive.c.superseded_by == new_submission)
                .where(archive.c.table_name == contract.table)
                .where(archive.c.record_id == bindparam("rid"))
                .values(change=bindparam("change")),
                changes,
            )
    return counts


def archived_rows(
    conn: Connection, submission_id: int, change: str | None = None
) -> list[dict[str, Any]]:
    """The archived rows of one superseded submission: record id, agency id, change and
    the values as they were."""
    archive = _archive()
    query = select(archive).where(archive.c.submission_id == submission_id)
    if change is not None:
        query = query.where(archive.c.change == change)
    return [
        {
            "table": r.table_name,
            "record_id": r.record_id,
            "agency_id": r.agency_id,
            "change": r.change,
            "superseded_by": r.superseded_by,
            "values": json.loads(r.data),
        }
        for r in conn.execute(query.order_by(archive.c.record_id))
    ]
