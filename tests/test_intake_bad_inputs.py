"""The bad-input suite: each named case is one small file, the exact error records it
must produce, and proof that nothing was imported. Plus a kill -9 in the middle of an
import, after which the store is unchanged."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import textwrap
import zipfile
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from openpyxl import Workbook
from sqlalchemy import Engine, text

from opsc.intake.contracts import get_contract
from opsc.intake.headers import match_headers
from opsc.intake.importer import submit_file
from opsc.records.db import connect, init_store, session
from opsc.records.institutions import Institution

PERIOD = (date(2024, 1, 1), date(2024, 12, 31))
TODAY = date(2026, 1, 15)
TABLES = (
    "case_record",
    "case_offence",
    "victim",
    "victim_risk_factor",
    "perpetrator",
    "proceeding",
    "service",
    "aggregate_cell",
    "budget_line",
)
BASE = {
    "cases": "agency_case_id,date_reported,date_offence,geo_code,offences\n"
    "C1,2024-02-03,2024-02-01,09,SALE_SEXUAL\nC2,2024-03-01,2024-02-20,09002,SALE_LABOUR\n",
    "perpetrators": "agency_perpetrator_id,agency_case_id,person_type\nP1,C1,natural\n",
    "victims": "agency_victim_id,agency_case_id,sex,age_at_offence\nV1,C1,F,13\n",
}
TOKEN = "A" * 43


def _xlsx_formula(path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["agency_case_id", "offences", "date_reported"])
    ws.append(["C7", "SALE_SEXUAL", "2024-05-01"])
    ws.append(["C8", "SALE_SEXUAL", "=TODAY()"])
    wb.save(path)


def _xlsx_merged(path: Path) -> None:
    wb = Workbook()
    ws = wb.active
    assert ws is not None
    ws.append(["agency_case_id", "offences"])
    ws.append(["C7", "SALE_SEXUAL"])
    ws.append(["C8", ""])
    ws.merge_cells("B2:B3")
    wb.save(path)


def _zip_bomb(path: Path) -> None:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("xl/worksheets/sheet1.xml", b"\0" * (20 * 1024 * 1024))


# name -> (contract, file name, content (text or writer), expected [row, field, type])
CASES: dict[str, tuple[str, str, object, list[list[object]]]] = {
    "missing_required_column": (
        "victims",
        "v.csv",
        "agency_case_id,sex\nC1,F\n",
        [[1, "agency_victim_id", "missing-column"]],
    ),
    "unknown_column": (
        "cases",
        "c.csv",
        "agency_case_id,offences,colour\nC7,SALE_SEXUAL,red\n",
        [[1, "colour", "unknown-column"]],
    ),
    "duplicate_column": (
        "cases",
        "c.csv",
        "agency_case_id,offences,ID del caso\nC7,SALE_SEXUAL,C7\n",
        [[1, "agency_case_id", "duplicate-column"]],
    ),
    "blank_header_with_data": (
        "cases",
        "c.csv",
        "agency_case_id,offences,\nC7,SALE_SEXUAL,x\n",
        [[1, None, "blank-header"]],
    ),
    "clear_identifier": (
        "victims",
        "v.csv",
        "agency_victim_id,agency_case_id,nombres\nV7,C1,Juana\n",
        [[1, None, "clear-identifier"]],
    ),
    "empty_file": ("cases", "c.csv", "", [[None, None, "empty-file"]]),
    "header_only": ("cases", "c.csv", "agency_case_id,offences\n", [[2, None, "no-rows"]]),
    "missing_value": (
        "cases",
        "c.csv",
        "agency_case_id,offences\n,SALE_SEXUAL\n",
        [[2, "agency_case_id", "missing-value"]],
    ),
    "bad_integer": (
        "victims",
        "v.csv",
        "agency_victim_id,agency_case_id,age_at_offence\nV7,C1,doce\n",
        [[2, "age_at_offence", "type-error"]],
    ),
    "bad_boolean": (
        "cases",
        "c.csv",
        "agency_case_id,offences,online\nC7,SALE_SEXUAL,quizás\n",
        [[2, "online", "type-error"]],
    ),
    "impossible_date": (
        "cases",
        "c.csv",
        "agency_case_id,offences,date_offence\nC7,SALE_SEXUAL,31/02/2024\n",
        [[2, "date_offence", "type-error"]],
    ),
    "future_date": (
        "cases",
        "c.csv",
        "agency_case_id,offences,date_offence\nC7,SALE_SEXUAL,2026-03-01\n",
        [[2, "date_offence", "future-date"]],
    ),
    "invalid_code": (
        "victims",
        "v.csv",
        "agency_victim_id,agency_case_id,sex\nV7,C1,Female\n",
        [[2, "sex", "invalid-code"]],
    ),
    "invalid_code_in_list": (
        "cases",
        "c.csv",
        "agency_case_id,offences\nC7,SALE_SEXUAL NOPE\n",
        [[2, "offences", "invalid-code"]],
    ),
    "lost_leading_zero": (
        "cases",
        "c.csv",
        "agency_case_id,offences,geo_code\nC7,SALE_SEXUAL,9002\n",
        [[2, "geo_code", "invalid-code"]],
    ),
    "out_of_range": (
        "victims",
        "v.csv",
        "agency_victim_id,agency_case_id,birth_year\nV7,,1980\n",
        [[2, "birth_year", "out-of-range"]],
    ),
    "not_a_child": (
        "victims",
        "v.csv",
        "agency_victim_id,agency_case_id,age_at_offence\nV7,C1,19\n",
        [[2, "age_at_offence", "not-a-child"]],
    ),
    "not_a_child_by_birth_year": (
        "victims",
        "v.csv",
        "agency_victim_id,agency_case_id,birth_year\nV7,C1,2000\n",
        [[2, "birth_year", "not-a-child"]],
    ),
    "report_before_offence": (
        "cases",
        "c.csv",
        "agency_case_id,offences,date_reported,date_offence\nC7,SALE_SEXUAL,2024-05-01,2024-05-09\n",
        [[2, "date_reported", "date-order"]],
    ),
    "duplicate_key": (
        "cases",
        "c.csv",
        "agency_case_id,offences\nC7,SALE_SEXUAL\nC8,SALE_SEXUAL\nC7,SALE_LABOUR\n",
        [[4, "agency_case_id", "duplicate-key"]],
    ),
    "unknown_case": (
        "victims",
        "v.csv",
        "agency_victim_id,agency_case_id\nV7,C404\n",
        [[2, "agency_case_id", "unknown-reference"]],
    ),
    "unknown_perpetrator": (
        "proceedings",
        "p.csv",
        "agency_proceeding_id,agency_case_id,agency_perpetrator_id,stage\nX1,C1,P404,REPORT\n",
        [[2, "agency_perpetrator_id", "unknown-reference"]],
    ),
    "conviction_without_prosecution": (
        "proceedings",
        "p.csv",
        "agency_proceeding_id,agency_case_id,agency_perpetrator_id,stage,outcome\n"
        "X1,C1,P1,REPORT,\nX2,C1,P1,INVESTIGATION,CONVICTION\n",
        [[3, "outcome", "conviction-without-prosecution"]],
    ),
    "stage_as_outcome": (
        "proceedings",
        "p.csv",
        "agency_proceeding_id,agency_case_id,stage,outcome\nX1,C1,TRIAL,TRIAL\n",
        [[2, "outcome", "not-an-outcome"]],
    ),
    "clear_name_in_token_column": (
        "victims",
        "v.csv",
        f"agency_victim_id,agency_case_id,tk_given_names,tk_surnames\nV7,C1,Juana,{TOKEN}\n",
        [[2, "tk_given_names", "bad-format"]],
    ),
    "perpetrator_clear_name": (
        "perpetrators",
        "p.csv",
        "agency_perpetrator_id,agency_case_id,person_type,apellido_paterno\nP7,C1,natural,Ruiz\n",
        [[1, None, "clear-identifier"]],
    ),
    "perpetrator_clear_tax_id": (
        "perpetrators",
        "p.csv",
        "agency_perpetrator_id,agency_case_id,person_type,RFC\nP7,C1,legal,ABC010203XY9\n",
        [[1, None, "clear-identifier"]],
    ),
    "perpetrator_clear_name_in_token_column": (
        "perpetrators",
        "p.csv",
        "agency_perpetrator_id,agency_case_id,person_type,tk_surnames\nP7,C1,natural,Ruiz\n",
        [[2, "tk_surnames", "bad-format"]],
    ),
    "perpetrator_born_after_the_period": (
        "perpetrators",
        "p.csv",
        "agency_perpetrator_id,agency_case_id,person_type,birth_year\nP7,C1,natural,2031\n",
        [[2, "birth_year", "born-after-period"]],
    ),
    "perpetrator_born_before_1900": (
        "perpetrators",
        "p.csv",
        "agency_perpetrator_id,agency_case_id,person_type,birth_year\nP7,C1,natural,1890\n",
        [[2, "birth_year", "out-of-range"]],
    ),
    "legal_person_with_a_name": (
        "perpetrators",
        "p.csv",
        "agency_perpetrator_id,agency_case_id,person_type,tk_identity,tk_given_names,birth_year\n"
        f"P7,C1,natural,{TOKEN},{TOKEN},1980\nP8,C1,legal,{TOKEN},{TOKEN},1995\n",
        [
            [3, "birth_year", "legal-person-identity"],
            [3, "tk_given_names", "legal-person-identity"],
        ],
    ),
    "identifier_too_long": (
        "cases",
        "c.csv",
        f"agency_case_id,offences\n{'C' * 81},SALE_SEXUAL\n",
        [[2, "agency_case_id", "bad-format"]],
    ),
    "bad_currency": (
        "budget_lines",
        "b.csv",
        "level,year,purpose,currency,allocated\nstate,2024,prevention,pesos,1000\n",
        [[2, "currency", "bad-format"]],
    ),
    "service_ends_before_start": (
        "services",
        "s.csv",
        "agency_service_id,agency_victim_id,service_type,date_start,date_end\n"
        "S1,V1,SHELTER,2024-05-01,2024-04-01\n",
        [[2, "date_end", "date-order"]],
    ),
    "paid_more_than_awarded": (
        "services",
        "s.csv",
        "agency_service_id,agency_victim_id,service_type,amount_awarded,amount_paid\n"
        "S1,V1,LEGAL_AID,100,150\n",
        [[2, "amount_paid", "amount-order"]],
    ),
    "parts_exceed_total": (
        "aggregate_cells",
        "a.csv",
        "measure,unit,period_start,period_end,sex,value\n"
        "victims_identified,records,2024-01-01,2024-12-31,,10\n"
        "victims_identified,records,2024-01-01,2024-12-31,F,6\n"
        "victims_identified,records,2024-01-01,2024-12-31,M,7\n",
        [[3, "sex", "parts-exceed-total"]],
    ),
    "duplicate_aggregate_cell": (
        "aggregate_cells",
        "a.csv",
        "measure,unit,period_start,period_end,sex,value\n"
        "victims_identified,records,2024-01-01,2024-12-31,F,6\n"
        "victims_identified,records,2024-01-01,2024-12-31,F,2\n",
        [[3, None, "duplicate-row"]],
    ),
    "negative_count": (
        "aggregate_cells",
        "a.csv",
        "measure,unit,period_start,period_end,value\n"
        "victims_identified,records,2024-01-01,2024-12-31,-1\n",
        [[2, "value", "out-of-range"]],
    ),
    "outside_period": (
        "cases",
        "c.csv",
        "agency_case_id,offences,date_reported\nC7,SALE_SEXUAL,2023-12-31\n",
        [[2, "date_reported", "outside-period"]],
    ),
    "legal_person_type": (
        "perpetrators",
        "p.csv",
        "agency_perpetrator_id,agency_case_id,person_type\nP7,C1,company\n",
        [[2, "person_type", "invalid-code"]],
    ),
    "formula_cell": ("cases", "c.xlsx", _xlsx_formula, [[3, None, "formula-cell"]]),
    "merged_cells": (
        "cases",
        "c.xlsx",
        _xlsx_merged,
        [[None, None, "merged-cells"], [3, "offences", "missing-value"]],
    ),
    "zip_bomb": ("cases", "c.xlsx", _zip_bomb, [[None, None, "xlsx-refused"]]),
    "not_really_xlsx": ("cases", "c.xlsx", "agency_case_id\nC1\n", [[None, None, "xlsx-refused"]]),
    "wrong_file_type": ("cases", "c.pdf", "%PDF-1.4", [[None, None, "file-format"]]),
}


def make_world(url: str, tmp: Path) -> Engine:
    """A store with one police institution and a few accepted records to refer to."""
    engine = init_store(url)
    with session(engine) as s:
        s.add(
            Institution(country="MX", code="POL-09", name="Policía", type="POLICE", level="state")
        )
    for name in ("cases", "perpetrators", "victims"):
        path = tmp / f"base_{name}.csv"
        path.write_text(BASE[name], encoding="utf-8")
        result = submit(engine, path, name)
        assert result.status == "imported", result.report.as_dict()
    return engine


def submit(engine: Engine, path: Path, contract: str, period: tuple[date, date] = PERIOD):  # type: ignore[no-untyped-def]
    return submit_file(
        engine,
        path,
        get_contract(contract),
        country="MX",
        institution="POL-09",
        period=period,
        today=TODAY,
    )


def counts(engine: Engine) -> dict[str, int]:
    with engine.connect() as conn:
        return {
            t: int(conn.execute(text(f"SELECT count(*) FROM {t}")).scalar_one()) for t in TABLES
        }


@pytest.fixture(scope="module")
def world_file(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The SQLite world built once; each test works on its own copy."""
    folder = tmp_path_factory.mktemp("world")
    make_world(f"sqlite:///{folder / 'world.db'}", folder).dispose()
    return folder / "world.db"


@pytest.fixture
def world(world_file: Path, tmp_path: Path) -> Iterator[Engine]:
    shutil.copyfile(world_file, tmp_path / "opsc.db")
    engine = connect(f"sqlite:///{tmp_path / 'opsc.db'}")
    yield engine
    engine.dispose()


def test_the_suite_is_large_enough() -> None:
    assert len(CASES) >= 30


@pytest.mark.parametrize("name", sorted(CASES))
def test_bad_input_is_rejected_with_exact_errors(name: str, world: Engine, tmp_path: Path) -> None:
    contract, file_name, content, expected = CASES[name]
    engine = world
    path = tmp_path / file_name
    if callable(content):
        content(path)
    else:
        path.write_text(str(content), encoding="utf-8")
    before = counts(engine)
    result = submit(engine, path, contract)
    assert result.status == "rejected"
    assert result.report.flatten(["row", "field", "type"]) == expected
    assert counts(engine) == before
    for error in result.report.errors:  # every record speaks both languages
        assert error.message("es") != error.message("en")
        assert error.hint("es") and error.hint("en")


@pytest.mark.backends
def test_bad_inputs_on_every_backend(store_url: str, tmp_path: Path) -> None:
    """A sample of the suite, including the store-dependent rules, on SQLite and PostgreSQL."""
    engine = make_world(store_url, tmp_path)
    before = counts(engine)
    for name in ("unknown_case", "conviction_without_prosecution", "duplicate_key", "zip_bomb"):
        contract, file_name, content, expected = CASES[name]
        path = tmp_path / f"{name}-{file_name}"
        if callable(content):
            content(path)
        else:
            path.write_text(str(content), encoding="utf-8")
        result = submit(engine, path, contract)
        assert result.report.flatten(["row", "field", "type"]) == expected, name
    assert counts(engine) == before
    engine.dispose()


def test_already_submitted_in_another_period(world: Engine, tmp_path: Path) -> None:
    engine = world
    path = tmp_path / "c2023.csv"
    path.write_text("agency_case_id,offences,date_reported\nC1,SALE_SEXUAL,2023-05-01\n")
    result = submit(engine, path, "cases", (date(2023, 1, 1), date(2023, 12, 31)))
    assert result.report.flatten(["row", "field", "type", "value"]) == [
        [2, "agency_case_id", "already-submitted", "C1"]
    ]
    assert "2024-01-01" in result.report.errors[0].message("en")


def test_clear_identifier_hint_names_the_contract_to_pseudonymise() -> None:
    # Following the hint must give a file of the right contract (the default is victims).
    found = match_headers(
        get_contract("perpetrators"), ["agency_perpetrator_id", "curp"], [True] * 2
    )
    (error,) = [e for e in found.errors if e.type == "clear-identifier"]
    assert "--contract perpetrators" in error.hint("en")
    assert "--contract perpetrators" in error.hint("es")


def test_perpetrator_files_from_the_first_template_still_map() -> None:
    # Contract 1.0.0's template titled the ID token "Identity token" / "Token de identidad".
    for title in ("Identity token", "Token de identidad"):
        found = match_headers(
            get_contract("perpetrators"),
            ["agency_perpetrator_id", "agency_case_id", "person_type", title],
            [True] * 4,
        )
        assert found.errors == [] and found.columns["tk_identity"] == 3


def test_lost_leading_zero_hint_names_the_code(world: Engine, tmp_path: Path) -> None:
    engine = world
    path = tmp_path / "c.csv"
    path.write_text(str(CASES["lost_leading_zero"][2]))
    error = submit(engine, path, "cases").report.errors[0]
    assert "09002" in error.hint("en") and "09002" in error.hint("es")


KILLER = textwrap.dedent(
    """
    import sys, time
    from datetime import date
    from pathlib import Path
    import opsc.intake.importer as importer
    import opsc.intake.load as load
    from opsc.intake.contracts import get_contract
    from opsc.records.db import connect

    real = load.insert_rows
    def slow(conn, table, columns, rows):
        real(conn, table, columns, rows)
        if table == "victim":
            print("WRITING", flush=True)
            time.sleep(60)
    load.insert_rows = slow
    load.BATCH = 100
    importer.submit_file(connect(sys.argv[1]), Path(sys.argv[2]), get_contract("victims"),
        country="MX", institution="POL-09", period=(date(2024, 1, 1), date(2024, 12, 31)))
    """
)


@pytest.mark.backends
def test_kill_9_during_import_leaves_the_store_unchanged(store_url: str, tmp_path: Path) -> None:
    engine = make_world(store_url, tmp_path)
    before = counts(engine)
    path = tmp_path / "victims.csv"
    rows = "".join(f"V{i},C1,F,12\n" for i in range(100, 1100))
    path.write_text("agency_victim_id,agency_case_id,sex,age_at_offence\n" + rows)
    with subprocess.Popen(
        [sys.executable, "-c", KILLER, store_url, str(path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        line = proc.stdout.readline()
        if line.strip() != "WRITING":
            proc.kill()
            pytest.fail(f"the import did not start: {proc.stderr.read()}")
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
    assert proc.returncode == -signal.SIGKILL
    engine.dispose()
    engine = init_store(store_url)
    assert counts(engine) == before
    with engine.connect() as conn:
        statuses = conn.execute(text("SELECT status FROM submission WHERE contract = 'victims'"))
        assert sorted(r[0] for r in statuses) == ["imported"]  # only the base file
    engine.dispose()
