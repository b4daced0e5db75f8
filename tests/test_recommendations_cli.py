"""`opsc co` and `opsc recs` through typer's CliRunner, on a SQLite store."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from typer.testing import CliRunner

from opsc.recommendations.cli import app as co
from opsc.recommendations.recs_cli import app as recs
from opsc.records.db import init_store, session
from opsc.records.institutions import Institution, User

runner = CliRunner()
MX_SEED = "seeds/000_46d93a851d7bc3fa.txt"
PE_SEED = "seeds/002_17cb5de238c70805.txt"
MX = "CRC/C/OPSC/MEX/CO/1"


def test_parse_json(shared_dir: Path) -> None:
    result = runner.invoke(co, ["parse", str(shared_dir / PE_SEED), "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["symbol"] == "CRC/C/OPSC/PER/CO/1" and len(data["paragraphs"]) == 38
    p24 = data["paragraphs"][23]
    assert p24["references"]["op_articles"] == ["2(a)", "3(1)(a)"]
    assert p24["section"][1] == "Existing criminal or penal laws and regulations"


def test_parse_errors_name_the_file_and_the_fix(tmp_path: Path) -> None:
    odd = tmp_path / "notes.odt"
    odd.write_text("x")
    result = runner.invoke(co, ["parse", str(odd)])
    assert result.exit_code == 1 and "use one of .txt, .docx, .pdf" in result.output
    empty = tmp_path / "empty.txt"
    empty.write_text("Nothing numbered here.\n")
    result = runner.invoke(co, ["parse", str(empty)])
    assert result.exit_code == 1 and "no numbered paragraphs" in result.output


def test_similar_files_show_mexico_6_and_peru_8(shared_dir: Path) -> None:
    args = ["similar", str(shared_dir / MX_SEED), "-p", "6", "--against", str(shared_dir / PE_SEED)]
    result = runner.invoke(co, args)
    assert result.exit_code == 0, result.output
    assert _first_match(result.output) == "CRC/C/OPSC/PER/CO/1:8"


def _first_match(output: str) -> str:
    found = re.search(r"CRC/C/OPSC/PER/CO/1:\d+", output)
    assert found, output
    return found.group(0)


@pytest.fixture
def database(tmp_path: Path) -> str:
    url = f"sqlite:///{tmp_path / 'opsc.db'}"
    engine = init_store(url)
    with session(engine) as s:
        dif = Institution(
            country="MX", code="DIF", name="SNDIF", type="child_protection", level="national"
        )
        s.add(dif)
        s.flush()
        s.add_all(
            [
                User(username="ana", password_hash="-", role="contributor", institution_id=dif.id),
                User(username="val", password_hash="-", role="validator", institution_id=dif.id),
            ]
        )
    engine.dispose()
    return url


def test_import_update_approve_export(
    shared_dir: Path, database: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("OPSC_VAR_DIR", str(tmp_path / "var"))
    db = ["--database", database]
    for seed in (MX_SEED, PE_SEED):
        result = runner.invoke(co, ["import", str(shared_dir / seed), *db])
        assert result.exit_code == 0, result.output
    assert (
        "already imported" in runner.invoke(co, ["import", str(shared_dir / MX_SEED), *db]).output
    )
    assert runner.invoke(recs, ["assign", f"{MX}:6", "DIF", *db]).exit_code == 0
    evidence = tmp_path / "minutes.pdf"
    evidence.write_bytes(b"%PDF-1.4 minutes")
    result = runner.invoke(
        recs,
        [
            "update",
            f"{MX}:6",
            "--user",
            "ana",
            "--status",
            "in progress",
            "--action",
            "2024-03-01:Data working group installed",
            "--evidence",
            str(evidence),
            "--evidence",
            "https://example.org/plan",
            "--public",
            *db,
        ],
    )
    assert result.exit_code == 0, result.output
    listed = runner.invoke(recs, ["list", "--state", "MX", "--theme", "data", *db])
    assert listed.output.endswith("1 paragraph(s)\n")
    pending = runner.invoke(
        recs, ["export", "--format", "json", "--theme", "data", "--state", "MX", *db]
    )
    assert [r["status"] for r in json.loads(pending.output)] == ["not started"]  # not approved
    bad = runner.invoke(recs, ["approve", "1", "--user", "ana", *db])
    assert bad.exit_code == 1 and "only a validator" in bad.output
    assert runner.invoke(recs, ["approve", "1", "--user", "val", *db]).exit_code == 0
    exported = runner.invoke(recs, ["export", "--format", "json", "--status", "in progress", *db])
    rows = json.loads(exported.output)
    assert [r["ref"] for r in rows] == [f"{MX}:6"] and rows[0]["institutions"] == ["DIF"]
    trail = json.loads(runner.invoke(recs, ["history", f"{MX}:6", *db]).output)
    assert trail[0]["evidence"][0]["kind"] == "file" and trail[0]["review"] == "approved"
    kept = Path(trail[0]["evidence"][0]["uri"])  # a copy under OPSC_VAR_DIR/evidence
    assert kept.read_bytes() == evidence.read_bytes() and kept.is_relative_to(tmp_path / "var")
    similar = runner.invoke(recs, ["similar", f"{MX}:6", *db])
    assert _first_match(similar.output) == "CRC/C/OPSC/PER/CO/1:8"
    csv_out = runner.invoke(recs, ["export", "--format", "csv", "--state", "PE", *db]).output
    assert csv_out.count("\n") == 1 + 18 + 4 + 4 + 4 + 5  # header, PE recommendations, sub-items
    wrong = runner.invoke(recs, ["update", f"{MX}:6", "--user", "ana", "--action", "soon", *db])
    assert wrong.exit_code == 1 and "DATE:DESCRIPTION" in wrong.output
