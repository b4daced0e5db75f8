"""Read a submission file (CSV in any usual encoding and delimiter, or XLSX) into DuckDB.

Everything lands as text in a table `raw` whose first record is the header row, so that
`rowid + 1` is the row number the user sees in a spreadsheet. Values are never changed
here: types and codes are checked later, against the contract.
"""

from __future__ import annotations

import codecs
import csv
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import duckdb

from opsc.intake.errors import ErrorRecord
from opsc.intake.xlsx import XlsxRefused, xlsx_to_csv

MAX_CSV_BYTES = 4 * 1024**3
MAX_XLSX_BYTES = 200 * 1024**2
DELIMITERS = (",", ";", "\t", "|")
SAMPLE = 1 << 16


class ReadError(Exception):
    """The file cannot be read at all; carries the error records that say why."""

    def __init__(self, errors: list[ErrorRecord]) -> None:
        super().__init__("; ".join(e.message() for e in errors))
        self.errors = errors


@dataclass
class Source:
    """A file loaded as text into `con` (table `raw`, columns column0..N)."""

    con: duckdb.DuckDBPyConnection
    headers: list[str]
    rows: int  # data rows, header excluded
    format: str  # csv / xlsx
    encoding: str = "utf-8"
    delimiter: str = ","
    errors: list[ErrorRecord] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def read_source(path: Path, con: duckdb.DuckDBPyConnection | None = None) -> Source:
    """Load `path` into a DuckDB table `raw`; raise ReadError when it cannot be read."""
    if not path.is_file():
        raise ReadError([ErrorRecord("file-not-found", params={"path": str(path)})])
    con = con or duckdb.connect()
    suffix = path.suffix.lower()
    size = path.stat().st_size
    if suffix in (".xlsx", ".xlsm"):
        _check_size(size, MAX_XLSX_BYTES)
        with tempfile.TemporaryDirectory(prefix="opsc-xlsx-") as tmp:
            csv_path = Path(tmp) / "sheet.csv"
            try:
                sheet, notes, cell_errors = xlsx_to_csv(path, csv_path)
            except XlsxRefused as exc:
                raise ReadError([exc.error]) from exc
            source = _load_csv(con, csv_path, "utf-8", ",")
        source.format = "xlsx"
        source.notes = [f"sheet {sheet!r}", *notes]
        source.errors = cell_errors
        return source
    if suffix not in (".csv", ".txt", ".tsv"):
        raise ReadError([ErrorRecord("file-format", params={"suffix": suffix or path.name})])
    _check_size(size, MAX_CSV_BYTES)
    with path.open("rb") as f:
        sample = f.read(SAMPLE)
    encoding = detect_encoding(path, sample)
    text_sample = sample.decode(encoding, errors="ignore")
    delimiter = detect_delimiter(text_sample)
    if encoding == "utf-8":
        return _load_csv(con, path, encoding, delimiter)
    # DuckDB reads UTF-8 only: transcode to a temporary file, streaming.
    with tempfile.TemporaryDirectory(prefix="opsc-csv-") as tmp:
        utf8 = Path(tmp) / "utf8.csv"
        with (
            path.open(encoding=encoding, newline="") as src,
            utf8.open("w", encoding="utf-8", newline="") as dst,
        ):
            while chunk := src.read(1 << 20):
                dst.write(chunk)
        source = _load_csv(con, utf8, encoding, delimiter)
    return source


def _check_size(size: int, limit: int) -> None:
    if size > limit:
        raise ReadError([ErrorRecord("file-too-large", params={"size": size, "limit": limit})])


def detect_encoding(path: Path, sample: bytes) -> str:
    """utf-8 (with or without BOM) when the whole file decodes so; else Windows-1252/Latin-1."""
    if sample.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    decoder = codecs.getincrementaldecoder("utf-8")()
    try:
        with path.open("rb") as f:
            while chunk := f.read(1 << 22):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        return "utf-8"
    except UnicodeDecodeError:
        pass
    # cp1252 leaves five bytes undefined; a file using them is Latin-1.
    return "latin-1" if any(b in sample for b in b"\x81\x8d\x8f\x90\x9d") else "cp1252"


def detect_delimiter(text: str) -> str:
    """The delimiter that splits the header line into the most columns (`,` when tied)."""
    first = next(iter(csv.reader(text.splitlines()[:1] or [""], delimiter="\x00")), [""])
    header = first[0] if first else ""
    best = max(DELIMITERS, key=lambda d: (header.count(d), d == ","))
    return best if header.count(best) else ","


def _load_csv(con: duckdb.DuckDBPyConnection, path: Path, encoding: str, delimiter: str) -> Source:
    con.execute("DROP TABLE IF EXISTS raw")
    try:
        con.execute(
            "CREATE TABLE raw AS SELECT * FROM read_csv(?, delim = ?, header = false, "
            "all_varchar = true, quote = '\"', escape = '\"', null_padding = true, "
            "strict_mode = false, auto_detect = true, sample_size = -1, "
            "encoding = 'utf-8')",
            [str(path), delimiter],
        )
    except duckdb.Error as exc:
        reason = str(exc).splitlines()[0]
        if "No files found" in reason or "empty" in reason.lower():
            raise ReadError([ErrorRecord("empty-file")]) from exc
        raise ReadError([ErrorRecord("file-unreadable", params={"reason": reason})]) from exc
    n = int(_scalar(con, "SELECT count(*) FROM raw"))
    if n == 0:
        raise ReadError([ErrorRecord("empty-file")])
    columns = [r[0] for r in con.execute("DESCRIBE raw").fetchall()]
    first = con.execute("SELECT * FROM raw WHERE rowid = 0").fetchone() or ()
    headers = [(h or "").strip().lstrip("\ufeff") for h in first]
    if columns != [f"column{i}" for i in range(len(columns))]:
        renames = ", ".join(f'"{c}" AS column{i}' for i, c in enumerate(columns))
        con.execute(f"CREATE OR REPLACE TABLE raw AS SELECT {renames} FROM raw")
    return Source(con, headers, n - 1, "csv", encoding, delimiter)


def _scalar(con: duckdb.DuckDBPyConnection, sql: str) -> int:
    row = con.execute(sql).fetchone()
    return int(row[0]) if row else 0
