"""Proceedings with attrition: most reports never reach a court, many are archived,
some lapse; the charged ones go to trial and judgement (rows after the period are cut,
so recent cases are still pending, as in real data)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from opsc.synth import columns as col
from opsc.synth.capture import Institution
from opsc.synth.columns import Table
from opsc.synth.records import CaseLinks, sequence_ids
from opsc.synth.rng import pick
from opsc.synth.world import BoolArray, Cases, IntArray, Period, Perpetrators

# Stage order (reference justice_stages): the case's stage is its furthest row.
STAGE_ORDER = {
    "REPORT": 1,
    "INVESTIGATION": 2,
    "PROSECUTION": 3,
    "TRIAL": 4,
    "JUDGEMENT": 5,
    "ARCHIVED": 9,
    "LAPSED": 9,
}
REFUSAL_GROUNDS = {"NATIONALITY": 0.5, "DOUBLE_CRIMINALITY": 0.3, "NO_TREATY": 0.2}  # invented


@dataclass(frozen=True)
class Steps:
    """One row per proceeding step, before formatting (all arrays the same length)."""

    link: IntArray  # index into the institution's case links
    perp_row: IntArray  # index into that institution's perpetrator rows
    offence: npt.NDArray[np.object_]
    stage: npt.NDArray[np.object_]
    outcome: npt.NDArray[np.object_]
    date: npt.NDArray[np.datetime64]
    sentence: IntArray  # -1: none
    extradition: BoolArray
    refusal: npt.NDArray[np.object_]


def _gap(rng: np.random.Generator, mean: float, n: int) -> npt.NDArray[np.timedelta64]:
    return np.round(rng.exponential(mean, n)).astype("timedelta64[D]") + np.timedelta64(1, "D")


def prosecution_steps(
    params_p: dict[str, float],
    links: CaseLinks,
    link: IntArray,
    perp: IntArray,
    perps: Perpetrators,
    cases: Cases,
    period: Period,
    rng: np.random.Generator,
) -> tuple[Steps, Steps]:
    """Steps at the prosecutor and, for charged proceedings, at the court."""
    c = links.case[link]
    # One proceeding per perpetrator x offence of the case.
    two = cases.offence2[c] != ""
    rows = np.concatenate([np.arange(len(link)), np.flatnonzero(two)])
    offence = np.concatenate([cases.offence[c], cases.offence2[c][two]]).astype(object)
    n = len(rows)
    mean = float(params_p["mean_stage_days"])
    d1 = links.date_reported[link][rows]
    d2 = d1 + _gap(rng, mean / 3, n)
    d3 = d2 + _gap(rng, mean, n)
    u = rng.random(n)
    archived = u < params_p["archived"]
    lapsed = ~archived & (u < params_p["archived"] + params_p["lapsed"])
    charged = ~archived & ~lapsed & (rng.random(n) < params_p["charged_of_remaining"])
    d_lapse = d3 + _gap(rng, 4 * mean, n)
    d4 = d3 + _gap(rng, mean, n)
    d5 = d4 + _gap(rng, mean, n)
    o = rng.random(n)
    conv = o < params_p["convicted_of_judged"]
    acq = ~conv & (o < params_p["convicted_of_judged"] + params_p["acquitted_of_judged"])
    outcome = np.where(conv, "CONVICTION", np.where(acq, "ACQUITTAL", "DISMISSAL")).astype(object)
    sentence = np.where(conv, 1 + rng.poisson(params_p["sentence_months_mean"], n), -1)
    foreign = perps.foreign[perp[rows]] & cases.transnational[c[rows]]
    extradition = foreign & (rng.random(n) < params_p["extradition_rate"] * 20)
    refusal = np.where(extradition & (rng.random(n) < 0.4), pick(rng, REFUSAL_GROUNDS, n), "")
    empty = np.full(n, "", dtype=object)
    none = np.full(n, -1, dtype=np.int64)
    no = np.zeros(n, dtype=bool)
    exit_stage = np.where(archived, "ARCHIVED", np.where(lapsed, "LAPSED", "PROSECUTION"))
    exit_date = np.where(lapsed, d_lapse, d3)
    has_exit = archived | lapsed | charged
    at_prosecutor = [
        (np.ones(n, bool), "REPORT", d1, empty, none, no, empty),
        (np.ones(n, bool), "INVESTIGATION", d2, empty, none, extradition, refusal),
        (has_exit, exit_stage, exit_date, empty, none, no, empty),
    ]
    at_court = [
        (charged, "TRIAL", d4, empty, none, no, empty),
        (charged, "JUDGEMENT", d5, outcome, sentence, no, empty),
    ]
    return (
        _steps(at_prosecutor, rows, link, offence, period),
        _steps(at_court, rows, link, offence, period),
    )


def _steps(
    parts: list[tuple[Any, ...]],
    rows: IntArray,
    link: IntArray,
    offence: npt.NDArray[np.object_],
    period: Period,
) -> Steps:
    pieces: list[Steps] = []
    for mask, stage, date, outcome, sentence, extradition, refusal in parts:
        keep = mask & (date <= period.end)
        k = int(keep.sum())
        pieces.append(
            Steps(
                link=link[rows][keep],
                perp_row=rows[keep],
                offence=offence[keep],
                stage=np.broadcast_to(np.asarray(stage, dtype=object), mask.shape)[keep].copy(),
                outcome=outcome[keep],
                date=date[keep],
                sentence=sentence[keep],
                extradition=extradition[keep],
                refusal=refusal[keep],
            )
        )
        del k
    fields = Steps.__dataclass_fields__
    merged = {f: np.concatenate([getattr(p, f) for p in pieces]) for f in fields}
    # Order: by case link, proceeding (perpetrator row x offence), then date.
    order = np.lexsort(
        (merged["date"], merged["offence"].astype(str), merged["perp_row"], merged["link"])
    )
    return Steps(**{f: v[order] for f, v in merged.items()})


def proceeding_table(
    registry: list[Institution],
    steps: Steps,
    links: CaseLinks,
    perp_ids: npt.NDArray[np.object_],
    perp_true: IntArray,
) -> Table:
    """Proceeding rows; `perp_ids`/`perp_true` are indexed by `steps.perp_row`."""
    inst = links.inst[steps.link]
    order = np.argsort(inst, kind="stable")
    s = Steps(**{f: getattr(steps, f)[order] for f in Steps.__dataclass_fields__})
    inst = inst[order]
    return {
        "agency_proceeding_id": sequence_ids(registry, inst, "R"),
        "agency_case_id": links.agency_case_id[s.link],
        "agency_perpetrator_id": perp_ids[s.perp_row],
        "offence": s.offence,
        "stage": s.stage,
        "outcome": s.outcome,
        "stage_date": col.dates(s.date),
        "sentence_months": col.ints(s.sentence, s.sentence < 0),
        "extradition_requested": col.bools(s.extradition, ~s.extradition),
        "extradition_refusal_ground": s.refusal,
        "_inst": inst,
        "_case": links.case[s.link],
        "_perp": perp_true[s.perp_row],
    }


def case_stages(steps: Steps, n_links: int) -> npt.NDArray[np.object_]:
    """The furthest stage reached by each case link ("" where it has no step)."""
    rank = np.array([STAGE_ORDER[s] for s in steps.stage], dtype=np.int64)
    best = np.zeros(n_links, dtype=np.int64)
    np.maximum.at(best, steps.link, rank)
    out = np.full(n_links, "", dtype=object)
    for stage, r in STAGE_ORDER.items():
        if r < 9:
            out[best == r] = stage
    # Exits (archived, lapsed) are the case's final stage.
    for exit_stage in ("ARCHIVED", "LAPSED"):
        out[steps.link[steps.stage == exit_stage]] = exit_stage
    return out
