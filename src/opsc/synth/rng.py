"""Seeded random streams: one independent stream per component, so that adding a
component (or changing how much one draws) never shifts what another generates."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

# Stable stream numbers; never renumber (that would change every generated country).
STREAMS = {
    "geography": 1,
    "cases": 2,
    "children": 3,
    "identity": 4,
    "perpetrators": 5,
    "capture": 6,
    "noise": 7,
    "records": 8,
    "justice": 9,
    "services": 10,
    "contacts": 11,
    "programme": 12,
    "perpetrator_identity": 13,
    "perpetrator_noise": 14,
}


def stream(seed: int, name: str) -> np.random.Generator:
    return np.random.default_rng([seed, STREAMS[name]])


def pick(rng: np.random.Generator, weights: dict[str, float], n: int) -> npt.NDArray[np.object_]:
    """`n` codes drawn with the given weights (keys in file order, so draws are stable)."""
    codes = np.array(list(weights), dtype=object)
    p = np.array(list(weights.values()), dtype=float)
    return codes[rng.choice(len(codes), size=n, p=p / p.sum())]


def bernoulli(rng: np.random.Generator, p: Any, n: int) -> npt.NDArray[np.bool_]:
    return rng.random(n) < p  # type: ignore[no-any-return]
