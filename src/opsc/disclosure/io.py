"""Reading inner cells from CSV and published documents from JSON."""

from __future__ import annotations

import json
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from opsc.disclosure.errors import InvalidTableError, Problem, message, problem
from opsc.disclosure.table import Table, build_table, cells_of_rows, flat_levels

_LISTED = 20  # missing combinations listed one by one; the rest are counted


def read_table(
    path: Path,
    dims: Sequence[str],
    *,
    hierarchy: Sequence[Sequence[str]] = (),
    count: str = "count",
) -> Table:
    """A CSV of inner cells (one row per combination, a `count` column) with every margin."""
    try:
        # Codes stay text: "01" is a state code, not the number 1.
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise InvalidTableError(str(path), [problem("unreadable-file", reason=exc)]) from exc
    table = build_table(
        frame, dims, hierarchy=hierarchy, count=count, name=path.stem, source=str(path)
    )
    problems = [p for d in table.dims for p in flat_levels(d)] or _missing_rows(frame, table)
    if problems:
        raise InvalidTableError(str(path), problems)
    return table


def _missing_rows(frame: pd.DataFrame, table: Table) -> list[Problem]:
    """A combination with no row would be published as 0: in a file, ask for the row.

    The first few are listed, then how many in all: a nested level given as a plain
    dimension (municipality beside state, without `--hierarchy`) misses millions.
    (`build_table` itself takes absent combinations as 0, as a query's result means them.)
    """
    inner = table.inner()
    absent = int(inner.sum()) - len(frame)  # rows are unique (checked): one per cell
    if absent == 0:
        return []
    seen = np.zeros(len(table), dtype=np.bool_)
    seen[cells_of_rows(table, frame)] = True
    problems = []
    for cell in np.flatnonzero(inner & ~seen)[:_LISTED].tolist():
        combo = ", ".join(f"{c}={v}" for c, v in table.cell_labels(cell).items())
        problems.append(problem("missing-row", value=combo, combo=combo))
    if absent > _LISTED:
        problems.append(problem("missing-rows", absent=absent, listed=_LISTED))
    return problems


def parse_hierarchy(specs: Sequence[str]) -> list[list[str]]:
    """`state>municipality` → `[["state", "municipality"]]`."""
    out = []
    for spec in specs:
        levels = [p.strip() for p in spec.split(">") if p.strip()]
        if len(levels) < 2:
            raise ValueError(message("short-hierarchy", spec=spec))
        out.append(levels)
    return out


def read_published(path: Path) -> dict[str, Any]:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: {message('unreadable-json', reason=exc)}") from exc
    if not isinstance(doc, dict):
        raise ValueError(f"{path}: {message('not-a-document')}")
    return doc
