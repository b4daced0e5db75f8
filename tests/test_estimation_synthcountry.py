"""MSE on the synthetic country (opsc.synth): truth, estimate, and linkage sensitivity."""

from __future__ import annotations

import pytest

from opsc.estimation.mse import estimate_mse
from opsc.estimation.synthcountry import synthetic_country, with_linkage_noise


@pytest.fixture(scope="module")
def country():
    return synthetic_country("MX", children=2000, year=2023, seed=3)


def test_truth_table_counts_recorded_children_once(country) -> None:
    assert country.truth == 2000
    assert country.table.observed == country.recorded < country.truth
    assert "POLICE" in country.table.lists and "PROSECUTION" in country.table.lists


def test_estimate_recovers_most_of_the_unrecorded(country) -> None:
    """The generator's children differ in visibility (heterogeneity no pairwise model fully
    captures), so MSE sits between the recorded count and the truth, closer to the truth."""
    result = estimate_mse(country.table, "bhs")
    hidden_share = (result.estimate - country.recorded) / (country.truth - country.recorded)
    assert 0.4 < hidden_share < 1.3
    assert result.ci_low > country.recorded


def test_linkage_errors_move_the_estimate_as_expected(country) -> None:
    base = estimate_mse(country.table, "sparse").estimate
    split = estimate_mse(with_linkage_noise(country.table, 0.2, 0.0, 1), "sparse").estimate
    merged = estimate_mse(with_linkage_noise(country.table, 0.0, 0.05, 1), "sparse").estimate
    assert split > base > merged
