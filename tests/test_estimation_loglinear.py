"""Log-linear fits against statsmodels; existence and identifiability checks; clear errors."""

from __future__ import annotations

import numpy as np
import pytest

from opsc.estimation.bic import hierarchical_models, neighbours, select_bic
from opsc.estimation.datasets import load_dataset
from opsc.estimation.errors import EstimationError
from opsc.estimation.loglinear import (
    check_model,
    fit_model,
    parse_term,
    require_estimable,
    statsmodels_fit,
)
from opsc.estimation.table import from_histories

ABC = ("A", "B", "C")


def three_lists(a=30, b=40, c=50, ab=6, ac=8, bc=10, abc=2):
    return from_histories(
        ABC,
        [
            ((1, 0, 0), a),
            ((0, 1, 0), b),
            ((0, 0, 1), c),
            ((1, 1, 0), ab),
            ((1, 0, 1), ac),
            ((0, 1, 1), bc),
            ((1, 1, 1), abc),
        ],
    )


@pytest.mark.parametrize("name", ["UKdat", "Kosovo", "Western"])
def test_newton_fit_matches_statsmodels(name: str) -> None:
    table = load_dataset(name)
    terms = [
        parse_term(table.lists, f"{table.lists[0]}:{table.lists[1]}"),
        parse_term(table.lists, f"{table.lists[1]}:{table.lists[2]}"),
    ]
    fit = fit_model(table, terms)
    params, cov = statsmodels_fit(table, terms)
    np.testing.assert_allclose(fit.coef, params, rtol=1e-6, atol=1e-8)
    np.testing.assert_allclose(fit.cov, cov, rtol=1e-4, atol=1e-10)  # statsmodels stops at 1e-8


def test_terms_parse_by_name_or_position() -> None:
    table = load_dataset("Kosovo")
    assert parse_term(table.lists, "EXH:HRW") == parse_term(table.lists, "14") == 0b1001
    with pytest.raises(EstimationError) as err:
        parse_term(table.lists, "EXH:UNHCR")
    assert "'UNHCR' is not a list" in str(err.value)


def test_saturated_model_with_an_empty_cell_has_no_estimate() -> None:
    """All pairs on 3 lists is saturated: the empty ABC cell forces log μ = −∞."""
    table = three_lists(abc=0)
    pairs = [0b011, 0b101, 0b110]
    assert check_model(table, pairs).exists is False
    with pytest.raises(EstimationError) as err:
        require_estimable(table, pairs)
    assert err.value.slug == "does-not-exist"
    assert "A:B; A:C; B:C" in err.value.message("en")
    assert "la estimación no existe" in err.value.message("es")
    assert check_model(three_lists(), pairs).ok  # the same model with ABC > 0 is fine


def test_three_way_term_on_three_lists_is_not_identifiable() -> None:
    table = three_lists()
    with pytest.raises(EstimationError) as err:
        require_estimable(table, [0b011, 0b101, 0b110, 0b111])
    assert err.value.slug == "not-identifiable"
    assert "rank deficiency 1" in str(err.value)


def test_lists_that_never_overlap_are_fixed_at_minus_infinity() -> None:
    table = three_lists(ab=0, abc=0)
    fit = fit_model(table, [0b011])
    assert fit.neg_inf == (0b011,)
    assert fit.coefficient(0b011) == float("-inf")
    assert int(fit.keep.sum()) == 5  # the AB and ABC cells are removed
    assert check_model(table, [0b011]).ok
    # the fit equals the main-effects fit on the table without those cells
    assert np.isfinite(fit.estimate) and fit.npar == 1 + 3 + 1


def test_main_effects_two_lists_is_lincoln_petersen() -> None:
    """Two lists, independence: N = n1 n2 / m, the textbook estimate."""
    table = from_histories(("A", "B"), [((1, 0), 60), ((0, 1), 30), ((1, 1), 20)])
    assert fit_model(table, ()).estimate == pytest.approx(80 * 50 / 20)


def test_hierarchical_model_space() -> None:
    """Counts of hierarchical models (the MultipleSystemsEstimation catalogue: 113 for four
    lists up to order 3) and downhill neighbours of [12;23]."""
    assert sum(1 for _ in hierarchical_models(3, 2)) == 8
    assert sum(1 for _ in hierarchical_models(4, 3)) == 113
    assert sum(1 for _ in hierarchical_models(6, 2)) == 2**15
    found = {tuple(sorted(m)) for m in neighbours((0b011, 0b110), 3, 3)}
    assert found == {(0b011, 0b101, 0b110), (0b110,), (0b011,)}


def test_bic_refuses_a_model_space_too_large_to_enumerate() -> None:
    with pytest.raises(EstimationError) as err:
        select_bic(load_dataset("NewOrl"), 2)  # 8 lists: 2^28 pairwise models
    assert err.value.slug == "too-many-models" and "--method downhill" in str(err.value)
