"""MSE against the synthetic country's truth (`opsc.synth`), with perfect or noisy linkage.

The generator records which institutions captured each child, including children no
institution recorded; lists here are institution types. Linkage is taken as perfect
(true person ids) or degraded with the stylised split/merge errors of `simulate`, until
the study can run `opsc link` end to end at several thresholds.
"""

from __future__ import annotations

import csv
import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from opsc.estimation.memberships import ListPlan, overlap_table
from opsc.estimation.simulate import to_table, with_linkage_errors
from opsc.estimation.table import OverlapTable


@dataclass(frozen=True)
class SyntheticCountry:
    table: OverlapTable  # overlaps by institution type under perfect linkage
    plan: ListPlan
    truth: int  # children in the year, recorded or not
    recorded: int


def synthetic_country(
    country: str = "MX",
    children: int = 3000,
    year: int = 2023,
    seed: int = 1,
    min_list_size: int = 10,
) -> SyntheticCountry:
    """Generate a synthetic country and read back its truth as an overlap table."""
    from opsc.synth import TRUTH_DIR, generate

    with tempfile.TemporaryDirectory() as folder:
        generate(country, children, str(year), seed, folder)
        with (Path(folder) / "institutions.csv").open(encoding="utf-8") as handle:
            types = {row["code"]: row["type"] for row in csv.DictReader(handle)}
        with (Path(folder) / TRUTH_DIR / "children.csv").open(encoding="utf-8") as handle:
            rows = [r for r in csv.DictReader(handle) if r["year"] == str(year)]
    pairs = [(r["true_person_id"], types[code]) for r in rows for code in r["recorded_by"].split()]
    table, plan = overlap_table(pairs, min_list_size)
    return SyntheticCountry(table, plan, len(rows), len({p for p, _ in pairs}))


def with_linkage_noise(table: OverlapTable, split: float, merge: float, seed: int) -> OverlapTable:
    """The table a linkage that splits and merges children at these rates would give."""
    rows = np.repeat(table.patterns.astype(bool), table.counts.astype(np.int64), axis=0)
    noisy = with_linkage_errors(rows, split, merge, np.random.default_rng(seed))
    return to_table(noisy, table.lists)
