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
from opsc.linkage.runs import clusters_of, run_entity_linkage, unique_count
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
