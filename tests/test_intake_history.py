"""A corrected resubmission keeps the old values (record archive); stored records export
in their contract's shape with formula-like cells neutralised; age at the offence is
computed at the institution from the cases file; keygen defaults its version."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path

import pytest
from openpyxl import load_workbook
from sqlalchemy import Engine, text
from typer import Typer
from typer.testing import CliRunner

from opsc.intake.archive import archived_rows
from opsc.intake.cli import export, keygen, pseudonymise
from opsc.intake.contracts import get_contract
from opsc.intake.export import export_records
from opsc.intake.pseudonym import LinkageKey, pseudonymise_file, pseudonymise_manifest
from opsc.intake.pseudonym.stream import read_case_dates
from test_intake_import import send as send_file  # one institution POL-09, period 2024
from test_intake_import import world

CASES = "agency_case_id,date_reported,offences\nC1,2024-02-03,SALE_SEXUAL\nC2,2024-03-04,SALE\n"
VICTIMS = (
    "agency_victim_id,agency_case_id,sex,age_at_offence,risk_factors\n"
    "V1,C1,F,13,POVERTY OUT_OF_SCHOOL\n"
    "V2,C2,M,15,\n"
    "V3,C2,F,16,POVERTY\n"
)
KEY = LinkageKey("t1", b"k" * 32)


def send(engine: Engine, tmp: Path, contract: str, content: str, name: str):  # type: ignore[no-untyped-def]
    result = send_file(engine, tmp, contract, content, name)
    assert result.status == "imported", result.report.as_dict()
    return result


@pytest.mark.backends
def test_resubmission_archives_old_values(store_url: str, tmp_path: Path) -> None:
    engine = world(store_url, tmp_path)
    send(engine, tmp_path, "cases", CASES, "cases.csv")
    first = send(engine, tmp_path, "victims", VICTIMS, "victims.csv")
    with engine.connect() as conn:
        ids = dict(conn.execute(text("SELECT agency_victim_id, id FROM victim")).all())
    # V1 corrected (age, risk factors), V2 unchanged, V3 dropped, V4 new
    corrected = (
        "agency_victim_id,agency_case_id,sex,age_at_offence,risk_factors\n"
        "V1,C1,F,12,POVERTY\nV2,C2,M,15,\nV4,C1,M,9,\n"
    )
    second = send(engine, tmp_path, "victims", corrected, "victims-v2.csv")
    assert second.superseded == [first.submission_id]
    with engine.connect() as conn:
        archived = archived_rows(conn, first.submission_id)  # type: ignore[arg-type]
        note = conn.execute(
            text("SELECT note FROM submission WHERE id = :i"), {"i": first.submission_id}
        ).scalar()
        now = dict(conn.execute(text("SELECT agency_victim_id, id FROM victim")).all())
    assert [(a["agency_id"], a["record_id"], a["change"]) for a in archived] == [
        ("V1", ids["V1"], "updated"),
        ("V2", ids["V2"], "unchanged"),
        ("V3", ids["V3"], "deleted"),
    ]
    old_v1 = archived[0]["values"]
    assert old_v1["age_at_offence"] == 13
    assert old_v1["risk_factors"] == ["OUT_OF_SCHOOL", "POVERTY"]
    assert archived[2]["values"]["sex"] == "F"
    assert all(a["superseded_by"] == second.submission_id for a in archived)
    assert "1 updated" in str(note) and "1 deleted" in str(note) and "1 unchanged" in str(note)
    assert now["V1"] == ids["V1"] and "V3" not in now  # updated in place, dropped row gone
    engine.dispose()


@pytest.mark.backends
def test_export_round_trips_and_neutralises_formulas(store_url: str, tmp_path: Path) -> None:
    engine = world(store_url, tmp_path)
    cases = CASES.replace("C2,", "=HYPERLINK(1),").replace("C1,2024", "+C1,2024")
    send(engine, tmp_path, "cases", cases, "cases.csv")
    victims = VICTIMS.replace(",C2,", ",=HYPERLINK(1),").replace(",C1,", ",+C1,")
    send(engine, tmp_path, "victims", victims, "victims.csv")
    with engine.connect() as conn:
        result = export_records(conn, get_contract("victims"), tmp_path / "out.csv")
        book = export_records(conn, get_contract("victims"), tmp_path / "out.xlsx", lang="es")
    assert result.rows == book.rows == 3
    with (tmp_path / "out.csv").open(encoding="utf-8-sig", newline="") as f:
        exported = list(csv.DictReader(f))
    assert [(r["agency_victim_id"], r["agency_case_id"], r["risk_factors"]) for r in exported] == [
        ("V1", "'+C1", "OUT_OF_SCHOOL POVERTY"),
        ("V2", "'=HYPERLINK(1)", ""),
        ("V3", "'=HYPERLINK(1)", "POVERTY"),
    ]
    assert exported[0]["age_at_offence"] == "13" and exported[0]["sex"] == "F"
    assert result.neutralised == 3
    sheet = load_workbook(tmp_path / "out.xlsx").active
    assert sheet["A1"].value == "ID de la víctima"  # type: ignore[index]
    formula_cell = sheet["B3"]  # type: ignore[index]
    assert formula_cell.value == "=HYPERLINK(1)" and formula_cell.data_type == "s"
    # the export (apostrophes aside) is a file the institution can submit again
    again = (tmp_path / "out.csv").read_text(encoding="utf-8-sig").replace("'", "")
    second = send(engine, tmp_path, "victims", again, "victims-again.csv")
    with engine.connect() as conn:
        changes = {a["change"] for a in archived_rows(conn, second.superseded[0])}
    assert changes == {"unchanged"}
    engine.dispose()


def test_export_cli(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'opsc.db'}"
    engine = world(url, tmp_path)
    send(engine, tmp_path, "cases", CASES, "cases.csv")
    engine.dispose()
    cli = Typer()
    cli.command()(export)
    cli.command()(keygen)
    runner = CliRunner()
    out = tmp_path / "cases-out.csv"
    done = runner.invoke(
        cli, ["export", "cases", "-o", str(out), "--institution", "POL-09", "--database", url]
    )
    assert done.exit_code == 0, done.output
    assert out.read_text(encoding="utf-8-sig").splitlines()[1].startswith("C1,2024-02-03,")
    bad = runner.invoke(cli, ["export", "cases", "-o", str(tmp_path / "x.json"), "--database", url])
    assert bad.exit_code == 2 and "write .csv or .xlsx" in " ".join(bad.output.split())
    made = runner.invoke(cli, ["keygen", str(tmp_path / "key")])
    assert made.exit_code == 0, made.output
    assert f"version: {date.today().isoformat()}" in (tmp_path / "key").read_text()


CLEAR = (
    "agency_victim_id,agency_case_id,given_names,paternal_surname,birth_date,age\n"
    "V1,C1,Ana,Pérez,2010-05-20,\n"  # offence 2024-05-19: 13; a day later it would be 14
    "V2,C2,Luis,Soto,15/03/2008,\n"  # no offence date: no age (reported 2024-03-04 is not it)
    "V3,C9,Eva,Ruiz,2009-01-01,11\n"  # case not in the cases file: the age as written
)
CLEAR_CASES = (
    "agency_case_id,fecha_del_delito,fecha_de_denuncia,offences\n"
    "C1,2024-05-19,2024-06-01,SALE\nC2,,2024-03-04,SALE\n"
)


def test_age_at_offence_from_the_cases_file(tmp_path: Path) -> None:
    (tmp_path / "victims.csv").write_text(CLEAR, encoding="utf-8")
    (tmp_path / "cases.csv").write_text(CLEAR_CASES, encoding="utf-8")
    dates = read_case_dates(tmp_path / "cases.csv")
    assert dates == {"C1": "2024-05-19"}
    pseudonymise_file(tmp_path / "victims.csv", tmp_path / "out.csv", KEY, "victims", dates)
    with (tmp_path / "out.csv").open(encoding="utf-8") as f:
        ages = [(r["agency_victim_id"], r["age_at_offence"]) for r in csv.DictReader(f)]
    assert ages == [("V1", "13"), ("V2", ""), ("V3", "11")]
    # without the cases file only a written age is known
    pseudonymise_file(tmp_path / "victims.csv", tmp_path / "bare.csv", KEY)
    with (tmp_path / "bare.csv").open(encoding="utf-8") as f:
        assert [r["age_at_offence"] for r in csv.DictReader(f)] == ["", "", "11"]


def test_age_at_offence_in_a_manifest_and_the_cli(tmp_path: Path) -> None:
    folder = tmp_path / "in"
    (folder / "pol").mkdir(parents=True)
    (folder / "pol" / "victims.csv").write_text(CLEAR, encoding="utf-8")
    (folder / "pol" / "cases.csv").write_text(CLEAR_CASES, encoding="utf-8")
    manifest = {
        "country": "MX",
        "submissions": [
            {"file": "pol/cases.csv", "contract": "cases", "institution": "P"},
            {"file": "pol/victims.csv", "contract": "victims", "institution": "P"},
        ],
    }
    (folder / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    pseudonymise_manifest(folder / "manifest.json", tmp_path / "out", KEY)
    with (tmp_path / "out" / "pol" / "victims.csv").open(encoding="utf-8") as f:
        assert [r["age_at_offence"] for r in csv.DictReader(f)] == ["13", "", "11"]
    cli = Typer()
    cli.command()(keygen)
    cli.command()(pseudonymise)
    runner = CliRunner()
    assert runner.invoke(cli, ["keygen", str(tmp_path / "k"), "--version", "v1"]).exit_code == 0
    done = runner.invoke(
        cli,
        [
            "pseudonymise",
            str(folder / "pol" / "victims.csv"),
            "--key",
            str(tmp_path / "k"),
            "--cases",
            str(folder / "pol" / "cases.csv"),
            "-o",
            str(tmp_path / "one.csv"),
        ],
    )
    assert done.exit_code == 0, done.output
    with (tmp_path / "one.csv").open(encoding="utf-8") as f:
        assert [r["age_at_offence"] for r in csv.DictReader(f)] == ["13", "", "11"]
    text_out = (tmp_path / "one.csv").read_text(encoding="utf-8")
    assert "2010-05-20" not in text_out and "Pérez" not in text_out
