"""Read a submission file (CSV in any usual encoding and delimiter, or XLSX) with DuckDB.

Reading only looks at the header row: the file becomes a UTF-8 CSV (transcoded or
extracted from the workbook into the validation's work folder when needed) and `scan_sql`
is the DuckDB `read_csv` that yields every record as text, in file order, with columns
column0..N. The typed table is built straight from that scan (see `checks.build_typed`),
so a large file is parsed once and never held twice. Record k of the scan (0 = the header)
is spreadsheet row k + 1. Values are never changed here: types and codes are checked later,
against the contract.
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
    """A readable file: its header row and how to scan every record as text."""

    path: Path  # a UTF-8 CSV (the original file, or its transcoded / extracted copy)
    headers: list[str]
    header_cells: list[str | None]  # the header row as read (None for an empty cell)
    format: str  # csv / xlsx
    encoding: str = "utf-8"
    delimiter: str = ","
    errors: list[ErrorRecord] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def scan_sql(self) -> str:
        """A DuckDB table expression with every record (header included) as text."""
        return _scan_sql(self.path, self.delimiter, len(self.headers))


def read_source(path: Path, con: duckdb.DuckDBPyConnection, workdir: Path) -> Source:
    """Check that `path` can be read and read its header row; copies made on the way (a
    transcoded CSV, a workbook's sheet) go to `workdir` and must live as long as the scan.
    Raise ReadError when the file cannot be read."""
    if not path.is_file():
        raise ReadError([ErrorRecord("file-not-found", params={"path": str(path)})])
    suffix = path.suffix.lower()
    size = path.stat().st_size
    if suffix in (".xlsx", ".xlsm"):
        _check_size(size, MAX_XLSX_BYTES)
        csv_path = Path(tempfile.mkdtemp(prefix="xlsx-", dir=workdir)) / "sheet.csv"
        try:
            sheet, notes, cell_errors = xlsx_to_csv(path, csv_path)
        except XlsxRefused as exc:
            raise ReadError([exc.error]) from exc
        source = _probe_csv(con, csv_path, "utf-8", ",")
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
        return _probe_csv(con, path, encoding, delimiter)
    # DuckDB reads UTF-8 only: transcode to the work folder, streaming.
    utf8 = Path(tempfile.mkdtemp(prefix="csv-", dir=workdir)) / "utf8.csv"
    with (
        path.open(encoding=encoding, newline="") as src,
        utf8.open("w", encoding="utf-8", newline="") as dst,
    ):
        while chunk := src.read(1 << 20):
            dst.write(chunk)
    return _probe_csv(con, utf8, encoding, delimiter)


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


def _options(path: Path, delimiter: str) -> str:
    return (
        f"read_csv({_lit(str(path))}, delim = {_lit(delimiter)}, header = false, "
        "all_varchar = true, quote = '\"', escape = '\"', null_padding = true, "
        "strict_mode = false, auto_detect = true, sample_size = -1, encoding = 'utf-8'"
    )


def _scan_sql(path: Path, delimiter: str, n_columns: int) -> str:
    names = ", ".join(f"'column{i}'" for i in range(n_columns))
    return f"{_options(path, delimiter)}, names = [{names}])"


def _lit(value: str) -> str:
    return "'" + value.replace("'", "''") + "'"


def _probe_csv(con: duckdb.DuckDBPyConnection, path: Path, encoding: str, delimiter: str) -> Source:
    """The header row, read with the same options as the full scan (same columns)."""
    try:
        first = con.execute(f"SELECT * FROM {_options(path, delimiter)}) LIMIT 1").fetchone()
    except duckdb.Error as exc:
        raise read_error(exc) from exc
    if not first:
        raise ReadError([ErrorRecord("empty-file")])
    cells = [None if h is None else str(h) for h in first]
    headers = [(h or "").strip().lstrip("\ufeff") for h in cells]
    return Source(path, headers, cells, "csv", encoding, delimiter)


def read_error(exc: duckdb.Error) -> ReadError:
    """The error records for a file DuckDB could not read."""
    reason = str(exc).splitlines()[0]
    if "No files found" in reason or "empty" in reason.lower():
        return ReadError([ErrorRecord("empty-file")])
    return ReadError([ErrorRecord("file-unreadable", params={"reason": reason})])
