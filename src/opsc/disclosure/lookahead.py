"""Solve the next move's local LP on a spare core while this one is solved.

The construction is sequential: a move's LP depends on the cells hidden before it. Yet about
three moves in four hide no new cell, so the next move's LP, solved at the same time on a
copy of the pattern and of its requirement, is usually what the sequential loop would solve
next. Its answer is taken when nothing has changed since, or when it moves hidden cells only
and still meets the move's requirement now (a perturbation through hidden cells stays valid
however many more are hidden); otherwise the move is solved again.

The rule depends only on the answers, never on timing: with no spare core the move is
solved ahead when its turn comes, on the same copies, so the pattern is the same on any
number of cores. That costs a single core the answers it then rejects (about one in eight
on 32 × 2 × 4 × 5). HiGHS releases the GIL while it solves, so two LPs run at once.
"""

from __future__ import annotations

import os
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from opsc.disclosure.heuristic import Move, support_of

if TYPE_CHECKING:
    from opsc.disclosure.local import LocalWitness

Witness = npt.NDArray[np.float64] | None
_TOL = 1e-7


def spare_cores() -> int:
    """Cores this process may use besides its own."""
    usable = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    return max((len(usable) if usable else os.cpu_count() or 1) - 1, 0)


@dataclass
class _Ahead:
    at: int
    move: Move
    version: int
    hidden: npt.NDArray[np.bool_]  # the pattern it is solved on
    amount: float  # the move's requirement then
    future: Future[Witness] | None  # None: solved when asked for (no spare core)


class Lookahead:
    """At most one move solved ahead, on copies of the pattern and requirement."""

    def __init__(self, local: LocalWitness) -> None:
        self.local = local
        self.pool = ThreadPoolExecutor(1, "opsc-lookahead") if spare_cores() else None
        self.pending: _Ahead | None = None
        self.taken = 0

    def start(self, at: int, move: Move, version: int) -> None:
        """Solve move number `at` on the current pattern (`version`) ahead of its turn."""
        self._drop()
        hidden = self.local.lp.hidden.copy()  # the caller hides cells meanwhile
        amount = self.local.required(move)  # and may lower or raise it
        future = None
        if self.pool is not None:
            future = self.pool.submit(self.local.witness, move, -1, hidden, amount)
        self.pending = _Ahead(at, move, version, hidden, amount, future)

    def take(self, at: int, version: int) -> tuple[bool, Witness]:
        """(True, its answer) when move `at` was solved ahead and the answer still holds."""
        pending = self.pending
        if pending is None or pending.at != at:
            self._drop()
            return False, None
        self.pending = None
        if pending.future is not None:
            y = pending.future.result()
        else:
            y = self.local.witness(pending.move, -1, pending.hidden, pending.amount)
        if version != pending.version and not self._still_holds(pending.move, y):
            return False, None
        self.taken += 1
        return True, y

    def _still_holds(self, move: Move, y: Witness) -> bool:
        """Whether an answer found before the last change is still a witness now."""
        if y is None:
            return False  # solved again: the change may have opened a route
        cell, column = move
        moved = y[cell] if column == cell else -y[cell]
        hidden = self.local.lp.hidden
        return bool(hidden[support_of(y)].all()) and moved >= self.local.required(move) - _TOL

    def _drop(self) -> None:
        """Forget the move solved ahead (its LP is cancelled if it has not started)."""
        if self.pending is not None and self.pending.future is not None:
            self.pending.future.cancel()
        self.pending = None

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
