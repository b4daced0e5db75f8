"""Fast secondary suppression: one small LP per primary cell and direction (HiGHS, warm).

For a primary cell i and a direction, the LP looks for the cheapest perturbation y of the
table with A·y = 0 that moves cell i by its required protection, never takes a hidden cell
below the attacker's lower bound L, and leaves published zeros alone. Hidden cells cost
almost nothing, so when the current pattern already protects i the LP moves only hidden
cells; otherwise every cell on the support of y is suppressed. Suppressing more never helps
an attacker, so each perturbation (a *witness*) stays valid as the pattern grows: the final
pattern protects every primary by construction, and the independent audit checks it.

A pruning pass then tries to publish each secondary cell again, most costly first: it stays
published when every witness that used it can be rerouted through the other hidden cells.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

import highspy
import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

from opsc.disclosure.primary import Requirements
from opsc.disclosure.solver import lp_model
from opsc.disclosure.table import CellSystem

if TYPE_CHECKING:
    from opsc.disclosure.local import LocalWitness

TOL = 1e-7  # below this a move is no move (supports, stretches, requirements met)
_HIDDEN_COST = 1e-3  # small, not zero: keeps witnesses short, so pruning has less to redo
Move = tuple[int, int]  # (primary cell, column: cell for up, n + cell for down)
Moved = tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]  # cells moved, by how much
LOCAL_ABOVE = 1500  # systems with more cells look for witnesses locally first


@dataclass(frozen=True)
class Solved:
    """One solve of the perturbation LP (objective inf and empty arrays: infeasible)."""

    objective: float
    values: npt.NDArray[np.float64]
    duals: npt.NDArray[np.float64]


@dataclass(frozen=True)
class Pattern:
    """Hidden cells, a primary each secondary protects, the attained requirements, and per
    move the cells of a perturbation that achieves it (all hidden)."""

    hidden: npt.NDArray[np.bool_]
    protects: dict[int, int]
    req: Requirements
    witnesses: dict[Move, npt.NDArray[np.int64]]
    moves: list[Moved]  # every perturbation found: feasible points for the audit


def support_of(y: npt.NDArray[np.float64]) -> npt.NDArray[np.int64]:
    return np.flatnonzero(np.abs(y) > TOL)


def stretch(
    y: npt.NDArray[np.float64], up: npt.NDArray[np.float64], down: npt.NDArray[np.float64]
) -> tuple[float, float]:
    """How far a perturbation y can be scaled forwards (≥ 1) and backwards (≥ 0, for −y)
    within each cell's room to rise (`up`) and to fall (`down`).

    A perturbation only has to keep the equations (A·y = 0, unchanged by scaling) and the
    bounds, so t·y is one for any t in [−back, ahead].
    """
    size = np.abs(y)
    moves = size > TOL
    rising = y[moves] > 0
    size = size[moves]
    # Room in y's own direction, and against it (a third of the time of masking divisions).
    ahead = (np.where(rising, up[moves], down[moves]) / size).min(initial=np.inf)
    back = (np.where(rising, down[moves], up[moves]) / size).min(initial=np.inf)
    return max(float(ahead), 1.0), float(back)


def cell_costs(values: npt.NDArray[np.int64]) -> npt.NDArray[np.float64]:
    """Information loss of hiding a cell: the count it holds (tau-Argus's usual cost for
    frequency tables), plus half a cell.

    Counting cells instead (1 + ln(1 + value)/10, until 2026-12) hid the same cells on
    tables up to 1,500 cells but 5 % more than tau-Argus on 32 × 2 × 4 × 5: it let the
    perturbations run through the large national cells, each one a hub that later moves
    reused, where the count steers them through small states (docs/disclosure.md).
    """
    return np.maximum(values, 0).astype(np.float64) + 0.5


class Perturber:
    """The perturbation LP over columns y+ (0..n−1) and y− (n..2n−1), A·(y+ − y−) = 0."""

    def __init__(self, system: CellSystem, req: Requirements, hidden: npt.NDArray[np.bool_]):
        self.n = n = system.n
        self.system, self.req, self.hidden = system, req, hidden.copy()
        self.cost = cell_costs(system.values)
        # No cell needs to move further than the largest protection asked: bounding moves
        # by it only restricts the witnesses (still safe) and keeps the exact cuts tight.
        reach = float(max(int((req.up + req.down).max(initial=0)), 1))
        room_down = np.minimum(np.maximum(system.values - req.lower, 0), reach)
        self.upper = np.concatenate([np.full(n, reach), room_down.astype(np.float64)])
        self.upper[np.concatenate([req.fixed, req.fixed])] = 0.0
        a = sp.hstack([system.matrix, -system.matrix], format="csc")
        cost = self.unit_costs()
        # Presolve off: each solve is a small change to the last, so warm simplex wins.
        self.h = lp_model(
            a,
            np.concatenate([cost, cost]),
            np.zeros(2 * n),
            self.upper,
            np.zeros(a.shape[0]),
            presolve="off",
        )

    def unit_costs(self, hidden: npt.NDArray[np.bool_] | None = None) -> npt.NDArray[np.float64]:
        """Cost per unit of moving each cell: almost nothing once it is hidden (in `hidden`,
        by default the LP's own pattern)."""
        return np.where(self.hidden if hidden is None else hidden, _HIDDEN_COST, self.cost)

    def moves(self) -> list[Move]:
        """Finest primary cells first (most codes that are not totals: each level of a
        hierarchy counts, and of tables published together the larger table's cells come
        first), then the smallest; down before up: when a cell cannot go down far enough,
        it must go further up.

        The order decides which perturbations later moves find already hidden. In index
        order 32 × 2 × 4 × 5 (seeds 0–4) needed 634/774/687/608/616 LPs and hid
        997/1,245/1,115/1,078/971 cells; in this order 523/628/539/486/474 LPs and
        1,005/1,246/1,111/1,082/961 cells. Cells of 1 cannot fall at all: their rises,
        solved first, hide the larger cells that later moves reuse. Those rises are the
        dearest LPs (about 630 simplex iterations against 70–170 for a fall), so the
        iterations fell less than the LPs: 150k/236k/186k instead of 183k/255k/215k.
        """
        cells = np.flatnonzero(self.req.primary)
        codes = np.array([len(self.system.keys[c]) for c in cells.tolist()], dtype=np.int64)
        out: list[Move] = []
        for cell in cells[np.lexsort((self.system.values[cells], -codes))].tolist():
            if self.req.down[cell] > 0:
                out.append((cell, self.n + cell))
            out.append((cell, cell))
        return out

    def deepest_fall(self, cell: int) -> float:
        """How far down the cell can move at all (hidden cells stay ≥ L, zeros stay 0)."""
        column = self.n + cell
        # Only the fall counts here: every other cost is set to 0 (a fixed weight on the
        # fall cannot dominate costs that grow with the counts), then restored.
        aim = np.zeros(2 * self.n)
        aim[column] = -1.0
        self.set_costs(aim)
        self.h.changeColBounds(cell, 0.0, 0.0)
        self.h.run()
        fall = float(np.asarray(self.h.getSolution().col_value)[column])
        self.h.changeColBounds(cell, 0.0, float(self.upper[cell]))
        cost = self.unit_costs()
        self.set_costs(np.concatenate([cost, cost]))
        return fall

    def solve(self, move: Move) -> Solved:
        """Solve the LP with the move pinned; read the answer before the bounds are reset
        (HiGHS forgets its solution when the model changes)."""
        cell, column = move
        n = self.n
        amount = float(self.req.up[cell] if column == cell else self.req.down[cell])
        other = cell + n if column == cell else cell
        self.h.changeColBounds(column, amount, amount)
        self.h.changeColBounds(other, 0.0, 0.0)
        self.h.run()
        status = self.h.getModelStatus()
        if status not in (highspy.HighsModelStatus.kOptimal, highspy.HighsModelStatus.kInfeasible):
            raise RuntimeError(
                f"no perturbation protects {self.system.label(cell)} "
                f"(HiGHS: {self.h.modelStatusToString(status)})"
            )
        solved = None
        if status == highspy.HighsModelStatus.kOptimal:
            sol = self.h.getSolution()
            solved = Solved(
                self.h.getInfo().objective_function_value,
                np.array(sol.col_value, dtype=np.float64),
                np.array(sol.col_dual, dtype=np.float64),
            )
        self.h.changeColBounds(column, 0.0, float(self.upper[column]))
        self.h.changeColBounds(other, 0.0, float(self.upper[other]))
        return solved if solved is not None else Solved(np.inf, np.zeros(0), np.zeros(0))

    def witness(self, move: Move) -> npt.NDArray[np.int64]:
        """Cells a cheapest perturbation for `move` touches (the target included)."""
        y = self.perturbation(move)
        return np.zeros(0, dtype=np.int64) if y is None else support_of(y)

    def perturbation(self, move: Move) -> npt.NDArray[np.float64] | None:
        """A cheapest perturbation y (signed, per cell) for `move`, or None if none exists."""
        y = self.solve(move).values
        return None if y.size == 0 else y[: self.n] - y[self.n :]

    def set_costs(self, cost: npt.NDArray[np.float64]) -> None:
        """Cost per unit of every column (y+ then y−)."""
        idx = np.arange(2 * self.n, dtype=np.int32)
        self.h.changeColsCost(idx.size, idx, np.asarray(cost, dtype=np.float64))

    def hide(self, cells: npt.NDArray[np.int64]) -> None:
        self.hidden[cells] = True
        idx = np.concatenate([cells, cells + self.n]).astype(np.int32)
        self.h.changeColsCost(idx.size, idx, np.full(idx.size, _HIDDEN_COST))

    def _set_cell(self, cell: int, upper_plus: float, upper_minus: float) -> None:
        self.h.changeColBounds(cell, 0.0, upper_plus)
        self.h.changeColBounds(self.n + cell, 0.0, upper_minus)

    def forbid(self, cell: int) -> None:
        self._set_cell(cell, 0.0, 0.0)

    def allow(self, cell: int) -> None:
        self._set_cell(cell, float(self.upper[cell]), float(self.upper[self.n + cell]))


def suppress_heuristic(
    system: CellSystem,
    req: Requirements,
    suppressed: npt.NDArray[np.bool_] | None = None,
    *,
    prune_seconds: float = 30.0,
    deadline: float = float("inf"),
) -> Pattern:
    """Extend `suppressed` (default: the primaries) until every primary is protected.

    Returns the hidden cells, for each secondary cell a primary cell it protects, and the
    requirements as attained (a primary that cannot fall by `down` rises by more).
    """
    hidden = req.primary.copy() if suppressed is None else suppressed | req.primary
    req = replace(req, up=req.up.copy(), down=req.down.copy())
    lp = Perturber(system, req, hidden)
    from opsc.disclosure.local import LocalWitness  # local builds on Perturber

    local = LocalWitness(lp) if system.n > LOCAL_ABOVE else None
    witnesses: dict[Move, npt.NDArray[np.int64]] = {}
    moved: list[Moved] = []
    # Every perturbation found is a feasible point for the attacker: the moves it already
    # achieves for other primary cells need no LP of their own.
    best_up = np.zeros(system.n)
    best_down = np.zeros(system.n)
    best_up_of: dict[int, npt.NDArray[np.int64]] = {}
    best_down_of: dict[int, npt.NDArray[np.int64]] = {}
    solves = 0
    moves = lp.moves()

    def achieved(move: Move) -> npt.NDArray[np.int64] | None:
        """A known perturbation that already achieves `move`, if any."""
        cell, column = move
        if column == cell:
            return best_up_of[cell] if best_up[cell] >= req.up[cell] - TOL else None
        return best_down_of[cell] if best_down[cell] >= req.down[cell] - TOL else None

    from opsc.disclosure.lookahead import Lookahead  # it imports this module

    spare = Lookahead(local) if local is not None else None
    version = 0  # of the pattern and requirements: an answer solved ahead must match it
    try:
        for at, move in enumerate(moves):
            if time.perf_counter() > deadline:
                raise TimeoutError("no safe pattern found within the time limit")
            cell, column = move
            up = column == cell
            known = achieved(move)
            if known is not None:
                witnesses[move] = known
                if spare is not None:
                    spare.discard(at)
                continue
            solves += 1
            ready, y = False, None
            if spare is not None:
                # The next move needing an LP starts now, on this pattern, while this one's
                # answer (started at the move before) is awaited or solved here.
                later = (i for i in range(at + 1, len(moves)) if achieved(moves[i]) is None)
                following = next(later, None)
                if following is not None:
                    spare.start(following, moves[following], version)
                ready, y = spare.take(at, version)
            if not ready and local is not None:
                y = local.witness(move)
            if y is None:
                y = lp.perturbation(move)
            if y is None and not up:
                # The structure (hidden cells ≥ L) caps the fall: ask the rest of P upwards.
                fall = int(np.floor(lp.deepest_fall(cell) + 1e-9))
                width = req.up[cell] + req.down[cell]
                req.down[cell], req.up[cell] = fall, width - fall
                version += 1
                if fall == 0:
                    continue
                y = lp.perturbation(move)
            if y is None:
                raise RuntimeError(f"no perturbation protects {system.label(move[0])}")
            support = support_of(y)
            new = support[~lp.hidden[support]]
            if new.size:
                lp.hide(new)
                version += 1
            witnesses[move] = support
            moved.append((support, y[support]))
            _extend(y, support, lp, req, (best_up, best_up_of), (best_down, best_down_of))
    finally:
        if spare is not None:
            spare.close()
    # Pruning rarely publishes more than a few cells again (149 → 145 on 32 × 2 × 4): it
    # may solve as many LPs as the construction did. On large systems its neighbourhood
    # LPs published nothing again on 32 × 2 × 4 × 5 (seeds 0–2) for 0.2–0.8 s: skipped.
    # Counting LPs, not seconds, keeps it deterministic.
    budget = solves if local is None else 0
    _prune(lp, local, req, witnesses, budget, time.perf_counter() + prune_seconds)
    protects: dict[int, int] = {}
    for (primary, _), support in witnesses.items():
        for cell in support[~req.primary[support]]:
            protects.setdefault(int(cell), primary)
    return Pattern(lp.hidden, protects, req, witnesses, moved)


def _extend(
    y: npt.NDArray[np.float64],
    support: npt.NDArray[np.int64],
    lp: Perturber,
    req: Requirements,
    best_up: tuple[npt.NDArray[np.float64], dict[int, npt.NDArray[np.int64]]],
    best_down: tuple[npt.NDArray[np.float64], dict[int, npt.NDArray[np.int64]]],
) -> None:
    """Record, per primary cell on y's support, the furthest rise and fall that y achieves
    (with the support as witness): y stretched as far as the bounds allow, and reversed
    (−y, if the bounds allow it), are perturbations too, on the same hidden cells."""
    ahead, back = stretch(y[support], lp.upper[support], lp.upper[lp.n + support])
    (up, up_of), (down, down_of) = best_up, best_down
    for j in support[req.primary[support]].tolist():
        for z in (ahead * y[j], -back * y[j]):
            if z > up[j]:
                up[j], up_of[j] = z, support
            if -z > down[j]:
                down[j], down_of[j] = -z, support


def _prune(
    lp: Perturber,
    local: LocalWitness | None,
    req: Requirements,
    witnesses: dict[Move, npt.NDArray[np.int64]],
    budget: int,
    deadline: float,
) -> None:
    """Publish again each secondary cell whose witnesses can all be rerouted, within
    `budget` LP solves (and `deadline`, a safety net).

    On large systems a witness is rerouted on its neighbourhood only (no full LP): a cell
    whose witnesses cannot all be rerouted there simply stays hidden.
    """
    if budget <= 0:
        return  # before indexing the witnesses: about 0.05 s on 32 × 2 × 4 × 5
    users: dict[int, set[Move]] = {}
    for move, support in witnesses.items():
        for c in support.tolist():
            users.setdefault(c, set()).add(move)
    secondary = np.flatnonzero(lp.hidden & ~req.primary)
    for cell in secondary[np.argsort(-lp.cost[secondary], kind="stable")].tolist():
        if budget <= 0 or time.perf_counter() > deadline:
            return
        lp.forbid(cell)
        rerouted: dict[Move, npt.NDArray[np.int64]] = {}
        for move in sorted(users.get(cell, ())):
            budget -= 1
            if budget < 0 or time.perf_counter() > deadline:
                break
            support = _reroute(lp, local, move, cell)
            if support.size == 0 or not lp.hidden[support].all():
                break
            rerouted[move] = support
        else:
            lp.hidden[cell] = False
            for move, support in rerouted.items():
                for c in witnesses[move].tolist():
                    users[c].discard(move)
                for c in support.tolist():
                    users.setdefault(c, set()).add(move)
                witnesses[move] = support
            continue  # stays forbidden: it is published now
        lp.allow(cell)


def _reroute(
    lp: Perturber, local: LocalWitness | None, move: Move, forbidden: int
) -> npt.NDArray[np.int64]:
    if local is None:
        return lp.witness(move)
    y = local.witness(move, forbidden)
    return np.zeros(0, dtype=np.int64) if y is None else support_of(y)
