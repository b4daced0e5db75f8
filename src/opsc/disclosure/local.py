"""Local witnesses: the perturbation LP on a neighbourhood of the primary cell.

On a large table the full perturbation LP is slow, yet a protecting perturbation is a
product of small moves, one per dimension: a coordinate stays with its total (x and
`_total` move together) or swaps with another category (x up, x′ down). So the LP only
needs, per column, the cell's own code, the total, and a few alternatives: those whose
cells on the move's path are most often hidden already, then the smallest. Restricting
the LP to that neighbourhood can only remove perturbations, never invent one, so a local
witness is a valid witness; when the neighbourhood has none, the caller falls back to the
full LP.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass

import highspy
import numpy as np
import numpy.typing as npt

from opsc.disclosure.heuristic import Move, Perturber
from opsc.disclosure.solver import Columns, Start, solution, solve_bounded

_ALTERNATIVES = 12  # per column; the perturbations spread over many small states
_WIDER = 3


@dataclass
class LocalLP:
    """A neighbourhood LP as solved, kept so that it can be solved again, warm, once the
    pattern has changed (only costs and the move's amount differ then)."""

    h: highspy.Highs
    cells: npt.NDArray[np.int64]
    signed: npt.NDArray[np.bool_]  # per cell: two columns (y+ then, after all cells, y−)
    keep: npt.NDArray[np.bool_]  # which of those columns are in the model
    pinned: int  # the move's column in the model
    y: npt.NDArray[np.float64] | None  # the answer, per cell of the table


class LocalWitness:
    """Builds and solves the neighbourhood LP of one move at a time."""

    def __init__(self, lp: Perturber) -> None:
        self.lp = lp
        system = lp.system
        self.columns = sorted({c for key in system.keys for c, _ in key})
        self.codes: dict[str, npt.NDArray[np.int64]] = {}
        self.names: dict[str, dict[str, int]] = {}
        for column in self.columns:
            names: dict[str, int] = {}
            code = np.full(system.n, -1, dtype=np.int64)
            for j, key in enumerate(system.keys):
                for c, v in key:
                    if c == column:
                        code[j] = names.setdefault(v, len(names))
            self.codes[column], self.names[column] = code, names
        self.matrix = system.matrix.tocsc()
        self.all_columns = Columns.of(self.matrix)
        self.rows = system.matrix.shape[0]
        self.values = system.values.astype(np.float64)
        self.movable = (lp.upper[: lp.n] > 0) | (lp.upper[lp.n :] > 0)
        # A hidden margin (a cell that is some equation's total) moves in one column, with
        # no cost, where a cell's rise and fall take two (`free_block`). With its start, the
        # whole call on 32 × 2 × 4 × 5 needs 113k/141k/120k simplex iterations instead of
        # 169k/269k/216k (seeds 0–2) and hides 998/1,244/1,109 cells, not 1,004/1,246/1,111.
        # Hidden inner cells free as well: faster LPs, but witnesses twice as long, which
        # made publishing back twice as slow; all hidden cells free: 97k iterations
        # against 53k on 120 LPs.
        self.margin = np.asarray((system.matrix > 0).sum(axis=0)).ravel() > 0
        parent = system.matrix.tocoo()
        parent = parent.col[parent.data > 0], parent.row[parent.data > 0]
        self.total_of = np.full(system.n, -1, dtype=np.int64)  # an equation it totals
        self.total_of[parent[0]] = parent[1]
        self.solvers = threading.local()  # one solver per thread, reloaded per move

    def free_block(
        self, cells: npt.NDArray[np.int64], free: npt.NDArray[np.bool_], pinned: int
    ) -> tuple[Columns, Start]:
        """The LP's columns on `cells`, keeping only the equations they appear in: one
        column from −fall to +rise for each `free` cell, a rise column for each other cell,
        then their fall columns; and a basis to start from.

        `cells` are sorted. Each free margin but the `pinned` cell starts in the basis, for
        an equation it totals, whose slack leaves it: the basis is triangular (a total's
        other cells in its equation are finer), and for a cheapest move (free cells cost
        nothing, the others sit at 0 with a cost ≥ 0) it is dual feasible. On
        120 LPs of 32 × 2 × 4 × 5 that took a third of the simplex iterations and about two
        thirds of the time of starting from the slacks.

        Built from the CSC arrays directly: scipy's fancy indexing, `hstack` and even its
        matrix constructor cost more than the small LP they feed.
        """
        chosen = np.zeros(self.all_columns.cols, dtype=np.bool_)
        chosen[cells] = True
        a = self.all_columns.take(chosen)
        seen = np.zeros(self.rows, dtype=np.bool_)
        seen[a.indices] = True  # cheaper than np.unique's sort on a few thousand rows
        remap = (np.cumsum(seen) - 1).astype(np.int64)
        a = Columns(int(seen.sum()), a.indptr, remap[a.indices].astype(np.int32), a.data)
        b = a.take(~free)
        both = Columns(
            a.rows,
            np.concatenate([a.indptr, a.indptr[-1] + b.indptr[1:]]).astype(np.int32),
            np.concatenate([a.indices, b.indices]),
            np.concatenate([a.data, -b.data]),
        )
        basic = np.zeros(both.cols, dtype=np.bool_)
        basic[: cells.size] = free & self.margin[cells]
        basic[pinned] = False
        return both, Start(basic, remap[self.total_of[cells[basic[: cells.size]]]])

    def _near(self, cell: int) -> dict[str, npt.NDArray[np.bool_]]:
        """Per column, the cells with `cell`'s own code or the total there."""
        return {
            c: (self.codes[c] == self.codes[c][cell]) | (self.codes[c] < 0) for c in self.columns
        }

    def _alternatives(
        self,
        cell: int,
        column: str,
        many: int,
        near: dict[str, npt.NDArray[np.bool_]] | None = None,
        hidden: npt.NDArray[np.bool_] | None = None,
    ) -> list[int]:
        """Codes this column may take around `cell`, best first.

        The move through code v uses the cells with v in this column and, in every other
        column, the cell's own code or the total (its "box"). A code whose box has more
        hidden cells comes first (they cost nothing to move); then the one whose published
        cells hold least.
        """
        near = self._near(cell) if near is None else near
        code = self.codes[column]
        box = (code >= 0) & (code != code[cell])
        for other in self.columns:
            if other != column:
                box &= near[other]
        size = len(self.names[column])
        hidden = self.lp.hidden if hidden is None else hidden
        count = np.bincount(code[box & hidden], minlength=size)
        shown = box & ~hidden
        weight = np.bincount(code[shown], weights=self.values[shown], minlength=size)
        present = np.bincount(code[box], minlength=size) > 0
        ranked = np.lexsort((np.arange(size), weight, -count))
        return [int(c) for c in ranked if present[c]][:many]

    def neighbourhood(
        self, cell: int, many: int, hidden: npt.NDArray[np.bool_] | None = None
    ) -> npt.NDArray[np.bool_]:
        """The cells whose every coordinate is the cell's own, the total, or one of the
        column's `many` alternatives (ranked on `hidden`, by default the LP's)."""
        near = self._near(cell)
        mask = np.ones(self.lp.n, dtype=np.bool_)
        for column in self.columns:
            allowed = np.zeros(len(self.names[column]) + 1, dtype=np.bool_)
            codes = [
                int(self.codes[column][cell]),
                -1,
                *self._alternatives(cell, column, many, near, hidden),
            ]
            allowed[np.array(codes) + 1] = True
            mask &= allowed[self.codes[column] + 1]  # code −1 (the total) sits at 0
        return mask

    def witness(
        self,
        move: Move,
        forbidden: int = -1,
        hidden: npt.NDArray[np.bool_] | None = None,
        amount: float | None = None,
    ) -> npt.NDArray[np.float64] | None:
        """A cheapest local perturbation (over all cells), or None when there is none.

        A neighbourhood three times wider is tried before giving up: the full LP costs more.
        The `forbidden` cell (one being published again) may not move. `hidden` and `amount`
        (by default the LP's pattern and the move's requirement now) let another thread
        solve on copies while this one changes them.
        """
        return self.answer(move, forbidden, hidden, amount).y

    def answer(
        self,
        move: Move,
        forbidden: int = -1,
        hidden: npt.NDArray[np.bool_] | None = None,
        amount: float | None = None,
        *,
        own_solver: bool = False,
    ) -> LocalLP:
        """The witness with the LP that found it (the last one tried when none did); with
        `own_solver`, that LP keeps a solver of its own, which `resolve` can reuse."""
        hidden = self.lp.hidden if hidden is None else hidden
        amount = self.required(move) if amount is None else amount
        for many in (_ALTERNATIVES, _WIDER * _ALTERNATIVES):
            solved = self._solve(move, many, forbidden, hidden, amount, own_solver)
            if solved.y is not None:
                break
        return solved

    def resolve(self, solved: LocalLP, move: Move) -> npt.NDArray[np.float64] | None:
        """`solved` again on the pattern and requirement now, from its last basis.

        Cells hidden since are cheaper; the bounds are the same, so the old basis is a
        near start: about 170 simplex iterations where a fresh LP takes 300–600. The
        neighbourhood stays the one chosen then.
        """
        cost = self.costs(solved.signed, self.lp.unit_costs()[solved.cells])[solved.keep]
        solved.h.changeColsCost(cost.size, np.arange(cost.size, dtype=np.int32), cost)
        amount = self.required(move)
        sign = 1.0 if move[1] == move[0] else -1.0
        solved.h.changeColBounds(solved.pinned, sign * amount, sign * amount)
        solved.h.run()
        x = solution(solved.h, solved.keep)
        return None if x is None else self._on_table(solved.cells, self.spread(solved.signed, x))

    @staticmethod
    def costs(
        signed: npt.NDArray[np.bool_], cost: npt.NDArray[np.float64]
    ) -> npt.NDArray[np.float64]:
        """Cost per unit of each column of `free_block`, from each cell's `cost`: its own
        (nothing for a free one), then again for the falls of the signed cells."""
        return np.concatenate([np.where(signed, cost, 0.0), cost[signed]])

    def bounds(
        self, cells: npt.NDArray[np.int64], free: npt.NDArray[np.bool_]
    ) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
        """Lower and upper bounds of the columns of `free_block`: a free cell from −fall to
        +rise, each other cell's rise then fall column from 0."""
        up, down = self.lp.upper[cells], self.lp.upper[self.lp.n + cells]
        lower = np.concatenate([np.where(free, -down, 0.0), np.zeros(np.count_nonzero(~free))])
        return lower, np.concatenate([up, down[~free]])

    @staticmethod
    def spread(
        signed: npt.NDArray[np.bool_], x: npt.NDArray[np.float64]
    ) -> npt.NDArray[np.float64]:
        """Each cell's signed move from the values of the `free_block` columns."""
        step = x[: signed.size].copy()
        step[signed] -= x[signed.size :]
        return step

    def _on_table(
        self, cells: npt.NDArray[np.int64], step: npt.NDArray[np.float64]
    ) -> npt.NDArray[np.float64]:
        out = np.zeros(self.lp.n)
        out[cells] = step
        return out

    def required(self, move: Move) -> float:
        """How far the move must take its cell now."""
        cell, column = move
        return float(self.lp.req.up[cell] if column == cell else self.lp.req.down[cell])

    def _solve(
        self,
        move: Move,
        many: int,
        forbidden: int,
        hidden: npt.NDArray[np.bool_],
        amount: float,
        own_solver: bool,
    ) -> LocalLP:
        lp = self.lp
        cell, column = move
        cells = np.flatnonzero(self.neighbourhood(cell, many, hidden) & self.movable)
        cells = cells[cells != forbidden]  # cells that cannot move stay out of the LP
        here = int(np.searchsorted(cells, cell))
        # A hidden margin, and the move's own cell, take one column from −fall to +rise at
        # no cost; every other cell a rise and a fall column at its cost (see `margin`).
        free = hidden[cells] & self.margin[cells]
        free[here] = True
        signed = ~free
        sign = 1.0 if column == cell else -1.0
        a, start = self.free_block(cells, free, here)
        cost = self.costs(signed, lp.unit_costs(hidden)[cells])
        lower, upper = self.bounds(cells, free)
        lower[here] = upper[here] = sign * amount
        keep = (upper > 0) | (lower < 0)  # a column that cannot move stays out of the LP
        if not keep[here]:
            raise ValueError(f"a move of {amount:g} needs no LP")  # nothing to pin: no LP
        h = None if own_solver else getattr(self.solvers, "h", None)
        h, x = solve_bounded(h, a, cost, lower, upper, keep, start)
        if not own_solver:
            self.solvers.h = h
        pinned = int(np.count_nonzero(keep[:here]))
        answer = None if x is None else self._on_table(cells, self.spread(signed, x))
        return LocalLP(h, cells, signed, keep, pinned, answer)
