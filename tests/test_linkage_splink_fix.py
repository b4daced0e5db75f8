"""The guard around Splink 5.0's EM step: a level never seen among matches trains to m ≈ 0
instead of stopping the run (seen on a 1,000-child synthetic country's case linkage)."""

from __future__ import annotations

import pytest
from splink.internals import expectation_maximisation as em
from splink.internals.comparison_level import M_U_CLAMP_MIN, ComparisonLevel
from splink.internals.dialects import SplinkDialect

from opsc.linkage import splink_fix


def _level() -> ComparisonLevel:
    dialect = SplinkDialect.from_string("duckdb")
    return ComparisonLevel("l.x = r.x", dialect, label_for_charts="same first part")


def _lookup(m: float) -> dict[str, dict[int, dict[str, float]]]:
    return {"place": {0: {"m_probability": m, "u_probability": 0.04}}}


def test_splink_alone_refuses_an_underflowed_m() -> None:
    # If Splink ever clamps this itself, the guard (and this test) can go.
    level = _level()
    level._comparison_vector_value = 0
    with pytest.raises(ValueError, match="below the minimum"):
        splink_fix._original(set(), level, "place", _lookup(7.8e-321))


def test_the_guard_clamps_it_at_splinks_own_floor() -> None:
    splink_fix.install()
    level = _level()
    level._comparison_vector_value = 0
    em.populate_m_u_from_lookup(set(), level, "place", _lookup(7.8e-321))
    assert level.m_probability == M_U_CLAMP_MIN
    assert level.u_probability == 0.04
    em.populate_m_u_from_lookup(set(), level, "place", _lookup(0.25))
    assert level.m_probability == 0.25
