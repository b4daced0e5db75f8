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

import numpy as np
import numpy.typing as npt

from opsc.disclosure.heuristic import Move, Perturber
from opsc.disclosure.solver import Columns, solve_movable

_ALTERNATIVES = 12  # per column; the perturbations spread over many small states
_WIDER = 3


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
        self.solvers = threading.local()  # one solver per thread, reloaded per move

    def block(self, cells: npt.NDArray[np.int64]) -> Columns:
        """[A, −A] on `cells` (y+ then y−), keeping only the equations they appear in.

        Built from the CSC arrays directly: scipy's fancy indexing, `hstack` and even its
        matrix constructor cost more than the small LP they feed.
        """
        chosen = np.zeros(self.all_columns.cols, dtype=np.bool_)
        chosen[cells] = True
        a = self.all_columns.take(chosen)
        seen = np.zeros(self.rows, dtype=np.bool_)
        seen[a.indices] = True  # cheaper than np.unique's sort on a few thousand rows
        remap = (np.cumsum(seen) - 1).astype(np.int32)
        return Columns(
            int(seen.sum()),
            np.concatenate([a.indptr, a.indptr[-1] + a.indptr[1:]]).astype(np.int32),
            np.tile(remap[a.indices], 2),
            np.concatenate([a.data, -a.data]),
        )

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
        hidden = self.lp.hidden if hidden is None else hidden
        amount = self.required(move) if amount is None else amount
        for many in (_ALTERNATIVES, _WIDER * _ALTERNATIVES):
            y = self._solve(move, many, forbidden, hidden, amount)
            if y is not None:
                return y
        return None

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
    ) -> npt.NDArray[np.float64] | None:
        lp = self.lp
        n = lp.n
        cell, column = move
        cells = np.flatnonzero(self.neighbourhood(cell, many, hidden) & self.movable)
        cells = cells[cells != forbidden]  # cells that cannot move stay out of the LP
        a = self.block(cells)
        m = cells.size
        cost = lp.unit_costs(hidden)[cells]
        upper = np.concatenate([lp.upper[cells], lp.upper[n + cells]])
        here = int(np.searchsorted(cells, cell))
        pinned, other = (here, m + here) if column == cell else (m + here, here)
        lower = np.zeros(2 * m)
        lower[pinned] = upper[pinned] = amount
        upper[other] = 0.0
        # A column that cannot move (a cell at L cannot fall) stays out of the LP.
        both = np.concatenate([cost, cost])
        self.solvers.h, y = solve_movable(getattr(self.solvers, "h", None), a, both, lower, upper)
        if y is None:
            return None
        out = np.zeros(n)
        out[cells] = y[:m] - y[m:]
        return out
