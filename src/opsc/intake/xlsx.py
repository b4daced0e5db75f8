"""Excel workbooks in: safety checks, sheet choice, cell values as text, CSV out.

A workbook is a zip file: it is refused before parsing when it could expand beyond a
fixed budget (zip bomb). Merged cells and formulas are refused with the cell named,
because guessing what a merged block or an uncomputed formula means would change data.
"""

from __future__ import annotations

import csv
import re
import zipfile
from datetime import date, datetime, time
from pathlib import Path

from openpyxl import load_workbook

from opsc.intake.errors import ErrorRecord

MAX_UNCOMPRESSED = 1024**3
MAX_RATIO = 200
MAX_MEMBERS = 2000
IGNORED_SHEETS = {"instrucciones", "instructions", "listas", "lists", "_lists", "_listas"}
_MERGE = re.compile(rb'<mergeCell\s+ref="([A-Z]+[0-9]+:[A-Z]+[0-9]+)"')


class XlsxRefused(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.error = ErrorRecord("xlsx-refused", params={"reason": reason})


def check_zip(path: Path) -> None:
    """Refuse archives that are not zip, or whose expansion exceeds the budget."""
    try:
        with zipfile.ZipFile(path) as z:
            members = z.infolist()
    except zipfile.BadZipFile as exc:
        raise XlsxRefused("not an .xlsx file (not a zip archive)") from exc
    if len(members) > MAX_MEMBERS:
        raise XlsxRefused(f"{len(members)} parts inside the workbook (limit {MAX_MEMBERS})")
    total = sum(m.file_size for m in members)
    if total > MAX_UNCOMPRESSED:
        raise XlsxRefused(f"it expands to {total} bytes (limit {MAX_UNCOMPRESSED})")
    for m in members:
        if m.compress_size and m.file_size / m.compress_size > MAX_RATIO and m.file_size > 1 << 20:
            raise XlsxRefused(
                f"part {m.filename} is compressed {m.file_size // m.compress_size}:1 "
                f"(limit {MAX_RATIO}:1), a sign of a zip bomb"
            )


def _sheet_parts(path: Path) -> dict[str, str]:
    """Sheet name -> path of its XML part inside the archive."""
    with zipfile.ZipFile(path) as z:
        wb = z.read("xl/workbook.xml").decode("utf-8", "replace")
        rels = z.read("xl/_rels/workbook.xml.rels").decode("utf-8", "replace")
    targets = dict(re.findall(r'<Relationship[^>]*?Id="([^"]+)"[^>]*?Target="([^"]+)"', rels))
    targets.update(
        {
            k: v
            for v, k in re.findall(r'<Relationship[^>]*?Target="([^"]+)"[^>]*?Id="([^"]+)"', rels)
        }
    )
    parts = {}
    for tag in re.findall(r"<sheet\b[^>]*>", wb):
        name = re.search(r'name="([^"]*)"', tag)
        rid = re.search(r'r:id="([^"]*)"', tag)
        if name and rid and rid.group(1) in targets:
            target = targets[rid.group(1)].lstrip("/")
            parts[_unescape(name.group(1))] = target if target.startswith("xl/") else f"xl/{target}"
    return parts


def _unescape(s: str) -> str:
    return s.replace("&amp;", "&").replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", '"')


def merged_ranges(path: Path, sheet: str) -> list[str]:
    part = _sheet_parts(path).get(sheet)
    if part is None:
        return []
    found: list[str] = []
    with zipfile.ZipFile(path) as z, z.open(part) as f:
        tail = b""
        while chunk := f.read(1 << 20):
            buf = tail + chunk
            found.extend(m.decode() for m in _MERGE.findall(buf))
            tail = buf[-200:]
            # a match inside the overlap would be counted twice
            found = list(dict.fromkeys(found))
    return found


def choose_sheet(names: list[str], wanted: tuple[str, ...] = ()) -> str:
    """The sheet named like the contract, else the first one that is not instructions/lists."""
    lowered = {n.strip().lower(): n for n in names}
    for w in wanted:
        if w.lower() in lowered:
            return lowered[w.lower()]
    candidates = [n for n in names if n.strip().lower() not in IGNORED_SHEETS]
    return (candidates or names)[0]


def cell_text(value: object) -> str:
    """A cell's value as the text a CSV export would hold (dates ISO, whole numbers bare)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    return str(value)


def xlsx_to_csv(
    path: Path, out: Path, wanted: tuple[str, ...] = ()
) -> tuple[str, list[str], list[ErrorRecord]]:
    """Write the data sheet as UTF-8 CSV; return (sheet, notes, errors found in cells)."""
    check_zip(path)
    try:
        wb = load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many types on corrupt files
        raise XlsxRefused(f"the workbook cannot be opened ({type(exc).__name__})") from exc
    try:
        sheet = choose_sheet(wb.sheetnames, wanted)
        notes = [f"sheet {n!r} ignored" for n in wb.sheetnames if n != sheet]
        errors = [ErrorRecord("merged-cells", value=r) for r in merged_ranges(path, sheet)]
        ws = wb[sheet]
        rows: list[list[str]] = []
        pending_blank = 0
        with out.open("w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f)
            for cells in ws.iter_rows():
                values = []
                for c in cells:
                    if getattr(c, "data_type", None) == "f":
                        coord = f"{c.column_letter}{c.row}"  # type: ignore[union-attr]
                        errors.append(
                            ErrorRecord(
                                "formula-cell",
                                row=c.row,
                                value=str(c.value),
                                params={"cell": coord},
                            )
                        )
                        values.append("")
                    else:
                        values.append(cell_text(c.value))
                if not any(values):
                    pending_blank += 1  # keep interior blank rows so row numbers stay true
                    continue
                rows.extend([[""]] * pending_blank)
                pending_blank = 0
                rows.append(values)
                if len(rows) >= 10_000:
                    writer.writerows(rows)
                    rows.clear()
            writer.writerows(rows)
    finally:
        wb.close()
    return sheet, notes, errors
