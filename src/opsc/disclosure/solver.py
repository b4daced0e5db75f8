"""A quiet HiGHS model from sparse arrays (shared plumbing, no disclosure logic)."""

from __future__ import annotations

import os
import sys
import threading
from typing import NamedTuple

import highspy
import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

_banner_shown = False
_banner_lock = threading.Lock()
INF = highspy.kHighsInf


def spare_cores() -> int:
    """Cores this process may use besides its own."""
    usable = os.sched_getaffinity(0) if hasattr(os, "sched_getaffinity") else None
    return max((len(usable) if usable else os.cpu_count() or 1) - 1, 0)


class Columns(NamedTuple):
    """A constraint matrix in compressed-column arrays, as HiGHS takes it (int32 indices).

    Building a scipy matrix for each small LP costs more than the LP's load (about 0.5 ms).
    """

    rows: int
    indptr: npt.NDArray[np.int32]
    indices: npt.NDArray[np.int32]
    data: npt.NDArray[np.float64]

    @property
    def cols(self) -> int:
        return self.indptr.size - 1

    def take(self, keep: npt.NDArray[np.bool_]) -> Columns:
        """The columns where `keep` is true, in order."""
        starts, ends = self.indptr[:-1][keep], self.indptr[1:][keep]
        lengths = ends - starts
        at = np.repeat(starts - np.cumsum(lengths) + lengths, lengths) + np.arange(
            int(lengths.sum())
        )
        indptr = np.concatenate([[0], np.cumsum(lengths)]).astype(np.int32)
        return Columns(self.rows, indptr, self.indices[at], self.data[at])

    @classmethod
    def of(cls, a: sp.spmatrix | Columns) -> Columns:
        if isinstance(a, Columns):
            return a
        csc = sp.csc_matrix(a)
        return cls(
            int(csc.shape[0]),
            csc.indptr.astype(np.int32),
            csc.indices.astype(np.int32),
            csc.data.astype(np.float64),
        )


def _quiet_highs() -> highspy.Highs:
    """HiGHS prints a banner on stdout when the first model is made: keep `--json` clean.

    Locked: stdout is swapped for the whole process, and workers make solvers too.
    """
    global _banner_shown
    with _banner_lock:
        if _banner_shown:
            return highspy.Highs()  # type: ignore[no-untyped-call]
        sys.stdout.flush()
        saved = os.dup(1)
        try:
            with open(os.devnull, "w") as null:
                os.dup2(null.fileno(), 1)
                h = highspy.Highs()  # type: ignore[no-untyped-call]
        finally:
            os.dup2(saved, 1)
            os.close(saved)
        _banner_shown = True
        return h


def lp_model(
    a: sp.spmatrix | Columns,
    cost: npt.NDArray[np.float64],
    col_lower: npt.NDArray[np.float64],
    col_upper: npt.NDArray[np.float64],
    rhs: npt.NDArray[np.float64],
    **options: bool | float | str,
) -> highspy.Highs:
    """min cost·x subject to a·x = rhs and column bounds, ready to `run()`."""
    h = _quiet_highs()
    h.setOptionValue("output_flag", False)
    h.setOptionValue("threads", 1)  # small warm-started LPs: threads only add overhead
    for name, value in options.items():
        h.setOptionValue(name, value)
    load_lp(h, a, cost, col_lower, col_upper, rhs)
    return h


def load_lp(
    h: highspy.Highs,
    a: sp.spmatrix | Columns,
    cost: npt.NDArray[np.float64],
    col_lower: npt.NDArray[np.float64],
    col_upper: npt.NDArray[np.float64],
    rhs: npt.NDArray[np.float64],
) -> None:
    """Replace the model of `h` (its options stay): reusing one solver saves its set-up.

    Passed as flat arrays: about 50 times faster than filling a `HighsLp` (1 ms a model),
    which mattered when one small LP is loaded per primary cell.
    """
    cols = Columns.of(a)
    bound = np.asarray(rhs, dtype=np.float64)
    status = h.passModel(
        cols.cols,
        cols.rows,
        int(cols.indptr[-1]),
        int(highspy.MatrixFormat.kColwise),
        int(highspy.ObjSense.kMinimize),
        0.0,
        np.asarray(cost, dtype=np.float64),
        np.asarray(col_lower, dtype=np.float64),
        np.asarray(col_upper, dtype=np.float64),
        bound,
        bound,
        cols.indptr,
        cols.indices,
        cols.data,
        np.zeros(cols.cols, dtype=np.int32),  # every column continuous
    )
    if status == highspy.HighsStatus.kError:
        raise RuntimeError(f"HiGHS refused an LP of {cols.rows} rows and {cols.cols} columns")


def solve_bounded(
    h: highspy.Highs | None,
    a: Columns,
    cost: npt.NDArray[np.float64],
    lower: npt.NDArray[np.float64],
    upper: npt.NDArray[np.float64],
    keep: npt.NDArray[np.bool_],
    start: Start | None = None,
) -> tuple[highspy.Highs, npt.NDArray[np.float64] | None]:
    """min cost·x subject to a·x = 0 and lower ≤ x ≤ upper, on the columns in `keep` (the
    others stay 0 and out of the LP, which is then smaller), from the `start` basis if any.

    Loads the LP into `h` (made if None, presolve off: these LPs are small) and returns the
    solver with every column's value (0 for those left out), or None when there is no
    optimum.
    """
    args = (a.take(keep), cost[keep], lower[keep], upper[keep], np.zeros(a.rows))
    if h is None:
        h = lp_model(*args, presolve="off")
    else:
        load_lp(h, *args)
    if start is not None:
        set_start(h, start.basic[keep], start.rows[keep[start.basic]])
    h.run()
    return h, solution(h, keep)


def solution(h: highspy.Highs, keep: npt.NDArray[np.bool_]) -> npt.NDArray[np.float64] | None:
    """After `run()`: every column's value, 0 for those not in `keep` (so not in the
    model), or None when there is no optimum."""
    if h.getModelStatus() != highspy.HighsModelStatus.kOptimal:
        return None
    x = np.zeros(keep.size)
    x[keep] = h.getSolution().col_value
    return x


class Start(NamedTuple):
    """A starting basis: the columns in it, and for each a row whose slack leaves it."""

    basic: npt.NDArray[np.bool_]
    rows: npt.NDArray[np.int64]


_STATUS = np.array([highspy.HighsBasisStatus.kLower, highspy.HighsBasisStatus.kBasic])


def set_start(h: highspy.Highs, basic: npt.NDArray[np.bool_], rows: npt.NDArray[np.int64]) -> None:
    """Start the simplex from `basic` columns (the others at their lower bound) and every
    row's slack but those of `rows`; HiGHS repairs the basis if it is singular."""
    row_basic = np.ones(h.getNumRow(), dtype=np.bool_)
    row_basic[rows] = False
    basis = highspy.HighsBasis()
    basis.col_status = _STATUS[basic.view(np.uint8)].tolist()  # twice as fast as a list
    basis.row_status = _STATUS[row_basic.view(np.uint8)].tolist()
    basis.valid = True
    basis.alien = True
    h.setBasis(basis)
