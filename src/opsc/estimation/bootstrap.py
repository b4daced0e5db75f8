"""Seeded multinomial bootstrap with BCa intervals; model selection is redone per replicate.

The acceleration comes from the delete-one jackknife over people: removing one person
from each non-empty cell, weighted by the cell's count (Silverman, Chan & Vincent 2024).
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np
from scipy.stats import norm

from opsc.estimation.errors import EstimationError
from opsc.estimation.table import OverlapTable

Estimator = Callable[[OverlapTable], float]


@dataclass(frozen=True)
class BootstrapInterval:
    low: float
    high: float
    level: float
    replicates: int
    failed: int  # replicates where the estimate was not available
    seed: int
    bias_correction: float  # z0
    acceleration: float  # a
    percentile_low: float
    percentile_high: float


def _safe(estimator: Estimator, table: OverlapTable) -> float:
    try:
        value = estimator(table)
    except EstimationError:
        return float("nan")
    return value if np.isfinite(value) else float("nan")


def _run_chunk(args: tuple[Estimator, OverlapTable, list[list[int]]]) -> list[float]:
    estimator, table, samples = args
    return [_safe(estimator, table.with_counts(np.asarray(s, dtype=float))) for s in samples]


def resample(table: OverlapTable, n_boot: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    n = table.observed
    return rng.multinomial(n, table.counts / table.counts.sum(), size=n_boot)


def bca_interval(
    table: OverlapTable,
    estimator: Estimator,
    n_boot: int = 1000,
    seed: int = 1234,
    level: float = 0.95,
    workers: int = 1,
) -> BootstrapInterval:
    """BCa interval for `estimator` over `n_boot` multinomial replicates of `table`."""
    estimate = estimator(table)
    samples = resample(table, n_boot, seed).tolist()
    cells = [int(c) for c in np.flatnonzero(table.counts > 0)]
    jack_tables = []
    for c in cells:
        counts = table.counts.copy()
        counts[c] -= 1
        jack_tables.append(counts.tolist())
    everything = samples + jack_tables
    if workers > 1:
        size = -(-len(everything) // (4 * workers))
        chunks = [everything[i : i + size] for i in range(0, len(everything), size)]
        with ProcessPoolExecutor(max_workers=workers) as pool:
            values = [
                v
                for part in pool.map(_run_chunk, [(estimator, table, c) for c in chunks])
                for v in part
            ]
    else:
        values = _run_chunk((estimator, table, everything))
    boots = np.asarray(values[:n_boot])
    jack = np.asarray(values[n_boot:])
    usable = boots[np.isfinite(boots)]
    weights = table.counts[cells]
    ok = np.isfinite(jack)
    jack_mean = float(np.sum(weights[ok] * jack[ok]) / np.sum(weights[ok]))
    d = jack_mean - jack[ok]
    denom = float(np.sum(weights[ok] * d**2))
    accel = float(np.sum(weights[ok] * d**3) / (6.0 * denom**1.5)) if denom > 0 else 0.0
    share = (np.sum(usable < estimate) + 0.5 * np.sum(usable == estimate)) / len(usable)
    z0 = float(norm.ppf(np.clip(share, 1e-6, 1 - 1e-6)))
    tail = (1.0 - level) / 2.0
    ends = []
    for alpha in (tail, 1.0 - tail):
        z = float(norm.ppf(alpha))
        adjusted = float(norm.cdf(z0 + (z0 + z) / (1.0 - accel * (z0 + z))))
        ends.append(float(np.quantile(usable, adjusted)))
    return BootstrapInterval(
        low=ends[0],
        high=ends[1],
        level=level,
        replicates=n_boot,
        failed=int(n_boot - len(usable)),
        seed=seed,
        bias_correction=z0,
        acceleration=accel,
        percentile_low=float(np.quantile(usable, tail)),
        percentile_high=float(np.quantile(usable, 1.0 - tail)),
    )
