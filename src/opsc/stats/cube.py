"""The statistical cube: fact tables in one DuckDB database, queried by measure x dims.

`build_cube` reads the store once and materialises every fact (and the reconciliation)
into a DuckDB file, so dashboards and reports read tables instead of recomputing.
`Cube.table` answers "measure by these dimensions where ..." with one GROUP BY.
"""

from __future__ import annotations

import json
import re
import tempfile
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb
import pandas as pd
from sqlalchemy import Engine

from opsc.reference import Profile, load_profile
from opsc.stats.build import build_facts, register_sources
from opsc.stats.dimensions import UNKNOWN, dimension_names
from opsc.stats.errors import StatsError, UnknownNameError
from opsc.stats.keys import KeySource, unlinked
from opsc.stats.load import read_store
from opsc.stats.measures import MEASURES, Measure, measure
from opsc.stats.overlap import apply_overlap_rule
from opsc.stats.programme import build_programme

FACT_TABLES = (
    "case_record",
    "victim_record",
    "victim_risk",
    "child",
    "case",
    "perpetrator_record",
    "proceeding",
    "service",
    "helpline_contact",
    "complaint",
    "aggregate",
    "reconciliation",
    "training",
    "budget",
    "plan",
    "campaign",
    "legislation",
)
Filter = Mapping[str, str | int | Sequence[str | int]]
# DuckDB memory during a build; beyond it DuckDB spills to disk (next to the cube file, or
# in the system's temporary folder for an in-memory cube) instead of taking the machine.
BUILD_MEMORY_LIMIT = "4GB"
# Distinct counts of linked units use one bitmap of N bits per cell (N = number of units)
# when the cells' bitmaps fit in this many bytes; larger tables fall back to a hash of ids.
BITMAP_BYTES = 64 * 2**20


@dataclass(frozen=True)
class CubeTable:
    """A measure by dimensions, with what was counted and where the keys came from."""

    measure: str
    unit: str
    by: tuple[str, ...]
    where: dict[str, Any]
    frame: pd.DataFrame  # dims..., value
    key_source: str

    def to_json(self) -> dict[str, Any]:
        rows = self.frame.astype(object).where(self.frame.notna(), UNKNOWN)
        return {
            "measure": self.measure,
            "unit": self.unit,
            "by": list(self.by),
            "where": self.where,
            "key_source": self.key_source,
            "cells": rows.to_dict(orient="records"),
        }

    def total(self) -> int | float:
        value = self.frame["value"].sum()
        return int(value) if float(value).is_integer() else float(value)


@dataclass
class Cube:
    con: duckdb.DuckDBPyConnection
    profile: Profile
    meta: dict[str, Any] = field(default_factory=dict)
    # Column names per fact table; the cube is read-only once built, so they never change.
    _columns: dict[str, list[str]] = field(default_factory=dict, repr=False)
    _units: dict[str, Any] = field(default_factory=dict, repr=False)

    @classmethod
    def open(cls, path: Path) -> Cube:
        if not path.is_file():
            raise StatsError(f"no cube at {path}: build it first with `opsc stats build`")
        con = duckdb.connect(str(path), read_only=True)
        meta = json.loads(con.execute("SELECT meta FROM cube_meta").fetchone()[0])  # type: ignore[index]
        return cls(con, load_profile(meta["country"]), meta)

    @property
    def key_source(self) -> str:
        return str(self.meta.get("key_source", ""))

    def columns(self, table: str) -> list[str]:
        if table in self._columns:
            return self._columns[table]
        rows = self.con.execute(
            "SELECT column_name FROM information_schema.columns WHERE table_name = ? "
            "ORDER BY ordinal_position",
            [table],
        ).fetchall()
        self._columns[table] = [r[0] for r in rows]
        return self._columns[table]

    def dimensions(self, name: str) -> list[str]:
        """Dimensions a measure can be broken down by."""
        m = measure(name)
        own = set(self.columns(m.table)) | {dim for dim, _ in m.lists}
        return [d for d in dimension_names(self.profile) if d in own] + [
            c for c in self.columns(m.table) if c in _EXTRA_DIMS.get(m.table, ())
        ]

    def sql(
        self,
        name: str,
        by: Sequence[str] = (),
        where: Filter | None = None,
        exclude: Filter | None = None,
    ) -> tuple[str, list[Any]]:
        """The SQL (and parameters) of a query; dims are checked against the measure's."""
        m = measure(name)
        where, exclude = dict(where or {}), dict(exclude or {})
        allowed = self.dimensions(name)
        for dim in [*by, *where, *exclude]:
            if dim not in allowed:
                raise UnknownNameError(f"dimension of {name}", dim, allowed)
        lists = dict(m.lists)
        source = f'"{m.table}"'
        for n, dim in enumerate(d for d in by if d in lists):
            source = f'(SELECT *, unnest({lists[dim]}) AS "{dim}" FROM {source}) AS u{n}'
        conditions = [m.where] if m.where else []
        params: list[Any] = []
        for negate, filters in ((False, where), (True, exclude)):
            for dim, value in filters.items():
                values = list(value) if isinstance(value, (list, tuple)) else [value]
                marks = ", ".join("?" * len(values))
                if dim in lists and dim not in by:
                    test = f"list_has_any({lists[dim]}, [{marks}])"
                    conditions.append(f"NOT {test}" if negate else test)
                else:
                    conditions.append(f'"{dim}" {"NOT IN" if negate else "IN"} ({marks})')
                params.extend(values)
        cols = ", ".join(f'"{d}"' for d in by)
        expr = self._count_expr(m, by, where)
        sql = f"SELECT {cols + ', ' if cols else ''}{expr} AS value FROM {source}"
        if conditions:
            sql += " WHERE " + " AND ".join(f"({c})" for c in conditions)
        if by:
            sql += f" GROUP BY {cols} ORDER BY {cols}"
        return sql, params

    def unit_statistics(self) -> dict[str, Any]:
        """Largest unit id and dimension cardinalities of the facts counted by unit id
        (stored in the metadata at build; computed once for cubes built before)."""
        if not self._units:
            stored = self.meta.get("unit_statistics")
            self._units = stored if isinstance(stored, dict) else unit_statistics(self)
        return self._units

    def _count_expr(self, m: Measure, by: Sequence[str], where: Mapping[str, Any]) -> str:
        """A distinct count of units as bitmaps (exact, and several times faster than
        hashing every id) when the table is small enough; otherwise the measure's own."""
        if not m.unit_id or set(by) & {dim for dim, _ in m.lists}:
            return m.expr
        stats = self.unit_statistics()
        top = int(stats["unit_ids"].get(f"{m.table}.{m.unit_id}", 0))
        cardinality = stats["cardinality"].get(m.table, {})
        cells = 1
        for dim in by:
            chosen = where.get(dim)
            if chosen is not None:
                cells *= len(chosen) if isinstance(chosen, (list, tuple)) else 1
            else:  # distinct values, plus NULL
                cells *= int(cardinality.get(dim, top)) + 1
        if top <= 0 or cells * top > BITMAP_BYTES * 8:
            return m.expr
        return f"coalesce(bit_count(bitstring_agg({m.unit_id}, 1, {top})), 0)"

    def table(
        self,
        name: str,
        by: Sequence[str] = (),
        where: Filter | None = None,
        exclude: Filter | None = None,
    ) -> CubeTable:
        sql, params = self.sql(name, by, where, exclude)
        frame = self.con.execute(sql, params).df()
        return CubeTable(
            name, measure(name).unit, tuple(by), dict(where or {}), frame, self.key_source
        )

    def value(self, name: str, where: Filter | None = None, exclude: Filter | None = None) -> float:
        sql, params = self.sql(name, (), where, exclude)
        row = self.con.execute(sql, params).fetchone()
        return float(row[0]) if row and row[0] is not None else 0.0

    def query(self, sql: str, params: Sequence[Any] = ()) -> pd.DataFrame:
        """Read-only SQL over the fact tables (for reports that need a custom shape)."""
        return self.con.execute(sql, list(params)).df()


# Columns usable as dimensions on one fact only (not conformed across facts).
_EXTRA_DIMS: dict[str, tuple[str, ...]] = {
    "proceeding": ("refusal_ground", "extradition_requested", "stage_year"),
    "training": ("professional_group",),
    "budget": ("level", "purpose", "currency"),
    "plan": ("jurisdiction", "children_consulted", "budget_allocated"),
    "campaign": ("audience", "co_designed_with_children"),
    "legislation": (
        "jurisdiction",
        "criminalised",
        "legal_person_liability",
        "extraterritorial_jurisdiction",
        "double_criminality_required",
        "extradition_reciprocity_only",
    ),
    "complaint": ("parental_consent_required",),
    "helpline_contact": ("referred_to",),
    "perpetrator_record": ("role",),
    "case_record": ("transnational",),
    "victim_record": ("age_source",),
    "case": ("transnational",),
    "aggregate": ("unit", "measure"),
    "reconciliation": ("unit", "measure"),
}


def unit_statistics(cube: Cube) -> dict[str, Any]:
    """For each fact counted by unit id: the largest id (ids are dense from 1) and an
    estimate of the distinct values of each dimension (to size bitmaps per cell)."""
    unit_ids: dict[str, int] = {}
    cardinality: dict[str, dict[str, int]] = {}
    for m in MEASURES:
        if not m.unit_id:
            continue
        lists = {dim for dim, _ in m.lists}
        dims = [d for d in cube.dimensions(m.name) if d not in lists]
        parts = [f"max({m.unit_id})", *(f'approx_count_distinct("{d}")' for d in dims)]
        row = cube.con.execute(f'SELECT {", ".join(parts)} FROM "{m.table}"').fetchone()
        values = [int(v or 0) for v in row] if row else [0] * len(parts)
        unit_ids[f"{m.table}.{m.unit_id}"] = values[0]
        cardinality[m.table] = dict(zip(dims, values[1:], strict=True))
    return {"unit_ids": unit_ids, "cardinality": cardinality}


def configure_build(
    con: duckdb.DuckDBPyConnection,
    memory_limit: str | None = BUILD_MEMORY_LIMIT,
    spill: Path | None = None,
) -> None:
    """Settings of a build: bounded memory with spilling to `spill` (DuckDB's default, the
    file's `.tmp` folder, when None), and no insertion order to keep (every reader of the
    cube sorts), which lets DuckDB write tables without buffering."""
    if memory_limit is not None and not re.fullmatch(r"\d+(\.\d+)?\s*[KMGT]i?B", memory_limit):
        raise StatsError(f"memory limit {memory_limit!r}: write a size such as '4GB' or '512MiB'")
    con.execute("SET preserve_insertion_order = false")
    if memory_limit is not None:
        con.execute(f"SET memory_limit = '{memory_limit}'")
    if spill is not None:
        con.execute(f"SET temp_directory = '{spill.as_posix()}'")


def build_cube(
    engine: Engine,
    country: str,
    keys: KeySource | None = None,
    path: Path | None = None,
    memory_limit: str | None = BUILD_MEMORY_LIMIT,
) -> Cube:
    """Read the store, build every fact, and materialise them (in memory if no path).
    DuckDB's memory is limited to `memory_limit` (None: DuckDB's default, 80 % of RAM)."""
    start = time.perf_counter()
    profile = load_profile(country)
    keys = keys or unlinked()
    frames = read_store(engine, profile.code)
    read_seconds = time.perf_counter() - start
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.unlink(missing_ok=True)
    con = duckdb.connect(str(path) if path else ":memory:")
    spill = None if path else Path(tempfile.gettempdir()) / "opsc-cube-spill"
    configure_build(con, memory_limit, spill)
    register_sources(con, frames, profile, keys)
    return finish_cube(con, profile, keys, {"read_seconds": round(read_seconds, 3)}, start)


def finish_cube(
    con: duckdb.DuckDBPyConnection,
    profile: Profile,
    keys: KeySource,
    meta: dict[str, Any],
    start: float,
) -> Cube:
    """Build facts from registered sources and record the cube's metadata."""
    build_facts(con, profile)
    build_programme(con)
    apply_overlap_rule(con, profile)
    counts = {
        t: int(con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0])  # type: ignore[index]
        for t in FACT_TABLES
    }
    unkeyed = con.execute("SELECT count(*) FROM victim_record WHERE NOT keyed").fetchone()
    meta = {
        "country": profile.code,
        "key_source": keys.label,
        "unit_statistics": unit_statistics(Cube(con, profile)),
        "unkeyed_victim_records": int(unkeyed[0]) if unkeyed else 0,
        "built_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "rows": counts,
        **meta,
        "build_seconds": round(time.perf_counter() - start, 3),
    }
    con.execute("CREATE OR REPLACE TABLE cube_meta (meta VARCHAR)")
    con.execute("INSERT INTO cube_meta VALUES (?)", [json.dumps(meta)])
    # Sources are not part of the cube: registered frames are released, tables dropped.
    sources = con.execute(
        "SELECT table_name, table_type FROM information_schema.tables WHERE "
        "regexp_matches(table_name, '^(src|dim|keys)_')"
    ).fetchall()
    for name, kind in sources:
        if kind == "VIEW":
            con.unregister(name)
        else:
            con.execute(f'DROP TABLE "{name}"')
    return Cube(con, profile, meta)
