"""Validate a submission file against its contract: every problem, as error records."""

from __future__ import annotations

import difflib
import re
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import duckdb
from sqlalchemy import Connection

from opsc import settings
from opsc.intake.checks import (
    LIMIT,
    build_typed,
    column_counts,
    duplicate_checks,
    field_checks,
    load_codes,
    run_checks,
)
from opsc.intake.contracts import Contract, codes_for
from opsc.intake.errors import ErrorRecord
from opsc.intake.headers import header_key, match_headers
from opsc.intake.reader import ReadError, Source, read_error, read_source
from opsc.intake.refs import load_refs
from opsc.intake.rules import RuleContext, rules, steps_table_sql
from opsc.reference import Profile


@dataclass
class Report:
    """The outcome of validating one file; `errors` lists at most LIMIT per check."""

    contract: str
    file: str
    rows: int = 0
    errors: list[ErrorRecord] = field(default_factory=list)
    counts: Counter[str] = field(default_factory=Counter)  # all errors by type
    notes: list[str] = field(default_factory=list)
    format: str = ""
    references_checked: bool = False
    timings: dict[str, float] = field(default_factory=dict)  # seconds by phase

    @property
    def ok(self) -> bool:
        return not self.counts

    @property
    def error_count(self) -> int:
        return sum(self.counts.values())

    def add(self, errors: list[ErrorRecord], total: int | None = None) -> None:
        """Record errors; `total` is the full count when `errors` is a truncated list."""
        self.errors.extend(errors)
        if total is None:
            self.counts.update(e.type for e in errors)
        elif errors:
            self.counts[errors[0].type] += total

    def flatten(self, keys: list[str]) -> list[list[Any]]:
        """Compact form for tests: `report.flatten(["row", "field", "type"])` (STYLE 12)."""
        return [[getattr(e, k) for k in keys] for e in self.errors]

    def as_dict(self, lang: str = "en") -> dict[str, Any]:
        return {
            "contract": self.contract,
            "file": self.file,
            "format": self.format,
            "rows": self.rows,
            "valid": self.ok,
            "error_count": self.error_count,
            "error_counts": dict(sorted(self.counts.items())),
            "references_checked": self.references_checked,
            "notes": self.notes,
            "errors": [e.as_dict(lang) for e in self.errors],
        }


@dataclass
class Validation:
    """A report plus the DuckDB connection holding the parsed rows (table `t`) for import."""

    report: Report
    con: duckdb.DuckDBPyConnection | None
    source: Source | None = None
    workdir: tempfile.TemporaryDirectory[str] | None = None

    def close(self) -> None:
        if self.con is not None:
            self.con.close()
            self.con = None
        if self.workdir is not None:
            self.workdir.cleanup()
            self.workdir = None


def validate_file(
    path: Path,
    contract: Contract,
    profile: Profile,
    *,
    store: Connection | None = None,
    institution_id: int | None = None,
    replaced: tuple[int, ...] = (),
    period: tuple[date, date] | None = None,
    today: date | None = None,
    limit: int = LIMIT,
) -> Validation:
    """Read, map headers, type, and run every check; nothing is written anywhere."""
    report = Report(contract.name, str(path))
    clock = time.perf_counter()
    workdir = tempfile.TemporaryDirectory(prefix="opsc-intake-")
    con = workspace(Path(workdir.name))
    try:
        source = read_source(path, con, Path(workdir.name))
    except ReadError as exc:
        con.close()
        workdir.cleanup()
        report.add(exc.errors)
        return Validation(report, None)
    except BaseException:
        con.close()
        workdir.cleanup()
        raise
    report.timings["read"] = time.perf_counter() - clock
    try:
        _check_loaded(
            report,
            con,
            source,
            contract,
            profile,
            store,
            institution_id,
            replaced,
            period,
            today,
            limit,
        )
    except BaseException:  # never leave a DuckDB file or spill folder behind
        con.close()
        workdir.cleanup()
        raise
    return Validation(report, con, source, workdir)


def _check_loaded(
    report: Report,
    con: duckdb.DuckDBPyConnection,
    source: Source,
    contract: Contract,
    profile: Profile,
    store: Connection | None,
    institution_id: int | None,
    replaced: tuple[int, ...],
    period: tuple[date, date] | None,
    today: date | None,
    limit: int,
) -> None:
    """Headers, types and every check on a file already loaded into `con`."""
    report.format = source.format
    report.notes.extend(source.notes)
    if source.format == "csv" and (source.encoding != "utf-8" or source.delimiter != ","):
        report.notes.append(f"read as {source.encoding}, delimiter {source.delimiter!r}")
    report.add(source.errors)
    scan = source.scan_sql
    try:
        has_data = _columns_with_data(con, source)
        headers = match_headers(contract, source.headers, has_data)
        report.add(headers.errors)
        clock = time.perf_counter()
        n_cols = len(source.headers)
        report.rows = build_typed(
            con, contract, headers.columns, source.format, profile, scan, n_cols
        )
    except duckdb.Error as exc:  # e.g. a broken quote far down the file
        report.add(read_error(exc).errors)
        return
    report.timings["parse"] = time.perf_counter() - clock
    if report.rows == 0:
        report.add([ErrorRecord("no-rows", row=2)])
        return
    load_codes(con, contract, profile)
    clock = time.perf_counter()
    with_store = store is not None and institution_id is not None
    if store is not None and institution_id is not None:
        load_refs(con, store, contract, institution_id, replaced)
        report.references_checked = True
    elif contract.foreign_keys:
        report.notes.append("references to other files not checked (no institution given)")
    if contract.name == "proceedings":
        con.execute(steps_table_sql())
    checks = [
        *field_checks(contract, today or date.today(), headers.columns),
        *duplicate_checks(contract),
        *rules(contract, RuleContext(with_store, period)),
    ]
    for errors, total in run_checks(con, checks, limit):
        if errors:
            report.add(errors, total)
    report.errors.sort(key=lambda e: (e.row or 0, e.field or ""))
    _suggest_codes(report.errors, profile)
    report.timings["check"] = time.perf_counter() - clock


def _suggest_codes(errors: list[ErrorRecord], profile: Profile) -> None:
    """Name the code the user probably meant: lost leading zeros, case, or a near spelling."""
    lists = {*profile.codelist_names(), "geo"}
    for e in errors:
        name = e.params.get("codelist")
        if e.type != "invalid-code" or not e.value or name not in lists:
            continue
        codes = codes_for(str(name), profile)
        value = e.value.strip()
        padded = [value.zfill(n) for n in range(len(value) + 1, 7) if value.isdigit()]
        found = next((p for p in padded if p in codes), None)
        if found:
            e.params["suggestion"] = (
                f" — {found}? Excel drops leading zeros: format the column as Text"
            )
            e.params["suggestion_es"] = (
                f" — ¿{found}? Excel quita los ceros a la izquierda: dé formato de Texto a la "
                "columna"
            )
            continue
        close = difflib.get_close_matches(value.upper(), list(codes), n=1, cutoff=0.7)
        if close:
            e.params["suggestion"] = f" — did you mean {close[0]}?"
            e.params["suggestion_es"] = f" — ¿quiso decir {close[0]}?"


def workspace(folder: Path) -> duckdb.DuckDBPyConnection:
    """A DuckDB database file in `folder` with a memory cap: large files spill to disk
    instead of growing the process (setting OPSC_INTAKE_MEMORY, default 1GB)."""
    con = duckdb.connect()  # in memory, spilling to `folder` beyond the cap
    con.execute(f"SET memory_limit = '{settings_memory()}'")
    con.execute(f"SET temp_directory = '{folder / 'spill'}'")
    return con


def settings_memory() -> str:
    value = settings.get("intake_memory")
    if not re.fullmatch(r"[0-9]+(\.[0-9]+)?\s*[KMGT]?i?B", value):
        raise ValueError(f"OPSC_INTAKE_MEMORY={value!r}: write e.g. 1GB or 512MB")
    return value


def _columns_with_data(con: duckdb.DuckDBPyConnection, source: Source) -> list[bool]:
    """For each column: does it hold a value below the header? Only columns with a blank
    header need the answer (a blank header over data is an error; over nothing, ignored)."""
    blank = [i for i, h in enumerate(source.headers) if not header_key(h)]
    counts = column_counts(con, source.scan_sql, blank)
    in_header = [int(c is not None) for c in source.header_cells]
    return [i not in counts or counts[i] > in_header[i] for i in range(len(source.headers))]
