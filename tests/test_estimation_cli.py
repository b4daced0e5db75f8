"""`opsc estimate mse|impact`: the JSON contract and the refusal without linkage."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from opsc.estimation.cli import app
from opsc.estimation.datasets import data_path

runner = CliRunner()
KEYS = {"observed", "estimate", "ci_low", "ci_high", "ci_method", "model", "warnings"}


def run_json(*args: str) -> dict:
    result = runner.invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_mse_bhs_json() -> None:
    out = run_json("mse", str(data_path("UKdat.csv")), "--method", "bhs")
    assert out.keys() >= KEYS
    assert out["observed"] == 2744 and round(out["estimate"]) == 11418
    assert round(out["profile_estimate"]) == 11409
    assert out["ci_method"] == "profile-likelihood" and round(out["ci_low"]) == 9982
    assert len(out["model"]) == 7 and "PF:NCA" in out["model"]


def test_mse_sparse_and_bic_json() -> None:
    out = run_json("mse", str(data_path("Western.csv")), "--method", "sparse")
    assert out["model"] == ["A:E"] and round(out["estimate"]) == 2483
    assert out["ci_method"] == "wald-log" and out["threshold"] == 0.02
    out = run_json("mse", str(data_path("Kosovo.csv")), "--method", "bic", "--max-order", "2")
    assert round(out["estimate"]) == 14342 and out["max_order"] == 2


def test_mse_fixed_model_and_bootstrap_json() -> None:
    out = run_json(
        "mse",
        str(data_path("Korea.csv")),
        "--method",
        "fixed",
        "--model",
        "A:B,B:C",
        "--bootstrap",
        "40",
        "--seed",
        "5",
    )
    assert out["model"] == ["A:B", "B:C"] and round(out["estimate"]) == 157
    assert out["ci_method"] == "bca-bootstrap" and out["bootstrap"]["replicates"] == 40
    assert out["ci_low"] <= out["estimate"] <= out["ci_high"]
    assert out["model_ci"]["ci_method"] == "wald-log"


def test_mse_stratified_json(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    lines = ["A,B,C,sex,count"]
    for sex in ("F", "M"):
        for mask in range(1, 8):
            bits = [(mask >> j) & 1 for j in range(3)]
            lines.append(",".join(map(str, bits)) + f",{sex},{rng.integers(5, 40)}")
    path = tmp_path / "by_sex.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = run_json("mse", str(path), "--method", "sparse", "--by", "sex")
    assert set(out["strata"]) == {"F", "M"}
    total = sum(s["estimate"] for s in out["strata"].values())
    assert abs(out["estimate"] - total) < 0.02
    assert out["ci_low"] <= out["estimate"] <= out["ci_high"]


def test_from_store_without_linkage_refuses_in_both_languages(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'empty.db'}"
    result = runner.invoke(app, ["mse", "--from-store", "--year", "2023", "--store", url, "--json"])
    assert result.exit_code == 2
    error = json.loads(result.stdout.splitlines()[0])["error"]
    assert error["type"] == "no-linkage" and error["year"] == 2023
    assert "linkage has not been run" in error["message_en"]
    assert "no se ha ejecutado la vinculación" in error["message_es"]


def test_bad_table_error_is_readable(tmp_path: Path) -> None:
    path = tmp_path / "bad.csv"
    path.write_text("A,B,count\n1,0,5\n2,1,3\n", encoding="utf-8")
    result = runner.invoke(app, ["mse", str(path), "--lang", "es"])
    assert result.exit_code == 2
    assert "fila 3" in result.stderr and "'2' no es 0 ni 1" in result.stderr


def test_impact_json(tmp_path: Path) -> None:
    rng = np.random.default_rng(9)
    rows = ["indicator,period,value"]
    for i, year in enumerate(range(2005, 2023)):
        value = 50 + 2 * i + (15 if year >= 2015 else 0) + rng.normal(0, 2)
        rows.append(f"victims,{year},{value:.2f}")
        rows.append(f"other,{year},1")
    path = tmp_path / "series.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    chart = tmp_path / "chart.json"
    out = run_json(
        "impact",
        "--series",
        str(path),
        "--indicator",
        "victims",
        "--event",
        "2014-09-30",
        "--chart",
        str(chart),
    )
    assert out["first_post_period"] == "2015" and out["periods_before"] == 10
    level = out["level_change"]
    assert level["ci_low"] <= 15 <= level["ci_high"] and level["ci_low"] > 0
    assert "detection" in out["summary"]
    assert json.loads(chart.read_text(encoding="utf-8"))["$schema"].endswith("v5.json")
