"""The publish gate: hierarchical and linked tables, refusal with advice, the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from opsc.disclosure import (
    RULE_SETTINGS,
    Rules,
    TableRefusedError,
    UnsafeTableError,
    audit_published,
    build_table,
    protect,
    publish,
)
from opsc.disclosure.advice import _candidates
from opsc.disclosure.cli import app

DOCS = Path(__file__).resolve().parent.parent / "docs" / "disclosure.md"
runner = CliRunner()


def _cases(seed: int = 7, states: int = 6) -> pd.DataFrame:
    """Synthetic child-victim counts: state > municipality × sex × age band."""
    rng = np.random.default_rng(seed)
    rows = []
    for s in range(1, states + 1):
        for m in range(1, int(rng.integers(2, 5)) + 1):
            for sex in ("F", "M"):
                for age in ("0-11", "12-14", "15-17"):
                    rows.append((f"{s:02d}", f"{s:02d}{m:03d}", sex, age, int(rng.poisson(7))))
    return pd.DataFrame(rows, columns=["state", "municipality", "sex", "age_band", "count"])


def test_hierarchical_table_is_published_safely() -> None:
    frame = _cases().groupby(["state", "municipality", "sex"], as_index=False)["count"].sum()
    frame["count"] //= 3
    table = build_table(frame, ["state", "sex"], hierarchy=[("state", "municipality")])
    result = publish(table, Rules(k_by_level={"municipality": 10}, max_suppressed_share=0.9))
    assert result.audit is not None and result.audit.safe
    statuses = {c["status"] for c in result.tables["table"]}
    assert "primary" in statuses and "secondary" in statuses


def test_linked_tables_are_protected_as_one_system() -> None:
    frame = _cases()
    by_sex = build_table(
        frame.groupby(["state", "sex"], as_index=False)["count"].sum(),
        ["state", "sex"],
        name="by_sex",
    )
    by_age = build_table(
        frame.groupby(["state", "age_band"], as_index=False)["count"].sum(),
        ["state", "age_band"],
        name="by_age",
    )
    rules = Rules(k=30, k_by_level={}, max_suppressed_share=1.0)  # many small cells
    result = publish({"by_sex": by_sex, "by_age": by_age}, rules)
    doc = result.to_json()
    assert set(doc["tables"]) == {"by_sex", "by_age"}  # type: ignore[arg-type]
    assert audit_published(doc).safe
    # A shared margin has one status in both tables.
    shared = [
        next(c for c in cells if c["state"] == "01" and c[other] == "_total")
        for cells, other in (
            (result.tables["by_sex"], "sex"),
            (result.tables["by_age"], "age_band"),
        )
    ]
    assert shared[0]["status"] == shared[1]["status"]
    # Protecting each table on its own can leak through the shared margins.
    alone = {
        name: protect(t, rules).to_json()["cells"]
        for name, t in (("by_sex", by_sex), ("by_age", by_age))
    }
    joint = audit_published(
        {"tables": {n: {"cells": c} for n, c in alone.items()}, "k": 30, "k_by_level": {}}
    )
    assert joint.hidden > 0  # the joint audit runs over both tables at once


def test_sparse_table_is_refused_with_coarser_options() -> None:
    frame = _cases()
    frame["count"] = frame["count"] // 4  # mostly 0–2
    table = build_table(frame, ["state", "sex", "age_band"], hierarchy=[("state", "municipality")])
    with pytest.raises(TableRefusedError) as err:
        publish(table, Rules(max_suppressed_share=0.3))
    options = {o.change: o for o in err.value.advice}  # type: ignore[attr-defined]
    assert "state instead of municipality" in options
    assert "without sex" in options and "age_band categories merged in pairs" in options
    state = options["state instead of municipality"]
    assert state.cells == 7 * 3 * 4 and state.evaluated in {"protected", "refused"}
    ranks = [o.evaluated for o in err.value.advice]  # type: ignore[attr-defined]
    assert ranks == sorted(ranks, key=["protected", "primary only (at least)", "refused"].index)
    english, spanish = str(err.value).split(" / ")  # one language whole, then the other
    assert "of the non-zero cells" in english and english.endswith(
        "more than the allowed 30%: publish a coarser table (see advice)"
    )
    assert "de las celdas distintas de cero" in spanish and spanish.endswith(
        "más que el 30% permitido: publique una tabla más agregada (vea las sugerencias)"
    )


def test_a_table_not_protected_in_time_is_refused() -> None:
    table = build_table(
        _cases(), ["state", "sex", "age_band"], hierarchy=[("state", "municipality")]
    )
    with pytest.raises(TableRefusedError) as err:
        publish(table, Rules(time_limit=0.0))
    assert str(err.value) == (
        "no safe pattern was found in half the time limit (0 s): publish a coarser table "
        "(see advice) / no se encontró un patrón seguro en la mitad del tiempo límite (0 s): "
        "publique una tabla más agregada (vea las sugerencias)"
    )


def test_unsafe_error_lists_the_cells() -> None:
    error = UnsafeTableError("not published", ["table: state=01 (primary): exactly recovered"])
    assert "state=01" in str(error)


def _csv(tmp_path: Path) -> Path:
    path = tmp_path / "cases.csv"
    frame = _cases().groupby(["state", "sex", "age_band"], as_index=False)["count"].sum()
    frame.loc[0, "count"] = 2
    frame.to_csv(path, index=False)
    return path


def test_cli_protect_prints_every_cell_as_json(tmp_path: Path) -> None:
    result = runner.invoke(
        app, ["protect", str(_csv(tmp_path)), "--dims", "state,sex,age_band", "--k", "5", "--json"]
    )
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["k"] == 5
    assert len(doc["cells"]) == 7 * 3 * 4
    assert doc["suppressed"] == sum(c["value"] is None for c in doc["cells"]) > 0
    first = doc["cells"][0]
    assert set(first) >= {"state", "sex", "age_band", "value", "status"}
    assert {"state": "01", "sex": "F", "age_band": "0-11"}.items() <= next(
        c for c in doc["cells"] if c["status"] == "primary"
    ).items()
    assert any(c["age_band"] == "_total" and c["value"] is not None for c in doc["cells"])


def test_cli_audit_passes_protected_output_and_fails_a_broken_one(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    protected = runner.invoke(
        app, ["protect", str(_csv(tmp_path)), "--dims", "state,sex,age_band", "--out", str(out)]
    )
    assert protected.exit_code == 0, protected.output
    assert "Information loss" in protected.output
    assert runner.invoke(app, ["audit", str(out)]).exit_code == 0
    doc = json.loads(out.read_text())
    for cell in doc["cells"]:
        if cell["status"] == "secondary":
            cell["status"], cell["value"] = "published", 0  # any value: the pattern is broken
    out.write_text(json.dumps(doc))
    broken = runner.invoke(app, ["audit", str(out), "--json"])
    assert broken.exit_code == 3
    assert json.loads(broken.output)["safe"] is False


def test_cli_audit_json_gives_every_hidden_cells_interval(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    args = ["protect", str(_csv(tmp_path)), "--dims", "state,sex,age_band", "--out", str(out)]
    assert runner.invoke(app, args).exit_code == 0
    report = json.loads(runner.invoke(app, ["audit", str(out), "--json"]).output)
    cells = json.loads(out.read_text())["cells"]
    hidden = {(c["state"], c["sex"], c["age_band"]): c for c in cells if c["value"] is None}
    dims = ("state", "sex", "age_band")  # written as published: `_total` where summed
    got = {tuple(i[d] for d in dims): i for i in report["intervals"]}
    assert report["intervals_complete"] is True and got.keys() == hidden.keys()
    assert {i["table"] for i in report["intervals"]} == {"table"}
    for key, interval in got.items():
        assert interval["low"] >= 1  # L = 1: zeros are published
        if hidden[key]["status"] == "primary":
            assert interval["high"] - interval["low"] >= 5 - 1e-6


def test_cli_audit_holds_a_table_to_the_reviewers_bar(tmp_path: Path) -> None:
    out = tmp_path / "out.json"
    args = ["protect", str(_csv(tmp_path)), "--dims", "state,sex,age_band", "--out", str(out)]
    assert runner.invoke(app, args).exit_code == 0
    assert runner.invoke(app, ["audit", str(out)]).exit_code == 0  # its own bar: P = k = 5
    held = runner.invoke(app, ["audit", str(out), "--p", "50", "--json"])
    assert held.exit_code == 3, held.output
    report = json.loads(held.output)
    assert report["safe"] is False and "< P = 50" in str(report["findings"])
    wrong = runner.invoke(app, ["audit", str(out), "--k", "0", "--json"])
    assert wrong.exit_code == 1 and "k must be a whole number ≥ 1" in wrong.output


def test_cli_reports_invalid_input_with_row_and_field(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("state,sex,count\n01,F,3\n01,M,many\n")
    result = runner.invoke(app, ["protect", str(path), "--dims", "state,sex", "--json"])
    assert result.exit_code == 1
    [problem] = json.loads(result.output)["problems"]
    assert (problem["row"], problem["field"], problem["value"]) == (3, "count", "many")
    assert problem["mensaje"] == "el conteo debe ser un número entero ≥ 0"


@pytest.mark.parametrize(
    ("option", "named"),
    [
        (["--k", "0"], "k must be a whole number ≥ 1"),
        (["--p", "0"], "p must be a whole number ≥ 1"),
        (["--round", "1"], "rounding_base must be a whole number ≥ 2"),
        (["--max-share", "7"], "max_suppressed_share must be a share above 0 and at most 1"),
        (["--k-level", "municipality=ten"], "--k-level 'municipality=ten': write LEVEL=K"),
        (["--hierarchy", "state-municipality"], "--hierarchy 'state-municipality' needs"),
    ],
)
def test_cli_names_a_bad_option_in_both_languages_as_bad_input(
    tmp_path: Path, option: list[str], named: str
) -> None:
    out = tmp_path / "out.json"
    args = ["protect", str(_csv(tmp_path)), "--dims", "state,sex,age_band", "--out", str(out)]
    result = runner.invoke(app, [*args, *option, "--json"])
    assert result.exit_code == 1, result.output  # bad input, not "unsafe" (3)
    doc = json.loads(result.output)
    assert doc["error"] == "invalid-option" and doc["message"].startswith(named)
    assert " / " in doc["message"] and not out.exists()


@pytest.mark.parametrize(
    "args",
    [
        ["protect", "t.csv", "--dims", "state", "--k", "1.5"],
        ["protect", "t.csv"],  # --dims missing
        ["audit", "out.json", "--p", "abc"],
        ["audit", "out.json", "--L", "-4"],
    ],
)
def test_a_malformed_option_is_invalid_input_not_a_refusal(args: list[str]) -> None:
    result = runner.invoke(app, args)
    assert result.exit_code == 1, result.output  # 2 would read as "refused"
    flat = " ".join(result.output.replace("│", " ").split())  # rich wraps it in a box
    assert "opción o argumento no válido: vea --help" in flat


def test_cli_names_an_out_path_it_cannot_write(tmp_path: Path) -> None:
    out = tmp_path / "no such folder" / "out.json"
    args = ["protect", str(_csv(tmp_path)), "--dims", "state,sex,age_band", "--out", str(out)]
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 1, result.output
    doc = json.loads(result.output)
    assert (
        doc["message"].startswith(f"cannot write {out}")
        and "no se puede escribir" in doc["message"]
    )
    assert list(tmp_path.iterdir()) == [tmp_path / "cases.csv"]  # no partial file left


def _problems(tmp_path: Path, text: str, *options: str) -> list[dict[str, object]]:
    path = tmp_path / "t.csv"
    path.write_text(text)
    out = tmp_path / "out.json"
    args = ["protect", str(path), "--dims", "state,sex", *options, "--out", str(out), "--json"]
    result = runner.invoke(app, args)
    assert result.exit_code == 1, result.output
    assert not out.exists()
    doc = json.loads(result.output)
    assert doc["error"] == "invalid-table" and doc["source"] == str(path)
    problems: list[dict[str, object]] = doc["problems"]
    return problems


def test_cli_asks_for_a_missing_row_instead_of_publishing_it_as_zero(tmp_path: Path) -> None:
    problems = _problems(tmp_path, "state,sex,count\n01,F,3\n01,M,7\n02,F,9\n")
    assert [(p["type"], p["value"]) for p in problems] == [("missing-row", "state=02, sex=M")]
    assert "agréguela con su conteo (0 si no hay)" in str(problems[0]["mensaje"])


def test_cli_lists_a_few_missing_rows_and_counts_the_rest(tmp_path: Path) -> None:
    # Municipality given beside state, not nested in it: most combinations have no row.
    rows = [f"{s},{s}{m},{x},1" for s in ("01", "02", "03") for m in "ab" for x in "FM"]
    text = "state,municipality,sex,count\n" + "\n".join(rows) + "\n"
    problems = _problems(tmp_path, text, "--dims", "state,municipality,sex")
    assert [p["type"] for p in problems] == ["missing-row"] * 20 + ["missing-rows"]
    assert str(problems[-1]["message"]).startswith("24 combinations have no row")
    assert "--hierarchy state>municipality" in str(problems[-1]["mensaje"])


@pytest.mark.parametrize(
    ("text", "options", "slug"),
    [
        ("state,sex,count\n", (), "no-rows"),
        ("state,sex,count\n01,F,inf\n01,M,3\n", (), "invalid-count"),
        ("", (), "unreadable-file"),
        ("state,sex,count\n01,F,3\n", ("--dims", ","), "no-dimensions"),
        ("state,sex,count\n01,F,3\n", ("--dims", "state,sex,state"), "repeated-dimension"),
        (
            "state,municipality,sex,count\n01,01001,F,3\n",
            ("--dims", "sex", "--hierarchy", "state>municipality"),
            "hierarchy-not-in-dims",
        ),
        (
            "state,municipality,sex,count\n01,01001,F,3\n01,01001,M,4\n02,02001,F,5\n"
            "02,02001,M,6\n",
            ("--dims", "municipality,sex", "--hierarchy", "municipality>state"),
            "flat-hierarchy",
        ),
    ],
)
def test_cli_explains_an_empty_file_and_badly_named_dimensions(
    tmp_path: Path, text: str, options: tuple[str, ...], slug: str
) -> None:
    problems = _problems(tmp_path, text, *options)
    assert [p["type"] for p in problems] == [slug]
    assert problems[0]["message"] and problems[0]["mensaje"]


def test_rules_out_of_range_are_value_errors_in_both_languages() -> None:
    with pytest.raises(ValueError, match=r"k\[municipality\] must be .* / k\[municipality\] debe"):
        Rules(k_by_level={"municipality": 0})


def test_merged_municipalities_stay_within_their_state() -> None:
    frame = _cases(states=3)
    table = build_table(frame, ["state", "sex", "age_band"], hierarchy=[("state", "municipality")])
    [(_, wider, _)] = [c for c in _candidates(table) if c[0].startswith("municipality")]
    for merged, state in wider[["municipality", "state"]].drop_duplicates().to_numpy():
        assert all(code.startswith(state) for code in merged.split("+")), merged
    assert wider["count"].sum() == frame["count"].sum()
    assert wider["municipality"].nunique() < frame["municipality"].nunique()


def test_cli_audit_names_an_unreadable_file_once_in_both_languages(tmp_path: Path) -> None:
    missing = tmp_path / "missing.json"
    result = runner.invoke(app, ["audit", str(missing)])
    assert result.exit_code == 1
    assert result.output.startswith(f"{missing}: not a readable JSON document")
    assert f"{missing}: {missing}" not in result.output
    assert "no es un documento JSON legible" in result.output
    listed = tmp_path / "list.json"
    listed.write_text("[1]")
    result = runner.invoke(app, ["audit", str(listed), "--json"])
    assert result.exit_code == 1
    assert json.loads(result.output)["message"] == (
        f'{listed}: expected a JSON object with "cells" or "tables" / '
        'se esperaba un objeto JSON con "cells" o "tables"'
    )


def test_every_rule_is_documented() -> None:
    text = DOCS.read_text(encoding="utf-8")
    for setting in RULE_SETTINGS:
        assert f"`{setting.name}`" in text, f"document the rule {setting.name} in {DOCS.name}"
    for command in ("opsc disclosure protect", "opsc disclosure audit"):
        assert command in text
