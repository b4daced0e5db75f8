"""Feasible points offered to the audit, which checks them before they count.

The suppression knows, for each primary cell, perturbations that move it through hidden
cells; each is a feasible point for an attacker, so it proves part of the cell's interval
without an LP. The audit trusts none of them: it checks the base table against every
published value, every equation and the bound L, and each direction against the equations
(moving hidden cells only), then stretches each direction as far as L allows. A wrong
pattern cannot pass on them: a checked point is feasible, so it only shows room that exists;
a primary cell they do not settle gets its LPs as before.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

Key = tuple[tuple[str, str], ...]
_TOL = 1e-6


@dataclass(frozen=True)
class Certificates:
    """A table that satisfies every published value (`base`, one value per cell of `keys`,
    hidden or not) and directions in which it can move (one sparse row each, same cells)."""

    keys: Sequence[Key]
    base: npt.NDArray[np.float64]
    directions: sp.csr_matrix


def directions_matrix(
    moves: Sequence[tuple[npt.NDArray[np.int64], npt.NDArray[np.float64]]], n: int
) -> sp.csr_matrix:
    """One row per move given as (cells, signed amounts), over `n` cells."""
    if not moves:
        return sp.csr_matrix((0, n))
    indptr = np.concatenate([[0], np.cumsum([cells.size for cells, _ in moves])])
    indices = np.concatenate([cells for cells, _ in moves])
    data = np.concatenate([amounts for _, amounts in moves])
    return sp.csr_matrix((data, indices, indptr), shape=(len(moves), n))


def certified_ranges(
    offered: Certificates | None,
    index: Mapping[Key, int],
    equations: sp.csr_matrix,
    published: npt.NDArray[np.float64],
    lower: float,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Per cell of the audit (`index`: key → column of `equations`; `published`: nan when
    hidden), the lowest and highest value among the checked points; +inf and −inf where
    none passed."""
    n = published.size
    lo, hi = np.full(n, np.inf), np.full(n, -np.inf)
    if offered is None or len(offered.keys) != n:
        return lo, hi
    at = np.array([index.get(key, -1) for key in offered.keys], dtype=np.int64)
    if (at < 0).any() or np.unique(at).size != n:
        return lo, hi  # not the same cells: nothing to check against
    base = np.empty(n)
    base[at] = offered.base
    hidden = np.isnan(published)
    shown = ~hidden
    if (
        np.abs(base[shown] - published[shown]).max(initial=0.0) > _TOL
        or (base[hidden] < lower - _TOL).any()
        or np.abs(equations @ base).max(initial=0.0) > _TOL
    ):
        return lo, hi
    lo[hidden] = hi[hidden] = base[hidden]
    moves = offered.directions.tocsc()[:, np.argsort(at)].tocsr()  # columns in audit order
    touches_shown = np.asarray(np.abs(moves[:, shown]).sum(axis=1)).ravel() > 0
    breaks = np.abs(equations @ moves.T).max(axis=0).toarray().ravel() > _TOL
    moves = moves[~(touches_shown | breaks)]
    moves.eliminate_zeros()
    if moves.nnz == 0:
        return lo, hi
    rows = np.repeat(np.arange(moves.shape[0]), np.diff(moves.indptr))
    cols, step = moves.indices, moves.data
    room = np.maximum(base[cols] - lower, 0.0) / np.abs(step)  # until that cell reaches L
    ahead = np.full(moves.shape[0], np.inf)  # how far each direction goes forwards
    back = np.full(moves.shape[0], np.inf)  # and backwards
    np.minimum.at(ahead, rows[step < 0], room[step < 0])
    np.minimum.at(back, rows[step > 0], room[step > 0])
    with np.errstate(invalid="ignore"):
        far, near = base[cols] + ahead[rows] * step, base[cols] - back[rows] * step
    np.minimum.at(lo, cols, np.minimum(far, near))
    np.maximum.at(hi, cols, np.maximum(far, near))
    return lo, hi
