"""Vectorised checks generated from a contract: each is one SQL query that yields errors.

`build_typed` turns the text table `raw` into `t`: one row per data row, with `_row` (the
spreadsheet row), the trimmed text of each field (`<name>__raw`) and its parsed value
(`<name>`). Every check below is a small unit that selects the offending rows of `t`
(STYLE 10); `run_check` turns them into ErrorRecords, listing at most `limit` of each.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Collection, Iterator
from dataclasses import dataclass
from datetime import date
from typing import Any

import duckdb
import pandas as pd

from opsc.intake.contracts import Contract, codes_for
from opsc.intake.errors import ErrorRecord
from opsc.intake.fields import FALSE_VALUES, TRUE_VALUES, TYPE_NAMES, Field
from opsc.reference import Profile

LIMIT = 200  # errors listed per check; the rest are counted


def q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _in(values: tuple[str, ...]) -> str:
    return "(" + ", ".join(lit(v) for v in values) + ")"


def parse_expr(f: Field, raw: str, fmt: str, upper: bool = True) -> str:
    """SQL that parses the trimmed text `raw` into the field's type (NULL when it cannot)."""
    if f.type == "integer":
        return (
            f"CASE WHEN regexp_full_match({raw}, '[+-]?[0-9]{{1,15}}(\\.0*)?') "
            f"THEN CAST(regexp_extract({raw}, '[+-]?[0-9]+') AS BIGINT) END"
        )
    if f.type == "number":
        return (
            f"COALESCE(TRY_CAST({raw} AS DOUBLE), CASE WHEN regexp_full_match({raw}, "
            f"'[0-9]+,[0-9]{{1,2}}') THEN TRY_CAST(replace({raw}, ',', '.') AS DOUBLE) END)"
        )
    if f.type == "date":
        serial = (
            f"CASE WHEN regexp_full_match({raw}, '[1-9][0-9]{{4}}') "
            f"THEN DATE '1899-12-30' + CAST({raw} AS INTEGER) END"
            if fmt == "xlsx"
            else "NULL"
        )
        formats = ("%d/%m/%Y", "%d-%m-%Y", "%Y-%m-%dT%H:%M:%S", "%Y/%m/%d")
        tries = ", ".join(f"TRY_STRPTIME({raw}, {lit(p)})" for p in formats)
        iso = (
            f"CASE WHEN regexp_full_match({raw}, '[0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}') "
            f"THEN TRY_CAST({raw} AS DATE) END"
        )
        return f"COALESCE({iso}, CAST(COALESCE({tries}) AS DATE), {serial})"
    if f.type == "boolean":
        norm = f"lower(strip_accents({raw}))"
        return (
            f"CASE WHEN {norm} IN {_in(TRUE_VALUES)} THEN true "
            f"WHEN {norm} IN {_in(FALSE_VALUES)} THEN false END"
        )
    if f.codelist:
        # Drop-downs show "CODE — label": keep the code. Codes are upper case except geo.
        code = f"split_part({raw}, ' — ', 1)"
        if f.multiple:
            spaced = f"trim(regexp_replace({code}, '[\\s,;]+', ' ', 'g'))"
            return f"upper({spaced})" if upper else spaced
        return f"upper({code})" if upper else code
    if f.enum:
        return f"lower({raw})"
    return raw


def build_typed(
    con: duckdb.DuckDBPyConnection,
    contract: Contract,
    columns: dict[str, int],
    fmt: str,
    profile: Profile,
    scan: str,
    n_cols: int,
) -> int:
    """Create `t` from the text records of `scan` (the first is the header row); return the
    number of non-blank data rows.

    The file is read once, straight into table `t0` (one row per record; `_row` is the
    record's number in the file, 1 = the header, so it is the spreadsheet row; the table's
    own order is not the file's). `t` is a view over it without the header and blank lines:
    text fields that need no parsing are stored once and exposed under both names, which
    halves memory for the long token columns. Anything shown in row order sorts by `_row`.
    """
    selects = []
    aliases = []
    for f in contract.fields:
        if f.name not in columns:
            raw = "CAST(NULL AS VARCHAR)"
        elif f.pattern:  # machine-written tokens: no padding to trim, and they are long
            raw = f"NULLIF(column{columns[f.name]}, '')"
        else:
            raw = f"NULLIF(trim(column{columns[f.name]}), '')"
        upper = bool(f.codelist) and _upper_case_list(str(f.codelist), profile)
        parsed = parse_expr(f, raw, fmt, upper)
        if parsed == raw:
            aliases.append(f"{q(f.name)} AS {q(f.name + '__raw')}")
        else:
            selects.append(f"{raw} AS {q(f.name + '__raw')}")
        selects.append(f"{parsed} AS {q(f.name)}")
    # Empty cells are read as NULL; a row with no value at all is a blank line, skipped.
    blank = f"COALESCE({', '.join(f'column{i}' for i in range(n_cols))}) IS NULL"
    con.execute("DROP VIEW IF EXISTS t")
    # The record number comes from the scan itself (WITH ORDINALITY): a parallel CREATE TABLE
    # AS does not keep file order in the table's rowids.
    con.execute(
        f"CREATE OR REPLACE TABLE t0 AS SELECT CAST(ordinality AS BIGINT) AS _row, "
        f"{', '.join(selects)}, {blank} AS _blank FROM {scan} WITH ORDINALITY"
    )
    con.execute(
        f"CREATE VIEW t AS SELECT *{''.join(', ' + a for a in aliases)} FROM t0 "
        "WHERE _row > 1 AND NOT _blank"
    )
    row = con.execute("SELECT count(*) FROM t").fetchone()
    return int(row[0]) if row else 0


def column_counts(con: duckdb.DuckDBPyConnection, scan: str, columns: list[int]) -> dict[int, int]:
    """Non-empty cells of each of `columns` over every record, header included (one scan;
    asked only for columns whose header cell is blank)."""
    if not columns:
        return {}
    counts = ", ".join(f"count(column{i})" for i in columns)  # empty cells are NULL
    row = con.execute(f"SELECT {counts} FROM {scan}").fetchone() or (0,) * len(columns)
    return dict(zip(columns, (int(n) for n in row), strict=True))


def _upper_case_list(codelist: str, profile: Profile) -> bool:
    """Codes written in capitals (SALE_SEXUAL, F) also accept lower case input."""
    codes = codes_for(codelist, profile)
    return all(c == c.upper() for c in codes) and any(c != c.lower() for c in codes)


def load_codes(con: duckdb.DuckDBPyConnection, contract: Contract, profile: Profile) -> None:
    """Table `codes(list, code)` with every code list the contract uses."""
    lists = sorted({f.codelist for f in contract.fields if f.codelist})
    rows = [(name, c) for name in lists for c in codes_for(name, profile)]
    con.execute("CREATE OR REPLACE TABLE codes (list VARCHAR, code VARCHAR)")
    if rows:  # a registered frame: DuckDB's executemany is slow for thousands of rows
        con.register("_codes", pd.DataFrame(rows, columns=["list", "code"], dtype=object))
        con.execute("INSERT INTO codes SELECT list, code FROM _codes")
        con.unregister("_codes")


@dataclass(frozen=True)
class Check:
    """Rows of `t` matching `where` are errors of `type` on `field`."""

    type: str
    field: str | None
    where: str
    value: str  # SQL for the value shown to the user
    params: dict[str, Any] = dataclasses.field(default_factory=dict)
    extra: dict[str, str] = dataclasses.field(default_factory=dict)  # param name -> SQL per row
    source: str = "t"
    precheck: str | None = None  # cheap SQL count; the check is skipped when it is 0


def run_check(
    con: duckdb.DuckDBPyConnection, check: Check, limit: int = LIMIT
) -> tuple[list[ErrorRecord], int]:
    """The first `limit` errors of one check, in row order, and how many there are."""
    extras = "".join(f", {sql} AS {q(name)}" for name, sql in check.extra.items())
    sql = (
        f"SELECT _row, CAST({check.value} AS VARCHAR) AS v{extras}, count(*) OVER () AS n "
        f"FROM {check.source} WHERE {check.where} ORDER BY _row LIMIT {limit}"
    )
    rows = con.execute(sql).fetchall()
    if not rows:
        return [], 0
    errors = []
    for r in rows:
        params = dict(check.params)
        params.update({name: r[2 + i] for i, name in enumerate(check.extra)})
        errors.append(ErrorRecord(check.type, int(r[0]), check.field, r[1], params))
    return errors, int(rows[0][-1])


def run_checks(
    con: duckdb.DuckDBPyConnection, checks: list[Check], limit: int = LIMIT
) -> Iterator[tuple[list[ErrorRecord], int]]:
    """Run checks; those on `t` are first counted together in one scan, and only the ones
    that found something are queried again for their rows."""
    simple = [c for c in checks if c.source == "t"]
    counts: list[int] = []
    if simple:
        sums = ", ".join(f"count_if(COALESCE({c.where}, false))" for c in simple)
        counts = [int(n) for n in (con.execute(f"SELECT {sums} FROM t").fetchone() or ())]
    for check, n in zip(simple, counts, strict=True):
        if n:
            yield run_check(con, check, limit)
    for check in checks:
        if check.source == "t":
            continue
        if check.precheck is not None:
            found = con.execute(check.precheck).fetchone()
            if not found or not found[0]:
                continue
        yield run_check(con, check, limit)


def field_checks(
    contract: Contract, today: date, present: Collection[str] | None = None
) -> Iterator[Check]:
    """Required, type, range, length, pattern, date and code-list checks for each field.

    A required field whose column is absent (`present` does not hold it) is already one
    missing-column error; it is not repeated on every row.
    """
    for f in contract.fields:
        raw, val = q(f.name + "__raw"), q(f.name)
        if f.required and (present is None or f.name in present):
            yield Check("missing-value", f.name, f"{raw} IS NULL", "NULL")
        if f.type != "string":
            en, es, ex_en, ex_es = TYPE_NAMES[f.type]
            params = {"type_en": en, "type_es": es, "example": ex_en, "example_es": ex_es}
            yield Check("type-error", f.name, f"{raw} IS NOT NULL AND {val} IS NULL", raw, params)
        if f.minimum is not None or f.maximum is not None:
            lo = f"{val} < {f.minimum}" if f.minimum is not None else "false"
            hi = f"{val} > {f.maximum}" if f.maximum is not None else "false"
            bounds = {
                "minimum": _num(f.minimum) if f.minimum is not None else "−∞",
                "maximum": _num(f.maximum) if f.maximum is not None else "∞",
            }
            yield Check("out-of-range", f.name, f"({lo} OR {hi})", raw, bounds)
        if f.max_length and not f.codelist:
            yield Check(
                "bad-format",
                f.name,
                f"length({raw}) > {f.max_length}",
                raw,
                {
                    "pattern_en": f"at most {f.max_length} characters",
                    "pattern_es": f"máximo {f.max_length} caracteres",
                },
            )
        if f.pattern:
            yield Check(
                "bad-format",
                f.name,
                f"NOT regexp_full_match({raw}, {lit(f.pattern)})",
                raw,
                {"pattern_en": f.pattern_en, "pattern_es": f.pattern_es},
            )
        if f.type == "date" and f.past:
            yield Check(
                "future-date",
                f.name,
                f"{val} > DATE {lit(today.isoformat())}",
                raw,
                {"today": today.isoformat()},
            )
        if f.enum:
            yield Check(
                "invalid-code",
                f.name,
                f"{val} NOT IN {_in(f.enum)}",
                raw,
                {"codelist": " / ".join(f.enum), "suggestion": ""},
            )
        if f.codelist and not f.multiple:
            yield Check(
                "invalid-code",
                f.name,
                f"{val} NOT IN (SELECT code FROM codes WHERE list = {lit(f.codelist)})",
                raw,
                {"codelist": f.codelist},
            )
        if f.codelist and f.multiple:
            yield Check(
                "invalid-code",
                f.name,
                f"item <> '' AND item NOT IN (SELECT code FROM codes WHERE list = "
                f"{lit(f.codelist)})",
                "item",
                {"codelist": f.codelist},
                source=f"(SELECT _row, unnest(string_split({val}, ' ')) AS item FROM t "
                f"WHERE {val} IS NOT NULL)",
            )


def duplicate_checks(contract: Contract) -> Iterator[Check]:
    """A primary key seen twice in the file: every later occurrence names the first."""
    if not contract.primary_key:
        return
    keys = ", ".join(q(k) for k in contract.primary_key)
    key = contract.agency_key
    only = f" WHERE {q(key)} IS NOT NULL" if key else ""
    shown = f", {q(key + '__raw')} AS shown" if key else ", NULL AS shown"
    # Only the key columns go through the window; a GROUP BY first says if any repeat.
    ranked = f"(SELECT _row{shown}, min(_row) OVER (PARTITION BY {keys}) AS first_row FROM t{only})"
    precheck = f"SELECT count(*) FROM (SELECT {keys} FROM t{only} GROUP BY ALL HAVING count(*) > 1)"
    yield Check(
        "duplicate-key" if key else "duplicate-row",
        key,
        "_row > first_row",
        "shown",
        extra={"first_row": "first_row"},
        source=ranked,
        precheck=precheck,
    )


def _num(x: float | None) -> str:
    if x is None:
        return ""
    return str(int(x)) if float(x).is_integer() else str(x)
