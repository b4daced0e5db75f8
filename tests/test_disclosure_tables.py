"""Tables with margins: building, hierarchies, linked tables, and input errors."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from opsc.disclosure import InvalidTableError, Rules, build_table, protect, publish
from opsc.disclosure.table import link


def _frame(rows: list[tuple[str, ...]], columns: list[str]) -> pd.DataFrame:
    return pd.DataFrame(rows, columns=[*columns, "count"])


def test_margins_and_equations_are_consistent() -> None:
    frame = _frame(
        [("01", "F", 3), ("01", "M", 4), ("02", "F", 10), ("02", "M", 0)], ["state", "sex"]
    )
    table = build_table(frame, ["state", "sex"])
    cells = {tuple(table.cell_labels(i).values()): int(v) for i, v in enumerate(table.values)}
    assert cells[("_total", "_total")] == 17
    assert cells[("01", "_total")] == 7
    assert cells[("_total", "F")] == 13
    assert np.abs(table.equations() @ table.values).max() == 0


def test_hierarchy_nests_municipalities_in_states() -> None:
    frame = _frame(
        [("01", "001", "F", 2), ("01", "002", "F", 6), ("02", "001", "F", 9)],
        ["state", "municipality", "sex"],
    )
    table = build_table(frame, ["state", "sex"], hierarchy=[("state", "municipality")])
    labels = [table.cell_labels(i) for i in range(len(table))]
    state_01 = next(
        i
        for i, c in enumerate(labels)
        if c == {"state": "01", "municipality": "_total", "sex": "F"}
    )
    assert table.values[state_01] == 8
    # Municipality 001 of state 02 is a different place from 001 of state 01.
    assert {"state": "02", "municipality": "001", "sex": "F"} in labels
    assert not any(c["state"] == "_total" and c["municipality"] != "_total" for c in labels)
    assert np.abs(table.equations() @ table.values).max() == 0


def test_published_cells_read_in_natural_order_without_changing_the_pattern() -> None:
    """Age bands as people read them ("6-11" before "12-14"), codes 2 before 10, each
    state before its municipalities: every cell once (the order is only the output's)."""
    rows = [
        (state, municipality, age, str(n + 3))
        for n, (state, municipality, age) in enumerate(
            (s, m, a)
            for s in ("2", "10")
            for m in ("9", "11")
            for a in ("0-5", "6-11", "12-14", "15-17")
        )
    ]
    frame = _frame(rows, ["state", "municipality", "age_band"])
    frame["count"] = frame["count"].astype(int)
    table = build_table(frame, ["state", "age_band"], hierarchy=[("state", "municipality")])
    cells = protect(table, Rules(k=5)).to_json()["cells"]
    assert isinstance(cells, list) and len(cells) == len(table)
    ages = [c["age_band"] for c in cells if c["state"] == "_total"]
    assert ages == ["_total", "0-5", "6-11", "12-14", "15-17"]
    places = [(c["state"], c["municipality"]) for c in cells if c["age_band"] == "_total"]
    assert places == [
        ("_total", "_total"),
        ("2", "_total"),
        ("2", "9"),
        ("2", "11"),
        ("10", "_total"),
        ("10", "9"),
        ("10", "11"),
    ]
    # Every cell of the table, once.
    by_text = [table.cell_labels(i) for i in range(len(table))]
    assert sorted(by_text, key=str) == sorted(
        ({k: v for k, v in c.items() if k in table.columns} for c in cells), key=str
    )


def test_reading_order_takes_numbers_of_any_length() -> None:
    """A run of 5,000 digits is past what int() reads: the order compares it as text."""
    huge = "9" * 5000
    frame = _frame([(huge, "7"), ("10", "8"), ("9", "9"), ("09", "6")], ["state"])
    frame["count"] = frame["count"].astype(int)
    cells = protect(build_table(frame, ["state"]), Rules(k=5)).to_json()["cells"]
    assert isinstance(cells, list)
    assert [c["state"] for c in cells] == ["_total", "09", "9", "10", huge]


@pytest.mark.parametrize("name", ["table", "low", "high", "required", "status"])
def test_a_dimension_named_like_an_output_field_is_refused(name: str) -> None:
    frame = _frame([("01", "F", "7"), ("01", "M", "8")], [name, "sex"])
    with pytest.raises(InvalidTableError, match=f"reserved|{name}") as caught:
        build_table(frame, [name, "sex"])
    assert "rename the column" in str(caught.value)


def test_linked_tables_share_their_margins() -> None:
    frame = _frame(
        [("01", "F", "a", 3), ("01", "M", "b", 8), ("02", "F", "a", 12)], ["state", "sex", "age"]
    )
    by_sex = build_table(
        frame.groupby(["state", "sex"], as_index=False)["count"].sum(),
        ["state", "sex"],
        name="by_sex",
    )
    by_age = build_table(
        frame.groupby(["state", "age"], as_index=False)["count"].sum(),
        ["state", "age"],
        name="by_age",
    )
    system = link([by_sex, by_age])
    # state margins (2) and the grand total are one figure each.
    assert system.n == len(by_sex) + len(by_age) - 3
    assert np.abs(system.matrix @ system.values).max() == 0


def test_linked_tables_that_disagree_are_rejected() -> None:
    one = build_table(_frame([("01", 3)], ["state"]), ["state"], name="one")
    two = build_table(_frame([("01", 4)], ["state"]), ["state"], name="two")
    with pytest.raises(InvalidTableError, match="is 4 here but 3"):
        link([one, two])


def test_every_input_problem_is_reported_with_row_field_and_value() -> None:
    frame = pd.DataFrame(
        {
            "state": ["01", "", "01", "02"],
            "sex": ["F", "M", "F", "_total"],
            "count": ["3", "x", "2", "-1"],
        }
    )
    with pytest.raises(InvalidTableError) as err:
        build_table(frame, ["state", "sex"], source="cases.csv")
    assert err.value.flatten(["row", "field", "type"]) == [
        [3, "count", "invalid-count"],
        [5, "count", "invalid-count"],
        [3, "state", "invalid-code"],
        [5, "sex", "invalid-code"],
        [4, None, "duplicate-cell"],
    ]
    assert "cases.csv" in str(err.value)
    assert "el conteo debe ser un número entero" in str(err.value)  # Spanish beside English
    assert all(p.es for p in err.value.problems)


def test_missing_column_names_the_fix() -> None:
    with pytest.raises(InvalidTableError, match="add a column 'sex'"):
        build_table(_frame([("01", 3)], ["state"]), ["state", "sex"])


def test_k_is_higher_below_state_level() -> None:
    frame = _frame(
        [("01", "001", 7), ("01", "002", 12), ("01", "003", 30)], ["state", "municipality"]
    )
    table = build_table(frame, ["state"], hierarchy=[("state", "municipality")])
    cells = protect(table, Rules(max_suppressed_share=1.0)).tables["table"]
    seven = next(c for c in cells if c["municipality"] == "001")
    assert seven["status"] == "primary" and "k = 10" in str(seven["reason"])
    state = next(c for c in cells if c["state"] == "01" and c["municipality"] == "_total")
    assert state["status"] == "published"


def test_rounding_is_an_alternative_rule() -> None:
    frame = _frame(
        [("01", "F", 3), ("01", "M", 4), ("02", "F", 12), ("02", "M", 0)], ["state", "sex"]
    )
    result = publish(build_table(frame, ["state", "sex"]), Rules(rounding_base=5))
    values = [c["value"] for c in result.tables["table"]]
    assert all(isinstance(v, int) and v % 5 == 0 for v in values)
    assert {c["status"] for c in result.tables["table"]} == {"published"}
    assert result.loss.suppressed == 0
    assert result.audit is not None and result.audit.safe  # the gate audits rounding too
    assert result.to_json()["audit"] == {"safe": True, "L": 1}
