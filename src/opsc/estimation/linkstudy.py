"""End to end: how the estimate moves with the linkage threshold.

A closed population (`simulate`) decides which lists record each child; each recording
becomes a noisy clear record (`opsc.linkage.sample`), pseudonymised as at the agency,
loaded into a fresh SQLite store and linked by `opsc.linkage` at each threshold; the
estimate from the linked clusters is compared with the truth and with perfect linkage.
"""

from __future__ import annotations

import random
import tempfile
from dataclasses import fields, replace
from datetime import date
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import insert

from opsc.estimation.memberships import overlap_table
from opsc.estimation.mse import Method, estimate_mse
from opsc.estimation.simulate import Scenario, capture_histories
from opsc.estimation.store import memberships_from_store

STUDY_KEY = b"linkage-study-key-not-a-secret!!"  # synthetic data only
YEAR = 2024
STORE_COLUMNS = ("sex", "nationality", "residence_geo", "birth_year")


def noisy_records(scenario: Scenario, seed: int, noise_scale: float = 1.0) -> pd.DataFrame:
    """Pseudonymised victim records with true `person_id` and list (`institution`)."""
    from opsc.linkage.encode import Encoder
    from opsc.linkage.sample import Noise, children, pseudonymise, record

    noise = Noise()
    noise = replace(
        noise, **{f.name: min(1.0, getattr(noise, f.name) * noise_scale) for f in fields(noise)}
    )
    histories = capture_histories(scenario, np.random.default_rng(seed))
    kids = children(scenario.size, seed)
    rng = random.Random(seed)
    rows = [
        {"person_id": pid, "institution": int(j), **record(rng, kids[pid], noise)}
        for pid in range(scenario.size)
        for j in np.flatnonzero(histories[pid])
    ]
    clear = pd.DataFrame(rows)
    clear.insert(0, "unique_id", range(1, len(clear) + 1))
    return pseudonymise(clear, Encoder(STUDY_KEY))


def _load(url: str, records: pd.DataFrame, lists: int) -> Any:
    from opsc.records import init_store, session
    from opsc.records.cases import Victim
    from opsc.records.institutions import Institution, Submission

    engine = init_store(url)
    with session(engine) as s:
        for i in range(1, lists + 1):
            s.add(
                Institution(
                    id=i,
                    country="MX",
                    code=f"L{i}",
                    name=f"List {i}",
                    type="police",
                    level="national",
                )
            )
            s.add(
                Submission(
                    id=i,
                    institution_id=i,
                    contract="victims",
                    contract_version="1",
                    period_start=date(YEAR, 1, 1),
                    period_end=date(YEAR, 12, 31),
                    file_name="study.csv",
                    file_sha256=f"{i:064d}",
                    status="imported",
                    synthetic=True,
                )
            )
        s.flush()
        rows: list[dict[str, Any]] = []
        for r in records.astype(object).where(records.notna(), None).to_dict("records"):
            i = int(r["institution"]) + 1
            rows.append(
                {
                    "id": int(r["unique_id"]),
                    "submission_id": i,
                    "institution_id": i,
                    "agency_victim_id": f"V{r['unique_id']}",
                    "key_version": "study",
                    **{
                        str(k): v
                        for k, v in r.items()
                        if str(k).startswith(("tk_", "bf_")) or k in STORE_COLUMNS
                    },
                }
            )
        s.execute(insert(Victim), rows)
    return engine


def threshold_study(
    scenario: Scenario,
    thresholds: tuple[float, ...] = (0.5, 0.9, 0.99),
    seed: int = 3,
    noise_scale: float = 1.0,
    method: Method = "bhs",
) -> dict[str, Any]:
    """Truth, perfect-linkage estimate, and the estimate after linking at each threshold."""
    from opsc.linkage.pipeline import LinkConfig
    from opsc.linkage.runs import run_linkage

    records = noisy_records(scenario, seed, noise_scale)
    lists = len(scenario.capture)
    perfect, _ = overlap_table(
        [
            (str(p), f"L{i + 1}")
            for p, i in zip(records["person_id"], records["institution"], strict=True)
        ],
        1,
    )
    result = estimate_mse(perfect, method)
    out: dict[str, Any] = {
        "truth": scenario.size,
        "records": len(records),
        "recorded_children": int(records["person_id"].nunique()),
        "perfect": {
            "estimate": round(result.estimate),
            "ci": [round(result.ci_low), round(result.ci_high)],
        },
        "noise_scale": noise_scale,
        "method": method,
        "runs": [],
    }
    with tempfile.TemporaryDirectory() as folder:
        url = f"sqlite:///{Path(folder) / 'study.db'}"
        engine = _load(url, records, lists)
        try:
            for threshold in thresholds:
                config = LinkConfig(
                    threshold=threshold,
                    review_lower=min(0.3, threshold),
                    review_upper=max(0.98, threshold),
                )
                summary = run_linkage(engine, config)
                members = memberships_from_store(url, YEAR)
                table, _ = overlap_table([(m.person_id, m.list_name) for m in members], 1)
                r = estimate_mse(table, method)
                out["runs"].append(
                    {
                        "threshold": threshold,
                        "clusters": summary.n_clusters,
                        "estimate": round(r.estimate),
                        "ci": [round(r.ci_low), round(r.ci_high)],
                    }
                )
        finally:
            engine.dispose()
    return out
