"""The cube on a synthetic country: standard tables equal the truth, counting units hold."""

from __future__ import annotations

import duckdb
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opsc.stats import StatsError, UnknownNameError
from opsc.stats import cube as cube_module
from opsc.stats.cube import configure_build
from opsc.stats.measures import measure
from opsc.stats.truth import compare
from test_stats_support import demo_cube, noisy_cube


def test_standard_tables_equal_truth_on_clean_records() -> None:
    cube, out = demo_cube()
    results = compare(cube, out)
    assert [r.table for r in results if not r.equal] == []
    assert all(r.cells > 0 for r in results)


def test_noise_shows_as_differences_only_where_identifiers_were_damaged() -> None:
    cube, out = noisy_cube()
    by_name = {r.table: r for r in compare(cube, out)}
    # Geography, record counts and proceedings do not depend on the damaged fields.
    for name in (
        "children_by_region_year",
        "victim_records_by_type",
        "proceedings_by_stage_outcome",
    ):
        assert by_name[name].equal, by_name[name].differences
    sex = by_name["children_by_year_offence_sex"].differences
    # Children whose every record lost its sex move to `U`, nothing else changes.
    assert set(sex.loc[sex["difference"] > 0, "sex"]) <= {"U"}
    assert sex["difference"].sum() == 0


def test_unique_children_are_fewer_than_records_and_margins_are_not_sums() -> None:
    cube, _ = demo_cube()
    records = cube.value("victim_records")
    children = cube.value("unique_children")
    assert 0 < children < records
    by_type = cube.table("unique_children", ["institution_type"]).frame
    # A child seen by two kinds of institution counts under both, once in the total.
    assert by_type["value"].sum() > children
    assert cube.table("unique_children", ["sex"]).total() == children


def test_filters_and_rollup_agree() -> None:
    cube, _ = demo_cube()
    states = cube.table("unique_children", ["state"]).frame
    municipalities = cube.table("unique_children", ["state", "municipality"]).frame
    rolled = municipalities.groupby("state")["value"].sum().reset_index()
    pd.testing.assert_frame_equal(
        states.reset_index(drop=True),
        rolled.astype(states.dtypes.to_dict()),
        check_dtype=False,
    )
    one = states.iloc[0]
    assert cube.value("unique_children", {"state": one["state"]}) == one["value"]


def test_unknown_dimension_names_the_allowed_ones() -> None:
    cube, _ = demo_cube()
    with pytest.raises(UnknownNameError, match=r"unknown dimension of cases 'sex'.*offence"):
        cube.table("cases", ["sex"])
    with pytest.raises(UnknownNameError, match="unknown measure 'kids'"):
        cube.table("kids")


DIMS = ("year", "sex", "age_band", "offence_group", "state", "nationality", "in_school")


@settings(max_examples=25, deadline=None)
@given(st.lists(st.sampled_from(DIMS), min_size=1, max_size=3, unique=True))
def test_cells_of_single_valued_dimensions_add_up_to_the_total(by: list[str]) -> None:
    cube, _ = demo_cube()
    for name in ("unique_children", "victim_records", "cases"):
        dims = [d for d in by if d in cube.dimensions(name)]
        if dims:
            assert cube.table(name, dims).total() == cube.value(name), (name, dims)


@settings(max_examples=10, deadline=None)
@given(st.sampled_from(("sex", "year", "age_band")))
def test_list_dimensions_count_a_child_once_per_value(other: str) -> None:
    cube, _ = demo_cube()
    cells = cube.table("unique_children", ["risk_factor", other]).frame
    per_child = cube.query("SELECT sum(len(risk_factors)) AS n FROM child")["n"].iloc[0]
    assert cells["value"].sum() == per_child
    one = cells["risk_factor"].iloc[0]
    assert cube.value("unique_children", {"risk_factor": one}) == (
        cells.loc[cells["risk_factor"] == one, "value"].sum()
    )


DISTINCT_MEASURES = ("proceedings", "perpetrators", "children_served")


@settings(max_examples=20, deadline=None)
@given(st.sampled_from(DISTINCT_MEASURES), st.data())
def test_bitmap_counts_of_linked_units_equal_distinct_counts(
    name: str, data: st.DataObject
) -> None:
    cube, _ = demo_cube()
    m = measure(name)
    dims = data.draw(st.lists(st.sampled_from(cube.dimensions(name)), max_size=3, unique=True))
    sql, _ = cube.sql(name, dims)
    assert "bitstring_agg" in sql  # the demo country's tables are small
    cols = ", ".join(f'"{d}"' for d in dims)
    hand = (
        f'SELECT {cols + ", " if cols else ""}count(DISTINCT {m.unit_id}) AS value FROM "{m.table}"'
    )
    if dims:
        hand += f" GROUP BY {cols} ORDER BY {cols}"
    expected = cube.query(hand)
    pd.testing.assert_frame_equal(cube.table(name, dims).frame, expected, check_dtype=False)


def test_large_tables_of_linked_units_fall_back_to_distinct_counts(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    cube, _ = demo_cube()
    by = ["stage", "outcome", "year"]
    fast = cube.table("proceedings", by).frame
    where = {"stage": ["TRIAL", "JUDGEMENT"]}
    fast_filtered = cube.table("proceedings", ["year"], where).frame
    monkeypatch.setattr(cube_module, "BITMAP_BYTES", 0)
    assert "count(DISTINCT proceeding_id)" in cube.sql("proceedings", by)[0]
    pd.testing.assert_frame_equal(cube.table("proceedings", by).frame, fast)
    pd.testing.assert_frame_equal(cube.table("proceedings", ["year"], where).frame, fast_filtered)
    # Two stages: a proceeding at both counts once per year, not twice.
    assert (
        fast_filtered["value"].sum() < cube.table("proceedings", ["stage", "year"], where).total()
    )
    assert cube.unit_statistics()["unit_ids"]["proceeding.proceeding_id"] >= cube.value(
        "proceedings"
    )


def test_build_settings_bound_memory_and_refuse_a_bad_size() -> None:
    con = duckdb.connect()
    try:
        with pytest.raises(StatsError, match=r"memory limit 'lots': write a size such as '4GB'"):
            configure_build(con, "lots")
        configure_build(con, "512MiB")
        row = con.execute(
            "SELECT current_setting('memory_limit'), current_setting('preserve_insertion_order')"
        ).fetchone()
        assert row == ("512.0 MiB", False)
    finally:
        con.close()
