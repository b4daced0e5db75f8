"""Solve the next move's local LP on a spare core while this one is solved.

The construction is sequential: a move's LP depends on the cells hidden before it. Yet about
three moves in four hide no new cell, so the next move's LP, solved at the same time on the
same pattern, is usually what the sequential loop would solve next. Its answer is taken when
the pattern has not changed since, or when it hides no new cell (a perturbation through
hidden cells stays valid however many more are hidden); otherwise the move is solved again.

The rule depends only on the answers, never on timing: with no spare core the move is
solved ahead lazily, on the same copy of the pattern, so the pattern is the same on any
number of cores. HiGHS releases the GIL while it solves, so two LPs run at once.
"""

from __future__ import annotations

import os
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt

if TYPE_CHECKING:
    from opsc.disclosure.heuristic import Move
    from opsc.disclosure.local import LocalWitness

Witness = npt.NDArray[np.float64] | None
_TOL = 1e-7


def spare_cores() -> int:
    """Cores this process may use besides its own."""
    return max(len(os.sched_getaffinity(0)) - 1, 0)


@dataclass
class _Ahead:
    at: int
    move: Move
    version: int
    hidden: npt.NDArray[np.bool_]  # the pattern it is solved on
    future: Future[Witness] | None  # None: solved when asked for (no spare core)


class Lookahead:
    """At most one move solved ahead, on a copy of the pattern."""

    def __init__(self, local: LocalWitness) -> None:
        self.local = local
        self.pool = ThreadPoolExecutor(1, "opsc-lookahead") if spare_cores() else None
        self.pending: _Ahead | None = None
        self.taken = 0

    def start(self, at: int, move: Move, version: int) -> None:
        """Solve move number `at` on the current pattern (`version`) ahead of its turn."""
        hidden = self.local.lp.hidden.copy()  # the caller hides cells meanwhile
        future = None
        if self.pool is not None:
            future = self.pool.submit(self.local.witness, move, -1, hidden)
        self.pending = _Ahead(at, move, version, hidden, future)

    def take(self, at: int, version: int) -> tuple[bool, Witness]:
        """(True, its answer) when move `at` was solved ahead and the answer still holds."""
        pending, self.pending = self.pending, None
        if pending is None or pending.at != at:
            return False, None
        if pending.future is not None:
            y = pending.future.result()
        else:
            y = self.local.witness(pending.move, -1, pending.hidden)
        changed = version != pending.version
        if changed and (y is None or not self.local.lp.hidden[np.abs(y) > _TOL].all()):
            return False, None  # its new cells were chosen on an older pattern
        self.taken += 1
        return True, y

    def close(self) -> None:
        if self.pool is not None:
            self.pool.shutdown(wait=True)
