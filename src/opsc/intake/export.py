"""Export stored records in their contract's shape (`opsc export`), for spreadsheets.

Values leaving the system for spreadsheets are where formula-like text is neutralised —
here, on export, never changed on import (a leading '=' '+' '-' '@' would run as a formula
when the CSV is opened in Excel). The exported file has the contract's columns (references
as the agency's own identifiers, multi-valued fields space-separated), so it can be
corrected and submitted again.
"""

from __future__ import annotations

import csv
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.cell.cell import Cell
from sqlalchemy import Connection, Select, Table, select

from opsc.intake.archive import child_values
from opsc.intake.contracts import Contract
from opsc.records.base import Base

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
BATCH = 10_000


class ExportError(ValueError):
    """An export that cannot be made; the message says why and what to do."""


def neutralise(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def set_text_cell(cell: Cell, value: Any) -> None:
    """Write `value` to an openpyxl cell as data, never as a formula."""
    cell.value = value
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # openpyxl would otherwise store "=..." as a formula


@dataclass
class ExportResult:
    rows: int
    columns: list[str]
    neutralised: int  # cells given a leading apostrophe (CSV) or stored as text (XLSX)


def _plain(value: Any) -> Any:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def export_query(
    contract: Contract, institution_id: int | None, submission_id: int | None
) -> tuple[Select[Any], list[str]]:
    """SELECT of the stored rows in the contract's column order (children come later)."""
    tables = Base.metadata.tables
    table: Table = tables[contract.table]
    fks = {fk.field: fk for fk in contract.foreign_keys}
    names: list[str] = []
    columns: list[Any] = [table.c.id]
    query_from: Any = table
    for f in contract.fields:
        if f.name in contract.children:
            continue
        fk = fks.get(f.name)
        if fk is not None and fk.column in table.c:
            target = tables[fk.table].alias(f"ref_{f.name}")
            query_from = query_from.outerjoin(target, target.c.id == table.c[fk.column])
            columns.append(target.c[fk.target_field].label(f.name))
        elif f.name in table.c:
            columns.append(table.c[f.name])
        else:
            continue
        names.append(f.name)
    query = select(*columns).select_from(query_from).order_by(table.c.id)
    if submission_id is not None:
        if "submission_id" not in table.c:
            raise ExportError(f"{contract.name} rows do not record their submission")
        query = query.where(table.c.submission_id == submission_id)
    if institution_id is not None:
        if "institution_id" in table.c:
            query = query.where(table.c.institution_id == institution_id)
        elif "submission_id" in table.c:
            sub = tables["submission"]
            query = query.where(
                table.c.submission_id.in_(
                    select(sub.c.id).where(sub.c.institution_id == institution_id)
                )
            )
        else:
            raise ExportError(f"{contract.name} rows are not kept per institution")
    return query, names


def stored_rows(
    conn: Connection,
    contract: Contract,
    institution_id: int | None = None,
    submission_id: int | None = None,
) -> tuple[list[str], Iterator[list[Any]]]:
    """Header and rows of the stored records, values as the contract writes them."""
    query, names = export_query(contract, institution_id, submission_id)
    header = [f.name for f in contract.fields if f.name in names or f.name in contract.children]

    def rows() -> Iterator[list[Any]]:
        result = conn.execute(query.execution_options(yield_per=BATCH))
        for part in result.partitions():
            children = child_values(conn, contract, [r[0] for r in part])
            for r in part:
                values = dict(zip(names, r[1:], strict=True))
                for name in contract.children:
                    values[name] = " ".join(children[name].get(r[0], [])) or None
                yield [_plain(values.get(h)) for h in header]

    return header, rows()


def export_records(
    conn: Connection,
    contract: Contract,
    output: Path,
    *,
    institution_id: int | None = None,
    submission_id: int | None = None,
    lang: str | None = None,
) -> ExportResult:
    """Write the stored records to `output` (.csv or .xlsx); `lang` puts the contract's
    titles (es/en) in the header row instead of the field names."""
    fmt = output.suffix.lower().lstrip(".")
    if fmt not in ("csv", "xlsx"):
        raise ExportError(f"{output}: write .csv or .xlsx")
    header, rows = stored_rows(conn, contract, institution_id, submission_id)
    shown = [contract.field(h).title(lang) if lang else h for h in header]
    n = changed = 0
    if fmt == "csv":
        with output.open("w", encoding="utf-8-sig", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(shown)
            for row in rows:
                safe = [neutralise(v) for v in row]
                changed += sum(a is not b for a, b in zip(row, safe, strict=True))
                writer.writerow(safe)
                n += 1
        return ExportResult(n, header, changed)
    book = Workbook()
    sheet = book.active
    sheet.title = contract.name[:31]  # type: ignore[union-attr]
    for c, title in enumerate(shown, start=1):
        sheet.cell(row=1, column=c, value=title)  # type: ignore[union-attr]
    for r, row in enumerate(rows, start=2):
        for c, value in enumerate(row, start=1):
            if value is None:
                continue
            set_text_cell(sheet.cell(row=r, column=c), value)  # type: ignore[union-attr,arg-type]
            changed += isinstance(value, str) and value.startswith(FORMULA_STARTS)
        n += 1
    book.save(output)
    return ExportResult(n, header, changed)
