"""Solve the next moves' local LPs on spare cores while the construction goes on.

The construction is sequential: a move's LP depends on the cells hidden before it. Yet about
three moves in four hide no new cell, so a move's LP, solved ahead on a copy of the pattern
and of its requirement, is usually what the sequential loop would solve. Its answer is
taken when nothing has changed since, or when it moves hidden cells only and still meets
the move's requirement now (a perturbation through hidden cells stays valid however many
more are hidden); otherwise the move is solved again.

Each move is started ahead when the loop reaches the move before it, so two LPs are always
in flight on two workers while the loop only waits and books: one pair at a time, as
before 2026-12-02, waited each time for the slower of the two. The rule depends only on the
answers, never on timing: with no spare core a move is solved ahead when its turn comes, on
the same copies, so the pattern is the same on any number of cores. That costs a single
core the answers it then rejects (64 of 549 on 32 × 2 × 4 × 5, seed 1). HiGHS releases the
GIL while it solves, so two LPs run at once.
"""

from __future__ import annotations

import os
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

from opsc.disclosure.heuristic import TOL, Move, support_of

if TYPE_CHECKING:
    from opsc.disclosure.local import LocalWitness

Witness = npt.NDArray[np.float64] | None
_WORKERS = 2  # the move waited for and the one after it: more would be solved on older
# patterns, and rejected more often


def spare_cores() -> int:
    """Cores this process may use besides its own."""
    usable = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    return max((len(usable) if usable else os.cpu_count() or 1) - 1, 0)


@dataclass
class _Ahead:
    move: Move
    version: int
    hidden: npt.NDArray[np.bool_]  # the pattern it is solved on
    amount: float  # the move's requirement then
    future: Future[Witness] | None  # None: solved when asked for (no spare core)


class Lookahead:
    """Moves solved ahead, by their place in the construction's list of moves."""

    def __init__(self, local: LocalWitness) -> None:
        self.local = local
        self.pool = ThreadPoolExecutor(_WORKERS, "opsc-lookahead") if spare_cores() else None
        self.pending: dict[int, _Ahead] = {}
        self.taken = 0

    def start(self, at: int, move: Move, version: int) -> None:
        """Solve move number `at` on the current pattern (`version`) ahead of its turn."""
        if at in self.pending:
            return
        hidden = self.local.lp.hidden.copy()  # the caller hides cells meanwhile
        amount = self.local.required(move)  # and may lower or raise it
        future = None
        if self.pool is not None:
            future = self.pool.submit(self.local.witness, move, -1, hidden, amount)
        self.pending[at] = _Ahead(move, version, hidden, amount, future)

    def take(self, at: int, version: int) -> tuple[bool, Witness]:
        """(True, its answer) when move `at` was solved ahead and the answer still holds."""
        pending = self.pending.pop(at, None)
        if pending is None:
            return False, None
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
        return bool(hidden[support_of(y)].all()) and moved >= self.local.required(move) - TOL

    def discard(self, at: int) -> None:
        """Forget move `at` if it was started (the loop found its answer meanwhile): its
        LP is cancelled if it has not started, so the worker is free for the next."""
        pending = self.pending.pop(at, None)
        if pending is not None and pending.future is not None:
            pending.future.cancel()

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True, cancel_futures=True)
