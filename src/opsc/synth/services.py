"""Services to recorded victims (identification, shelter, interviews, compensation...)
and the contacts that never name a child: helpline calls and human rights complaints."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from opsc.synth import columns as col
from opsc.synth.capture import Institution, column
from opsc.synth.columns import Table
from opsc.synth.geo import Places
from opsc.synth.params import SynthParams
from opsc.synth.records import sequence_ids
from opsc.synth.rng import bernoulli, pick
from opsc.synth.world import IntArray, Period

REFERRALS = {"POLICE": 0.3, "CHILD_PROTECTION": 0.3, "PROSECUTION": 0.15, "": 0.25}  # invented


def service_table(
    params: SynthParams,
    registry: list[Institution],
    victims: Table,
    case_dates: npt.NDArray[np.datetime64],
    period: Period,
    rng: np.random.Generator,
) -> Table:
    """Services each recorded victim got from the institution that recorded it.

    `case_dates` is the date the institution received the case, per victim row."""
    cfg = params.section("services")
    comp = params.section("compensation")
    types = column(registry, "type")[victims["_inst"]]
    parts: list[tuple[IntArray, str]] = []
    for inst_type, offer in cfg.items():
        rows = np.flatnonzero(types == inst_type)
        for service, p in offer.items():
            parts.append((rows[bernoulli(rng, float(p), len(rows))], str(service)))
    row = np.concatenate([r for r, _ in parts]).astype(np.int64)
    service = np.concatenate([np.full(len(r), s, dtype=object) for r, s in parts])
    order = np.lexsort((service.astype(str), row, victims["_inst"][row]))
    row, service = row[order], service[order]
    n = len(row)
    start = case_dates[row] + np.round(rng.exponential(15.0, n)).astype("timedelta64[D]")
    end = start + np.round(rng.exponential(90.0, n)).astype("timedelta64[D]")
    interview = service == "CHILD_FRIENDLY_INTERVIEW"
    interviews = 1 + rng.poisson(float(comp["interviews_extra_mean"]), n)
    compensation = service == "COMPENSATION"
    claimed = np.round(rng.lognormal(np.log(float(comp["claimed_mean"])), 0.6, n), 2)
    awarded_yes = compensation & bernoulli(rng, float(comp["awarded"]), n) & (end <= period.end)
    awarded = np.round(claimed * rng.uniform(0.3, 1.0, n), 2)
    paid_yes = awarded_yes & bernoulli(rng, float(comp["paid"]), n)
    inst = victims["_inst"][row]
    keep_start = start <= period.end
    return {
        "agency_service_id": sequence_ids(registry, inst, "S"),
        "agency_victim_id": victims["agency_victim_id"][row],
        "service_type": service,
        "date_start": col.dates(np.minimum(start, period.end)),
        "date_end": col.dates(end, (end > period.end) | ~keep_start),
        "interviews": col.ints(interviews, ~interview),
        "amount_claimed": col.money(claimed, ~compensation),
        "amount_awarded": col.money(awarded, ~awarded_yes),
        "amount_paid": col.money(awarded, ~paid_yes),
        "_inst": inst,
        "_case": victims["_case"][row],
        "_person": victims["_person"][row],
    }


def _days(period: Period, n: int, rng: np.random.Generator) -> npt.NDArray[np.datetime64]:
    span = int((period.end - period.start).astype(np.int64)) + 1
    return np.sort(period.start + rng.integers(0, span, n).astype("timedelta64[D]"))


def _offences(params: SynthParams, n: int, rng: np.random.Generator) -> npt.NDArray[np.object_]:
    mix = {o.code: o.share for o in params.offences}
    out = pick(rng, mix, n)
    out[bernoulli(rng, 0.3, n)] = ""  # invented: contacts often name no specific offence
    return out


def _contacts(
    params: SynthParams,
    registry: list[Institution],
    inst_type: str,
    section: str,
    children: int,
    rng: np.random.Generator,
) -> tuple[dict[str, Any], IntArray] | None:
    """The section's parameters and the institution column of its rows (a Poisson number
    of `per_child` x children rows), or None when the country has no such institution."""
    inst = [i for i, r in enumerate(registry) if r.type == inst_type]
    if not inst:
        return None
    cfg = params.section(section)
    n = int(rng.poisson(float(cfg["per_child"]) * children))
    return cfg, np.full(n, inst[0], dtype=np.int64)


def helpline_table(
    params: SynthParams,
    registry: list[Institution],
    places: Places,
    children: int,
    period: Period,
    rng: np.random.Generator,
) -> Table:
    frame = _contacts(params, registry, "HELPLINE", "helpline", children, rng)
    if frame is None:
        return {}
    cfg, inst_col = frame
    n = len(inst_col)
    day = _days(period, n, rng)
    # Channel shares move linearly from the first to the last year (chat grows).
    t = (day - period.start).astype(np.int64) / max(
        1, int((period.end - period.start).astype(np.int64))
    )
    start, end = cfg["channel_start"], cfg["channel_end"]
    u = rng.random(n)
    channel = np.full(n, list(start)[-1], dtype=object)
    cum = np.zeros(n)
    for name in list(start)[:-1]:
        share = (1 - t) * float(start[name]) + t * float(end[name])
        channel[(u >= cum) & (u < cum + share)] = name
        cum = cum + share
    geo = places.codes[rng.choice(len(places.codes), size=n, p=places.weight)]
    caller = np.where(bernoulli(rng, float(cfg["child_caller"]), n), "CHILD", "ADULT")
    return {
        "agency_contact_id": sequence_ids(registry, inst_col, "H"),
        "contact_date": col.dates(day),
        "channel": channel,
        "caller": caller.astype(object),
        "offence": _offences(params, n, rng),
        "geo_code": col.texts(geo, bernoulli(rng, 0.2, n)),
        "referred_to": pick(rng, REFERRALS, n),
        "_inst": inst_col,
    }


def complaint_table(
    params: SynthParams,
    registry: list[Institution],
    places: Places,
    children: int,
    period: Period,
    rng: np.random.Generator,
) -> Table:
    frame = _contacts(params, registry, "HUMAN_RIGHTS_COMMISSION", "complaints", children, rng)
    if frame is None:
        return {}
    cfg, inst_col = frame
    n = len(inst_col)
    by_child = bernoulli(rng, float(cfg["filed_by_child"]), n)
    geo = places.codes[rng.choice(len(places.codes), size=n, p=places.weight)]
    return {
        "agency_complaint_id": sequence_ids(registry, inst_col, "Q"),
        "date_filed": col.dates(_days(period, n, rng)),
        "filed_by_child": col.bools(by_child),
        "parental_consent_required": col.bools(bernoulli(rng, 0.5, n), ~by_child),
        "offence": _offences(params, n, rng),
        "geo_code": col.texts(geo),
        "outcome": pick(rng, cfg["outcomes"], n),
        "_inst": inst_col,
    }
