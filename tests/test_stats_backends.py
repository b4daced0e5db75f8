"""The cube on every store backend, and keys from a linkage run with a known error."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from sqlalchemy import insert, select

from opsc.linkage.models import LinkageCluster, LinkageRun
from opsc.records import init_store
from opsc.records.cases import Victim
from opsc.records.institutions import Institution
from opsc.stats import build_cube
from opsc.stats.keys import from_linkage
from opsc.stats.truth import compare
from opsc.synth.generate import generate
from opsc.synth.params import NoiseRates
from test_stats_support import load_synthetic, truth_keys


@pytest.mark.backends
def test_cube_equals_truth_on_every_backend(store_url: str, tmp_path: Path) -> None:
    out = tmp_path / "synth"
    generate("PE", 300, "2022-2023", 3, out, noise=NoiseRates().scaled(0.0))
    engine = init_store(store_url)
    try:
        load_synthetic(engine, out)
        cube = build_cube(engine, "PE", truth_keys(out, "synthetic:pe"))
    finally:
        engine.dispose()
    assert [r.table for r in compare(cube, out) if not r.equal] == []
    assert cube.profile.geo_levels[0].level in cube.dimensions("unique_children")


def test_linkage_clusters_differences_are_reported() -> None:
    from test_stats_support import demo_store

    engine, out = demo_store()
    keys = truth_keys(out, "t").for_contract("victims")
    with engine.begin() as conn:
        rows = conn.execute(
            select(Victim.id, Institution.code, Victim.agency_victim_id).join(
                Institution, Institution.id == Victim.institution_id
            )
        ).all()
        person = {(k.institution, k.agency_id): k.key for k in keys.itertuples()}
        clusters = {p: n for n, p in enumerate(sorted(set(person.values())))}
        run = conn.execute(
            insert(LinkageRun).values(
                entity="victim",
                engine="test",
                mode="truth",
                threshold=0.9,
                review_lower=0.5,
                review_upper=0.9,
                input_sha256="0" * 64,
                submissions=[],
                versions={},
                model={},
                n_records=len(rows),
                n_clusters=len(clusters),
                seconds={},
            )
        ).inserted_primary_key[0]
        cluster_of = {vid: clusters[person[(code, agency)]] for vid, code, agency in rows}
        # A known linkage error: the two first children are merged into one cluster.
        first, second = sorted(clusters.values())[:2]
        merged = {vid: (first if c == second else c) for vid, c in cluster_of.items()}
        conn.execute(
            insert(LinkageCluster),
            [{"run_id": run, "record_id": v, "cluster_id": c} for v, c in merged.items()],
        )
    tmp = Path(tempfile.mkdtemp(prefix="opsc-stats-linked-"))
    cube = build_cube(engine, "MX", from_linkage(engine, victims=run), tmp / "cube.duckdb")
    assert cube.key_source == f"linkage:victims={run}"
    truth_cube = build_cube(engine, "MX", truth_keys(out, "t"))
    assert cube.value("unique_children") == truth_cube.value("unique_children") - 1
    year_table = next(r for r in compare(cube, out) if r.table == "children_by_region_year")
    assert abs(year_table.differences["difference"]).sum() in (1, 2)


def test_overlapping_aggregate_cells_do_not_count_and_are_reconciled(tmp_path: Path) -> None:
    from datetime import date

    from opsc.records.cases import AggregateCell
    from opsc.records.institutions import Submission

    out = tmp_path / "synth"
    generate("MX", 400, "2022-2023", 4, out, noise=NoiseRates().scaled(0.0))
    engine = init_store(f"sqlite:///{tmp_path / 'store.db'}")
    load_synthetic(engine, out)
    keys = truth_keys(out, "t")
    before = build_cube(engine, "MX", keys)
    table = before.table("unique_children", ["institution", "year", "sex"]).frame
    row = table[table["year"] == 2022].iloc[0]
    with engine.begin() as conn:
        inst, sub = conn.execute(
            select(Institution.id, Submission.id)
            .join(Submission, Submission.institution_id == Institution.id)
            .where(Institution.code == row["institution"])
        ).first()  # type: ignore[misc]
        conn.execute(
            insert(AggregateCell).values(
                submission_id=sub,
                institution_id=inst,
                measure="victims_identified",
                unit="children",
                period_start=date(2022, 1, 1),
                period_end=date(2022, 12, 31),
                sex=row["sex"],
                value=int(row["value"]) + 3,
            )
        )
    after = build_cube(engine, "MX", keys)
    assert after.value("aggregate_children") == before.value("aggregate_children")
    rec = after.query("SELECT * FROM reconciliation")
    assert rec[["institution", "case_level_value", "difference"]].values.tolist() == [
        [row["institution"], int(row["value"]), 3]
    ]
