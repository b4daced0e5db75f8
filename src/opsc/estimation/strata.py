"""Stratified estimates (e.g. by sex or age band) and their sum.

Capture probabilities often differ between strata (girls and boys reach different
agencies); estimating within strata and adding up reduces that heterogeneity bias.
The total's interval treats strata as independent (normal approximation on each
stratum's interval), which is what a reader can check by hand.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy.stats import norm

from opsc.estimation.errors import EstimationError
from opsc.estimation.mse import MSEResult, estimate_mse
from opsc.estimation.table import OverlapTable


@dataclass(frozen=True)
class StratifiedResult:
    by: str
    strata: dict[str, MSEResult]
    skipped: dict[str, EstimationError]
    observed_skipped: int
    estimate: float
    ci_low: float
    ci_high: float
    level: float

    def as_dict(self) -> dict[str, Any]:
        return {
            "by": self.by,
            "observed": sum(r.observed for r in self.strata.values()) + self.observed_skipped,
            "estimate": round(self.estimate, 2),
            "ci_low": round(self.ci_low, 2),
            "ci_high": round(self.ci_high, 2),
            "ci_method": "sum of strata, normal approximation, independent strata",
            "ci_level": self.level,
            "strata": {k: r.as_dict() for k, r in self.strata.items()},
            "skipped": {k: e.as_dict() for k, e in self.skipped.items()},
            "warnings": (
                [
                    {
                        "type": "strata-skipped",
                        "count": self.observed_skipped,
                        "message_en": "strata without an estimate count at their observed size",
                        "message_es": "los estratos sin estimación cuentan por su tamaño observado",
                    }
                ]
                if self.skipped
                else []
            ),
        }


def estimate_stratified(
    tables: Mapping[str, OverlapTable], by: str, level: float = 0.95, **options: Any
) -> StratifiedResult:
    """Estimate each stratum with `estimate_mse(**options)` and add them up."""
    results: dict[str, MSEResult] = {}
    skipped: dict[str, EstimationError] = {}
    for name, table in tables.items():
        try:
            results[name] = estimate_mse(table, level=level, **options)
        except EstimationError as exc:
            skipped[name] = exc
    observed_skipped = sum(tables[k].observed for k in skipped)
    z = float(norm.ppf(0.5 + level / 2.0))
    total = sum(r.estimate for r in results.values()) + observed_skipped
    var = sum(((r.ci_high - r.ci_low) / (2.0 * z)) ** 2 for r in results.values())
    half = z * float(np.sqrt(var))
    floor = sum(r.observed for r in results.values()) + observed_skipped
    return StratifiedResult(
        by, results, skipped, observed_skipped, total, max(total - half, floor), total + half, level
    )
