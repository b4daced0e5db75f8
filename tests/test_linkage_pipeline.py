"""Person linkage on pseudonymised fields: exact without noise, accurate with noise,
deterministic, respectful of analyst decisions, and incremental."""

from __future__ import annotations

import dataclasses

import numpy as np
import pandas as pd
import pytest

from opsc.linkage.encode import Encoder
from opsc.linkage.errors import LinkageError
from opsc.linkage.evaluate import bcubed, cluster_pair_scores, summary
from opsc.linkage.graph import constrained_components
from opsc.linkage.incremental import link_incremental
from opsc.linkage.pipeline import Decisions, LinkConfig, LinkResult, link
from opsc.linkage.sample import Noise, population, pseudonymise
from opsc.linkage.spec import CASE, VICTIM

ENC = Encoder(b"test-key-not-a-secret-32-bytes!!")
CONFIG = LinkConfig(u_max_pairs=2e5)


@pytest.fixture(scope="module")
def noisy() -> pd.DataFrame:
    return pseudonymise(population(500, seed=11), ENC)


@pytest.fixture(scope="module")
def linked(noisy: pd.DataFrame) -> LinkResult:
    return link(noisy, VICTIM, CONFIG)


def test_no_noise_gives_the_exact_number_of_children() -> None:
    clean = pseudonymise(population(300, seed=5, noise=Noise.none()), ENC)
    result = link(clean, VICTIM, CONFIG)
    scores = summary(result.clusters, clean, "person_id")
    assert scores["unique_estimated"] == scores["unique_true"] == 300
    assert scores["cluster_f1"] == 1.0


def test_noisy_records_are_linked_accurately(noisy: pd.DataFrame, linked: LinkResult) -> None:
    scores = summary(linked.clusters, noisy, "person_id")
    assert scores["cluster_pairs"]["precision"] >= 0.99  # type: ignore[index]
    assert scores["cluster_f1"] >= 0.97
    assert abs(scores["unique_error_pct"]) <= 2.0  # type: ignore[arg-type]
    assert len(linked.clusters) == len(noisy)


def test_parameters_are_trained_not_hand_set(linked: LinkResult) -> None:
    levels = {c["output_column_name"]: c["comparison_levels"] for c in linked.model["comparisons"]}
    exact_name = levels["given_names"][1]
    assert exact_name["label_for_charts"].startswith("Exact match")
    assert exact_name["m_probability"] > 10 * exact_name["u_probability"]
    dice = [lv for lv in levels["surnames"] if lv["label_for_charts"].startswith("Dice")]
    assert len(dice) == 4 and all("u_probability" in lv for lv in dice)


def test_a_dropped_second_given_name_or_maternal_surname_still_links() -> None:
    # Only dropped names and no ID: a short record shares no whole-name token with the
    # full one (children of one birth date abound); the first given name and paternal
    # surname remain.
    drops = Noise(0, 0, 0.5, 0.5, 0, 0, 0, 1.0, 0)
    frame = pseudonymise(population(400, seed=23, noise=drops), ENC)
    short = frame["tk_surnames"].ne(frame.groupby("person_id")["tk_surnames"].transform("first"))
    assert short.sum() > 50
    result = link(frame, VICTIM, CONFIG)
    levels = {c["output_column_name"]: c["comparison_levels"] for c in result.model["comparisons"]}
    for name, column in (("given_names", "tk_first_given"), ("surnames", "tk_paternal_surname")):
        (part,) = [lv for lv in levels[name] if lv["label_for_charts"].endswith(column)]
        assert part["m_probability"] > 5 * part["u_probability"]  # trained, not hand-set
    scores = summary(result.clusters, frame, "person_id")
    assert scores["cluster_pairs"]["recall"] >= 0.95  # type: ignore[index]
    assert scores["cluster_pairs"]["precision"] >= 0.97  # type: ignore[index]


def test_same_inputs_same_clusters(noisy: pd.DataFrame, linked: LinkResult) -> None:
    shuffled = noisy.sample(frac=1.0, random_state=3)
    again = link(shuffled, VICTIM, CONFIG)
    pd.testing.assert_frame_equal(again.clusters, linked.clusters)


def test_decisions_split_and_join(noisy: pd.DataFrame, linked: LinkResult) -> None:
    pairs = linked.pairs
    strong = pairs.loc[pairs["match_probability"] >= CONFIG.threshold]
    # a two-record cluster joined by one edge: rejecting that edge splits it
    sizes = linked.clusters["cluster_id"].value_counts()
    pair_clusters = linked.clusters.set_index("unique_id")["cluster_id"]
    no_id = noisy.set_index("unique_id")["tk_national_id"].isna()
    two = strong.loc[
        strong["unique_id_l"].map(pair_clusters).map(sizes).eq(2)
        & strong["unique_id_l"].map(no_id)
        & strong["unique_id_r"].map(no_id)
    ].iloc[0]
    a, b = int(two["unique_id_l"]), int(two["unique_id_r"])
    others = linked.clusters.loc[linked.clusters["cluster_id"] != pair_clusters[a], "unique_id"]
    far = int(others.iloc[0])
    lo, hi = sorted((a, far))
    decisions = Decisions(accepted=frozenset({(lo, hi)}), rejected=frozenset({(a, b)}))
    result = link(noisy, VICTIM, CONFIG, decisions, model=linked.model)
    after = result.clusters.set_index("unique_id")["cluster_id"]
    assert after[a] != after[b]
    assert after[a] == after[far]


def test_incremental_matches_a_full_run(noisy: pd.DataFrame) -> None:
    cut = int(noisy["unique_id"].max() * 0.8)
    old, new = noisy[noisy["unique_id"] <= cut], noisy[noisy["unique_id"] > cut]
    base = link(old, VICTIM, CONFIG)
    inc = link_incremental(old, base.clusters, new, base.model, VICTIM, CONFIG)
    assert sorted(inc.clusters["unique_id"]) == sorted(noisy["unique_id"])
    m = inc.clusters.merge(noisy[["unique_id", "person_id"]])
    assert cluster_pair_scores(m["cluster_id"], m["person_id"]).f1 >= 0.97
    # records already linked keep their cluster unless a new record bridges two clusters
    before = base.clusters.set_index("unique_id")["cluster_id"]
    now = inc.clusters.set_index("unique_id")["cluster_id"].reindex(before.index)
    assert (before == now).mean() >= 0.98
    with pytest.raises(ValueError, match="already linked"):
        link_incremental(old, base.clusters, old.head(3), base.model, VICTIM, CONFIG)


def test_scores_on_a_known_clustering() -> None:
    truth = pd.Series([1, 1, 1, 2, 2])
    cluster = pd.Series([1, 1, 2, 2, 2])
    pair = cluster_pair_scores(cluster, truth)
    assert (pair.precision, pair.recall) == pytest.approx((2 / 4, 2 / 4))
    b3 = bcubed(cluster, truth)
    assert (b3.precision, b3.recall) == pytest.approx((11 / 15, 11 / 15))


def test_clusters_never_join_two_ids_or_a_rejected_pair() -> None:
    ids = np.array([10, 20, 30, 40], dtype=np.int64)
    left, right = np.array([10, 20, 30]), np.array([20, 30, 40])
    strength = np.array([0.9, 0.8, 0.99])
    none = np.full(4, -1, dtype=np.int64)
    # without constraints the chain 10-20-30-40 is one cluster
    assert constrained_components(ids, left, right, strength, none).tolist() == [10] * 4
    # 10 and 40 carry different national IDs: the weakest link of the chain (20-30) is cut
    keys = np.array([0, -1, -1, 1], dtype=np.int64)
    assert constrained_components(ids, left, right, strength, keys).tolist() == [10, 10, 30, 30]
    # an analyst rejected 20-40: the same cut, though neither edge joins them directly
    cannot = (np.array([20]), np.array([40]))
    got = constrained_components(ids, left, right, strength, none, cannot)
    assert got.tolist() == [10, 10, 30, 30]


def test_case_model_trains_when_every_pair_sharing_a_victim_matches() -> None:
    # Each child has one case, reported to one to three institutions: in the training block
    # "same linked victim" every pair is a match (EM's λ there is 1), which used to make the
    # model's prior NaN (the run failed) or near 1 (every candidate pair looked likely).
    rng = np.random.default_rng(5)
    rows: list[dict[str, object]] = []
    for case in range(400):
        day, geo = int(rng.integers(0, 2000)), f"{rng.integers(1, 33):02d}{rng.integers(1, 60):03d}"
        offence, online = str(rng.choice(["sale", "porn", "prost"])), str(rng.choice(["Y", "N"]))
        for _ in range(int(rng.integers(1, 4))):
            rows.append(
                {
                    "unique_id": len(rows) + 1,
                    "victim_cluster": case,
                    "offence_day": day,
                    "reported_day": day + int(rng.integers(0, 20)),
                    "geo_code": geo,
                    "main_offence": offence,
                    "online": online,
                    "true_case": case,
                }
            )
    frame = pd.DataFrame(rows)
    result = link(frame, CASE)
    sizes = frame.groupby("true_case").size()
    true_prior = (sizes * (sizes - 1) / 2).sum() / (len(frame) * (len(frame) - 1) / 2)
    prior = result.model["probability_two_random_records_match"]
    assert abs(prior / true_prior - 1) < 0.2
    assert summary(result.clusters, frame, "true_case")["cluster_f1"] >= 0.99


def test_a_model_that_cannot_be_trained_says_so_in_both_languages() -> None:
    # Every record of one child shares victim, day and place: both training blocks are all
    # matches and no key gives the prior. A clear error, not a NaN model.
    rows = [
        {
            "unique_id": i + 1,
            "victim_cluster": i // 2,
            "offence_day": i // 2,
            "reported_day": i // 2,
            "geo_code": "09001",
            "main_offence": "sale",
            "online": "N",
        }
        for i in range(40)
    ]
    frame = pd.DataFrame(rows)
    spec = dataclasses.replace(CASE, prior=())
    with pytest.raises(LinkageError, match=r"cannot be trained.*no puede entrenarse"):
        link(frame, spec)
