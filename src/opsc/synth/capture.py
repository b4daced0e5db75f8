"""Institutions of the synthetic country and which children each of them records.

Capture is list-dependent on purpose: a child the police recorded is far more likely to
reach the prosecutor (referral), and children differ in how visible they are. Children
recorded by no institution stay in the truth only: multiple systems estimation's target.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from opsc.synth.geo import Places
from opsc.synth.params import SynthParams
from opsc.synth.rng import stream
from opsc.synth.world import BoolArray, Cases, Children, IntArray

REGION_LEVEL = "state"  # institution_levels code for states and departments


@dataclass(frozen=True)
class Institution:
    code: str
    name: str
    type: str
    level: str
    geo_code: str
    aggregate: bool
    region: int  # index into Places.regions, -1 for national institutions


def institutions(params: SynthParams, places: Places) -> list[Institution]:
    """The registry: national institutions once, regional ones once per region."""
    out: list[Institution] = []
    for spec in params.institutions:
        if spec.scope == "national":
            out.append(
                Institution(spec.code, spec.name, spec.type, "national", "", spec.aggregate, -1)
            )
            continue
        for r, region in enumerate(places.regions):
            out.append(
                Institution(
                    f"{spec.code}-{region}",
                    f"{spec.name} {region}",
                    spec.type,
                    REGION_LEVEL,
                    str(region),
                    spec.aggregate,
                    r,
                )
            )
    return out


def column(registry: list[Institution], attribute: str) -> npt.NDArray[np.object_]:
    """One attribute of every institution, to index by institution number (vectorised)."""
    return np.array([getattr(r, attribute) for r in registry], dtype=object)


@dataclass(frozen=True)
class Capture:
    """For each capture type, the institution (index into the registry) per child or -1."""

    by_type: dict[str, IntArray]

    def recorded(self) -> BoolArray:
        hits = np.zeros(len(next(iter(self.by_type.values()))), dtype=bool)
        for inst in self.by_type.values():
            hits |= inst >= 0
        return hits

    def lists(self) -> IntArray:
        """How many capture types recorded each child (0..k)."""
        return sum((inst >= 0).astype(np.int64) for inst in self.by_type.values())  # type: ignore[return-value]


def capture(
    params: SynthParams,
    registry: list[Institution],
    places: Places,
    cases: Cases,
    children: Children,
    seed: int,
) -> Capture:
    rng = stream(seed, "capture")
    n = len(children)
    region = places.region_of[cases.geo[children.case]]
    offence = cases.offence[children.case]
    caught: dict[str, BoolArray] = {}
    by_type: dict[str, IntArray] = {}
    for spec in params.capture:
        logit = spec.logit + spec.hetero * children.visibility
        for earlier, boost in spec.after.items():
            logit = logit + boost * caught.get(earlier, np.zeros(n, dtype=bool))
        hit = rng.random(n) < 1.0 / (1.0 + np.exp(-logit))
        if spec.only_risk:
            hit &= np.any([children.has(r) for r in spec.only_risk], axis=0)
        if spec.only_offences:
            hit &= np.isin(offence, list(spec.only_offences))
        choice = rng.random(n)  # drawn for every child so that streams stay aligned
        inst = _assign(spec.type, spec.national_share, registry, region, choice)
        hit &= inst >= 0
        caught[spec.type] = hit
        by_type[spec.type] = np.where(hit, inst, -1)
    return Capture(by_type)


def _assign(
    type_: str,
    national_share: float,
    registry: list[Institution],
    region: IntArray,
    choice: np.ndarray,
) -> IntArray:
    national = [i for i, inst in enumerate(registry) if inst.type == type_ and inst.region < 0]
    regional = {
        inst.region: i for i, inst in enumerate(registry) if inst.type == type_ and inst.region >= 0
    }
    out = np.full(len(region), -1, dtype=np.int64)
    if regional:
        lookup = np.array([regional.get(r, -1) for r in range(int(region.max()) + 1)])
        out = lookup[region].astype(np.int64)
    if national:
        use_national = (choice < national_share) if regional else np.ones(len(region), bool)
        out[use_national] = national[0]
    return out
