"""Row numbers stay the spreadsheet's when DuckDB reads a file in parallel pieces."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from opsc.intake import reader
from opsc.intake.contracts import get_contract
from opsc.intake.pseudonym import LinkageKey, pseudonymise_file
from opsc.intake.validate import validate_file
from opsc.reference import load_profile
from test_intake_pseudonymise import synthetic_clear_file


def test_row_numbers_survive_a_parallel_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Small read buffers make DuckDB split this file between threads as it does a large one.
    # A parallel CREATE TABLE AS does not keep file order (seen on a 100,000-row victims file
    # with DuckDB 2.0), so row numbers must come from the scan, not from the table's order.
    options = reader._options
    monkeypatch.setattr(
        reader, "_options", lambda path, delim: options(path, delim) + ", buffer_size = 16384"
    )
    clear, path = tmp_path / "clear.csv", tmp_path / "victims.csv"
    synthetic_clear_file(clear, 5000)  # V0..V4999, real tokens and Bloom filters
    pseudonymise_file(clear, path, LinkageKey("r1", b"r" * 32))
    text = path.read_text(encoding="utf-8")
    bad = {1234: "XX", 3210: "QQ", 4999: "ZZ"}  # agency number -> a sex code that does not exist
    for i, code in bad.items():
        text = re.sub(f"\nV{i},C1,[FM],", f"\nV{i},C1,{code},", text)
    path.write_text(text, encoding="utf-8")
    for _ in range(5):  # the split, and so the disorder, differs from run to run
        v = validate_file(path, get_contract("victims"), load_profile("MX"))
        assert v.report.flatten(["row", "field", "value", "type"]) == [
            [1, "date_offence", "date_offence", "unknown-column"],  # the clear file's own
            *([i + 2, "sex", code, "invalid-code"] for i, code in bad.items()),
        ]
        assert v.con is not None
        wrong = v.con.execute("SELECT count(*) FROM t WHERE 'V' || (_row - 2) <> agency_victim_id")
        assert wrong.fetchone() == (0,)
        v.close()
