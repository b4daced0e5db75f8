"""A published document the audit cannot read gets an error per cell; values the threshold
rule forbids are findings, whatever the statuses say. Synthetic cells only."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pandas as pd
import pytest
from typer.testing import CliRunner

from opsc.disclosure import InvalidTableError, Rules, audit_published, build_table, protect
from opsc.disclosure.cli import app

runner = CliRunner()


def _doc(*cells: dict[str, Any], **rules: Any) -> dict[str, Any]:
    return {"k": 5, **rules, "cells": list(cells)}


def _cell(state: str, value: int | None, status: str = "published") -> dict[str, Any]:
    return {"state": state, "value": value, "status": status}


def _problems(doc: dict[str, Any]) -> list[tuple[str | None, str]]:
    with pytest.raises(InvalidTableError) as caught:
        audit_published(doc)
    return [(p.field, p.type) for p in caught.value.problems]


@pytest.mark.parametrize(
    ("doc", "expected"),
    [
        ({"cells": 3}, [("cells", "cells-not-a-list")]),
        ({"rows": []}, [("cells", "missing-cells")]),
        ({"tables": {"t": 4}}, [("tables.t.cells", "cells-not-a-list")]),
        (_doc(_cell("01", 7), 1), [("cells[1]", "invalid-cell")]),
        (_doc(_cell("01", 7, "hidden")), [("cells[0].status", "invalid-status")]),
        (_doc(_cell("01", None)), [("cells[0].value", "missing-value")]),
        (_doc({"state": "01", "status": "primary"}), [("cells[0].value", "missing-value")]),
        (_doc(_cell("01", -1)), [("cells[0].value", "invalid-value")]),
        (_doc(_cell("01", 2.5)), [("cells[0].value", "invalid-value")]),
        (_doc(_cell("01", True)), [("cells[0].value", "invalid-value")]),  # type: ignore[arg-type]
        (_doc(_cell("01", 9, "secondary")), [("cells[0].value", "hidden-value")]),
        (_doc(_cell("", 7)), [("cells[0].state", "invalid-published-code")]),
        (
            _doc({"state": None, "value": 7, "status": "published"}),
            [("cells[0].state", "invalid-published-code")],
        ),
        (
            _doc(_cell("01", 7), {"sex": "F", "value": 7, "status": "published"}),
            [("cells[1]", "inconsistent-columns")],
        ),
        (_doc(_cell("01", 7), _cell("01", 7)), [("cells[1]", "duplicate-published-cell")]),
        (_doc(_cell("01", 7), k="5"), [("k", "invalid-rule")]),
        (_doc(_cell("01", 7), zeros_published="yes"), [("zeros_published", "invalid-rule")]),
        (_doc(_cell("01", 7), k_by_level={"municipality": 0}), [("k_by_level", "invalid-rule")]),
        # Found by a review: each of these crashed the audit or slipped past it.
        ({"k": 5, "cells": []}, [("cells", "cells-not-a-list")]),
        ({"tables": {"a": {"cells": []}}}, [("tables.a.cells", "cells-not-a-list")]),
        (_doc(_cell("01", 10**400)), [("cells[0].value", "invalid-value")]),
        (_doc(_cell("01", None, "primary"), k=2**63), [("k", "invalid-rule")]),
        (_doc(_cell("01", 1), rounding_base=1), [("rounding_base", "invalid-rule")]),
    ],
)
def test_each_unreadable_part_is_named(
    doc: dict[str, Any], expected: list[tuple[str, str]]
) -> None:
    assert _problems(doc) == expected


def test_every_problem_is_listed_at_once_with_its_value() -> None:
    doc = _doc(_cell("01", "x", "hidden"), _cell("02", 7), _cell("02", 8))  # type: ignore[arg-type]
    with pytest.raises(InvalidTableError) as caught:
        audit_published(doc)
    first = caught.value.problems[0]
    assert (first.field, first.value) == ("cells[0].status", '"hidden"')
    assert [p.type for p in caught.value.problems] == [
        "invalid-status",
        "invalid-value",
        "duplicate-published-cell",
    ]
    assert "el estado debe ser uno de" in str(caught.value)


def _margins(values: dict[str, int], status: dict[str, str] | None = None) -> list[Any]:
    """One cell per state code, published unless `status` says otherwise."""
    return [_cell(s, v, (status or {}).get(s, "published")) for s, v in values.items()]


def test_a_primary_cell_whose_value_is_shown_is_a_finding() -> None:
    doc = _doc(*_margins({"01": 2, "02": 9, "_total": 11}, {"01": "primary"}))
    report = audit_published(doc)
    assert not report.safe
    [finding] = report.findings
    assert (finding.cell, finding.status) == ({"state": "01"}, "primary")
    assert "primary cell's value (2) is published" in finding.reason


def test_a_small_count_marked_published_is_a_finding() -> None:
    report = audit_published(_doc(*_margins({"01": 2, "02": 9, "_total": 11})))
    assert [(f.cell, f.low, f.required) for f in report.findings] == [({"state": "01"}, 2, 5)]
    assert "below the threshold k = 5" in report.findings[0].reason


def test_a_small_margin_is_a_finding_too() -> None:
    report = audit_published(_doc(*_margins({"01": 0, "02": 3, "_total": 3})))
    assert [f.cell for f in report.findings] == [{"state": "02"}, {"cell": "grand total"}]


def test_a_zero_is_a_finding_only_when_the_rules_hide_zeros() -> None:
    cells = _margins({"01": 0, "02": 9, "_total": 9})
    assert audit_published(_doc(*cells)).safe
    report = audit_published(_doc(*cells, zeros_published=False))
    assert [f.cell for f in report.findings] == [{"state": "01"}]
    assert "zero is published" in report.findings[0].reason


def test_the_threshold_follows_the_geographic_level() -> None:
    cells = [
        {"state": "01", "municipality": "001", "value": 7, "status": "published"},
        {"state": "01", "municipality": "_total", "value": 7, "status": "published"},
    ]
    report = audit_published(_doc(*cells, k_by_level={"municipality": 10}))
    assert [f.cell for f in report.findings] == [{"state": "01", "municipality": "001"}]
    assert report.findings[0].required == 10


def test_rounded_documents_are_held_to_their_base_not_to_the_threshold() -> None:
    cells = _margins({"01": 3, "02": 9, "_total": 15})  # rounded margins need not add up
    assert audit_published(_doc(*cells, rounding_base=3)).safe
    shown = _margins({"01": 2, "02": 9, "_total": 11}, {"01": "primary"})
    report = audit_published(_doc(*shown, rounding_base=3))
    assert [f.reason for f in report.findings] == [
        "a primary cell's value (2) is published",
        "11 is published, not rounded to base 3",
    ]


def test_protected_rounded_output_passes_the_audit() -> None:
    frame = pd.DataFrame(
        {"state": ["01", "01", "02", "02"], "sex": list("FMFM"), "count": [3, 12, 7, 26]}
    )
    doc = protect(build_table(frame, ["state", "sex"]), Rules(rounding_base=5)).to_json()
    assert audit_published(doc).safe  # its margins do not add up: no interval audit


def test_a_dimension_named_like_a_published_field_is_refused() -> None:
    frame = pd.DataFrame({"state": ["01", "02"], "status": ["a", "b"], "count": [3, 12]})
    with pytest.raises(InvalidTableError) as caught:
        build_table(frame, ["state", "status"])
    assert [(p.field, p.type) for p in caught.value.problems] == [("status", "reserved-column")]


def test_protected_output_never_shows_a_value_below_its_threshold() -> None:
    frame = pd.DataFrame(
        {
            "state": ["01", "01", "02", "02", "03", "03"],
            "municipality": ["001", "002", "003", "004", "005", "006"],
            "count": [7, 12, 3, 25, 11, 14],
        }
    )
    table = build_table(frame, ["state", "municipality"], hierarchy=[["state", "municipality"]])
    rules = Rules(k=5, max_suppressed_share=1.0)
    doc = protect(table, rules).to_json()
    assert audit_published(doc).safe
    shown = [c for c in doc["cells"] if c["value"] is not None and c["municipality"] != "_total"]
    assert all(c["value"] >= 10 or c["value"] == 0 for c in shown)


def test_cli_audit_lists_the_problems_and_exits_1(tmp_path: Path) -> None:
    path = tmp_path / "edited.json"
    path.write_text(json.dumps(_doc(_cell("01", 7), {"state": "02", "value": "7"})))
    result = runner.invoke(app, ["audit", str(path), "--json"])
    assert result.exit_code == 1, result.output
    doc = json.loads(result.output)
    assert doc["error"] == "invalid-table"
    assert [(p["field"], p["type"]) for p in doc["problems"]] == [
        ("cells[1].status", "invalid-status"),
        ("cells[1].value", "invalid-value"),
    ]
    plain = runner.invoke(app, ["audit", str(path)])
    assert plain.exit_code == 1
    assert plain.output.startswith(f"{path}: 2 problem(s)")
    assert "Traceback" not in plain.output


def test_cli_audit_exits_3_on_a_shown_primary_cell(tmp_path: Path) -> None:
    path = tmp_path / "leak.json"
    path.write_text(
        json.dumps(_doc(*_margins({"01": 2, "02": 9, "_total": 11}, {"01": "primary"})))
    )
    result = runner.invoke(app, ["audit", str(path), "--json"])
    assert result.exit_code == 3, result.output
    [finding] = json.loads(result.output)["findings"]
    assert (finding["state"], finding["status"]) == ("01", "primary")
    assert finding["table"] == "table"


def test_every_message_fills_the_same_placeholders_in_both_languages() -> None:
    from string import Formatter

    from opsc.disclosure.errors import MESSAGES

    def names(text: str) -> set[str]:
        # "{what[0]}" and "{what[1]}" are one parameter: (English, Spanish)
        return {f.split("[")[0] for _, f, _, _ in Formatter().parse(text) if f}

    for slug, (en, es) in MESSAGES.items():
        assert names(en) == names(es), slug
        assert en != es, slug
