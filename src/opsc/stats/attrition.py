"""Justice attrition: children, cases and proceedings at each stage, conversion between
stages, and the time between them (median and quartiles, in days).

A case "reaches" a stage when any of its proceedings has a step at that stage or a later
one (stages are ordered by the reference list `justice_stages`); outcomes (conviction,
acquittal, dismissal) are read from judgement steps, exits (archived, lapsed) from their
own steps. Cases and children are linked units (keys of the cube), so a case known to the
prosecutor and the court counts once.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import Any

import pandas as pd

from opsc.stats.cube import Cube
from opsc.stats.errors import StatsError

STAGES = ("REPORT", "INVESTIGATION", "PROSECUTION", "TRIAL", "JUDGEMENT")
OUTCOMES = ("CONVICTION", "ACQUITTAL", "DISMISSAL")
EXITS = ("ARCHIVED", "LAPSED")
GROUPINGS = ("offence", "offence_group", "iccs")


@dataclass(frozen=True)
class Funnel:
    """One funnel per offence x year: `stages` rows and `times` between stages."""

    by: str
    stages: pd.DataFrame  # offence, year, step, kind, cases, children, proceedings, conversion
    times: pd.DataFrame  # offence, year, from_step, to_step, n, q1_days, median_days, q3_days
    key_source: str

    def to_json(self) -> dict[str, Any]:
        return {
            "by": self.by,
            "key_source": self.key_source,
            "units": {"cases": "cases", "children": "children", "proceedings": "proceedings"},
            "stages": _records(self.stages),
            "times": _records(self.times),
        }


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    return frame.astype(object).where(frame.notna(), None).to_dict(orient="records")  # type: ignore[return-value]


def _steps_sql(by: str) -> str:
    """Each proceeding step with the rank of its stage, the offence grouping and year."""
    ranks = " ".join(f"WHEN '{s}' THEN {i + 1}" for i, s in enumerate(STAGES))
    return f"""
        SELECT p.case_key, p.proceeding_key, p.stage, p.outcome, p.stage_date,
               coalesce(CAST(p.year AS VARCHAR), 'UNK') AS year,
               coalesce(o.{by}, 'UNK') AS grp,
               CASE p.stage {ranks} ELSE 0 END AS rank
        FROM proceeding p
        LEFT JOIN offence_dim o ON o.offence = p.offence"""


def funnel(cube: Cube, by: str = "offence_group", offence: str | None = None) -> Funnel:
    """The attrition funnel for every offence (grouped `by`) and year, or one offence."""
    if by not in GROUPINGS:
        raise StatsError(f"funnel by {by!r}: use one of {', '.join(GROUPINGS)}")
    steps = _steps_sql(by)
    stage_rows = []
    for i, stage in enumerate(STAGES):
        stage_rows.append(
            f"SELECT *, '{stage}' AS step, 'stage' AS kind, {i} AS pos FROM s WHERE rank >= {i + 1}"
        )
    for j, outcome in enumerate(OUTCOMES):
        stage_rows.append(
            f"SELECT *, '{outcome}' AS step, 'outcome' AS kind, {10 + j} AS pos "
            f"FROM s WHERE stage = 'JUDGEMENT' AND outcome = '{outcome}'"
        )
    for j, exit_ in enumerate(EXITS):
        stage_rows.append(
            f"SELECT *, '{exit_}' AS step, 'exit' AS kind, {20 + j} AS pos "
            f"FROM s WHERE stage = '{exit_}'"
        )
    union = " UNION ALL ".join(stage_rows)
    where = "WHERE grp = ?" if offence else ""
    params = [offence] if offence else []
    frame = cube.con.execute(
        f"""
        WITH s AS ({steps}), r AS ({union}),
             cc AS (SELECT DISTINCT case_key, person_key FROM victim_record)
        SELECT r.grp AS offence, r.year, r.step, r.kind, r.pos,
               count(DISTINCT r.case_key) AS cases,
               count(DISTINCT cc.person_key) AS children,
               count(DISTINCT r.proceeding_key) AS proceedings
        FROM r LEFT JOIN cc ON cc.case_key = r.case_key
        {where}
        GROUP BY ALL ORDER BY offence, year, pos""",
        params,
    ).df()
    if offence and frame.empty:
        raise StatsError(f"no proceedings for offence {offence!r} (grouped by {by})")
    frame["conversion"] = _conversion(frame)
    times = _times(cube, steps, where, params)
    return Funnel(by, frame.drop(columns="pos"), times, cube.key_source)


def _conversion(frame: pd.DataFrame) -> list[float | None]:
    """Share of cases at the previous stage that reach this one (outcomes: share of judged
    cases; exits: share of reported cases)."""
    cases = {
        (o, y, s): int(c)
        for o, y, s, c in zip(
            frame["offence"], frame["year"], frame["step"], frame["cases"], strict=True
        )
    }
    out: list[float | None] = []
    for o, y, step, kind, n in zip(
        frame["offence"], frame["year"], frame["step"], frame["kind"], frame["cases"], strict=True
    ):
        if kind == "stage":
            pos = STAGES.index(step)
            base = cases.get((o, y, STAGES[pos - 1])) if pos else None
        else:
            base = cases.get((o, y, "JUDGEMENT" if kind == "outcome" else "REPORT"))
        out.append(round(int(n) / base, 4) if base else None)
    return out


def _times(cube: Cube, steps: str, where: str, params: list[Any]) -> pd.DataFrame:
    pairs = [*itertools.pairwise(STAGES), ("REPORT", "JUDGEMENT")]
    values = ", ".join(f"('{a}', '{b}', {i})" for i, (a, b) in enumerate(pairs))
    return cube.con.execute(
        f"""
        WITH s AS ({steps}),
             first AS (SELECT proceeding_key, grp, year, stage, min(stage_date) AS d
                       FROM s {where} GROUP BY ALL),
             pairs(from_step, to_step, pos) AS (VALUES {values})
        SELECT a.grp AS offence, a.year, p.from_step, p.to_step, count(*) AS n,
               quantile_cont(b.d - a.d, 0.25) AS q1_days,
               quantile_cont(b.d - a.d, 0.5) AS median_days,
               quantile_cont(b.d - a.d, 0.75) AS q3_days
        FROM pairs p
        JOIN first a ON a.stage = p.from_step
        JOIN first b ON b.proceeding_key = a.proceeding_key AND b.stage = p.to_step
        GROUP BY a.grp, a.year, p.from_step, p.to_step, p.pos
        ORDER BY offence, year, p.pos""",
        params,
    ).df()


def step_share(
    cube: Cube, step: str, of: str, year: int | None = None, by: str | None = None
) -> pd.DataFrame:
    """Cases reaching `step` over cases reaching `of` (all offences), by year or group."""
    stages = funnel(cube).stages
    if year is not None:
        stages = stages[stages["year"] == str(year)]
    keys = [by] if by in ("year",) else (["offence"] if by == "offence_group" else [])
    cases = (
        stages.pivot_table(index=keys or None, columns="step", values="cases", aggfunc="sum")
        if keys
        else None
    )
    if cases is None:
        totals = stages.groupby("step")["cases"].sum()
        num, den = int(totals.get(step, 0)), int(totals.get(of, 0))
        return pd.DataFrame({"numerator": [num], "denominator": [den]})
    frame = cases.reindex(columns=[step, of]).fillna(0).astype(int).reset_index()
    frame = frame.rename(columns={step: "numerator", of: "denominator", "offence": by})
    return frame


def time_between(cube: Cube, start: str, end: str, year: int | None = None) -> dict[str, Any]:
    """Days from the first `start` step to the first `end` step of each proceeding."""
    if start not in (*STAGES, *EXITS) or end not in (*STAGES, *EXITS):
        raise StatsError(f"stages {start!r}, {end!r}: use {', '.join((*STAGES, *EXITS))}")
    cond = "AND year = ?" if year is not None else ""
    row = cube.con.execute(
        f"""
        WITH first AS (SELECT proceeding_key, stage, min(stage_date) AS d FROM proceeding
                       WHERE stage IN (?, ?) {cond} GROUP BY ALL)
        SELECT count(*), quantile_cont(b.d - a.d, 0.25), quantile_cont(b.d - a.d, 0.5),
               quantile_cont(b.d - a.d, 0.75)
        FROM first a JOIN first b ON a.proceeding_key = b.proceeding_key
        WHERE a.stage = ? AND b.stage = ?""",
        [start, end, *([year] if year is not None else []), start, end],
    ).fetchone()
    n, q1, med, q3 = row if row else (0, None, None, None)
    return {"n": int(n), "q1_days": q1, "median_days": med, "q3_days": q3}
