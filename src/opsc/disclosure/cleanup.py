"""Publish back: show again the secondary cells the audit's bar does not need.

The construction (`heuristic`) asks each primary cell for a fixed split of its protection:
rise by `up`, fall by `down`. The audit asks less: the feasible interval must be P wide,
however it splits. With the pattern built, this pass tries each secondary cell again, most
costly first. It stays published when every primary cell whose widest rise or widest fall
went through it can still rise and fall by P in all, through hidden cells only (hidden cells
never below L, zeros fixed). A primary cell whose rise and fall avoid the cell keeps them,
so only those are solved again. Each test is one small LP on the hidden cells alone, warm
started; the pass stops after a set number of LPs (deterministic) or at a deadline.
"""

from __future__ import annotations

import time
from collections.abc import Mapping

import highspy
import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from opsc.disclosure.heuristic import Move, cell_costs
from opsc.disclosure.primary import Requirements
from opsc.disclosure.solver import lp_model
from opsc.disclosure.table import CellSystem

_TOL = 1e-7
_STEP_COST = 1e-4  # keeps the widest moves short: fewer primaries to solve again later
Reach = tuple[float, npt.NDArray[np.int64]]  # how far a primary moves, through which cells


class HiddenMoves:
    """The attacker's room on the hidden cells: A·y = 0 with y = 0 on published cells.

    Columns are y+ (0..m−1) and y− (m..2m−1) of the m hidden cells; y− is bounded by the
    cell's value minus L, both by the largest protection asked (a longer move is not needed).
    """

    def __init__(self, system: CellSystem, req: Requirements, hidden: npt.NDArray[np.bool_]):
        self.cells = cells = np.flatnonzero(hidden)
        self.position = np.full(system.n, -1, dtype=np.int64)
        self.position[cells] = np.arange(cells.size)
        self.m = m = cells.size
        columns = system.matrix.tocsc()[:, cells]
        rows = np.unique(columns.indices)
        a = columns.tocsr()[rows]
        reach = float(max(int((req.up + req.down).max(initial=0)), 1))
        room_down = np.minimum(np.maximum(system.values[cells] - req.lower, 0), reach)
        self.upper = np.concatenate([np.full(m, reach), room_down.astype(np.float64)])
        self.h = lp_model(
            sp.hstack([a, -a], format="csc"),
            np.full(2 * m, _STEP_COST),
            np.zeros(2 * m),
            self.upper,
            np.zeros(rows.size),
            presolve="off",
        )

    def widest(self, cell: int, up: bool) -> Reach:
        """How far `cell` can rise (or fall) at most, and the cells that move with it."""
        j = int(self.position[cell])
        column = j if up else self.m + j
        self.h.changeColCost(column, -1.0)
        reach = self._run(j, up)
        self.h.changeColCost(column, _STEP_COST)
        return reach

    def move(self, cell: int, up: bool, amount: float) -> Reach | None:
        """A shortest move of `cell` up (or down) by `amount`, or None when there is none."""
        if amount <= _TOL:
            return 0.0, np.zeros(0, dtype=np.int64)
        j = int(self.position[cell])
        column = j if up else self.m + j
        if amount > self.upper[column] + 1e-6:  # beyond L, or beyond the largest P
            return None
        self.h.changeColBounds(column, amount, amount)
        reach = self._run(j, up)
        self.h.changeColBounds(column, 0.0, float(self.upper[column]))
        return reach if reach[0] >= amount - 1e-6 else None

    def _run(self, j: int, up: bool) -> Reach:
        column, other = (j, self.m + j) if up else (self.m + j, j)
        self.h.changeColBounds(other, 0.0, 0.0)
        self.h.run()
        amount, support = 0.0, np.zeros(0, dtype=np.int64)
        if self.h.getModelStatus() == highspy.HighsModelStatus.kOptimal:
            y = np.asarray(self.h.getSolution().col_value)
            amount = float(y[column])
            support = self.cells[np.flatnonzero(np.abs(y[: self.m] - y[self.m :]) > _TOL)]
        self.h.changeColBounds(other, 0.0, float(self.upper[other]))
        return amount, support

    def publish(self, cell: int) -> None:
        j = int(self.position[cell])
        self.h.changeColBounds(j, 0.0, 0.0)
        self.h.changeColBounds(self.m + j, 0.0, 0.0)

    def hide(self, cell: int) -> None:
        j = int(self.position[cell])
        self.h.changeColBounds(j, 0.0, float(self.upper[j]))
        self.h.changeColBounds(self.m + j, 0.0, float(self.upper[self.m + j]))


def publish_back(
    system: CellSystem,
    req: Requirements,
    hidden: npt.NDArray[np.bool_],
    *,
    witnesses: Mapping[Move, npt.NDArray[np.int64]] | None = None,
    budget: int,
    deadline: float = float("inf"),
) -> npt.NDArray[np.bool_]:
    """`hidden` with every secondary cell published again that the bar P does not need.

    `witnesses` (from the construction, for these requirements) saves the first LPs: a
    move's cells, all hidden, moving the primary by its `up` or `down`. `budget` caps the
    LPs solved. A primary cell the pattern does not protect to begin with (the audit will
    flag it) is left as it is, and so are the cells its moves go through.
    """
    moves = HiddenMoves(system, req, hidden)
    n = system.n
    width = (req.up + req.down).astype(np.float64)
    reach: dict[tuple[int, bool], Reach] = {}
    pinned: set[int] = set()
    for cell in np.flatnonzero(req.primary & hidden).tolist():
        for up in (True, False):
            amount = float(req.up[cell] if up else req.down[cell])
            known = None if witnesses is None else witnesses.get((cell, cell if up else n + cell))
            if amount <= 0 or (known is not None and hidden[known].all()):
                empty = np.zeros(0, dtype=np.int64)
                reach[cell, up] = (amount, empty if known is None or amount <= 0 else known)
                continue
            found = moves.move(cell, up, amount)
            reach[cell, up] = found if found is not None else moves.widest(cell, up)
            budget -= 1
        if reach[cell, True][0] + reach[cell, False][0] < width[cell] - 1e-6:
            pinned.update(reach[cell, True][1].tolist() + reach[cell, False][1].tolist())
    users: dict[int, set[tuple[int, bool]]] = {}
    for key, (_, support) in reach.items():
        for c in support.tolist():
            users.setdefault(c, set()).add(key)
    out = hidden.copy()
    rows = system.matrix.tocsr()
    rows.data[:] = 1.0
    columns = rows.tocsc()
    count = np.asarray(rows @ out.astype(np.float64)).ravel()  # hidden cells per equation
    secondary = np.flatnonzero(hidden & ~req.primary)
    order = secondary[np.argsort(-cell_costs(system.values)[secondary], kind="stable")]
    for cell in order.tolist():
        if budget <= 0 or time.perf_counter() > deadline:
            break
        if cell in pinned:
            continue
        # A primary left alone in an equation with published cells would be recovered.
        own = columns.indices[columns.indptr[cell] : columns.indptr[cell + 1]]
        alone = [rows.indices[rows.indptr[r] : rows.indptr[r + 1]] for r in own[count[own] == 2]]
        if any(req.primary[c] and out[c] and c != cell for cs in alone for c in cs.tolist()):
            continue
        moves.publish(cell)
        changed: dict[tuple[int, bool], Reach] = {}
        near = {int(c) for r in own for c in rows.indices[rows.indptr[r] : rows.indptr[r + 1]]}
        affected = {p for p, _ in users.get(cell, ())}
        for primary in sorted(affected, key=lambda p: (p not in near, p)):
            rerouted = _reroute(moves, reach, primary, cell, width[primary])
            budget -= 2
            if rerouted is None:
                break
            changed |= rerouted
        else:
            out[cell] = False
            count[own] -= 1
            for key, new in changed.items():
                for c in reach[key][1].tolist():
                    users[c].discard(key)
                for c in new[1].tolist():
                    users.setdefault(c, set()).add(key)
                reach[key] = new
            continue
        moves.hide(cell)
    return out


def _reroute(
    moves: HiddenMoves,
    reach: dict[tuple[int, bool], Reach],
    primary: int,
    cell: int,
    width: float,
) -> dict[tuple[int, bool], Reach] | None:
    """New moves for `primary` that avoid the published `cell`, or None if none give P.

    First the same split (same rise, same fall); if one direction cannot go as far any
    more, it goes as far as it can and the other makes up the rest.
    """
    out: dict[tuple[int, bool], Reach] = {}
    short: bool | None = None
    for up in (True, False):
        amount, support = reach[primary, up]
        if cell not in support:
            continue
        found = moves.move(primary, up, amount)
        if found is None:
            short = up
            break
        out[primary, up] = found
    if short is None:
        return out
    most = moves.widest(primary, short)
    rest = width - most[0]
    other = not short
    amount, support = out.get((primary, other), reach[primary, other])
    if rest <= amount + 1e-6 and cell not in support:
        return out | {(primary, short): most}
    found = moves.move(primary, other, rest)
    return None if found is None else {(primary, short): most, (primary, other): found}
