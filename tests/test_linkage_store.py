"""Linkage over the store: runs are records, review decisions persist, new records link,
and the `opsc link` commands drive it (on every store backend)."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest
from sqlalchemy import Engine, insert, select
from typer.testing import CliRunner

from opsc.linkage.cli import app
from opsc.linkage.encode import Encoder
from opsc.linkage.models import LinkageCluster, LinkageRun
from opsc.linkage.runs import clusters_of, link_new_records, run_linkage, unique_count
from opsc.linkage.sample import Noise, population, pseudonymise
from opsc.records import init_store, session
from opsc.records.cases import Victim
from opsc.records.institutions import Institution, Submission

ENC = Encoder(b"test-key-not-a-secret-32-bytes!!")
COLUMNS = ("sex", "nationality", "residence_geo", "birth_year")


def _load(engine: Engine, records: pd.DataFrame, first_submission: int) -> None:
    """Victim rows from pseudonymised records; one submission per institution."""
    with session(engine) as s:
        for inst in sorted(records["institution"].unique()):
            iid = int(inst) + 1
            if s.get(Institution, iid) is None:
                s.add(
                    Institution(
                        id=iid,
                        country="MX",
                        code=f"I{iid}",
                        name=f"Inst {iid}",
                        type="police",
                        level="national",
                    )
                )
            s.add(
                Submission(
                    id=first_submission + iid,
                    institution_id=iid,
                    contract="victims",
                    contract_version="1",
                    period_start=date(2024, 1, 1),
                    period_end=date(2024, 12, 31),
                    file_name="synthetic.csv",
                    file_sha256=f"{first_submission + iid:064d}",
                    status="imported",
                    synthetic=True,
                )
            )
        s.flush()
        rows = []
        for r in records.astype(object).where(records.notna(), None).to_dict("records"):
            iid = int(r["institution"]) + 1
            rows.append(
                {
                    "id": int(r["unique_id"]),
                    "submission_id": first_submission + iid,
                    "institution_id": iid,
                    "agency_victim_id": f"V{r['unique_id']}",
                    "key_version": "2026-1",
                    **{k: v for k, v in r.items() if k.startswith(("tk_", "bf_")) or k in COLUMNS},
                }
            )
        s.execute(insert(Victim), rows)


@pytest.fixture
def records() -> pd.DataFrame:
    return pseudonymise(population(120, seed=21, noise=Noise.none()), ENC)


@pytest.mark.backends
def test_run_is_a_record_and_counts_children(store_url: str, records: pd.DataFrame) -> None:
    engine = init_store(store_url)
    cut = int(records["unique_id"].max() * 0.75)
    _load(engine, records[records["unique_id"] <= cut], 0)
    first = run_linkage(engine)
    again = run_linkage(engine)
    with session(engine) as s:
        run = s.get(LinkageRun, first.run_id)
        assert run is not None
        assert run.versions["splink"] == "5.0.0" and run.model["comparisons"]
        assert run.submissions == sorted(run.submissions) and run.submissions
        stored = s.scalars(select(LinkageCluster).where(LinkageCluster.run_id == run.id)).all()
        assert len(stored) == first.n_records
    pd.testing.assert_frame_equal(
        clusters_of(engine, first.run_id), clusters_of(engine, again.run_id)
    )
    old_truth = records.loc[records["unique_id"] <= cut, "person_id"].nunique()
    assert unique_count(engine, first.run_id) == (first.run_id, old_truth)

    _load(engine, records[records["unique_id"] > cut], 100)
    added = link_new_records(engine)
    assert unique_count(engine) == (added.run_id, records["person_id"].nunique())
    with session(engine) as s:
        child = s.get(LinkageRun, added.run_id)
        assert child is not None and child.parent_run_id == again.run_id
    engine.dispose()


def test_cli_review_loop(tmp_path: object, records: pd.DataFrame) -> None:
    url = f"sqlite:///{tmp_path}/link.db"
    engine = init_store(url)
    noisy = pseudonymise(population(150, seed=4), ENC)
    _load(engine, noisy, 0)
    runner = CliRunner()
    # a wide review band so that there is something to review on a small population
    result = runner.invoke(
        app, ["--database", url, "--review-lower", "0.01", "--review-upper", "0.999999"]
    )
    assert result.exit_code == 0, result.output
    assert "persons" in result.output
    listed = runner.invoke(app, ["review", "--database", url, "--json", "--limit", "5"])
    assert listed.exit_code == 0, listed.output
    pairs = json.loads(listed.output)["pairs"]
    assert pairs and set(pairs[0]["weights"]) >= {"birth", "given_names", "surnames"}
    a, b = pairs[0]["record_l"], pairs[0]["record_r"]
    verdict = "non-match" if pairs[0]["match_probability"] >= 0.9 else "match"
    decided = runner.invoke(
        app,
        [
            "decide",
            str(a),
            str(b),
            verdict,
            "--database",
            url,
            "--analyst",
            "analyst1",
            "--note",
            "checked files",
        ],
    )
    assert decided.exit_code == 0, decided.output
    rerun = runner.invoke(
        app, ["--database", url, "--review-lower", "0.01", "--review-upper", "0.999999"]
    )
    assert rerun.exit_code == 0, rerun.output
    run_id = engine.connect().execute(select(LinkageRun.id).order_by(LinkageRun.id.desc())).scalar()
    assert run_id is not None
    cluster = clusters_of(engine, run_id).set_index("unique_id")["cluster_id"]
    assert (cluster[a] == cluster[b]) == (verdict == "match")
    relisted = json.loads(
        runner.invoke(app, ["review", "--database", url, "--json", "--limit", "500"]).output
    )
    assert (a, b) not in {(p["record_l"], p["record_r"]) for p in relisted["pairs"]}
    bad = runner.invoke(app, ["decide", "1", "2", "maybe", "--database", url, "--analyst", "x"])
    assert bad.exit_code == 1 and "must be one of: match, non-match" in bad.output
    assert runner.invoke(app, ["count", "--database", url]).exit_code == 0
    assert runner.invoke(app, ["runs", "--database", url]).exit_code == 0
    engine.dispose()


def test_empty_store_says_what_to_do(tmp_path: object) -> None:
    url = f"sqlite:///{tmp_path}/empty.db"
    result = CliRunner().invoke(app, ["--database", url])
    assert result.exit_code == 1
    assert "no victim records in the store: import a submission first" in result.output


def test_entities_refuse_clearly(tmp_path: object) -> None:
    url = f"sqlite:///{tmp_path}/empty.db"
    bad = CliRunner().invoke(app, ["--entity", "children", "--database", url])
    assert bad.exit_code == 2
    assert "--entity 'children': use one of victim, perpetrator, case" in bad.output
    # cases rest on a victim run, perpetrators on a case run: each says which is missing
    cases = CliRunner().invoke(app, ["--entity", "case", "--database", url])
    assert cases.exit_code == 1 and "no victim linkage run in the store" in cases.output
    perps = CliRunner().invoke(app, ["--entity", "perpetrator", "--database", url])
    assert perps.exit_code == 1 and "no case linkage run in the store" in perps.output


def test_cli_refuses_a_reused_model_for_cases(tmp_path: object) -> None:
    url = f"sqlite:///{tmp_path}/link.db"
    result = CliRunner().invoke(app, ["--database", url, "--entity", "case", "--reuse-model", "1"])
    assert result.exit_code == 2
    assert "victim runs only" in result.output and "víctimas" in result.output
