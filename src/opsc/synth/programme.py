"""Programme data: plans and evaluations, trainings, budget lines, campaigns and the
legislation matrix (each OPSC act in the federal/national and every regional jurisdiction).

Small tables (hundreds of rows), written by the coordinating body except trainings and
budget lines, which each case-level institution sends about itself."""

from __future__ import annotations

import numpy as np

from opsc.synth import columns as col
from opsc.synth.capture import Institution
from opsc.synth.columns import Table
from opsc.synth.geo import Places
from opsc.synth.params import SynthParams
from opsc.synth.world import Period

# OPSC art. 3 acts of the legislation matrix (reference offence codes).
ACTS = (
    "SALE_SEXUAL",
    "SALE_ORGANS",
    "SALE_LABOUR",
    "ADOPTION_IMPROPER_CONSENT",
    "PROSTITUTION",
    "PORNOGRAPHY",
    "SEX_TOURISM",
)
PLAN_OFFENCES = "SALE PROSTITUTION PORNOGRAPHY TRAFFICKING"


def _coordinator(registry: list[Institution]) -> int:
    return next(i for i, r in enumerate(registry) if r.type == "COORDINATION")


def _table(rows: list[dict[str, str]], inst: int) -> Table:
    if not rows:
        return {}
    table: Table = {k: np.array([r[k] for r in rows], dtype=object) for k in rows[0]}
    table["_inst"] = np.full(len(rows), inst, dtype=np.int64)
    return table


def _yes(rng: np.random.Generator, p: float) -> str:
    return "true" if rng.random() < p else "false"


def programme_tables(
    params: SynthParams,
    registry: list[Institution],
    places: Places,
    period: Period,
    rng: np.random.Generator,
) -> dict[str, Table]:
    cfg = params.section("programme")
    coord = _coordinator(registry)
    country = params.country
    first, last = period.first_year, period.last_year
    plans = [
        {
            "title": f"Programa nacional sintético contra la explotación de NNA {first}-{last}",
            "jurisdiction": country,
            "start_year": str(first),
            "end_year": str(last),
            "offences_covered": PLAN_OFFENCES,
            "children_consulted": _yes(rng, 0.5),
            "budget_allocated": _yes(rng, 0.6),
        }
    ]
    for region in places.regions[: min(3, len(places.regions))]:
        plans.append(
            {
                "title": f"Plan estatal sintético {region} {first}-{last}",
                "jurisdiction": str(region),
                "start_year": str(first + 1),
                "end_year": str(last),
                "offences_covered": "SALE PROSTITUTION",
                "children_consulted": _yes(rng, 0.3),
                "budget_allocated": _yes(rng, 0.4),
            }
        )
    evaluations = [
        {
            "plan_title": p["title"],
            "evaluated_on": f"{last}-06-30",
            "participatory": _yes(rng, 0.4),
            "independent": _yes(rng, 0.3),
            "summary": "Evaluación sintética de medio término.",
        }
        for p in plans[:2]
    ]
    legislation = []
    for jurisdiction in [country, *map(str, places.regions)]:
        for act in ACTS:
            legislation.append(
                {
                    "jurisdiction": jurisdiction,
                    "offence": act,
                    "valid_from": f"{first}-01-01",
                    "criminalised": _yes(rng, float(cfg["criminalised"])),
                    "legal_provision": "Disposición sintética",
                    "statute_of_limitations_years": str(int(rng.integers(5, 21))),
                    "legal_person_liability": _yes(rng, 0.5),
                    "extraterritorial_jurisdiction": _yes(rng, 0.4),
                    "double_criminality_required": _yes(rng, 0.6),
                    "extradition_reciprocity_only": _yes(rng, 0.3),
                }
            )
    campaigns = []
    for year in period.years:
        audience = cfg["campaign_audiences"][int(rng.integers(0, len(cfg["campaign_audiences"])))]
        campaigns.append(
            {
                "title": f"Campaña sintética {year}",
                "date_start": f"{year}-04-30",
                "date_end": f"{year}-07-30",
                "audience": str(audience),
                "languages": " ".join(["SPA", *params.get("indigenous_languages")[:2]]),
                "reach": str(int(rng.integers(10_000, 2_000_000))),
                "co_designed_with_children": _yes(rng, 0.3),
            }
        )
    tables = {
        "plans": _table(plans, coord),
        "plan_evaluations": _table(evaluations, coord),
        "legislation": _table(legislation, coord),
        "campaigns": _table(campaigns, coord),
    }
    tables.update(_per_institution(cfg, registry, period, str(params.get("currency")), rng))
    return tables


def _per_institution(
    cfg: dict[str, object],
    registry: list[Institution],
    period: Period,
    currency: str,
    rng: np.random.Generator,
) -> dict[str, Table]:
    groups = list(cfg["professional_groups"])  # type: ignore[call-overload]
    areas = list(cfg["opsc_areas"])  # type: ignore[call-overload]
    purposes = list(cfg["budget_purposes"])  # type: ignore[call-overload]
    per_year = int(cfg["trainings_per_institution_year"])  # type: ignore[call-overload]
    trainings: list[Table] = []
    budgets: list[Table] = []
    for i, inst in enumerate(registry):
        if inst.aggregate or inst.type in ("HELPLINE", "HUMAN_RIGHTS_COMMISSION"):
            continue
        t_rows, b_rows = [], []
        for year in period.years:
            for _ in range(per_year):
                pre = float(rng.uniform(40, 70))
                t_rows.append(
                    {
                        "date_start": f"{year}-{int(rng.integers(1, 13)):02d}-15",
                        "professional_group": str(groups[int(rng.integers(0, len(groups)))]),
                        "participants_female": str(int(rng.integers(5, 40))),
                        "participants_male": str(int(rng.integers(5, 40))),
                        "participants_other": str(int(rng.integers(0, 2))),
                        "hours": f"{float(rng.choice([4.0, 8.0, 16.0, 40.0])):.1f}",
                        "opsc_areas": " ".join(sorted(set(rng.choice(areas, 2).tolist()))),
                        "pre_score": f"{pre:.1f}",
                        "post_score": f"{min(100.0, pre + float(rng.normal(12, 6))):.1f}",
                    }
                )
            for purpose in purposes:
                allocated = float(rng.lognormal(14, 1))
                b_rows.append(
                    {
                        "level": inst.level,
                        "year": str(year),
                        "purpose": str(purpose),
                        "currency": currency,
                        "allocated": f"{allocated:.2f}",
                        "executed": f"{allocated * float(rng.uniform(0.5, 1.0)):.2f}",
                    }
                )
        trainings.append(_table(t_rows, i))
        budgets.append(_table(b_rows, i))
    return {"trainings": col.concat(trainings), "budget_lines": col.concat(budgets)}
