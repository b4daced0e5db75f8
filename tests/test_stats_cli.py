"""The `opsc stats` and `opsc indicators` commands on a cube file built from a store."""

from __future__ import annotations

import functools
import json
import tempfile
from pathlib import Path

from typer.testing import CliRunner

from opsc.stats.cli import app as stats_app
from opsc.stats.docs import DOC_PATH, render_markdown
from opsc.stats.indicators_cli import app as indicators_app
from test_stats_support import demo_store

runner = CliRunner()


@functools.cache
def cube_file() -> Path:
    engine, out = demo_store()
    path = Path(tempfile.mkdtemp(prefix="opsc-stats-cli-")) / "cube.duckdb"
    result = runner.invoke(
        stats_app,
        ["build", "--database", str(engine.url), "--keys", f"truth:{out}", "--out", str(path)],
    )
    assert result.exit_code == 0, result.output
    return path


def test_table_json_states_unit_keys_and_cells() -> None:
    args = ["table", "--measure", "unique_children", "--by", "sex,age_band,state"]
    result = runner.invoke(stats_app, [*args, "--year", "2023", "--cube", str(cube_file())])
    assert result.exit_code == 0, result.output
    doc = json.loads(
        runner.invoke(
            stats_app, [*args, "--year", "2023", "--json", "--cube", str(cube_file())]
        ).output
    )
    assert doc["unit"] == "children" and doc["key_source"].startswith("truth:")
    assert doc["where"] == {"year": [2023]}
    assert set(doc["cells"][0]) == {"sex", "age_band", "state", "value"}
    csv = runner.invoke(stats_app, [*args, "--csv", "--cube", str(cube_file())]).output
    assert csv.splitlines()[0] == "sex,age_band,state,value"


def test_published_table_goes_through_disclosure_control() -> None:
    args = ["table", "--measure", "unique_children", "--by", "sex,offence_group", "--publish"]
    result = runner.invoke(stats_app, [*args, "--json", "--cube", str(cube_file())])
    assert result.exit_code == 0, result.output
    doc = json.loads(result.output)
    assert doc["audit"]["safe"] is True
    assert all(c["status"] in ("published", "primary", "secondary") for c in doc["cells"])
    assert all(
        c["value"] is None or c["value"] == 0 or c["value"] >= 5
        for c in doc["cells"]
        if c["status"] == "published"
    )


def test_a_refused_table_is_json_on_stdout_with_its_advice() -> None:
    by = "state,municipality,sex,age_band,offence_group"
    args = ["table", "--measure", "unique_children", "--by", by, "--publish", "--json"]
    result = runner.invoke(stats_app, [*args, "--cube", str(cube_file())])
    assert result.exit_code == 2, result.output
    doc = json.loads(result.stdout)
    assert doc["error"] == "refused" and " / " in doc["message"]
    assert doc["advice"] and {"change", "cells", "suppressed"} <= set(doc["advice"][0])


def test_errors_name_the_fix() -> None:
    result = runner.invoke(
        stats_app, ["table", "--measure", "cases", "--by", "sex", "--cube", str(cube_file())]
    )
    assert result.exit_code == 1 and "unknown dimension of cases 'sex'" in result.output
    result = runner.invoke(
        stats_app, ["rates", "--year", "2023", "--by", "age_band", "--cube", str(cube_file())]
    )
    assert result.exit_code == 1 and "no population denominator by age_band" in result.output
    missing = runner.invoke(stats_app, ["funnel", "--cube", "/nonexistent/cube.duckdb"])
    assert missing.exit_code == 1 and "opsc stats build" in missing.output


def test_funnel_rates_reconcile_truth() -> None:
    cube = ["--cube", str(cube_file())]
    funnel = json.loads(runner.invoke(stats_app, ["funnel", "--json", *cube]).output)
    assert {s["step"] for s in funnel["stages"]} >= {"REPORT", "JUDGEMENT", "CONVICTION"}
    rates = json.loads(
        runner.invoke(stats_app, ["rates", "--year", "2023", "--by", "sex", "--json", *cube]).output
    )
    assert rates["denominator"]["table"] == "conapo2023_state"
    assert runner.invoke(stats_app, ["reconcile", *cube]).exit_code == 0
    _, out = demo_store()
    truth = runner.invoke(stats_app, ["truth", str(out), *cube])
    assert truth.exit_code == 0, truth.output
    assert truth.output.count("equal") == 5


def test_indicators_list_show_compute() -> None:
    listed = runner.invoke(indicators_app, ["list", "--type", "structural"])
    assert listed.exit_code == 0 and "S01" in listed.output and "P01" not in listed.output
    shown = runner.invoke(indicators_app, ["show", "P16", "--lang", "es"])
    assert "Entrevistas por niña o niño" in shown.output and "PE 31(a)" in shown.output
    doc = json.loads(
        runner.invoke(
            indicators_app, ["compute", "O01", "P12", "--json", "--cube", str(cube_file())]
        ).output
    )
    status = {i["id"]: i["status"] for i in doc["indicators"]}
    assert status == {"O01": "ok", "P12": "data_gap"}
    by = runner.invoke(
        indicators_app,
        ["compute", "O02", "--by", "sex", "--year", "2023", "--csv", "--cube", str(cube_file())],
    )
    assert by.exit_code == 0 and by.output.startswith("sex,numerator,denominator,rate")


def test_indicator_docs_are_current() -> None:
    assert DOC_PATH.read_text(encoding="utf-8") == render_markdown(), "run `opsc indicators docs`"
