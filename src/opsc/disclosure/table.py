"""Tables with all their margins: dimensions as trees, cells, and the table equations.

A dimension is a tree whose root is the total: a flat dimension (sex) has one level, a
hierarchical one (state > municipality) one level per column. A table is the cross product
of its dimensions' nodes, so it holds every margin and the grand total; its equations say
that each parent node equals the sum of its children, for every combination of the others.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property

import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.sparse as sp

from opsc.disclosure.audit import META
from opsc.disclosure.errors import InvalidTableError, Problem, problem

TOTAL = "_total"
RESERVED = (*META, "table", "low", "high", "required")  # fields beside the codes in outputs
IntArray = npt.NDArray[np.int64]
Key = tuple[tuple[str, str], ...]


def _natural(code: str) -> tuple[tuple[str | tuple[int, str], ...], str]:
    """A sort key reading the digits in a code as numbers: "6-11" before "12-14".

    Text and digit runs alternate at fixed places, so two keys always compare. A run
    compares by its length without leading zeros, then as text: a number of any length,
    with no `int()` (which refuses more than 4,300 digits). The code breaks ties ("01", "1").
    """
    parts = re.split(r"([0-9]+)", code)
    return tuple(
        (len(p.lstrip("0")), p.lstrip("0")) if i % 2 else p for i, p in enumerate(parts)
    ), code


@dataclass(frozen=True)
class Dimension:
    """A tree of codes over one or more columns (levels); node 0 is the total."""

    columns: tuple[str, ...]
    nodes: tuple[tuple[str, ...], ...]
    parent: tuple[int, ...]

    @classmethod
    def from_paths(cls, columns: Sequence[str], paths: set[tuple[str, ...]]) -> Dimension:
        """Build the tree from the leaf paths seen in the data (every prefix becomes a node)."""
        prefixes = {p[:i] for p in paths for i in range(len(p) + 1)}
        nodes = tuple(sorted(prefixes, key=lambda p: (len(p) > 0, p)))
        index = {node: i for i, node in enumerate(nodes)}
        parent = tuple(-1 if not node else index[node[:-1]] for node in nodes)
        return cls(tuple(columns), nodes, parent)

    @cached_property
    def depth(self) -> npt.NDArray[np.int64]:
        return np.array([len(n) for n in self.nodes], dtype=np.int64)

    @cached_property
    def leaves(self) -> dict[tuple[str, ...], int]:
        return {n: i for i, n in enumerate(self.nodes) if len(n) == len(self.columns)}

    @cached_property
    def reading_rank(self) -> IntArray:
        """Each node's place when read by people: the total first, then the codes in
        natural order ("6-11" before "12-14", "2" before "10"), each parent before its
        children. The nodes themselves stay in text order, which the suppression's
        heuristic follows: a new order would change its patterns."""
        order = sorted(
            range(len(self.nodes)),
            key=lambda i: (len(self.nodes[i]) > 0, [_natural(code) for code in self.nodes[i]]),
        )
        rank = np.empty(len(self.nodes), dtype=np.int64)
        rank[order] = np.arange(len(order))
        return rank

    def labels(self, node: int) -> dict[str, str]:
        path = self.nodes[node]
        return {c: (path[i] if i < len(path) else TOTAL) for i, c in enumerate(self.columns)}


@dataclass(frozen=True)
class Table:
    """A table with margins: `values[flat]` over the C-ordered product of dimension nodes."""

    name: str
    dims: tuple[Dimension, ...]
    values: IntArray

    @property
    def shape(self) -> tuple[int, ...]:
        return tuple(len(d.nodes) for d in self.dims)

    @property
    def columns(self) -> tuple[str, ...]:
        return tuple(c for d in self.dims for c in d.columns)

    def __len__(self) -> int:
        return int(self.values.size)

    @cached_property
    def multi_index(self) -> tuple[IntArray, ...]:
        return tuple(np.unravel_index(np.arange(len(self)), self.shape))

    def inner(self) -> npt.NDArray[np.bool_]:
        """Which cells are inner cells (a leaf in every dimension, no margin)."""
        leaf = np.ones(len(self), dtype=np.bool_)
        for d, dim in enumerate(self.dims):
            leaf &= dim.depth[self.multi_index[d]] == len(dim.columns)
        return leaf

    def reading_order(self) -> IntArray:
        """The cells in the order people read a table: each dimension's codes naturally
        sorted (`Dimension.reading_rank`), the first dimension slowest."""
        ranks = [
            dim.reading_rank[index] for dim, index in zip(self.dims, self.multi_index, strict=True)
        ]
        return np.lexsort(ranks[::-1]).astype(np.int64)

    def cell_labels(self, flat: int) -> dict[str, str]:
        """The cell as `{column: code or "_total"}`."""
        out: dict[str, str] = {}
        for dim, node in zip(self.dims, np.unravel_index(flat, self.shape), strict=True):
            out.update(dim.labels(int(node)))
        return out

    def cell_columns(self, flat: int) -> list[str]:
        """The columns this cell names (not summed over)."""
        return [c for c, v in self.cell_labels(flat).items() if v != TOTAL]

    def keys(self) -> list[Key]:
        """Canonical key per cell: its non-total (column, code) pairs, sorted by column.

        Cells of linked tables with the same key are the same figure.
        """
        per_dim = [
            [tuple(zip(d.columns, node, strict=False)) for node in d.nodes] for d in self.dims
        ]
        out: list[Key] = []
        for nodes in zip(*self.multi_index, strict=True):
            pairs = [p for dim, n in zip(per_dim, nodes, strict=True) for p in dim[int(n)]]
            out.append(tuple(sorted(pairs)))
        return out

    def equations(self) -> sp.csr_matrix:
        """One row per (dimension, parent node, other coordinates): parent − Σ children = 0."""
        n = len(self)
        rows: list[IntArray] = []
        cols: list[IntArray] = []
        coef: list[npt.NDArray[np.float64]] = []
        cells = np.arange(n, dtype=np.int64)
        for d, dim in enumerate(self.dims):
            parent = np.asarray(dim.parent, dtype=np.int64)
            node = self.multi_index[d]
            child = parent[node] >= 0
            up = list(self.multi_index)
            up[d] = parent[node[child]]
            parent_cell = np.ravel_multi_index(
                [a[child] if i != d else up[d] for i, a in enumerate(up)], self.shape
            )
            is_parent = np.isin(node, parent[parent >= 0])
            rows += [d * n + parent_cell, d * n + cells[is_parent]]
            cols += [cells[child], cells[is_parent]]
            coef += [-np.ones(int(child.sum())), np.ones(int(is_parent.sum()))]
        row = np.concatenate(rows)
        _, row = np.unique(row, return_inverse=True)
        col = np.concatenate(cols)
        return sp.csr_matrix(
            (np.concatenate(coef), (row, col)), shape=(int(row.max(initial=-1)) + 1, n)
        )


def _dimension_columns(dims: Sequence[str], hierarchy: Sequence[Sequence[str]]) -> list[list[str]]:
    """Group the requested columns into dimensions: a hierarchy's levels form one dimension."""
    groups: list[list[str]] = []
    placed: set[str] = set()
    level_of = {c: list(h) for h in hierarchy for c in h}
    for column in dims:
        if column in placed:
            continue
        group = level_of.get(column, [column])
        groups.append(group)
        placed.update(group)
    return groups


def inner_frame(table: Table, count: str = "count") -> pd.DataFrame:
    """The table's inner cells (no margins) as rows of codes and a count column."""
    leaf = table.inner()
    data: dict[str, object] = {}
    for d, dim in enumerate(table.dims):
        nodes = table.multi_index[d][leaf]
        for level, column in enumerate(dim.columns):
            data[column] = [dim.nodes[int(i)][level] for i in nodes]
    data[count] = table.values[leaf]
    return pd.DataFrame(data)


def build_table(
    frame: pd.DataFrame,
    dims: Sequence[str],
    *,
    hierarchy: Sequence[Sequence[str]] = (),
    count: str = "count",
    name: str = "table",
    source: str = "table",
) -> Table:
    """Read inner cells (one row per combination, a `count` column) and add every margin."""
    problems = _check_dimensions(dims, hierarchy)
    if problems:
        raise InvalidTableError(source, problems)
    groups = _dimension_columns(dims, hierarchy)
    columns = [c for g in groups for c in g]
    problems = _check_frame(frame, columns, count)
    if problems:
        raise InvalidTableError(source, problems)
    codes = frame[columns].astype(str)
    counts = pd.to_numeric(frame[count]).astype(np.int64).to_numpy()
    dimensions = tuple(
        Dimension.from_paths(g, set(map(tuple, codes[g].itertuples(index=False, name=None))))
        for g in groups
    )
    shape = tuple(len(d.nodes) for d in dimensions)
    leaf_index = [_leaf_index(codes, g, d) for g, d in zip(groups, dimensions, strict=True)]
    cube = np.zeros(shape, dtype=np.int64)
    np.add.at(cube, tuple(leaf_index), counts)
    for axis, dim in enumerate(dimensions):
        moved = np.moveaxis(cube, axis, 0)  # a view: sums land in `cube`
        for depth in range(int(dim.depth.max()), 0, -1):
            nodes = np.flatnonzero(dim.depth == depth)
            np.add.at(moved, np.asarray(dim.parent)[nodes], moved[nodes])
    return Table(name, dimensions, cube.reshape(-1))


def cells_of_rows(table: Table, frame: pd.DataFrame) -> IntArray:
    """The table cell of each row of inner cells `build_table` read the table from."""
    codes = frame[list(table.columns)].astype(str)
    index = [_leaf_index(codes, list(d.columns), d) for d in table.dims]
    return np.asarray(np.ravel_multi_index(tuple(index), table.shape), dtype=np.int64)


def _leaf_index(codes: pd.DataFrame, columns: list[str], dim: Dimension) -> IntArray:
    """Each row's leaf node in `dim` (vectorised: joined codes looked up in one map)."""
    sep = "\x1f"
    joined = codes[columns[0]]
    for column in columns[1:]:
        joined = joined + sep + codes[column]
    lookup = {sep.join(path): i for path, i in dim.leaves.items()}
    return np.asarray(joined.map(lookup).to_numpy(), dtype=np.int64)


def _check_dimensions(dims: Sequence[str], hierarchy: Sequence[Sequence[str]]) -> list[Problem]:
    """Dimensions named at least once, each once, and every hierarchy used by one of them."""
    if not dims:
        return [problem("no-dimensions")]
    repeated = sorted({c for c in dims if list(dims).count(c) > 1})
    problems = [problem("repeated-dimension", field=c, column=c) for c in repeated]
    for levels in hierarchy:
        if not set(levels) & set(dims):
            problems.append(
                problem(
                    "hierarchy-not-in-dims",
                    value=">".join(levels),
                    levels=">".join(levels),
                    dims=", ".join(dims),
                    first=levels[0],
                )
            )
    return problems


def flat_levels(dim: Dimension) -> list[Problem]:
    """A level under which every code has exactly one finer code splits nothing: a
    hierarchy written by hand is then most likely fine to coarse (municipality>state)."""
    problems = []
    for depth in range(1, len(dim.columns)):
        coarse = int(np.count_nonzero(dim.depth == depth))
        if coarse > 1 and int(np.count_nonzero(dim.depth == depth + 1)) == coarse:
            coarser, finer = dim.columns[depth - 1], dim.columns[depth]
            problems.append(
                problem(
                    "flat-hierarchy",
                    value=">".join(dim.columns),
                    coarse=coarser,
                    fine=finer,
                )
            )
    return problems


def _check_frame(frame: pd.DataFrame, columns: list[str], count: str) -> list[Problem]:
    """Every problem in the inner cells, with spreadsheet row numbers (header is row 1)."""
    reserved = [c for c in columns if c in RESERVED]
    if reserved:  # the published cells' and the audit's own fields: one would be overwritten
        return [problem("reserved-column", field=c, names=", ".join(RESERVED)) for c in reserved]
    missing = [c for c in [*columns, count] if c not in frame.columns]
    if missing:
        return [
            problem("missing-column", field=c, column=c, columns=list(frame.columns))
            for c in missing
        ]
    if frame.empty:
        return [problem("no-rows")]
    problems: list[Problem] = []
    numbers = pd.to_numeric(frame[count], errors="coerce")
    for i, (raw, num) in enumerate(zip(frame[count], numbers, strict=True)):
        if not np.isfinite(num) or num != int(num) or num < 0:  # NaN and ±inf too
            problems.append(problem("invalid-count", row=i + 2, field=count, value=str(raw)))
    for column in columns:
        for i, raw in enumerate(frame[column]):
            text = "" if pd.isna(raw) else str(raw).strip()
            if not text or text == TOTAL:
                problems.append(problem("invalid-code", row=i + 2, field=column, value=str(raw)))
    duplicated = frame.duplicated(subset=columns, keep="first")
    for dup in np.flatnonzero(duplicated.to_numpy()).tolist():
        combo = ", ".join(f"{c}={frame[c].iloc[dup]}" for c in columns)
        problems.append(problem("duplicate-cell", row=dup + 2, combo=combo))
    return problems


@dataclass(frozen=True)
class CellSystem:
    """Several tables published together as one system: shared cells are one variable."""

    tables: tuple[Table, ...]
    index: tuple[IntArray, ...]  # per table: local cell -> system cell
    values: IntArray
    keys: tuple[Key, ...]
    matrix: sp.csr_matrix

    @property
    def n(self) -> int:
        return int(self.values.size)

    def label(self, cell: int) -> str:
        key = self.keys[cell]
        return ", ".join(f"{c}={v}" for c, v in key) if key else "grand total"


def link(tables: Sequence[Table] | Mapping[str, Table]) -> CellSystem:
    """Join tables that share margins into one system of equations."""
    tabs = tuple(tables.values()) if isinstance(tables, Mapping) else tuple(tables)
    ids: dict[Key, int] = {}
    index: list[IntArray] = []
    values: list[int] = []
    for table in tabs:
        local = np.empty(len(table), dtype=np.int64)
        for i, key in enumerate(table.keys()):
            j = ids.setdefault(key, len(ids))
            if j == len(values):
                values.append(int(table.values[i]))
            elif values[j] != int(table.values[i]):
                cell = ", ".join(f"{c}={v}" for c, v in key) or "grand total"
                raise InvalidTableError(
                    table.name,
                    [problem("linked-mismatch", cell=cell, here=table.values[i], there=values[j])],
                )
            local[i] = j
        index.append(local)
    blocks = []
    for table, local in zip(tabs, index, strict=True):
        eq = table.equations().tocoo()
        blocks.append(
            sp.csr_matrix((eq.data, (eq.row, local[eq.col])), shape=(eq.shape[0], len(ids)))
        )
    matrix = sp.vstack(blocks, format="csr") if blocks else sp.csr_matrix((0, 0))
    keys: list[Key] = [()] * len(ids)
    for key, j in ids.items():
        keys[j] = key
    return CellSystem(tabs, tuple(index), np.asarray(values, dtype=np.int64), tuple(keys), matrix)
