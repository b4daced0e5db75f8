"""A synthetic country through the real path, with its truth kept aside for evaluation.

`opsc synth` writes the institutions' clear files and TRUTH_DO_NOT_IMPORT/; intake
pseudonymises and imports the files exactly as `opsc submit` does; the truth is then
matched to the store's record ids, so linkage runs over the store can be scored.
Synthetic data only (tests, benchmarks, docs).
"""

from __future__ import annotations

import hashlib
import json
import tempfile
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Engine, select

from opsc.intake.manifest import submit_manifest
from opsc.intake.pseudonym import LinkageKey, pseudonymise_manifest
from opsc.linkage.errors import LinkageError
from opsc.records.cases import Case, Perpetrator, Victim

# contract in the truth file -> (store id, its agency id column, true id column)
_TRUTH: dict[str, tuple[Any, Any, str]] = {
    "victims": (Victim.id, Victim.agency_victim_id, "true_person_id"),
    "cases": (Case.id, Case.agency_case_id, "true_case_id"),
    "perpetrators": (Perpetrator.id, Perpetrator.agency_perpetrator_id, "true_perpetrator_id"),
}
ENTITY = {"victims": "victim", "cases": "case", "perpetrators": "perpetrator"}


def _keep_linked_contracts(manifest: Path) -> None:
    """Only the files linkage reads (victims, cases, perpetrators): the rest of a country
    (trainings, budgets, …) would only slow the import down."""
    data = json.loads(manifest.read_text(encoding="utf-8"))
    data["submissions"] = [e for e in data["submissions"] if e.get("contract") in _TRUTH]
    manifest.write_text(json.dumps(data, indent=2, ensure_ascii=False), encoding="utf-8")


def import_with_truth(
    engine: Engine,
    children: int,
    years: str = "2022-2024",
    seed: int = 7,
    noise: float = 1.0,
    country: str = "MX",
) -> pd.DataFrame:
    """Generate, pseudonymise and import a synthetic country; return its truth as rows of
    (entity, record_id, true_id, noise) keyed by the store's record ids."""
    from opsc.synth.generate import generate
    from opsc.synth.params import load_params

    key = LinkageKey("eval", hashlib.sha256(f"opsc-linkage-eval-{seed}".encode()).digest())
    rates = None if noise == 1.0 else load_params(country).noise.scaled(noise)
    with tempfile.TemporaryDirectory(prefix="opsc-linkage-") as tmp:
        generated = generate(country, children, years, seed, Path(tmp) / "clear", noise=rates)
        _keep_linked_contracts(generated.manifest)
        manifest = pseudonymise_manifest(generated.manifest, Path(tmp) / "sent", key)
        items = submit_manifest(engine, manifest)
        rejected = [i for i in items if i.status == "rejected" and i.contract in _TRUTH]
        if rejected:
            raise LinkageError(f"synthetic file {rejected[0].file} rejected: {rejected[0].problem}")
        truth = pd.read_csv(
            Path(tmp) / "clear" / "TRUTH_DO_NOT_IMPORT" / "record_map.csv",
            dtype=str,
            keep_default_na=False,
        )
    parts = []
    for contract, (record_id, agency_id, true_column) in _TRUTH.items():
        rows = truth.loc[truth["contract"] == contract]
        with engine.connect() as conn:
            ids = pd.read_sql(
                select(record_id.label("record_id"), agency_id.label("agency_id")), conn
            )
        merged = ids.merge(rows, on="agency_id", how="inner")
        parts.append(
            pd.DataFrame(
                {
                    "entity": ENTITY[contract],
                    "record_id": merged["record_id"].astype("int64"),
                    "true_id": merged[true_column],
                    "noise": merged["noise"],
                }
            )
        )
    return pd.concat(parts, ignore_index=True)
