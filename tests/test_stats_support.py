"""Support for the stats tests: a synthetic country written straight into a store.

Intake's `submit --manifest` validates and pseudonymises; these tests need only the store
shape, so the loader below maps the generator's files onto the models directly (clear
identifiers are dropped, never stored). No tests here: helpers and fixtures only.
"""

from __future__ import annotations

import functools
import json
import tempfile
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine, insert, select

from opsc.records import cases as c
from opsc.records import init_store
from opsc.records import programme as p
from opsc.records.institutions import Institution, Submission
from opsc.stats import Cube, KeySource, build_cube, from_record_map
from opsc.synth.generate import generate
from opsc.synth.params import NoiseRates

CLEAR = (
    "given_names",
    "paternal_surname",
    "maternal_surname",
    "birth_date",
    "age",
    "national_id",
    "risk_factors",
    "agency_case_id",
    "agency_perpetrator_id",
    "agency_victim_id",
    "offences",
    "plan_title",
)
MODELS: dict[str, Any] = {
    "cases": c.Case,
    "victims": c.Victim,
    "perpetrators": c.Perpetrator,
    "proceedings": c.Proceeding,
    "services": c.Service,
    "helpline_contacts": c.HelplineContact,
    "complaints": c.Complaint,
    "aggregate_cells": c.AggregateCell,
    "plans": p.Plan,
    "plan_evaluations": p.PlanEvaluation,
    "legislation": p.LegislationProvision,
    "campaigns": p.Campaign,
    "trainings": p.Training,
    "budget_lines": p.BudgetLine,
}
KEEP_ID = {
    "cases": "agency_case_id",
    "victims": "agency_victim_id",
    "perpetrators": "agency_perpetrator_id",
}


def _value(column: Any, text: str) -> Any:
    if text == "":
        return None
    kind = column.type.python_type
    if kind is bool:
        return text == "true"
    if kind is date:
        return date.fromisoformat(text)
    return kind(text)


def _rows(model: Any, frame: pd.DataFrame) -> list[dict[str, Any]]:
    cols = {k: model.__table__.c[k] for k in frame.columns if k in model.__table__.c}
    return [{k: _value(cols[k], row[k]) for k in cols} for row in frame.to_dict("records")]


def load_synthetic(engine: Engine, out: Path) -> None:
    """Write every submission of a generated country into the store at `engine`."""
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    country = manifest["country"]
    institutions = pd.read_csv(out / manifest["institutions_file"], dtype=str).fillna("")
    with engine.begin() as conn:
        for row in institutions.to_dict("records"):
            conn.execute(
                insert(Institution).values(
                    country=country,
                    code=row["code"],
                    name=row["name"],
                    type=row["type"],
                    level=row["level"],
                    geo_code=row["geo_code"] or None,
                )
            )
        inst_id = dict(conn.execute(select(Institution.code, Institution.id)).all())
        ids: dict[tuple[str, str, str], int] = {}
        plans: dict[str, int] = {}
        for n, entry in enumerate(manifest["submissions"]):
            contract, inst = entry["contract"], inst_id[entry["institution"]]
            sub = conn.execute(
                insert(Submission).values(
                    institution_id=inst,
                    contract=contract,
                    contract_version="test",
                    period_start=date.fromisoformat(entry["period_start"]),
                    period_end=date.fromisoformat(entry["period_end"]),
                    file_name=entry["file"],
                    file_sha256=f"{n:064d}",
                    status="imported",
                    synthetic=True,
                )
            ).inserted_primary_key[0]
            frame = pd.read_csv(out / entry["file"], dtype=str, keep_default_na=False)
            _load(conn, contract, frame, entry["institution"], inst, sub, country, ids, plans)


def _load(
    conn: Any,
    contract: str,
    frame: pd.DataFrame,
    code: str,
    inst: int,
    sub: int,
    country: str,
    ids: dict[tuple[str, str, str], int],
    plans: dict[str, int],
) -> None:
    model = MODELS[contract]
    table = model.__table__
    keep = [x for x in frame.columns if x not in CLEAR or x == KEEP_ID.get(contract)]
    rows = _rows(model, frame[keep])
    for values, row in zip(rows, frame.to_dict("records"), strict=True):
        values |= {
            k: v
            for k, v in (("submission_id", sub), ("institution_id", inst), ("country", country))
            if k in table.c
        }
        if contract == "plan_evaluations":
            values["plan_id"] = plans[row["plan_title"]]
            values.pop("submission_id", None)
        for ref in ("case", "victim", "perpetrator"):
            agency = row.get(f"agency_{ref}_id")
            if agency and contract != f"{ref}s":
                values[f"{ref}_id"] = ids[(code, ref, agency)]
        if contract == "victims":
            values |= _victim_extra(row, ids.get((code, "case_date", row["agency_case_id"])))
    if not rows:
        return
    conn.execute(insert(model), rows)
    if contract in KEEP_ID:
        column = KEEP_ID[contract]
        got = conn.execute(select(table.c[column], table.c.id).where(table.c.submission_id == sub))
        new = dict(got.all())
        for agency, new_id in new.items():
            ids[(code, contract[:-1], agency)] = new_id
        if contract == "cases":
            for row in frame.to_dict("records"):
                ids[(code, "case_date", row["agency_case_id"])] = row["date_offence"]  # type: ignore[assignment]
            links = [
                {"case_id": new[r["agency_case_id"]], "offence": o}
                for r in frame.to_dict("records")
                for o in r["offences"].split()
            ]
            conn.execute(insert(c.CaseOffence), links)
        if contract == "victims":
            risks = [
                {"victim_id": new[r["agency_victim_id"]], "risk_factor": f}
                for r in frame.to_dict("records")
                for f in r["risk_factors"].split()
            ]
            if risks:
                conn.execute(insert(c.VictimRiskFactor), risks)
    if contract == "plans":
        got = conn.execute(select(table.c.title, table.c.id).where(table.c.submission_id == sub))
        plans.update(dict(got.all()))


def _victim_extra(row: dict[str, str], offence_date: Any) -> dict[str, Any]:
    """What pseudonymisation keeps of the clear identifiers: birth year and age at offence."""
    born = date.fromisoformat(row["birth_date"]) if row["birth_date"] else None
    age = int(row["age"]) if row["age"] else None
    if born is not None and offence_date:
        on = date.fromisoformat(str(offence_date))
        age = on.year - born.year - ((on.month, on.day) < (born.month, born.day))
    return {"birth_year": born.year if born else None, "age_at_offence": age}


def synthetic_store(
    tmp: Path, country: str = "MX", children: int = 1500, seed: int = 11, **kwargs: Any
) -> tuple[Engine, Path]:
    """Generate a small synthetic country and load it into a fresh SQLite store."""
    out = tmp / f"synth_{country}"
    generate(country, children, "2021-2024", seed, out, **kwargs)
    engine = init_store(f"sqlite:///{tmp / 'store.db'}")
    load_synthetic(engine, out)
    return engine, out


@functools.cache
def demo_store() -> tuple[Engine, Path]:
    """A small MX synthetic country without identifier noise, loaded into a store."""
    tmp = Path(tempfile.mkdtemp(prefix="opsc-stats-clean-"))
    return synthetic_store(tmp, noise=NoiseRates().scaled(0.0))


@functools.cache
def demo_cube() -> tuple[Cube, Path]:
    """The clean country's cube, keyed by the true ids."""
    engine, out = demo_store()
    return build_cube(engine, "MX", truth_keys(out, "synthetic:clean")), out


@functools.cache
def noisy_cube() -> tuple[Cube, Path]:
    """A smaller country with the generator's default identifier noise."""
    tmp = Path(tempfile.mkdtemp(prefix="opsc-stats-noisy-"))
    engine, out = synthetic_store(tmp, children=800, seed=5)
    return build_cube(engine, "MX", truth_keys(out, "synthetic:noisy")), out


def truth_keys(out: Path, ref: str) -> KeySource:
    record_map = pd.read_csv(
        out / "TRUTH_DO_NOT_IMPORT" / "record_map.csv", dtype=str, keep_default_na=False
    )
    return from_record_map(record_map, ref)
