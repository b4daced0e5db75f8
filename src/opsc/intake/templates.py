"""Templates an institution fills in: XLSX with drop-downs and checks, or a CSV header.

Drop-down lists live on a hidden sheet and are referenced by range, so long code lists
(thousands of municipalities) do not hit Excel's 255-character limit for inline lists.
"""

from __future__ import annotations

import csv
from datetime import date
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from opsc.intake.contracts import Contract
from opsc.intake.fields import TYPE_NAMES, Field
from opsc.reference import Profile

ROWS = 5000  # rows with validation in the data sheet
LISTS_SHEET = {"es": "listas", "en": "lists"}
INSTRUCTIONS_SHEET = {"es": "Instrucciones", "en": "Instructions"}
YES_NO = {"es": ("sí", "no"), "en": ("yes", "no")}
HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
REQUIRED_FILL = PatternFill("solid", fgColor="F8CBAD")


def write_template(contract: Contract, profile: Profile, lang: str, fmt: str, out: Path) -> None:
    if fmt == "csv":
        # UTF-8 with BOM: Excel then opens accents correctly.
        with out.open("w", encoding="utf-8-sig", newline="") as f:
            csv.writer(f).writerow([f.title(lang) for f in contract.fields])
        return
    if fmt != "xlsx":
        raise ValueError(f"format {fmt!r}: use xlsx or csv / formato {fmt!r}: use xlsx o csv")
    _write_xlsx(contract, profile, lang, out)


def _codes(f: Field, profile: Profile, lang: str) -> list[str]:
    """Drop-down entries 'CODE — label' (the reader keeps the code before ' — ')."""
    if f.enum:
        return list(f.enum)
    assert f.codelist
    if f.codelist == "geo":
        return [
            f"{u.code} — {u.name}" for g in profile.geo_levels for u in profile.geo_units(g.level)
        ]
    return [f"{c.code} — {c.label(lang)}" for c in profile.codelist(f.codelist)]


def _write_xlsx(contract: Contract, profile: Profile, lang: str, out: Path) -> None:
    wb = Workbook()
    data = wb.active
    assert data is not None
    data.title = contract.title(lang)[:31]
    lists = wb.create_sheet(LISTS_SHEET[lang])
    lists.sheet_state = "hidden"
    list_col = 0
    for i, f in enumerate(contract.fields, start=1):
        letter = get_column_letter(i)
        cell = data.cell(row=1, column=i, value=f.title(lang))
        cell.font = Font(bold=True)
        cell.fill = REQUIRED_FILL if f.required else HEADER_FILL
        cell.alignment = Alignment(wrap_text=True)
        data.column_dimensions[letter].width = max(14, min(40, len(f.title(lang)) + 4))
        target = f"{letter}2:{letter}{ROWS + 1}"
        dv = _validation(f, profile, lang, lists, list_col)
        if (f.codelist and not f.multiple) or f.enum:
            list_col += 1
        if dv is not None:
            dv.add(target)
            data.add_data_validation(dv)
        fmt = {"date": "DD/MM/YYYY", "integer": "0", "number": "0.00"}.get(f.type, "@")
        for row in range(2, 202):  # text format keeps leading zeros of codes
            data.cell(row=row, column=i).number_format = fmt
    data.freeze_panes = "A2"
    _instructions(wb, contract, profile, lang)
    wb.move_sheet(LISTS_SHEET[lang], offset=1)
    wb.save(out)


def _validation(
    f: Field, profile: Profile, lang: str, lists: object, list_col: int
) -> DataValidation | None:
    title = f.title(lang)[:32]
    if (f.codelist and not f.multiple) or f.enum:
        values = _codes(f, profile, lang)
        letter = get_column_letter(list_col + 1)
        lists.cell(row=1, column=list_col + 1, value=f.name)  # type: ignore[attr-defined]
        for r, v in enumerate(values, start=2):
            lists.cell(row=r, column=list_col + 1, value=v)  # type: ignore[attr-defined]
        ref = f"{LISTS_SHEET[lang]}!${letter}$2:${letter}${len(values) + 1}"
        return DataValidation(
            type="list",
            formula1=f"={ref}",
            allow_blank=not f.required,
            errorTitle=title,
            error=_msg(lang, "Choose a value from the list.", "Elija un valor de la lista."),
            showErrorMessage=True,
        )
    if f.type == "boolean":
        yes, no = YES_NO[lang]
        return DataValidation(type="list", formula1=f'"{yes},{no}"', allow_blank=True)
    if f.type in ("integer", "number"):
        lo = f.minimum if f.minimum is not None else -1e12
        hi = f.maximum if f.maximum is not None else 1e15
        return DataValidation(
            type="whole" if f.type == "integer" else "decimal",
            operator="between",
            formula1=str(lo),
            formula2=str(hi),
            showErrorMessage=True,
            errorTitle=title,
            error=_msg(
                lang, f"A number between {lo:g} and {hi:g}.", f"Un número entre {lo:g} y {hi:g}."
            ),
        )
    if f.type == "date":
        end = date.today().isoformat() if f.past else "2100-12-31"
        return DataValidation(
            type="date",
            operator="between",
            formula1="DATE(1900,1,1)",
            formula2=f"DATE({end[:4]},{int(end[5:7])},{int(end[8:10])})",
            showErrorMessage=True,
            errorTitle=title,
            error=_msg(
                lang,
                "A date (dd/mm/yyyy), not in the future.",
                "Una fecha (dd/mm/aaaa), no futura.",
            ),
        )
    return None


def _msg(lang: str, en: str, es: str) -> str:
    return es if lang == "es" else en


def _instructions(wb: Workbook, contract: Contract, profile: Profile, lang: str) -> None:
    ws = wb.create_sheet(INSTRUCTIONS_SHEET[lang])
    es = lang == "es"
    ws.append(
        [
            f"{contract.title(lang)} — {profile.name_es if es else profile.name_en} "
            f"({'formato' if es else 'contract'} {contract.name} v{contract.version})"
        ]
    )
    ws["A1"].font = Font(bold=True, size=13)
    for line in _intro(lang):
        ws.append([line])
    ws.append([])
    head = (
        ["Columna", "Nombre técnico", "Obligatorio", "Tipo", "Descripción", "Valores"]
        if es
        else ["Column", "Technical name", "Required", "Type", "Description", "Values"]
    )
    ws.append(head)
    for c in ws[ws.max_row]:
        c.font = Font(bold=True)
    for f in contract.fields:
        en_t, es_t, _, _ = TYPE_NAMES[f.type]
        values = ""
        if f.codelist:
            values = (
                f"códigos de la lista {f.codelist}" if es else f"codes of the list {f.codelist}"
            ) + (
                " (separados por espacios)"
                if es and f.multiple
                else " (space-separated)"
                if f.multiple
                else ""
            )
        elif f.enum:
            values = " / ".join(f.enum)
        ws.append(
            [
                f.title(lang),
                f.name,
                ("sí" if es else "yes") if f.required else "",
                es_t if es else en_t,
                f.description(lang),
                values,
            ]
        )
    for letter, width in zip("ABCDEF", (34, 26, 12, 16, 60, 40), strict=True):
        ws.column_dimensions[letter].width = width


def _intro(lang: str) -> list[str]:
    if lang == "es":
        return [
            "Una fila por registro, desde la fila 2 de la primera hoja. "
            "No combine celdas ni use fórmulas.",
            "Fechas como dd/mm/aaaa. Los códigos conservan sus ceros a la izquierda "
            "(columnas en formato Texto).",
            "Nunca escriba nombres de niñas, niños o adolescentes: "
            "use `opsc pseudonymise` antes de enviar.",
            "Valide antes de enviar: opsc validate ARCHIVO --contract NOMBRE --lang es",
        ]
    return [
        "One row per record, from row 2 of the first sheet. Do not merge cells or use formulas.",
        "Dates as dd/mm/yyyy. Codes keep their leading zeros (columns are formatted as Text).",
        "Never write children's names: run `opsc pseudonymise` before sending.",
        "Validate before sending: opsc validate FILE --contract NAME --lang en",
    ]
