"""Publish back on large tables: the clean-up of `cleanup`, one neighbourhood at a time.

On a large table an LP over every hidden cell costs about 55 ms (32 × 2 × 4 × 5), too much
to solve two per primary cell. Here a primary cell is checked on the hidden cells of its
neighbourhood only (the cells `local` builds its witnesses from, as many alternative
codes per column). Leaving hidden cells out only takes room from the attacker, so a
primary cell whose rise and fall reach P there reaches it in the whole table: the test is
conservative, and the independent audit checks the result anyway.

Secondary cells are tried fewest users first. A cell is published again when every primary
cell whose last rise or fall went through it still reaches a width of P without it: shown
by perturbations already known when they can, else by the neighbourhood's LPs. The pass
stops after a set number of LPs (deterministic, unlike a clock).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor

import highspy
import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from opsc.disclosure.heuristic import Move, Moved, cell_costs, stretch, support_of
from opsc.disclosure.local import LocalWitness
from opsc.disclosure.solver import Columns, Start, solve_bounded, spare_cores

_STEP_COST = 1e-4  # keeps the widest moves short (on inner cells; margins move freely):
# fewer primaries to check again later
WIDE = 12  # alternative codes per column around a primary (hidden cells only)
_F = npt.NDArray[np.float64]
_LP = tuple[Columns, _F, _F, _F, Start, int]  # columns, cost, bounds, start, the cell's column


class NeighbourhoodRoom:
    """Widest rise and fall of a primary cell through the hidden cells around it.

    The two are separate LPs on the same cells. With a spare core the fall is solved on a
    worker while the rise is solved here, and dropped when the rise alone is enough (on
    32 × 2 × 4 × 5, seed 1, the fall was needed in 153 of 228 checks): the answers, and the
    LPs counted, are those of solving one after the other.
    """

    def __init__(self, local: LocalWitness, hidden: npt.NDArray[np.bool_], many: int = WIDE):
        self.local, self.hidden, self.many = local, hidden, many
        lp = local.lp
        self.upper = lp.upper
        self.n = lp.n
        self.h: highspy.Highs | None = None
        self.h_fall: highspy.Highs | None = None  # used by the worker only
        self.pool = ThreadPoolExecutor(1, "opsc-localback") if spare_cores() else None
        self.solves = 0
        self.moves: list[Moved] = []  # every widest move found (a feasible point each)

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)

    def width(self, cell: int, enough: float) -> tuple[float, npt.NDArray[np.int64]]:
        """Rise + fall of `cell` (each capped at the largest P), and the cells they move;
        the fall is not counted when the rise alone is `enough`."""
        cells = np.flatnonzero(self.local.neighbourhood(cell, self.many) & self.hidden)
        here = int(np.searchsorted(cells, cell))
        # As in `local`: margins, and the cell itself, move in one column (no cost).
        free = self.local.margin[cells].copy()
        free[here] = True
        a, start = self.local.free_block(cells, free, here)
        up, down = self.upper[cells], self.upper[self.n + cells]
        signed = ~free
        cost = self.local.costs(signed, np.full(cells.size, _STEP_COST))
        lower, upper = self.local.bounds(cells, free)
        lp = (a, cost, lower, upper, start, here)
        fall: Future[npt.NDArray[np.float64] | None] | None = None
        if self.pool is not None and down[here] > 0:
            fall = self.pool.submit(self._fall, lp)
        total, moved = 0.0, np.zeros(self.n, dtype=np.bool_)
        for rise in (True, False):
            if total >= enough - 1e-6:
                break
            if (up if rise else down)[here] <= 0:
                continue  # it cannot move that way at all (a cell at L cannot fall)
            if rise or fall is None:
                self.h, x = self._most(self.h, lp, rise)
            else:
                x = fall.result()
            self.solves += 1
            if x is None:
                continue
            step = self.local.spread(signed, x)
            total += abs(float(step[here]))
            local = support_of(step)
            moved[cells[local]] = True
            self.moves.append((cells[local], step[local]))
        if fall is not None:
            fall.cancel()  # not needed: the rise was enough (a running solve just ends)
        return total, np.flatnonzero(moved)

    def _fall(self, lp: _LP) -> npt.NDArray[np.float64] | None:
        self.h_fall, x = self._most(self.h_fall, lp, rise=False)
        return x

    @staticmethod
    def _most(
        h: highspy.Highs | None, lp: _LP, rise: bool
    ) -> tuple[highspy.Highs, npt.NDArray[np.float64] | None]:
        """The widest rise (or fall) of the LP's cell, kept short; every column's value
        (0 for those left out)."""
        a, cost, lower, upper, start, here = lp
        cost, lower, upper = cost.copy(), lower.copy(), upper.copy()
        cost[here] = -1.0 if rise else 1.0
        if rise:
            lower[here] = 0.0
        else:
            upper[here] = 0.0
        keep = (upper > 0) | (lower < 0)
        return solve_bounded(h, a, cost, lower, upper, keep, start)


class KnownMoves:
    """Perturbations found so far, by the primary cells they move. A primary cell whose
    width they already show, stretched within the LPs' bounds through cells still hidden,
    needs no LP: each is a perturbation of the table, so the check stays as safe."""

    def __init__(self, local: LocalWitness, moves: Sequence[Moved] = ()) -> None:
        lp = local.lp
        self.up, self.down, self.primary = lp.upper[: lp.n], lp.upper[lp.n :], lp.req.primary
        self.moves: list[Moved] = []
        self.of: dict[int, list[int]] = {}  # primary cell → the moves through it
        for move in moves:
            self.add(move)

    def add(self, move: Moved) -> None:
        cells, _ = move
        for cell in cells[self.primary[cells]].tolist():
            self.of.setdefault(cell, []).append(len(self.moves))
        self.moves.append(move)

    def width(
        self, cell: int, hidden: npt.NDArray[np.bool_]
    ) -> tuple[float, npt.NDArray[np.int64]]:
        """The widest rise + fall of `cell` the moves show through `hidden`, and the cells
        of the two moves that show it."""
        rise, fall = 0.0, 0.0
        by: dict[bool, npt.NDArray[np.int64]] = {}
        for k in self.of.get(cell, ()):
            cells, steps = self.moves[k]
            if not hidden[cells].all():
                continue
            ahead, back = stretch(steps, self.up[cells], self.down[cells])
            own = float(steps[np.searchsorted(cells, cell)])
            for z in (ahead * own, -back * own):
                if z > rise:
                    rise, by[True] = z, cells
                if -z > fall:
                    fall, by[False] = -z, cells
        support = np.unique(np.concatenate([*by.values(), np.zeros(0, dtype=np.int64)]))
        return rise + fall, support


def publish_back_local(
    local: LocalWitness,
    hidden: npt.NDArray[np.bool_],
    witnesses: Mapping[Move, npt.NDArray[np.int64]],
    *,
    budget: int,
    many: int = WIDE,
    moves: Sequence[Moved] = (),
) -> tuple[npt.NDArray[np.bool_], list[Moved]]:
    """`hidden` with secondary cells published again where the neighbourhoods allow it, and
    the moves found on the way (each through the cells hidden then).

    `witnesses` (from the construction) say which primary cells move through which hidden
    cells; `budget` caps the LPs (two per primary cell checked). `moves` (the construction's
    perturbations) and the moves found here settle some checks without an LP.
    """
    req = local.lp.req
    width = (req.up + req.down).astype(np.float64)
    out = hidden.copy()
    room = NeighbourhoodRoom(local, out, many)
    known = KnownMoves(local, moves)
    proof: dict[int, set[int]] = {}  # per primary cell, the hidden cells its moves use
    for (primary, _), support in witnesses.items():
        proof.setdefault(primary, set()).update(support.tolist())
    users: dict[int, set[int]] = {}
    for primary, cells in proof.items():
        for c in cells:
            users.setdefault(c, set()).add(primary)
    secondary = np.flatnonzero(hidden & ~req.primary)
    cost = cell_costs(local.lp.system.values)[secondary]
    count = np.array([len(users.get(c, ())) for c in secondary.tolist()])
    order = secondary[np.lexsort((-cost, count))]  # fewest primaries to check first
    rows = local.matrix.tocsr()
    try:
        for cell in order.tolist():
            if room.solves >= budget:
                break
            out[cell] = False
            if primary_left_alone(local, rows, out, cell) >= 0:
                out[cell] = True  # that primary would be recovered exactly: no LP needed
                continue
            moved: dict[int, npt.NDArray[np.int64]] = {}
            for primary in sorted(users.get(cell, ())):
                reach, support = known.width(primary, out)
                if reach < width[primary] - 1e-6:
                    found = len(room.moves)
                    reach, support = room.width(primary, width[primary])
                    for move in room.moves[found:]:
                        known.add(move)
                if reach < width[primary] - 1e-6:
                    break
                moved[primary] = support
            else:
                for primary, support in moved.items():
                    for c in proof[primary]:
                        users[c].discard(primary)
                    proof[primary] = set(support.tolist())
                    for c in proof[primary]:
                        users.setdefault(c, set()).add(primary)
                continue
            out[cell] = True
    finally:
        room.close()
    return out, room.moves


def primary_left_alone(
    local: LocalWitness, rows: sp.csr_matrix, hidden: npt.NDArray[np.bool_], cell: int
) -> int:
    """A primary cell left as the only hidden cell of an equation through `cell` (its value
    would follow from the published ones), or −1. `rows`: the system's matrix as CSR."""
    m = local.matrix
    for row in m.indices[m.indptr[cell] : m.indptr[cell + 1]].tolist():
        members = rows.indices[rows.indptr[row] : rows.indptr[row + 1]]
        left = members[hidden[members]]
        if left.size == 1 and local.lp.req.primary[left[0]]:
            return int(left[0])
    return -1
