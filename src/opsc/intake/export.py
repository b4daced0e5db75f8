"""Values leaving the system for spreadsheets: formula-like text is neutralised here, on
export, never changed on import (a leading '=' '+' '-' '@' would run as a formula)."""

from __future__ import annotations

from typing import Any

from openpyxl.cell.cell import Cell

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def neutralise(value: Any) -> Any:
    """Text that a spreadsheet would run as a formula gets a leading apostrophe."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def set_text_cell(cell: Cell, value: Any) -> None:
    """Write `value` to an openpyxl cell as data, never as a formula."""
    cell.value = value
    if isinstance(value, str) and value.startswith("="):
        cell.data_type = "s"  # openpyxl would otherwise store "=..." as a formula
