"""End to end: noisy pseudonymised records → opsc.linkage at a threshold → store → MSE."""

from __future__ import annotations

import pytest

from opsc.estimation.linkstudy import threshold_study
from opsc.estimation.simulate import Scenario

pytestmark = pytest.mark.slow


def test_good_linkage_keeps_the_estimate_of_perfect_linkage() -> None:
    study = threshold_study(Scenario(size=800), thresholds=(0.9,), seed=5)
    run = study["runs"][0]
    assert run["clusters"] == pytest.approx(study["recorded_children"], rel=0.03)
    assert run["estimate"] == pytest.approx(study["perfect"]["estimate"], rel=0.08)


def test_noisy_identifiers_and_a_strict_threshold_inflate_the_estimate() -> None:
    """Missed links split children, and lost overlaps look like unrecorded children."""
    study = threshold_study(Scenario(size=800), thresholds=(0.5, 0.999), seed=5, noise_scale=2.5)
    loose, strict = study["runs"]
    assert strict["clusters"] > loose["clusters"] > study["recorded_children"]
    assert strict["estimate"] > loose["estimate"] > study["perfect"]["estimate"]
