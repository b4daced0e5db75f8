"""An annotated copy of the submitted sheet: bad cells filled red with the message and fix
as a comment, so a data officer corrects them where they are."""

from __future__ import annotations

import csv
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.comments import Comment
from openpyxl.styles import PatternFill
from openpyxl.worksheet.worksheet import Worksheet

from opsc.intake.contracts import Contract
from opsc.intake.export import set_text_cell
from opsc.intake.headers import match_headers
from opsc.intake.reader import detect_delimiter, detect_encoding
from opsc.intake.validate import Report
from opsc.intake.xlsx import choose_sheet

BAD = PatternFill("solid", fgColor="FFC7CE")
ROW_BAD = PatternFill("solid", fgColor="FFEB9C")


def annotate(src: Path, contract: Contract, report: Report, out: Path, lang: str = "en") -> int:
    """Write `out` (.xlsx) with the errors marked; return the number of cells marked."""
    if src.suffix.lower() in (".xlsx", ".xlsm"):
        wb = load_workbook(src)
        ws: Any = wb[choose_sheet(wb.sheetnames)]
    else:
        wb = Workbook()
        ws = wb.active
        ws.title = contract.name[:31]
        with src.open("rb") as f:
            sample = f.read(1 << 16)
        encoding = detect_encoding(src, sample)
        delimiter = detect_delimiter(sample.decode(encoding, errors="ignore"))
        with src.open(encoding=encoding, newline="") as f:
            for r, row in enumerate(csv.reader(f, delimiter=delimiter), start=1):
                for c, value in enumerate(row, start=1):
                    set_text_cell(ws.cell(row=r, column=c), value)  # a fresh sheet: no merges
    marked = _mark(ws, contract, report, lang)
    wb.save(out)
    return marked


def _mark(ws: Worksheet, contract: Contract, report: Report, lang: str) -> int:
    headers = [str(c.value or "") for c in next(ws.iter_rows(min_row=1, max_row=1))]
    columns = match_headers(contract, headers, [True] * len(headers)).columns
    by_header = {h: i for i, h in enumerate(headers)}
    marked = 0
    for e in report.errors:
        if e.row is None:
            continue
        col = columns.get(e.field or "")
        if col is None and e.field in by_header:
            col = by_header[e.field or ""]
        text = f"{e.message(lang)}\n→ {e.hint(lang)} [{e.type}]"
        if col is None:
            cell = ws.cell(row=e.row, column=1)
            fill = ROW_BAD
        else:
            cell = ws.cell(row=e.row, column=col + 1)
            fill = BAD
        cell.fill = fill
        previous = cell.comment.text + "\n\n" if cell.comment else ""
        cell.comment = Comment(previous + text, "OPSC Monitor", width=320, height=120)
        marked += 1
    return marked
