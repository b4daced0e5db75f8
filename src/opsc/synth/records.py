"""Case-level submission tables (cases, victims, perpetrators) of every institution.

Tables hold all institutions at once (vectorised); hidden columns starting with `_`
carry the institution and the true ids, which go to the truth files, never to the
submissions.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from opsc.synth import columns as col
from opsc.synth.capture import Capture, Institution, column
from opsc.synth.columns import Table
from opsc.synth.geo import Places
from opsc.synth.identity import Identities
from opsc.synth.noise import KINDS, apply_noise
from opsc.synth.params import SynthParams
from opsc.synth.rng import bernoulli, stream
from opsc.synth.world import Cases, Children, IntArray, Period, Perpetrators

POLICE_PERPETRATOR_RECALL = 0.8  # invented: police identify most, not all, perpetrators
MISSING_CONTEXT = 0.10  # invented: ethnic origin / language / socio-economic left empty


@dataclass(frozen=True)
class CaseLinks:
    """Institution x true case pairs, sorted as the institution numbers its cases."""

    inst: IntArray
    case: IntArray
    date_reported: npt.NDArray[np.datetime64]
    agency_case_id: npt.NDArray[np.object_]

    def lookup(self, inst: IntArray, case: IntArray, ncases: int) -> IntArray:
        key = self.inst * ncases + self.case
        order = np.argsort(key, kind="stable")
        return order[np.searchsorted(key[order], inst * ncases + case)]


def sequence_ids(
    registry: list[Institution], inst: IntArray, letter: str
) -> npt.NDArray[np.object_]:
    """Agency ids numbered within each institution; `inst` must be sorted."""
    first = np.searchsorted(inst, inst, side="left")
    seq = np.arange(len(inst)) - first + 1
    prefix = np.array([f"{col.SYNTHETIC_PREFIX}{r.code}-{letter}" for r in registry], object)
    return col.numbered(prefix[inst], seq)


def link_cases(
    params: SynthParams,
    registry: list[Institution],
    cases: Cases,
    inst: IntArray,
    case: IntArray,
    period: Period,
    seed: int,
) -> CaseLinks:
    """One case row per institution x true case, with the date the institution got it."""
    rng = stream(seed, "records")
    key = np.unique(inst * len(cases) + case)
    p_inst, p_case = key // len(cases), key % len(cases)
    order = {t.type: k for k, t in enumerate(params.capture)}
    step = np.array([order.get(r.type, len(order)) for r in registry])[p_inst]
    lag_mean = float(params.section("children")["report_lag_days"]) * (1.0 + 0.5 * step)
    lag = np.round(rng.exponential(lag_mean)).astype(np.int64)
    reported = np.minimum(cases.date_offence[p_case] + lag, period.end)
    return links_from(registry, p_inst, p_case, reported)


def links_from(
    registry: list[Institution],
    inst: IntArray,
    case: IntArray,
    reported: npt.NDArray[np.datetime64],
) -> CaseLinks:
    """Case links numbered per institution in the order the cases arrived."""
    sort = np.lexsort((case, reported, inst))
    inst, case, reported = inst[sort], case[sort], reported[sort]
    return CaseLinks(inst, case, reported, sequence_ids(registry, inst, "C"))


def case_table(
    links: CaseLinks,
    registry: list[Institution],
    cases: Cases,
    places: Places,
    stage: npt.NDArray[np.object_],
) -> Table:
    c = links.case
    offences = np.where(
        cases.offence2[c] != "", cases.offence[c] + " " + cases.offence2[c], cases.offence[c]
    )
    return {
        "agency_case_id": links.agency_case_id,
        "date_reported": col.dates(links.date_reported),
        "date_offence": col.dates(cases.date_offence[c]),
        "geo_code": col.texts(places.codes[cases.geo[c]]),
        "online": col.bools(cases.online[c]),
        "tourism_context": col.bools(cases.tourism[c]),
        "transnational": col.bools(cases.transnational[c]),
        "stage": col.texts(stage),
        "offences": offences.astype(object),
        "_inst": links.inst,
        "_case": c,
    }


def victim_records(
    params: SynthParams,
    registry: list[Institution],
    capture: Capture,
    places: Places,
    cases: Cases,
    children: Children,
    ident: Identities,
    period: Period,
    seed: int,
) -> tuple[Table, CaseLinks]:
    """Victim rows of every case-level institution, and the case rows they hang on."""
    child_parts, inst_parts = [], []
    for inst in capture.by_type.values():
        rows = np.flatnonzero(inst >= 0)
        keep = ~column(registry, "aggregate")[inst[rows]].astype(bool)
        child_parts.append(rows[keep])
        inst_parts.append(inst[rows][keep])
    child = np.concatenate(child_parts).astype(np.int64)
    inst = np.concatenate(inst_parts).astype(np.int64)
    links = link_cases(params, registry, cases, inst, children.case[child], period, seed)
    pair = links.lookup(inst, children.case[child], len(cases))
    sort = np.lexsort((child, pair))
    child, inst, pair = child[sort], inst[sort], pair[sort]
    rng = stream(seed, "noise")
    types = column(registry, "type")[inst]
    home = cases.geo[children.case[child]]
    noisy, home = apply_noise(
        params,
        params.noise,
        ident,
        children,
        child,
        types,
        home,
        places.units_by_region(),
        places.region_of,
        rng,
        offence=cases.date_offence[children.case[child]],
    )
    n = len(child)
    blank = bernoulli(rng, MISSING_CONTEXT, n)
    risk = children.risk_text[child]
    codes = children.risk_codes
    table: Table = {
        "agency_victim_id": sequence_ids(registry, inst, "V"),
        "agency_case_id": links.agency_case_id[pair],
        **noisy.columns,
        "ethnic_origin": col.texts(children.ethnic_origin[child], blank),
        "language": col.texts(children.language[child], blank),
        "disability": col.bools(children.risk[child, codes.index("DISABILITY")]),
        "migrant_status": col.texts(children.migrant_status[child]),
        "street_situation": col.bools(children.risk[child, codes.index("STREET_SITUATION")]),
        "in_school": col.bools(children.in_school[child] == 1, children.in_school[child] < 0),
        "socio_economic": col.texts(children.socio_economic[child], blank),
        "residence_geo": col.texts(places.codes[home]),
        "relation_to_perpetrator": col.texts(children.relation[child]),
        "treated_as_offender": col.bools(children.treated_as_offender[child]),
        "risk_factors": risk,
        "_inst": inst,
        "_case": children.case[child],
        "_person": child,
        "_noise": _noise_text(noisy.flags, n),
    }
    return table, links


def _noise_text(flags: dict[str, npt.NDArray[np.bool_]], n: int) -> npt.NDArray[np.object_]:
    if not n:
        return np.array([], dtype=object)
    return col.flag_words([flags[k] for k in KINDS], list(KINDS))


def recorded_perpetrators(
    links: CaseLinks, perps: Perpetrators, recall: float, rng: np.random.Generator
) -> tuple[IntArray, IntArray]:
    """(case link, perpetrator) pairs an institution recorded: the first perpetrator of
    each case always, the others with probability `recall`."""
    by_case = np.argsort(perps.case, kind="stable")
    starts = np.searchsorted(perps.case[by_case], links.case, side="left")
    counts = np.searchsorted(perps.case[by_case], links.case, side="right") - starts
    link = np.repeat(np.arange(len(links.case)), counts)
    offsets = np.arange(len(link)) - np.repeat(np.cumsum(counts) - counts, counts)
    perp = by_case[np.repeat(starts, counts) + offsets]
    keep = (offsets == 0) | bernoulli(rng, recall, len(link))
    return link[keep].astype(np.int64), perp[keep].astype(np.int64)


def perpetrator_table(
    registry: list[Institution],
    links: CaseLinks,
    link: IntArray,
    perp: IntArray,
    perps: Perpetrators,
) -> Table:
    """Perpetrator rows for (case link, perpetrator) pairs sorted by institution."""
    legal = perps.legal[perp]
    sex = np.where(perps.male[perp], "M", "F").astype(object)
    nationality = perps.nationality[perp]
    return {
        "agency_perpetrator_id": sequence_ids(registry, links.inst[link], "P"),
        "agency_case_id": links.agency_case_id[link],
        "person_type": np.where(legal, "legal", "natural").astype(object),
        "sex": col.texts(sex, legal),
        "age": col.ints(perps.age[perp], legal),
        "nationality": col.texts(nationality, legal),
        "role": col.texts(perps.role[perp]),
        "public_official": col.bools(perps.public_official[perp], legal),
        "_inst": links.inst[link],
        "_case": links.case[link],
        "_perp": perp,
    }
