"""BCa bootstrap: seeded and reproducible, parallel equals serial, sensible intervals."""

from __future__ import annotations

import numpy as np
import pytest

from opsc.estimation.bootstrap import bca_interval, resample
from opsc.estimation.datasets import load_dataset
from opsc.estimation.mse import Estimator, estimate_mse


def test_resamples_keep_the_observed_total_and_empty_cells_empty() -> None:
    table = load_dataset("Western")
    draws = resample(table, 50, seed=1)
    assert (draws.sum(axis=1) == table.observed).all()
    assert (draws[:, table.counts == 0] == 0).all()


def test_same_seed_same_interval_and_workers_do_not_change_it() -> None:
    table = load_dataset("Korea")
    est = Estimator("fixed", terms=(0b011, 0b110))
    one = bca_interval(table, est, 60, seed=11)
    again = bca_interval(table, est, 60, seed=11)
    two = bca_interval(table, est, 60, seed=11, workers=2)
    assert one == again == two
    assert bca_interval(table, est, 60, seed=12) != one


def test_bca_interval_brackets_the_estimate_and_matches_normal_theory() -> None:
    """Main effects on a well-filled table: BCa ≈ the Wald interval on the log scale."""
    table = load_dataset("Kosovo")
    result = estimate_mse(table, "fixed", bootstrap=300, seed=3)
    assert result.ci_low < result.estimate < result.ci_high
    wald = result.details["model_ci"]
    assert result.ci_low == pytest.approx(wald["ci_low"], rel=0.03)
    assert result.ci_high == pytest.approx(wald["ci_high"], rel=0.03)
    assert abs(result.bootstrap.acceleration) < 0.05


def test_bootstrap_redoes_model_selection() -> None:
    """With selection redone, replicates pick other models, widening the interval."""
    table = load_dataset("Western")
    fixed = estimate_mse(table, "fixed", terms=("A:E",), bootstrap=60, seed=2)
    chosen = estimate_mse(table, "sparse", bootstrap=60, seed=2)
    assert np.isclose(fixed.estimate, chosen.estimate)
    width = chosen.bootstrap.percentile_high - chosen.bootstrap.percentile_low
    assert width > fixed.bootstrap.percentile_high - fixed.bootstrap.percentile_low
