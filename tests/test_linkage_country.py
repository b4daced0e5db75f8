"""A synthetic country through the real path (synth → intake pseudonymisation → import),
then `opsc link` for victims, cases and perpetrators, scored against the kept-aside truth."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pandas as pd
import pytest
from sqlalchemy import Engine

from opsc.linkage.country import import_with_truth
from opsc.linkage.evaluate import summary
from opsc.linkage.pipeline import ID, link
from opsc.linkage.runs import clusters_of, load_perpetrators, run_entity_linkage, unique_count
from opsc.linkage.spec import PERPETRATOR
from opsc.records import init_store


@pytest.fixture(scope="module")
def country(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Engine, pd.DataFrame]]:
    logging.getLogger("splink").setLevel(logging.ERROR)
    path = tmp_path_factory.mktemp("country") / "opsc.db"
    engine = init_store(f"sqlite:///{path}")
    truth = import_with_truth(engine, children=150, years="2024-2024", seed=3, noise=0.0)
    yield engine, truth
    engine.dispose()


def _scores(engine: Engine, run_id: int, truth: pd.DataFrame, entity: str) -> dict[str, object]:
    rows = truth.loc[truth["entity"] == entity].rename(columns={"record_id": "unique_id"})
    return summary(clusters_of(engine, run_id), rows, "true_id")


@pytest.mark.slow
def test_clean_country_counts_each_child_case_and_perpetrator(
    country: tuple[Engine, pd.DataFrame],
) -> None:
    engine, truth = country
    victims = run_entity_linkage(engine, "victim")
    scores = _scores(engine, victims.run_id, truth, "victim")
    # No identifier noise: the unique-children count from clusters is exact.
    assert unique_count(engine, victims.run_id) == (victims.run_id, scores["unique_true"])
    assert scores["cluster_f1"] == 1.0
    cases = run_entity_linkage(engine, "case")
    case_scores = _scores(engine, cases.run_id, truth, "case")
    assert case_scores["cluster_f1"] >= 0.98  # type: ignore[operator]
    perpetrators = run_entity_linkage(engine, "perpetrator")
    perp_scores = _scores(engine, perpetrators.run_id, truth, "perpetrator")
    assert perp_scores["cluster_f1"] >= 0.95  # type: ignore[operator]
    # each run names the run it rests on
    from opsc.linkage.runs import _run

    assert _run(engine, cases.run_id, "case").parent_run_id == victims.run_id
    assert _run(engine, perpetrators.run_id, "perpetrator").parent_run_id == cases.run_id


@pytest.mark.slow
@pytest.mark.backends
def test_perpetrators_are_found_by_name_and_birth_date(store_url: str) -> None:
    """With identifier noise, through the real path on each store backend: perpetrators are
    counted once, and their names and birth dates find them even with no case evidence
    (the national ID token alone, the model before names, left ~60 % too many at 20,000
    children: docs/linkage.md)."""
    logging.getLogger("splink").setLevel(logging.ERROR)
    engine = init_store(store_url)
    try:
        truth = import_with_truth(engine, children=300, years="2024-2024", seed=3)
        for entity in ("victim", "case"):
            run_entity_linkage(engine, entity)
        run = run_entity_linkage(engine, "perpetrator")
        scores = _scores(engine, run.run_id, truth, "perpetrator")
        assert scores["cluster_f1"] >= 0.98  # type: ignore[operator]
        rows = truth.loc[truth["entity"] == "perpetrator"].rename(columns={"record_id": ID})
        frame = load_perpetrators(engine)
        assert frame["tk_given_names"].notna().mean() > 0.9  # natural persons have names
        alone = summary(
            link(frame.assign(case_cluster=pd.NA), PERPETRATOR).clusters, rows, "true_id"
        )
        assert alone["cluster_f1"] >= 0.95  # type: ignore[operator]
        assert abs(alone["unique_error_pct"]) <= 3  # type: ignore[arg-type]
    finally:
        engine.dispose()
