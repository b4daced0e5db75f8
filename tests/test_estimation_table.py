"""Overlap tables: reading CSVs (errors name row, field, value), building from linked people."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opsc.estimation.errors import EstimationError
from opsc.estimation.memberships import POOLED, Membership, overlap_table, stratify
from opsc.estimation.table import read_csv, read_strata_csv, write_csv


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "t.csv"
    path.write_text(text, encoding="utf-8")
    return path


def test_reads_a_table_and_fills_zero_cells(tmp_path: Path) -> None:
    table = read_csv(write(tmp_path, "A,B,C,count\n1,0,0,5\n1,1,0,2\n0,0,1,3\n1,0,0,1\n"))
    assert table.lists == ("A", "B", "C") and len(table.counts) == 7
    assert table.observed == 11 and table.list_sizes() == {"A": 8, "B": 2, "C": 3}


@pytest.mark.parametrize(
    ("text", "slug", "facts"),
    [
        ("A,B,count\n1,0,5\n1,x,2\n", "bad-indicator", {"row": 3, "field": "B", "value": "x"}),
        ("A,B,count\n1,0,-1\n", "bad-count", {"row": 2, "field": "count", "value": "-1"}),
        ("A,B,count\n1,0,2.5\n", "bad-count", {"row": 2, "field": "count", "value": "2.5"}),
        ("A,B,count\n0,0,4\n", "all-zero-history", {"row": 2}),
        ("A,B,n\n1,0,4\n", "missing-count-column", {"header": "A,B,n"}),
    ],
)
def test_errors_name_row_field_and_value(tmp_path: Path, text, slug, facts) -> None:
    with pytest.raises(EstimationError) as err:
        read_csv(write(tmp_path, text))
    assert err.value.slug == slug
    assert {k: err.value.facts[k] for k in facts} == facts
    assert err.value.message("es") != err.value.message("en")


def test_strata_csv(tmp_path: Path) -> None:
    text = "A,B,sex,count\n1,0,F,5\n1,1,F,2\n0,1,M,3\n1,1,M,1\n1,0,,2\n"
    tables = read_strata_csv(write(tmp_path, text), "sex")
    assert {k: t.observed for k, t in tables.items()} == {"F": 7, "M": 4, "unknown": 2}
    with pytest.raises(EstimationError, match="'age' is not in the table"):
        read_strata_csv(write(tmp_path, text), "age")


def test_csv_round_trip(tmp_path: Path) -> None:
    table = read_csv(write(tmp_path, "A,B,C,count\n1,0,0,5\n1,1,1,2\n0,1,1,3\n"))
    write_csv(table, tmp_path / "out.csv")
    again = read_csv(tmp_path / "out.csv")
    assert again.lists == table.lists and (again.counts == table.counts).all()


def test_small_lists_are_pooled_and_a_tiny_pool_dropped() -> None:
    pairs = [(f"p{i}", "police") for i in range(30)] + [(f"p{i}", "shelter") for i in range(20, 45)]
    pairs += [("p1", "helpline"), ("p50", "helpline"), ("p51", "ngo")]
    table, plan = overlap_table(pairs, min_list_size=10)
    assert plan.kept == ("police", "shelter") and plan.dropped == ("helpline", "ngo")
    assert table.lists == ("police", "shelter") and table.observed == 45
    more = pairs + [(f"q{i}", "ngo") for i in range(8)]
    table, plan = overlap_table(more, min_list_size=10)
    assert plan.pooled == ("helpline", "ngo") and table.lists == ("police", "shelter", POOLED)


def test_institutions_grouped_into_types() -> None:
    pairs = [(f"p{i}", "police-north") for i in range(15)]
    pairs += [(f"p{i}", "police-south") for i in range(10, 30)]
    pairs += [(f"p{i}", "dif") for i in range(25, 40)]
    groups = {"police-north": "police", "police-south": "police"}
    table, _ = overlap_table(pairs, 10, groups)
    assert table.list_sizes() == {"dif": 15, "police": 30}
    assert table.overlap(0b11) == 5


def test_too_few_lists_after_pooling_is_explained() -> None:
    with pytest.raises(EstimationError) as err:
        overlap_table([("a", "police"), ("b", "shelter")], min_list_size=10)
    assert err.value.slug == "too-few-large-lists"


def test_stratum_by_majority_of_linked_records() -> None:
    members = [
        Membership("p1", "police", {"sex": "F"}),
        Membership("p1", "shelter", {"sex": "F"}),
        Membership("p1", "ngo", {"sex": "M"}),
        Membership("p2", "police", {}),
    ]
    strata = stratify(members, "sex")
    assert strata == {
        "F": [("p1", "police"), ("p1", "shelter"), ("p1", "ngo")],
        "unknown": [("p2", "police")],
    }


@settings(max_examples=60, deadline=None)
@given(
    st.lists(
        st.tuples(st.integers(0, 40), st.sampled_from(["L1", "L2", "L3", "L4"])),
        min_size=1,
        max_size=200,
    )
)
def test_table_counts_each_person_once(raw: list[tuple[int, str]]) -> None:
    """Observed = distinct people on kept lists; list sizes = distinct people per list."""
    pairs = [(str(p), name) for p, name in raw]
    people = {name: {p for p, n in pairs if n == name} for name in {n for _, n in pairs}}
    if sum(len(v) >= 1 for v in people.values()) < 2:
        return
    table, _ = overlap_table(pairs, min_list_size=1)
    assert table.list_sizes() == {k: len(v) for k, v in people.items()}
    assert table.observed == len({p for p, _ in pairs})
