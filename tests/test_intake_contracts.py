"""Contracts: valid Table Schemas, in step with the store, documented, shown by the CLI."""

from __future__ import annotations

import json
from pathlib import Path

import frictionless
import pytest
from typer.testing import CliRunner

from opsc.intake.cli import app
from opsc.intake.contracts import all_contracts, get_contract
from opsc.intake.docs import contracts_markdown
from opsc.intake.headers import header_key, match_headers
from opsc.records.base import Base
from opsc.reference import load_profile

REPO = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize("country", [None, "MX", "PE"])
def test_every_contract_is_a_valid_table_schema(country: str | None) -> None:
    profile = load_profile(country) if country else None
    for contract in all_contracts():
        report = frictionless.Schema.validate_descriptor(contract.descriptor(profile))
        assert report.valid, (contract.name, [e.message for e in report.errors])


def test_with_a_country_code_lists_become_enums() -> None:
    schema = get_contract("victims").descriptor(load_profile("PE"))
    sex = next(f for f in schema["fields"] if f["name"] == "sex")
    assert sex["constraints"]["enum"] == ["F", "M", "U", "X"]
    geo = next(f for f in schema["fields"] if f["name"] == "residence_geo")
    assert "150101" in geo["constraints"]["enum"]  # Lima district, 6-digit UBIGEO


def test_contract_fields_are_store_columns() -> None:
    """Every field lands in a column of its table, a child table, or names a reference."""
    for contract in all_contracts():
        table = Base.metadata.tables[contract.table]
        references = {fk.field for fk in contract.foreign_keys}
        for f in contract.fields:
            assert f.name in table.c or f.name in contract.children or f.name in references, (
                contract.name,
                f.name,
            )
        for fk in contract.foreign_keys:
            assert fk.column in table.c, (contract.name, fk.column)


def test_contracts_doc_is_current() -> None:
    doc = (REPO / "docs" / "contracts.md").read_text(encoding="utf-8")
    assert doc == contracts_markdown(), "run: .venv/bin/python -m opsc.intake.docs"


def test_headers_match_in_either_language_case_and_accents() -> None:
    victims = get_contract("victims")
    headers = ["ID DE LA VÍCTIMA", "case id", "Sexo", "nacionalidad (iso 3166 alfa-3)", "edad"]
    mapped = match_headers(victims, headers, [True] * len(headers))
    assert mapped.errors == []
    assert mapped.columns == {
        "agency_victim_id": 0,
        "agency_case_id": 1,
        "sex": 2,
        "nationality": 3,
        "age_at_offence": 4,
    }
    assert header_key(" Fecha  del Delito ") == "fecha_del_delito"


def test_cli_contract_show_and_list() -> None:
    runner = CliRunner()
    shown = runner.invoke(app, ["show", "victims", "--json", "--country", "MX"])
    assert shown.exit_code == 0, shown.output
    schema = json.loads(shown.output)
    assert schema["name"] == "victims" and schema["primaryKey"] == ["agency_victim_id"]
    assert schema["foreignKeys"][0]["reference"]["resource"] == "cases"
    listed = runner.invoke(app, ["list"])
    assert listed.exit_code == 0 and "aggregate_cells" in listed.output
    missing = runner.invoke(app, ["show", "victim_names"])
    assert missing.exit_code == 2 and "known:" in missing.output
