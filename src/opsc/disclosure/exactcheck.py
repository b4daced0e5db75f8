"""Fast exact-disclosure check: which hidden cells does the published table determine?

One interior-point solve finds a point in the relative interior of the attacker's feasible
set {z : A·z = b, z ≥ L}; cells that sit at L there are pinned to L everywhere. For the
others, the feasible set's affine hull is the null space of A: a cell is determined exactly
when that null space has a zero in its coordinate, which the projection of one random
vector onto the null space shows (with probability one) — one sparse least-squares solve
for the whole block instead of two LPs per cell.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp
from scipy.sparse.linalg import lsqr

from opsc.disclosure.solver import INF, lp_model

_PIN = 1e-5  # distance from L below which an interior point says "pinned at L"
_ZERO = 1e-7  # relative size of a null-space coordinate treated as zero


def interior_point(
    a: sp.csc_matrix, rhs: npt.NDArray[np.float64], lower: float
) -> npt.NDArray[np.float64]:
    """A point of {a·z = rhs, z ≥ lower} in its relative interior (IPM, no crossover)."""
    n = a.shape[1]
    # presolve would push the point to a vertex; crossover too
    h = lp_model(
        a,
        np.zeros(n),
        np.full(n, lower),
        np.full(n, INF),
        rhs,
        solver="ipm",
        run_crossover="off",
        presolve="off",
    )
    h.run()
    return np.asarray(h.getSolution().col_value, dtype=np.float64)


def null_space_zero(a: sp.spmatrix, seed: int = 0) -> npt.NDArray[np.bool_]:
    """Per column of `a`: is that coordinate zero on the whole null space of `a`?"""
    n = a.shape[1]
    if a.shape[0] == 0:
        return np.zeros(n, dtype=np.bool_)
    w = np.random.default_rng(seed).standard_normal(n)
    lam = lsqr(sp.csr_matrix(a.T), w, atol=1e-12, btol=1e-12, iter_lim=20 * (n + 10))[0]
    r = w - a.T @ lam
    return np.asarray(np.abs(r) < _ZERO * np.sqrt(n), dtype=np.bool_)


def determined_cells(
    a: sp.csc_matrix, rhs: npt.NDArray[np.float64], lower: float
) -> npt.NDArray[np.int64]:
    """Columns whose value every feasible point shares (exactly disclosed cells)."""
    z = interior_point(a, rhs, lower)
    pinned = z - lower < _PIN
    free = np.flatnonzero(~pinned)
    zero = null_space_zero(a[:, free]) if free.size else np.zeros(0, dtype=np.bool_)
    return np.sort(np.concatenate([np.flatnonzero(pinned), free[zero]]))
