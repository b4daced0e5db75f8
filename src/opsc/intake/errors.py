"""Validation errors as records: a stable slug, where, what, and a bilingual message and fix.

The catalogue below is the only place messages live, so the Spanish and English texts of
one error never drift apart, and tests can assert on slugs instead of prose (STYLE 9-12).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

# slug -> (message en, message es, hint en, hint es). Placeholders come from ErrorRecord.params
# plus `field`, `value` and `row`.
CATALOGUE: dict[str, tuple[str, str, str, str]] = {
    "file-not-found": (
        "The file {path} does not exist.",
        "El archivo {path} no existe.",
        "Check the path and the file name.",
        "Revise la ruta y el nombre del archivo.",
    ),
    "file-too-large": (
        "The file is {size} bytes; the limit is {limit} bytes.",
        "El archivo pesa {size} bytes; el límite es {limit} bytes.",
        "Split the file by period or by region and send each part.",
        "Divida el archivo por periodo o por región y envíe cada parte.",
    ),
    "file-format": (
        "The file type {suffix!r} is not accepted.",
        "No se acepta el tipo de archivo {suffix!r}.",
        "Save it as CSV (UTF-8) or Excel workbook (.xlsx).",
        "Guárdelo como CSV (UTF-8) o libro de Excel (.xlsx).",
    ),
    "file-unreadable": (
        "The file cannot be read: {reason}.",
        "No se puede leer el archivo: {reason}.",
        "Open it in Excel and save it again as .xlsx or CSV (UTF-8).",
        "Ábralo en Excel y guárdelo de nuevo como .xlsx o CSV (UTF-8).",
    ),
    "xlsx-refused": (
        "The workbook was refused for safety: {reason}.",
        "El libro se rechazó por seguridad: {reason}.",
        "Save a fresh copy with only the data sheet, or send a CSV.",
        "Guarde una copia nueva solo con la hoja de datos, o envíe un CSV.",
    ),
    "merged-cells": (
        "Cells {value} are merged.",
        "Las celdas {value} están combinadas.",
        "Unmerge them and write the value in every row it applies to.",
        "Sepárelas y escriba el valor en cada fila a la que se aplica.",
    ),
    "formula-cell": (
        "Cell {cell} holds a formula ({value}), not a value.",
        "La celda {cell} contiene una fórmula ({value}), no un valor.",
        "Copy the column and use Paste special > Values.",
        "Copie la columna y use Pegado especial > Valores.",
    ),
    "empty-file": (
        "The file has no header row.",
        "El archivo no tiene fila de encabezados.",
        "Start from the template: the first row holds the column names.",
        "Parta de la plantilla: la primera fila lleva los nombres de columna.",
    ),
    "no-rows": (
        "The file has a header but no data rows.",
        "El archivo tiene encabezados pero ninguna fila de datos.",
        "Add the records below the header, or do not send this file.",
        "Agregue los registros debajo de los encabezados, o no envíe este archivo.",
    ),
    "blank-header": (
        "Column {column} has no name but holds data.",
        "La columna {column} no tiene nombre pero contiene datos.",
        "Give it a name from the template, or delete the column.",
        "Póngale un nombre de la plantilla, o elimine la columna.",
    ),
    "duplicate-column": (
        "Column {value!r} appears more than once (as {field}).",
        "La columna {value!r} aparece más de una vez (como {field}).",
        "Keep one column per field and delete the copy.",
        "Deje una sola columna por campo y elimine la copia.",
    ),
    "unknown-column": (
        "Column {value!r} is not part of the {contract} contract.",
        "La columna {value!r} no forma parte del formato {contract}.",
        "Rename it ({suggestion}) or delete it; `opsc contract show {contract}` lists columns.",
        "Renómbrela ({suggestion}) o elimínela; `opsc contract show {contract}` lista las "
        "columnas.",
    ),
    "missing-column": (
        "Required column {field!r} ({title_en}) is missing.",
        "Falta la columna obligatoria {field!r} ({title_es}).",
        "Add the column, with this name or its title, and fill it for every row.",
        "Agregue la columna, con este nombre o su título, y llénela en cada fila.",
    ),
    "clear-identifier": (
        "Column {value!r} holds a clear personal identifier; names never leave the institution.",
        "La columna {value!r} contiene un identificador personal en claro; los nombres no salen "
        "de la institución.",
        "Run `opsc pseudonymise FILE --contract {contract} --key KEYFILE -o OUT` and send OUT "
        "instead.",
        "Ejecute `opsc pseudonymise ARCHIVO --contract {contract} --key LLAVE -o SALIDA` y envíe "
        "SALIDA.",
    ),
    "missing-value": (
        "{field} is required but empty.",
        "{field} es obligatorio pero está vacío.",
        "Fill in the value; if it is unknown use the code for 'not recorded' where one exists.",
        "Escriba el valor; si se desconoce use el código de 'sin dato' si existe.",
    ),
    "type-error": (
        "{value!r} in {field} is not a valid {type_en}.",
        "{value!r} en {field} no es un {type_es} válido.",
        "Write {example}.",
        "Escriba {example_es}.",
    ),
    "invalid-code": (
        "{value!r} in {field} is not a code of the list {codelist}.",
        "{value!r} en {field} no es un código de la lista {codelist}.",
        "Use one of the codes in the template's drop-down list{suggestion}.",
        "Use uno de los códigos de la lista desplegable de la plantilla{suggestion_es}.",
    ),
    "out-of-range": (
        "{value} in {field} is outside the allowed range {minimum}–{maximum}.",
        "{value} en {field} está fuera del rango permitido {minimum}–{maximum}.",
        "Check the value; a number in this field must be between {minimum} and {maximum}.",
        "Revise el valor; este campo debe estar entre {minimum} y {maximum}.",
    ),
    "bad-format": (
        "{value!r} in {field} does not have the expected form ({pattern_en}).",
        "{value!r} en {field} no tiene la forma esperada ({pattern_es}).",
        "Write it as in the template's example.",
        "Escríbalo como en el ejemplo de la plantilla.",
    ),
    "future-date": (
        "{field} {value} is in the future (today is {today}).",
        "{field} {value} está en el futuro (hoy es {today}).",
        "Check day and month order: dates are dd/mm/yyyy or yyyy-mm-dd.",
        "Revise el orden de día y mes: las fechas van como dd/mm/aaaa o aaaa-mm-dd.",
    ),
    "duplicate-key": (
        "{field} {value!r} is repeated: it also appears in row {first_row}.",
        "{field} {value!r} se repite: también aparece en la fila {first_row}.",
        "Each record needs its own identifier; merge the two rows or correct one of them.",
        "Cada registro necesita su propio identificador; una las dos filas o corrija una.",
    ),
    "unknown-reference": (
        "{field} {value!r} does not match any {target} of this institution, in this file or "
        "an earlier accepted submission.",
        "{field} {value!r} no corresponde a ningún registro de {target} de esta institución, "
        "ni en este archivo ni en un envío aceptado antes.",
        "Submit the {target} file first, or correct the identifier.",
        "Envíe primero el archivo de {target}, o corrija el identificador.",
    ),
    "already-submitted": (
        "{field} {value!r} was already sent in submission {submission} (period {period}).",
        "{field} {value!r} ya se envió en el envío {submission} (periodo {period}).",
        "Send corrections as a new version of that period's file, not in another period.",
        "Envíe las correcciones como nueva versión del archivo de ese periodo, no en otro.",
    ),
    "legal-person-identity": (
        "{field} is filled for a legal person (a company or organisation), which has no "
        "person's name or birth date.",
        "{field} está lleno para una persona moral (empresa u organización), que no tiene "
        "nombre ni fecha de nacimiento de persona.",
        "Leave it empty for legal persons (their tax ID goes in tk_identity), or set "
        "person_type to natural if this is a person.",
        "Déjelo vacío para personas morales (su RFC/RUC va en tk_identity), o ponga "
        "person_type = natural si se trata de una persona.",
    ),
    "not-a-child": (
        "The victim was {value} years old at the time of the offence; the Protocol covers "
        "children under 18.",
        "La víctima tenía {value} años al momento del delito; el Protocolo cubre a personas "
        "menores de 18 años.",
        "Check the age or birth date; victims aged 18 or more belong to another register.",
        "Revise la edad o la fecha de nacimiento; las víctimas de 18 años o más van en otro "
        "registro.",
    ),
    "date-order": (
        "{field} {value} is before {other_field} {other_value}.",
        "{field} {value} es anterior a {other_field} {other_value}.",
        "Check both dates: {field} cannot come before {other_field}.",
        "Revise ambas fechas: {field} no puede ser anterior a {other_field}.",
    ),
    "conviction-without-prosecution": (
        "A conviction is recorded for case {value!r} but no prosecution (charges filed, trial "
        "or judgement) for that case and person.",
        "Se registra una condena en el caso {value!r} pero ninguna acusación (acusación, juicio "
        "o sentencia) para ese caso y persona.",
        "Add the prosecution step for the same case and perpetrator, or correct the outcome.",
        "Agregue la etapa de acusación del mismo caso y persona agresora, o corrija el resultado.",
    ),
    "not-an-outcome": (
        "{value!r} in {field} is a stage, not an outcome.",
        "{value!r} en {field} es una etapa, no un resultado.",
        "Use an outcome code: {codes}.",
        "Use un código de resultado: {codes}.",
    ),
    "amount-order": (
        "{field} {value} is more than {other_field} {other_value}.",
        "{field} {value} es mayor que {other_field} {other_value}.",
        "Check both amounts: {field} cannot exceed {other_field}.",
        "Revise ambos montos: {field} no puede superar {other_field}.",
    ),
    "parts-exceed-total": (
        "The cells by {field} add up to {value}, more than their total {total} (row {total_row}).",
        "Las celdas por {field} suman {value}, más que su total {total} (fila {total_row}).",
        "Parts can be less than the total (unknowns) but never more; correct the counts.",
        "Las partes pueden sumar menos que el total (sin dato) pero nunca más; corrija los "
        "conteos.",
    ),
    "duplicate-row": (
        "This row repeats the dimensions of row {first_row}.",
        "Esta fila repite las dimensiones de la fila {first_row}.",
        "Send each combination of dimensions once; add the two values if both are right.",
        "Envíe cada combinación de dimensiones una sola vez; sume los dos valores si ambos "
        "son correctos.",
    ),
    "outside-period": (
        "{field} {value} is outside the submission period {period}.",
        "{field} {value} está fuera del periodo del envío {period}.",
        "Submit the record with the file of its period, or correct the date.",
        "Envíe el registro con el archivo de su periodo, o corrija la fecha.",
    ),
    "born-after-period": (
        "{field} {value} is after the end of the submission period {period}.",
        "{field} {value} es posterior al fin del periodo del envío {period}.",
        "Correct the year of birth, or leave it empty if it is not known.",
        "Corrija el año de nacimiento, o déjelo vacío si no se conoce.",
    ),
    "still-referenced": (
        "A record left out of this corrected file is still referred to by other records "
        "({reason}).",
        "Un registro que ya no está en este archivo corregido sigue referido por otros "
        "registros ({reason}).",
        "Keep the record in the file, or first correct the files that refer to it.",
        "Mantenga el registro en el archivo, o corrija primero los archivos que lo refieren.",
    ),
    "too-many-errors": (
        "{count} more errors of this kind were not listed.",
        "No se listaron {count} errores más de este tipo.",
        "Fix the errors shown, which usually share one cause, and validate again.",
        "Corrija los errores mostrados, que suelen tener una misma causa, y valide de nuevo.",
    ),
}


@dataclass(frozen=True)
class ErrorRecord:
    """One problem in a submission; `row` is the spreadsheet row (header = row 1)."""

    type: str
    row: int | None = None
    field: str | None = None
    value: str | None = None
    params: dict[str, Any] = dataclasses.field(default_factory=dict, compare=False)

    def __post_init__(self) -> None:
        if self.type not in CATALOGUE:
            raise KeyError(f"error type {self.type!r} is not in the catalogue (errors.py)")

    def _fill(self, template: str, lang: str) -> str:
        values = {
            "field": _title(self.field, lang),
            "value": self.value,
            "row": self.row,
            "suggestion": "",
            "suggestion_es": "",
            **self.params,
        }
        for key in ("other_field",):
            if key in values:
                values[key] = _title(str(values[key]), lang)
        return template.format_map(_Blank(values))

    def message(self, lang: str = "en") -> str:
        en, es, _, _ = CATALOGUE[self.type]
        return self._fill(es if lang == "es" else en, lang)

    def hint(self, lang: str = "en") -> str:
        _, _, en, es = CATALOGUE[self.type]
        return self._fill(es if lang == "es" else en, lang)

    def as_dict(self, lang: str = "en") -> dict[str, Any]:
        return {
            "type": self.type,
            "row": self.row,
            "field": self.field,
            "value": self.value,
            "message": self.message(lang),
            "hint": self.hint(lang),
        }


def _title(name: str | None, lang: str) -> str | None:
    """'date_reported' -> 'Fecha de denuncia (date_reported)': what the user sees in headers."""
    if not name:
        return name
    from opsc.intake.contracts import field_titles

    titles = field_titles().get(name)
    if titles is None:
        return name
    return f"{titles[1] if lang == 'es' else titles[0]} ({name})"


class _Blank(dict[str, Any]):
    """format_map helper: a missing placeholder renders as '?' instead of raising."""

    def __missing__(self, key: str) -> str:
        return "?"
