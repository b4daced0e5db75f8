"""Seeded closed-population simulations with known truth, for coverage and sensitivity.

A population of `size` children is captured by each list independently given a latent
visibility z ~ N(0, heterogeneity) shared across lists (unmodelled heterogeneity biases
MSE down), plus a log-odds boost `dependence` on list B for children on list A (a
pairwise dependence a two-way term can absorb). Linkage errors are imitated afterwards:
a child's records split into two people with probability `split`, and pairs of children
merge into one with probability `merge`. The synthetic country generator (`opsc.synth`)
will replace this for end-to-end studies; this one isolates the estimator.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from opsc.estimation.table import OverlapTable

LISTS = ("A", "B", "C", "D", "E")


@dataclass(frozen=True)
class Scenario:
    size: int = 2000
    capture: tuple[float, ...] = (0.10, 0.15, 0.20, 0.12, 0.25)
    heterogeneity: float = 0.0  # sd of the shared latent log-odds
    dependence: float = 0.0  # log-odds boost on list B for children on list A
    split: float = 0.0
    merge: float = 0.0


def capture_histories(scenario: Scenario, rng: np.random.Generator) -> npt.NDArray[np.bool_]:
    """One row per child of the population, one column per list (True: recorded)."""
    logit = np.log(np.asarray(scenario.capture) / (1 - np.asarray(scenario.capture)))
    z = rng.normal(0.0, scenario.heterogeneity, size=(scenario.size, 1))
    on: npt.NDArray[np.bool_] = rng.random((scenario.size, len(logit))) < 1 / (
        1 + np.exp(-(logit + z))
    )
    if scenario.dependence and len(logit) > 1:
        boosted = 1 / (1 + np.exp(-(logit[1] + z[:, 0] + scenario.dependence)))
        on[:, 1] = np.where(on[:, 0], rng.random(scenario.size) < boosted, on[:, 1])
    return on


def with_linkage_errors(
    histories: npt.NDArray[np.bool_], split: float, merge: float, rng: np.random.Generator
) -> npt.NDArray[np.bool_]:
    """Recorded children as linkage would see them: some split in two, some merged."""
    seen = histories[histories.any(axis=1)]
    rows: list[npt.NDArray[np.bool_]] = []
    for row in seen:
        lists = np.flatnonzero(row)
        if len(lists) > 1 and rng.random() < split:
            cut = rng.integers(1, len(lists))
            part = rng.permutation(lists)
            for piece in (part[:cut], part[cut:]):
                new = np.zeros_like(row)
                new[piece] = True
                rows.append(new)
        else:
            rows.append(row)
    out = np.asarray(rows)
    n_merge = rng.binomial(len(out) // 2, merge)
    if n_merge:
        order = rng.permutation(len(out))
        first, second = order[:n_merge], order[n_merge : 2 * n_merge]
        out[first] |= out[second]
        out = np.delete(out, second, axis=0)
    return out


def to_table(histories: npt.NDArray[np.bool_], lists: tuple[str, ...] = LISTS) -> OverlapTable:
    masks = histories.astype(np.int64) @ (1 << np.arange(histories.shape[1]))
    counts = np.bincount(masks, minlength=2 ** histories.shape[1])[1:]
    return OverlapTable(lists[: histories.shape[1]], counts.astype(np.float64))


def simulate(scenario: Scenario, seed: int) -> OverlapTable:
    """The overlap table one replication of `scenario` yields."""
    rng = np.random.default_rng(seed)
    histories = capture_histories(scenario, rng)
    if scenario.split or scenario.merge:
        histories = with_linkage_errors(histories, scenario.split, scenario.merge, rng)
    return to_table(histories[histories.any(axis=1)])
