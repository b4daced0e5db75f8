"""Feasible points offered to the audit, which checks them before they count.

The suppression knows, for each primary cell, perturbations that move it through hidden
cells; each is a feasible point for an attacker, so it proves part of the cell's interval
without an LP. The audit trusts none of them. It checks the base table (finite, every
published value, every equation, hidden cells at L or above); it drops each direction that
touches a published cell; it stretches the rest as far as L allows (at most _FAR), after
summing any cell listed twice; and it keeps a direction only if both its ends keep every
equation, which a tiny direction that breaks one would not once stretched. A wrong pattern
cannot pass on them: a checked point is feasible, so it only shows room that exists; a
primary cell they do not settle gets its LPs as before.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

Key = tuple[tuple[str, str], ...]
_TOL = 1e-6
_FAR = 1e6  # furthest a checked point moves any cell (counts are far below)


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
    keys: Sequence[Key],
    equations: sp.csr_matrix,
    published: npt.NDArray[np.float64],
    lower: float,
) -> tuple[npt.NDArray[np.float64], npt.NDArray[np.float64]]:
    """Per cell of the audit (`keys`, in the order of the columns of `equations`;
    `published`: nan when hidden), the lowest and highest value among the checked points;
    +inf and −inf where none passed."""
    n = published.size
    lo, hi = np.full(n, np.inf), np.full(n, -np.inf)
    at = _same_cells(offered, keys)
    if offered is None or at is None:
        return lo, hi
    base = np.full(n, np.nan)
    base[at] = offered.base
    if not _feasible(base, equations, published, lower):
        return lo, hi
    hidden = np.isnan(published)
    lo[hidden] = hi[hidden] = base[hidden]
    moves = sp.csr_matrix(offered.directions.tocsc()[:, np.argsort(at)])  # audit order
    moves.sum_duplicates()  # a cell listed twice must not count its room twice
    moves.eliminate_zeros()
    touches_shown = np.asarray(abs(moves[:, ~hidden]).sum(axis=1)).ravel() > 0
    moves = moves[~touches_shown & (np.diff(moves.indptr) > 0)]
    if moves.nnz == 0:
        return lo, hi
    rows = np.repeat(np.arange(moves.shape[0]), np.diff(moves.indptr))
    cols, step = moves.indices, moves.data
    room = np.maximum(base[cols] - lower, 0.0) / np.abs(step)  # until that cell reaches L
    # No cell need move further than _FAR: a direction nothing stops still ends somewhere,
    # so its end can be checked against the equations like any point.
    biggest = np.zeros(moves.shape[0])
    np.maximum.at(biggest, rows, np.abs(step))
    ahead = _FAR / biggest  # how far each direction goes forwards
    back = ahead.copy()  # and backwards
    np.minimum.at(ahead, rows[step < 0], room[step < 0])
    np.minimum.at(back, rows[step > 0], room[step > 0])
    # The ends must keep every equation, not the direction alone: a tiny direction that
    # breaks one would pass a test on A·d and then be stretched without bound.
    residual = abs(equations @ moves.T).tocsc()
    off = np.zeros(moves.shape[0])
    if residual.nnz:
        off = np.asarray(residual.max(axis=0).todense()).ravel()
    keep = np.maximum(ahead, back) * off <= _TOL
    far, near = base[cols] + ahead[rows] * step, base[cols] - back[rows] * step
    kept = keep[rows]
    np.minimum.at(lo, cols[kept], np.minimum(far, near)[kept])
    np.maximum.at(hi, cols[kept], np.maximum(far, near)[kept])
    return lo, hi


def _same_cells(offered: Certificates | None, keys: Sequence[Key]) -> npt.NDArray[np.int64] | None:
    """Where each offered cell sits among the audit's `keys`, if the offer is of exactly
    those cells, with finite values and directions as wide; else None."""
    n = len(keys)
    if (
        offered is None
        or len(offered.keys) != n
        or offered.base.shape != (n,)
        or offered.directions.shape[1] != n
        or not np.isfinite(offered.base).all()
        or not np.isfinite(offered.directions.data).all()
    ):
        return None
    index = {key: j for j, key in enumerate(keys)}
    at = np.array([index.get(key, -1) for key in offered.keys], dtype=np.int64)
    if (at < 0).any() or np.unique(at).size != n:
        return None  # not the same cells: nothing to check against
    return at


def _feasible(
    base: npt.NDArray[np.float64],
    equations: sp.csr_matrix,
    published: npt.NDArray[np.float64],
    lower: float,
) -> bool:
    """Whether `base` is a table the attacker cannot rule out: every published value, every
    equation, hidden cells at L or above. Each test asks for what must hold, so a NaN
    anywhere fails it."""
    hidden = np.isnan(published)
    shown = ~hidden
    return bool(
        np.abs(base[shown] - published[shown]).max(initial=0.0) <= _TOL
        and (base[hidden] >= lower - _TOL).all()
        and np.abs(equations @ base).max(initial=0.0) <= _TOL
    )
