"""Import: atomic, idempotent, superseding with history, on every backend; readers for the
files institutions really send; templates and annotated workbooks; the synthetic country
end to end."""

from __future__ import annotations

import csv
import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from sqlalchemy import Engine, select, text
from typer import Typer
from typer.testing import CliRunner

from opsc.intake.annotate import annotate
from opsc.intake.cli import submit, template, validate
from opsc.intake.contracts import get_contract
from opsc.intake.export import neutralise
from opsc.intake.importer import submit_file
from opsc.intake.manifest import register_institutions, submit_manifest
from opsc.intake.pseudonym import generate_key, pseudonymise_manifest
from opsc.intake.templates import write_template
from opsc.intake.validate import validate_file
from opsc.records.cases import Case, CaseOffence
from opsc.records.db import init_store
from opsc.reference import load_profile

PERIOD = (date(2024, 1, 1), date(2024, 12, 31))
TODAY = date(2026, 1, 15)
FILES = {
    "cases": "agency_case_id,date_reported,date_offence,geo_code,offences,online,stage\n"
    "C1,2024-02-03,2024-02-01,09,SALE_SEXUAL GROOMING,sí,REPORT\n"
    "C2,04/03/2024,2024-02-20,09002,SALE_LABOUR,no,INVESTIGATION\n",
    "perpetrators": "agency_perpetrator_id,agency_case_id,person_type,sex,age\n"
    "P1,C1,natural,M,40\nP2,C2,legal,,\n",
    "victims": "agency_victim_id,agency_case_id,sex,age_at_offence,nationality,risk_factors\n"
    "V1,C1,F,13,MEX,POVERTY OUT_OF_SCHOOL\nV2,C2,m,15,GTM,\n",
    "proceedings": "agency_proceeding_id,agency_case_id,agency_perpetrator_id,offence,stage,"
    "outcome,stage_date\nX1,C1,P1,SALE_SEXUAL,PROSECUTION,,2024-05-01\n"
    "X2,C1,P1,SALE_SEXUAL,JUDGEMENT,CONVICTION,2024-09-01\n",
    "services": "agency_service_id,agency_victim_id,service_type,date_start,amount_awarded,"
    "amount_paid\nS1,V1,SHELTER,2024-02-05,,\nS2,V1,LEGAL_AID,2024-03-01,1000.50,500\n",
    "aggregate_cells": "measure,unit,period_start,period_end,sex,value\n"
    "victims_identified,records,2024-01-01,2024-12-31,,10\n"
    "victims_identified,records,2024-01-01,2024-12-31,F,6\n",
}
INSTITUTIONS = "code,name,type,level,geo_code\nPOL-09,Policía CDMX,POLICE,state,09\n"


def world(url: str, tmp: Path) -> Engine:
    engine = init_store(url)
    (tmp / "institutions.csv").write_text(INSTITUTIONS, encoding="utf-8")
    register_institutions(engine, "MX", tmp / "institutions.csv")
    return engine


def send(engine: Engine, tmp: Path, contract: str, content: str, name: str = ""):  # type: ignore[no-untyped-def]
    path = tmp / (name or f"{contract}.csv")
    path.write_text(content, encoding="utf-8")
    return submit_file(
        engine,
        path,
        get_contract(contract),
        country="MX",
        institution="POL-09",
        period=PERIOD,
        today=TODAY,
    )


def typed(engine: Engine, stmt: Any) -> list[tuple[object, ...]]:
    """Rows through the models, so dates and booleans come back typed on every backend."""
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(stmt)]


def rows(engine: Engine, sql: str) -> list[tuple[object, ...]]:
    with engine.connect() as conn:
        return [tuple(r) for r in conn.execute(text(sql))]


@pytest.mark.backends
def test_submit_every_record_type_then_resubmit(store_url: str, tmp_path: Path) -> None:
    engine = world(store_url, tmp_path)
    for contract, content in FILES.items():
        result = send(engine, tmp_path, contract, content)
        assert result.status == "imported", (contract, result.report.as_dict())
    stmt = select(Case.agency_case_id, Case.date_reported, Case.online).order_by(Case.id)
    assert typed(engine, stmt) == [
        ("C1", date(2024, 2, 3), True),
        ("C2", date(2024, 3, 4), False),
    ]
    assert rows(engine, "SELECT count(*) FROM case_offence") == [(3,)]
    assert rows(engine, "SELECT sex FROM victim ORDER BY agency_victim_id") == [("F",), ("M",)]
    assert rows(engine, "SELECT count(*) FROM victim_risk_factor") == [(2,)]
    assert rows(
        engine,
        "SELECT p.agency_proceeding_id, c.agency_case_id, q.agency_perpetrator_id "
        "FROM proceeding p JOIN case_record c ON c.id = p.case_id "
        "JOIN perpetrator q ON q.id = p.perpetrator_id ORDER BY 1",
    ) == [("X1", "C1", "P1"), ("X2", "C1", "P1")]
    # every stored row knows its submission
    for table in (
        "case_record",
        "victim",
        "perpetrator",
        "proceeding",
        "service",
        "aggregate_cell",
    ):
        assert rows(engine, f"SELECT count(*) FROM {table} WHERE submission_id IS NULL") == [(0,)]

    again = send(engine, tmp_path, "cases", FILES["cases"])
    assert again.status == "unchanged"
    victim_ids = rows(engine, "SELECT id, case_id FROM victim ORDER BY id")

    corrected = FILES["cases"].replace("REPORT", "PROSECUTION")
    result = send(engine, tmp_path, "cases", corrected, "cases-v2.csv")
    assert result.status == "imported" and len(result.superseded) == 1
    assert rows(engine, "SELECT stage FROM case_record ORDER BY agency_case_id") == [
        ("PROSECUTION",),
        ("INVESTIGATION",),
    ]
    assert rows(engine, "SELECT id, case_id FROM victim ORDER BY id") == victim_ids
    history = rows(
        engine, "SELECT status, note FROM submission WHERE contract = 'cases' ORDER BY id"
    )
    assert history[0][0] == "superseded" and str(result.submission_id) in str(history[0][1])
    assert history[1][0] == "imported"
    assert rows(engine, "SELECT count(*) FROM case_offence") == [(3,)]

    # a correction that drops a referenced case is refused as a whole
    dropped = send(
        engine,
        tmp_path,
        "cases",
        corrected.splitlines()[0] + "\n" + corrected.splitlines()[2] + "\n",
        "c3.csv",
    )
    assert dropped.status == "rejected"
    assert [e.type for e in dropped.report.errors] == ["still-referenced"]
    assert rows(engine, "SELECT count(*) FROM case_record") == [(2,)]
    engine.dispose()


def test_readers_detect_encoding_delimiter_and_bom(tmp_path: Path) -> None:
    content = (
        "agency_case_id;offences;date_reported\nC1;SALE_SEXUAL;03/02/2024\nÑ2;SALE;2024-01-01\n"
    )
    variants = {
        "cp1252.csv": content.encode("cp1252"),
        "bom-tab.csv": b"\xef\xbb\xbf" + content.replace(";", "\t").encode("utf-8"),
        "plain.csv": content.replace(";", ",").encode("utf-8"),
    }
    profile = load_profile("MX")
    parsed = []
    for name, data in variants.items():
        (tmp_path / name).write_bytes(data)
        v = validate_file(tmp_path / name, get_contract("cases"), profile, today=TODAY)
        assert v.report.ok, (name, v.report.as_dict())
        assert v.con is not None
        parsed.append(
            v.con.execute("SELECT agency_case_id, date_reported FROM t ORDER BY _row").fetchall()
        )
        v.close()
    assert parsed[0] == parsed[1] == parsed[2]
    assert parsed[0][1][0] == "Ñ2"


def test_xlsx_template_filled_in_validates(tmp_path: Path) -> None:
    path = tmp_path / "victimas.xlsx"
    write_template(get_contract("victims"), load_profile("MX"), "es", "xlsx", path)
    wb = load_workbook(path)
    assert wb.sheetnames[1:] == ["Instrucciones", "listas"]
    assert wb["listas"].sheet_state == "hidden"
    data = wb.worksheets[0]
    lists = [dv for dv in data.data_validations.dataValidation if dv.type == "list"]
    assert any("listas!" in (dv.formula1 or "") for dv in lists)
    headers = [c.value for c in data[1]]
    row = {h: None for h in headers}
    row["ID de la víctima"] = "V1"
    row["Sexo"] = "F — Mujer"
    row["Lugar de residencia"] = "09002 — Azcapotzalco"
    row["Edad al momento del delito"] = 12
    row["Discapacidad"] = "no"
    data.append([row[h] for h in headers])
    wb.save(path)
    v = validate_file(path, get_contract("victims"), load_profile("MX"), today=TODAY)
    assert v.report.ok, v.report.as_dict()
    assert v.con is not None
    assert v.con.execute(
        "SELECT sex, residence_geo, disability FROM t ORDER BY _row"
    ).fetchall() == [("F", "09002", False)]
    v.close()


def test_annotated_copy_marks_the_bad_cell_and_neutralises_formulas(tmp_path: Path) -> None:
    src = tmp_path / "cases.csv"
    src.write_text("agency_case_id,offences,stage\n=HYPERLINK(1),SALE,XX\n", encoding="utf-8")
    v = validate_file(src, get_contract("cases"), load_profile("MX"), today=TODAY)
    v.close()
    assert v.report.flatten(["row", "field", "type"]) == [[2, "stage", "invalid-code"]]
    out = tmp_path / "marked.xlsx"
    assert annotate(src, get_contract("cases"), v.report, out, "es") == 1
    ws = load_workbook(out).worksheets[0]
    assert ws["C2"].comment is not None and "XX" in ws["C2"].comment.text
    assert ws["C2"].fill.fgColor.rgb.endswith("FFC7CE")
    assert ws["A2"].data_type == "s" and ws["A2"].value == "=HYPERLINK(1)"  # stays text
    assert neutralise("=HYPERLINK(1)") == "'=HYPERLINK(1)" and neutralise("ok") == "ok"


def test_cli_template_validate_submit(tmp_path: Path) -> None:
    cli = Typer()
    for command in (template, validate, submit):
        cli.command()(command)
    runner = CliRunner()
    out = tmp_path / "t.csv"
    made = runner.invoke(
        cli, ["template", "cases", "--country", "PE", "--format", "csv", "-o", str(out)]
    )
    assert made.exit_code == 0, made.output
    assert out.read_text(encoding="utf-8-sig").startswith("ID del caso,Fecha de denuncia")
    bad = tmp_path / "cases.csv"
    bad.write_text("agency_case_id,offences\nC1,NOPE\n", encoding="utf-8")
    checked = runner.invoke(
        cli, ["validate", str(bad), "--country", "MX", "--json", "--lang", "en"]
    )
    assert checked.exit_code == 1
    report = json.loads(checked.output)
    assert [(e["type"], e["row"], e["field"], e["value"]) for e in report["errors"]] == [
        ("invalid-code", 2, "offences", "NOPE")
    ]
    assert set(report["errors"][0]) >= {"type", "row", "field", "value", "message", "hint"}
    db = f"sqlite:///{tmp_path / 'cli.db'}"
    world(db, tmp_path).dispose()
    good = tmp_path / "good.csv"
    good.write_text(FILES["cases"], encoding="utf-8")
    args = [
        "submit",
        str(good),
        "--institution",
        "POL-09",
        "--period",
        "2024",
        "--contract",
        "cases",
    ]
    sent = runner.invoke(cli, [*args, "--database", db])
    assert sent.exit_code == 0, sent.output
    assert "imported" in sent.output


@settings(
    max_examples=8, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(
            st.dates(date(2024, 1, 1), date(2024, 12, 31)),
            st.sampled_from(["SALE_SEXUAL", "GROOMING", "SALE_LABOUR", "TRAFFICKING"]),
            st.sampled_from(["true", "false", ""]),
            st.sampled_from(["09", "09002", "15", ""]),
        ),
        min_size=1,
        max_size=15,
    )
)
def test_csv_to_store_round_trip(tmp_path: Path, cases: list[tuple[date, str, str, str]]) -> None:
    """What goes in as CSV comes back from the store unchanged (STYLE 13)."""
    folder = tmp_path / f"rt{abs(hash(tuple(cases)))}"
    folder.mkdir()
    engine = world(f"sqlite:///{folder / 'rt.db'}", folder)
    lines = ["agency_case_id,date_reported,offences,online,geo_code"]
    lines += [f"K{i},{d.strftime('%d/%m/%Y')},{o},{b},{g}" for i, (d, o, b, g) in enumerate(cases)]
    result = send(engine, folder, "cases", "\n".join(lines) + "\n")
    assert result.status == "imported", result.report.as_dict()
    stmt = (
        select(
            Case.agency_case_id, Case.date_reported, CaseOffence.offence, Case.online, Case.geo_code
        )
        .join(CaseOffence, CaseOffence.case_id == Case.id)
        .order_by(Case.id)
    )
    stored = typed(engine, stmt)
    expected = [
        (f"K{i}", d, o, {"true": True, "false": False}.get(b), g or None)
        for i, (d, o, b, g) in enumerate(cases)
    ]
    assert stored == expected
    engine.dispose()


@pytest.mark.slow
def test_synthetic_country_end_to_end(tmp_path: Path) -> None:
    """Generate a tiny country, pseudonymise the folder, submit it by manifest."""
    synth = pytest.importorskip("opsc.synth.generate")
    generated = synth.generate("MX", 300, "2022-2024", 7, tmp_path / "syn")
    manifest = json.loads(generated.manifest.read_text(encoding="utf-8"))
    # One state's institutions plus the national ones keep the test fast.
    keep = ("-09", "MX-SIPINNA", "MX-LINEA", "MX-CNDH", "MX-ALB", "MX-ONG", "MX-FGR")
    manifest["submissions"] = [
        s for s in manifest["submissions"] if s["institution"].endswith(keep)
    ]
    (tmp_path / "syn" / "subset.json").write_text(json.dumps(manifest), encoding="utf-8")
    key = generate_key(tmp_path / "key", "e2e")
    out = pseudonymise_manifest(tmp_path / "syn" / "subset.json", tmp_path / "pseudo", key)
    engine = init_store(f"sqlite:///{tmp_path / 'e2e.db'}")
    items = submit_manifest(engine, out, today=date.today())
    rejected = [
        (i.file, i.problem or i.result.report.counts if i.result else "")
        for i in items
        if i.status == "rejected"
    ]
    assert rejected == []
    assert rows(engine, "SELECT count(*) FROM victim WHERE key_version = 'e2e'")[0][0] > 0
    clear = tmp_path / "syn"
    for contract, table in (("victims", "victim"), ("perpetrators", "perpetrator")):
        names = set()
        for path in clear.rglob(f"{contract}.csv"):
            with path.open(encoding="utf-8") as f:
                for r in csv.DictReader(f):
                    names |= {r[c] for c in ("paternal_surname", "birth_date", "national_id")}
        names.discard("")
        # Exact values, not substrings: a name can occur by chance inside base64 text.
        stored = {str(v) for r in rows(engine, f"SELECT * FROM {table}") for v in r}
        assert names and not (stored & (names | {n.upper() for n in names})), table
    assert rows(engine, "SELECT count(*) FROM perpetrator WHERE tk_given_names IS NOT NULL")[0][0]
    engine.dispose()
