"""A quiet HiGHS model from sparse arrays (shared plumbing, no disclosure logic)."""

from __future__ import annotations

import os
import sys

import highspy
import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

_banner_shown = False
INF = highspy.kHighsInf


def _quiet_highs() -> highspy.Highs:
    """HiGHS prints a banner on stdout when the first model is made: keep `--json` clean."""
    global _banner_shown
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
    a: sp.spmatrix,
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
    a: sp.spmatrix,
    cost: npt.NDArray[np.float64],
    col_lower: npt.NDArray[np.float64],
    col_upper: npt.NDArray[np.float64],
    rhs: npt.NDArray[np.float64],
) -> None:
    """Replace the model of `h` (its options stay): reusing one solver saves its set-up.

    Passed as flat arrays: about 50 times faster than filling a `HighsLp` (1 ms a model),
    which mattered when one small LP is loaded per primary cell.
    """
    csc = sp.csc_matrix(a)
    num_col, num_row = csc.shape[1], csc.shape[0]
    bound = np.asarray(rhs, dtype=np.float64)
    status = h.passModel(
        num_col,
        num_row,
        int(csc.nnz),
        int(highspy.MatrixFormat.kColwise),
        int(highspy.ObjSense.kMinimize),
        0.0,
        np.asarray(cost, dtype=np.float64),
        np.asarray(col_lower, dtype=np.float64),
        np.asarray(col_upper, dtype=np.float64),
        bound,
        bound,
        csc.indptr.astype(np.int32),
        csc.indices.astype(np.int32),
        csc.data.astype(np.float64),
        np.zeros(num_col, dtype=np.int32),  # every column continuous
    )
    if status == highspy.HighsStatus.kError:
        raise RuntimeError(f"HiGHS refused an LP of {num_row} rows and {num_col} columns")
