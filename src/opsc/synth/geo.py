"""The country's places as arrays: finest geographic units, their region and risk weight."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from opsc.reference import Profile
from opsc.synth.params import SynthError, SynthParams


@dataclass(frozen=True)
class Places:
    codes: npt.NDArray[np.object_]  # finest units (municipality / district)
    region_of: npt.NDArray[np.int64]  # index into `regions` for each unit
    regions: npt.NDArray[np.object_]  # region codes (state / department)
    weight: npt.NDArray[np.float64]  # probability of a case happening there
    tourist: npt.NDArray[np.bool_]

    def units_by_region(self) -> list[npt.NDArray[np.int64]]:
        return [np.flatnonzero(self.region_of == r) for r in range(len(self.regions))]


def load_places(profile: Profile, params: SynthParams) -> Places:
    """Units weighted by population x region risk x tourism (weights documented in TOML)."""
    level = str(params.get("geo_level"))
    units = profile.geo_units(level)
    region_level = str(params.get("region_level"))
    parents = {u.code: u.parent for u in units}
    # Walk up until the region level (PE: district > province > department).
    parent_level = profile.geo_level(level).parent
    while parent_level and parent_level != region_level:
        upper = {u.code: u.parent for u in profile.geo_units(parent_level)}
        parents = {c: upper.get(p or "") for c, p in parents.items()}
        parent_level = profile.geo_level(parent_level).parent
    regions = sorted({u.code for u in profile.geo_units(region_level)})
    region_index = {c: i for i, c in enumerate(regions)}
    year = int(params.get("population_year"))
    table = str(params.get("population_table"))
    pop = {
        r.code: r.population
        for r in profile.population(table)
        if r.year == year and r.sex == "_total" and r.level == level
    }
    codes = [u.code for u in units]
    missing = [c for c in codes if c not in pop]
    if len(missing) == len(codes):
        raise SynthError(f"population table {table} has no {year} rows for {level}")
    region_weight = {str(k): float(v) for k, v in params.section("region_weight").items()}
    tourist_codes = set(params.get("tourist_geo"))
    unknown = sorted(tourist_codes - set(codes))
    if unknown:
        raise SynthError(f"tourist_geo codes not in {level}: {unknown}; fix the synth profile")
    tourist = np.array([c in tourist_codes for c in codes])
    weight = np.array([float(pop.get(c, 0)) for c in codes])
    weight *= np.array([region_weight.get(parents[c] or "", 1.0) for c in codes])
    weight[tourist] *= float(params.get("tourist_weight"))
    return Places(
        codes=np.array(codes, dtype=object),
        region_of=np.array([region_index[parents[c] or ""] for c in codes], dtype=np.int64),
        regions=np.array(regions, dtype=object),
        weight=weight / weight.sum(),
        tourist=tourist,
    )
