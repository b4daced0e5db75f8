"""The audit: what can an attacker learn about each hidden cell from what is published?

Independent of the suppression code on purpose (it must catch a wrong pattern): it reads
only the published cells — codes, `"_total"` in the summed dimensions, value or null — and
rebuilds the table equations from the codes alone: within each group of cells that agree on
every column but one, the `"_total"` cell is the sum of the others. For every hidden cell it
finds the feasible interval by linear programming, with every hidden cell at least L (L = 1
when zeros are published and never hidden). A primary cell is safe when its interval is at
least P wide. Hidden cells are solved per connected block, with warm starts (a large block
on two models, one per core), after a fast exact-disclosure check (one interior-point solve
plus a null-space projection).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import highspy
import numpy as np
import numpy.typing as npt
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from opsc.disclosure.certificates import Certificates, certified_ranges
from opsc.disclosure.exactcheck import determined_cells
from opsc.disclosure.solver import INF, lp_model, spare_cores

TOTAL = "_total"
META = ("value", "status", "reason")
Cell = Mapping[str, object]
_TOL = 1e-6
_SPLIT_FROM = 64  # wanted cells in a block from which it is solved on two models
_ROUND = 32  # cells per model between two poolings of the points seen


@dataclass(frozen=True)
class Finding:
    """A hidden cell whose interval is too narrow (or which is exactly recovered)."""

    table: str
    cell: dict[str, str]
    status: str
    low: float
    high: float
    required: int
    reason: str
    labels: dict[str, str] | None = None  # as published: `_total` where summed

    def __str__(self) -> str:
        where = ", ".join(f"{c}={v}" for c, v in self.cell.items())
        return f"{self.table}: {where} ({self.status}): {self.reason}"


@dataclass
class AuditReport:
    """Outcome of one audit: `safe` only when no primary cell is narrowed below P."""

    lower: int
    findings: list[Finding] = field(default_factory=list)
    intervals: dict[tuple[tuple[str, str], ...], tuple[float, float]] = field(default_factory=dict)
    hidden: int = 0
    blocks: int = 0
    exact_precheck: int = 0  # cells the fast check found determined
    seconds: float = 0.0
    complete: bool = True  # every hidden cell's interval is the whole feasible one
    where: dict[tuple[tuple[str, str], ...], tuple[str, dict[str, str]]] = field(
        default_factory=dict
    )  # per interval: a table that publishes the cell, and the cell as it is written there

    @property
    def safe(self) -> bool:
        return not self.findings

    def to_dict(self) -> dict[str, object]:
        return {
            "safe": self.safe,
            "L": self.lower,
            "hidden": self.hidden,
            "blocks": self.blocks,
            "determined_by_precheck": self.exact_precheck,
            "seconds": round(self.seconds, 3),
            "intervals_complete": self.complete,
            "intervals": [
                {**self._written(key), "low": _num(low), "high": _num(high)}
                for key, (low, high) in self.intervals.items()
            ],
            "findings": [
                {
                    "table": f.table,
                    **(f.labels or f.cell),
                    "status": f.status,
                    "low": _num(f.low),
                    "high": _num(f.high),
                    "required": f.required,
                    "reason": f.reason,
                }
                for f in self.findings
            ],
        }

    def _written(self, key: tuple[tuple[str, str], ...]) -> dict[str, str]:
        """A cell as its table publishes it, with that table's name."""
        if key not in self.where:
            return dict(key)
        table, labels = self.where[key]
        return {"table": table, **labels}


def _num(x: float) -> float | None:
    return None if math.isinf(x) else round(x, 6)


@dataclass
class _Cells:
    """All distinct cells of the published tables, keyed by their non-total codes."""

    keys: list[tuple[tuple[str, str], ...]]
    value: npt.NDArray[np.float64]  # nan when hidden
    status: list[str]
    table: list[str]
    labels: list[dict[str, str]]  # as first published, `_total` where summed
    rows: list[int]
    cols: list[int]
    coef: list[float]
    n_rows: int = 0


def _collect(tables: Mapping[str, Sequence[Cell]]) -> _Cells:
    ids: dict[tuple[tuple[str, str], ...], int] = {}
    values: list[float] = []
    status: list[str] = []
    owner: list[str] = []
    labels: list[dict[str, str]] = []
    out = _Cells([], np.zeros(0), status, owner, labels, [], [], [])
    for name, cells in tables.items():
        frame = pd.DataFrame(list(cells))
        columns = [c for c in frame.columns if c not in META]
        codes = frame[columns].astype(str)
        var = np.empty(len(frame), dtype=np.int64)
        for i, (row, value, st) in enumerate(
            zip(
                codes.itertuples(index=False, name=None),
                frame["value"],
                frame["status"],
                strict=True,
            )
        ):
            key = tuple(sorted((c, v) for c, v in zip(columns, row, strict=True) if v != TOTAL))
            j = ids.setdefault(key, len(ids))
            num = math.nan if value is None or pd.isna(value) else float(value)
            if j == len(values):
                values.append(num)
                status.append(str(st))
                owner.append(name)
                labels.append(dict(zip(columns, row, strict=True)))
            elif not (values[j] == num or (math.isnan(values[j]) and math.isnan(num))):
                raise ValueError(
                    f"{name}: cell {dict(key)} is {num} here but {values[j]} in "
                    f"{owner[j]}: linked tables must publish the same figure"
                )
            var[i] = j
        _equations(codes, columns, var, out)
    out.keys = [()] * len(ids)
    for key, j in ids.items():
        out.keys[j] = key
    out.value = np.asarray(values, dtype=np.float64)
    return out


def _equations(
    codes: pd.DataFrame, columns: list[str], var: npt.NDArray[np.int64], out: _Cells
) -> None:
    """Within cells agreeing on all columns but one, the `_total` cell sums the others."""
    for column in columns:
        others = [c for c in columns if c != column]
        group = (
            codes.groupby(others, sort=False).ngroup().to_numpy()
            if others
            else np.zeros(len(codes), dtype=np.int64)
        )
        is_total = (codes[column] == TOTAL).to_numpy()
        total_of = np.full(int(group.max(initial=-1)) + 1, -1, dtype=np.int64)
        total_of[group[is_total]] = np.flatnonzero(is_total)
        child = ~is_total & (total_of[group] >= 0)
        used = np.unique(group[child])
        row_of = np.full(total_of.size, -1, dtype=np.int64)
        row_of[used] = out.n_rows + np.arange(used.size)
        out.rows += row_of[used].tolist() + row_of[group[child]].tolist()
        out.cols += var[total_of[used]].tolist() + var[child].tolist()
        out.coef += [1.0] * used.size + [-1.0] * int(child.sum())
        out.n_rows += int(used.size)


def audit(
    tables: Mapping[str, Sequence[Cell]],
    *,
    lower: int,
    required: Callable[[dict[str, str]], int],
    precheck: bool = True,
    exact_only: bool = False,
    secondary: bool = True,
    offered: Certificates | None = None,
) -> AuditReport:
    """Interval of every hidden cell; `required(cell)` is the width P a primary cell needs.

    `exact_only` runs only the fast exact-disclosure check (one round for huge tables): it
    finds determined cells but not intervals narrower than P. `secondary=False` decides
    safety only: it skips secondary cells (they decide nothing) and stops on a primary cell
    once feasible points seen span P, so its intervals may be parts of the true ones; the
    points `offered` (checked first, see `certificates`) count among those seen.
    """
    start = time.perf_counter()
    cells = _collect(tables)
    report = AuditReport(lower, complete=secondary and not exact_only)
    a = sp.csr_matrix((cells.coef, (cells.rows, cells.cols)), shape=(cells.n_rows, len(cells.keys)))
    hidden = np.isnan(cells.value)
    shown = np.nan_to_num(cells.value)
    seen_lo, seen_hi = certified_ranges(offered, cells.keys, a, cells.value, float(lower))
    rhs = -(a[:, ~hidden] @ shown[~hidden])
    ah = a[:, hidden].tocsr()
    live = np.diff(ah.indptr) > 0
    for r in np.flatnonzero(~live & (np.abs(rhs) > _TOL)):
        report.findings.append(
            Finding(
                "*",
                {"equation": str(r)},
                "published",
                0,
                0,
                0,
                f"published cells do not add up (off by {rhs[r]:g}): the table is inconsistent",
            )
        )
    ah, rhs = ah[live], rhs[live]
    hid = np.flatnonzero(hidden)
    report.hidden = int(hid.size)

    def finding(j: int, lo: float, hi: float, need: int, why: str) -> None:
        cell = {c: v for c, v in cells.keys[j]} or {"cell": "grand total"}
        report.findings.append(
            Finding(cells.table[j], cell, cells.status[j], lo, hi, need, why, cells.labels[j])
        )

    need = np.array(
        [required(dict(cells.keys[j])) if cells.status[j] == "primary" else 0 for j in hid],
        dtype=np.int64,
    )
    graph = (ah.T @ ah) if ah.shape[0] else sp.csr_matrix((hid.size, hid.size))
    by_column = ah.tocsc()
    report.blocks, label = connected_components(graph, directed=False)
    order = np.argsort(label, kind="stable")
    bounds = np.searchsorted(label[order], np.arange(report.blocks + 1))
    for b in range(report.blocks):
        members = order[bounds[b] : bounds[b + 1]]
        sub = by_column[:, members]  # column slices of CSC are cheap, even for 10⁵ blocks
        rows = np.unique(sub.indices)
        sub, b_rhs = sub[rows].tocsc(), rhs[rows]
        if precheck:
            # A lone hidden cell in an equation is that equation's remainder.
            pinned = (
                determined_cells(sub, b_rhs, float(lower))
                if members.size > 1
                else np.arange(min(sub.shape[0], 1))
            )
            report.exact_precheck += int(pinned.size)
            if exact_only:
                for local in pinned:
                    j = int(hid[members[local]])
                    if need[members[local]]:
                        finding(
                            j,
                            math.nan,
                            math.nan,
                            int(need[members[local]]),
                            "exactly recovered (fast check)",
                        )
                continue
        try:
            wanted = np.arange(members.size) if secondary else np.flatnonzero(need[members] > 0)
            settle = None if secondary else need[members[wanted]].astype(np.float64)
            seen = _Seen(seen_lo[hid[members]], seen_hi[hid[members]])
            intervals = _intervals(sub, b_rhs, float(lower), wanted, settle, seen)
        except _Inconsistent as exc:
            finding(int(hid[members[0]]), math.nan, math.nan, 0, str(exc))
            continue
        for (lo, hi), local in intervals:
            j = int(hid[members[local]])
            report.intervals[cells.keys[j]] = (lo, hi)
            report.where[cells.keys[j]] = (cells.table[j], cells.labels[j])
            want = int(need[members[local]])
            if want and hi - lo < _TOL:
                finding(j, lo, hi, want, f"exactly recovered: the cell must be {lo:g}")
            elif want and hi - lo < want - _TOL:
                finding(
                    j,
                    lo,
                    hi,
                    want,
                    f"narrowed to [{lo:g}, {_fmt(hi)}], width {hi - lo:g} < P = {want}",
                )
    report.seconds = time.perf_counter() - start
    return report


class _Inconsistent(Exception):
    """The published values contradict the table equations (no attacker LP solution)."""


def _fmt(x: float) -> str:
    return "∞" if math.isinf(x) else f"{x:g}"


def _intervals(
    a: sp.csc_matrix,
    rhs: npt.NDArray[np.float64],
    lower: float,
    wanted: npt.NDArray[np.int64],
    enough: npt.NDArray[np.float64] | None = None,
    seen: _Seen | None = None,
) -> list[tuple[tuple[float, float], int]]:
    """Min and max of each wanted variable subject to a·z = rhs, z ≥ lower (warm HiGHS).

    With `enough` (the width that settles each wanted cell), every LP solution seen so far
    is a feasible point: once the values seen for a cell span `enough`, its LPs are skipped
    and the span (a part of its interval) is returned instead.

    The wanted cells go in rounds, each split in two fixed halves (every other cell) solved
    on two models, on a second core when there is one; the points each half saw are pooled
    between rounds. The split never depends on the cores, so neither do the spans.
    """
    if a.shape[0] == 0:  # a hidden cell in no equation: anything from L up
        return [((lower, math.inf), int(i)) for i in wanted]
    n = a.shape[1]
    seen = _Seen(np.full(n, np.inf), np.full(n, -np.inf)) if seen is None else seen.copy()
    need = np.full(wanted.size, np.inf) if enough is None else enough.astype(np.float64)
    models = [_Model(a, rhs, lower) for _ in range(1 if wanted.size < _SPLIT_FROM else 2)]
    pool = ThreadPoolExecutor(1, "opsc-audit") if len(models) > 1 and spare_cores() else None
    step = _ROUND * len(models)
    out: list[tuple[tuple[float, float], int]] = []
    try:
        for at in range(0, wanted.size, step):
            batch = np.arange(at, min(at + step, wanted.size))
            halves = [batch[k :: len(models)] for k in range(len(models))]
            jobs = [(wanted[h], need[h], seen.copy()) for h in halves]
            # The first half here, the second on the spare core (or here after it).
            later = pool.submit(models[1].solve, *jobs[1]) if pool else None
            found = [models[0].solve(*jobs[0])]
            if len(models) > 1:
                found.append(later.result() if later else models[1].solve(*jobs[1]))
            merged: dict[int, tuple[tuple[float, float], int]] = {}
            for half, (intervals, points) in zip(halves, found, strict=True):
                merged.update(zip(half.tolist(), intervals, strict=True))
                seen.pool(points)
            out += [merged[pos] for pos in batch.tolist()]
    finally:
        if pool is not None:
            pool.shutdown(wait=True)
    return out


@dataclass
class _Seen:
    """Per cell, the lowest and highest value among the feasible points seen."""

    lo: npt.NDArray[np.float64]
    hi: npt.NDArray[np.float64]

    def copy(self) -> _Seen:
        return _Seen(self.lo.copy(), self.hi.copy())

    def pool(self, other: _Seen) -> None:
        np.minimum(self.lo, other.lo, out=self.lo)
        np.maximum(self.hi, other.hi, out=self.hi)


class _Model:
    """One warm model of a block; only the objective changes between solves, so the last
    basis stays primal feasible and primal simplex restarts from it (about 1 ms a solve
    against 11 ms with dual simplex on a 1,410-cell block)."""

    def __init__(self, a: sp.csc_matrix, rhs: npt.NDArray[np.float64], lower: float):
        n = a.shape[1]
        self.h = lp_model(
            a,
            np.zeros(n),
            np.full(n, lower),
            np.full(n, INF),
            rhs,
            presolve="off",
            simplex_strategy=4,
        )

    def solve(
        self, wanted: npt.NDArray[np.int64], need: npt.NDArray[np.float64], seen: _Seen
    ) -> tuple[list[tuple[tuple[float, float], int]], _Seen]:
        """Intervals of `wanted` (settled once `seen` spans `need`), and `seen` updated."""
        h = self.h
        out: list[tuple[tuple[float, float], int]] = []
        for pos, i in enumerate(wanted.tolist()):
            ends = [seen.lo[i], seen.hi[i]]
            for side, sense in ((1, -1.0), (0, 1.0)):  # max first: where P is usually won
                if math.isfinite(ends[0]) and ends[1] - ends[0] >= need[pos] - _TOL:
                    break
                h.changeColCost(i, sense)
                h.run()
                status = h.getModelStatus()
                if status == highspy.HighsModelStatus.kOptimal:
                    ends[side] = sense * h.getInfo().objective_function_value
                    z = np.asarray(h.getSolution().col_value)
                    np.minimum(seen.lo, z, out=seen.lo)
                    np.maximum(seen.hi, z, out=seen.hi)
                elif status == highspy.HighsModelStatus.kUnbounded:
                    ends[side] = math.inf
                else:
                    raise _Inconsistent(
                        "the published cells around this hidden cell admit no solution "
                        f"(HiGHS: {h.modelStatusToString(status)}): the table is inconsistent"
                    )
                h.changeColCost(i, 0.0)
            out.append(((float(ends[0]), float(ends[1])), i))
        return out, seen
