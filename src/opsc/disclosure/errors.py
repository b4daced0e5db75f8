"""Errors people read: each names the file, row, field and value, and the fix.

Every problem's text lives in `MESSAGES`, English beside Spanish, so the two never drift
apart; tests and `--json` readers use the slug (as intake's catalogue does).
"""

from __future__ import annotations

from dataclasses import dataclass

# slug -> (message en, message es); placeholders come from `problem(..., **params)`.
MESSAGES: dict[str, tuple[str, str]] = {
    # Inner cells read from a CSV.
    "unreadable-file": (
        "cannot read the file: {reason}",
        "no se puede leer el archivo: {reason}",
    ),
    "missing-column": (
        "add a column {column!r} (columns: {columns})",
        "agregue una columna {column!r} (columnas: {columns})",
    ),
    "reserved-column": (
        "a dimension cannot be named like a field of the published cells or of the audit "
        "({names}): rename the column",
        "una dimensión no puede llamarse como un campo de las celdas publicadas o de la "
        "auditoría ({names}): cambie el nombre de la columna",
    ),
    "invalid-count": (
        "a count must be a whole number ≥ 0",
        "el conteo debe ser un número entero ≥ 0",
    ),
    "invalid-code": (
        "a code must be non-empty and not '_total' (the tool adds margins)",
        "el código no puede estar vacío ni ser '_total' (la herramienta agrega los totales)",
    ),
    "duplicate-cell": (
        "{combo} already appears: give each combination one row (or add to the dimensions "
        "the column that tells these rows apart)",
        "{combo} ya aparece: dé una sola fila a cada combinación (o agregue a las dimensiones "
        "la columna que distingue estas filas)",
    ),
    "linked-mismatch": (
        "cell {cell} is {here} here but {there} in an earlier table: build linked tables "
        "from the same data",
        "la celda {cell} vale {here} aquí pero {there} en una tabla anterior: construya las "
        "tablas vinculadas con los mismos datos",
    ),
    # A published document read back by the audit.
    "missing-cells": (
        'a published document needs "cells" (one table) or "tables" '
        '({{"name": {{"cells": [...]}}}})',
        'un documento publicado necesita "cells" (una tabla) o "tables" '
        '({{"nombre": {{"cells": [...]}}}})',
    ),
    "cells-not-a-list": (
        "expected a non-empty list of cells, one object per cell",
        "se esperaba una lista no vacía de celdas, un objeto por celda",
    ),
    "invalid-cell": (
        "each cell must be an object with its codes, value and status",
        "cada celda debe ser un objeto con sus códigos, valor y estado",
    ),
    "invalid-status": (
        "status must be one of {statuses}",
        "el estado debe ser uno de {statuses}",
    ),
    "missing-value": (
        'a published cell needs its value; a hidden one has "value": null and status '
        '"primary" or "secondary"',
        'una celda publicada necesita su valor; una oculta tiene "value": null y estado '
        '"primary" o "secondary"',
    ),
    "hidden-value": (
        'a secondary cell is hidden: its value must be null (or its status "published")',
        'una celda secundaria está oculta: su valor debe ser null (o su estado "published")',
    ),
    "invalid-value": (
        "a value must be a whole number ≥ 0, or null when the cell is hidden",
        "un valor debe ser un número entero ≥ 0, o null si la celda está oculta",
    ),
    "invalid-published-code": (
        'a code must be non-empty text ("_total" where the dimension is summed)',
        'un código debe ser texto no vacío ("_total" donde la dimensión se suma)',
    ),
    "inconsistent-columns": (
        "every cell of a table names the same dimensions: {columns}",
        "cada celda de una tabla nombra las mismas dimensiones: {columns}",
    ),
    "duplicate-published-cell": (
        "the same cell as {first}: publish each cell once",
        "la misma celda que {first}: publique cada celda una vez",
    ),
    "invalid-rule": (
        "{name} must be {what[0]}",  # what: (English, Spanish)
        "{name} debe ser {what[1]}",
    ),
    # Whole-table outcomes and command-line input (`message`).
    "hides-too-much": (  # what: (English subject, Spanish subject and verb, by number)
        "{what[0]} would hide {share:.0%} of the non-zero cells ({hidden} of {cells} cells), "
        "more than the allowed {allowed:.0%}",
        "{what[1]} el {share:.0%} de las celdas distintas de cero ({hidden} de "
        "{cells} celdas), más que el {allowed:.0%} permitido",
    ),
    "no-pattern-in-time": (
        "no safe pattern was found in half the time limit ({seconds:g} s)",
        "no se encontró un patrón seguro en la mitad del tiempo límite ({seconds:g} s)",
    ),
    "refused": (
        "{why[0]}: publish a coarser table (see advice)",  # why: (English, Spanish)
        "{why[1]}: publique una tabla más agregada (vea las sugerencias)",
    ),
    "unsafe": (
        "the audit found disclosive cells: the table is not published",
        "la auditoría encontró celdas que revelan datos: la tabla no se publica",
    ),
    "short-hierarchy": (
        "--hierarchy {spec!r} needs at least two levels, coarse to fine: for example "
        "state>municipality",
        "--hierarchy {spec!r} necesita al menos dos niveles, de mayor a menor: por ejemplo "
        "state>municipality",
    ),
    "invalid-level-k": (
        "--k-level {spec!r}: write LEVEL=K with K a whole number, for example municipality=10",
        "--k-level {spec!r}: escriba NIVEL=K con K un número entero, por ejemplo municipality=10",
    ),
    "no-dimensions": (
        "name at least one dimension column (--dims state,sex,age_band)",
        "indique al menos una columna de dimensión (--dims state,sex,age_band)",
    ),
    "repeated-dimension": (
        "the dimension {column!r} is named twice: name each column once",
        "la dimensión {column!r} aparece dos veces: nombre cada columna una sola vez",
    ),
    "hierarchy-not-in-dims": (
        "the hierarchy {levels} names no column of the dimensions ({dims}): add one of its "
        "levels to the dimensions, for example {first}",
        "la jerarquía {levels} no nombra ninguna columna de las dimensiones ({dims}): agregue "
        "uno de sus niveles a las dimensiones, por ejemplo {first}",
    ),
    "flat-hierarchy": (
        "each {coarse} holds exactly one {fine}: write the hierarchy coarse to fine "
        "(state>municipality), or leave out a level that splits nothing",
        "cada {coarse} contiene exactamente un {fine}: escriba la jerarquía de mayor a menor "
        "(state>municipality), u omita un nivel que no divide nada",
    ),
    "no-rows": (
        "there are no rows of counts: one row per combination of the dimensions is needed",
        "no hay filas de conteos: se necesita una fila por combinación de las dimensiones",
    ),
    "missing-row": (
        "{combo} has no row: add it with its count (0 if none), since a lost row would be "
        "published as 0",
        "{combo} no tiene fila: agréguela con su conteo (0 si no hay), ya que una fila perdida "
        "se publicaría como 0",
    ),
    "missing-rows": (
        "{absent} combinations have no row (the first {listed} are listed): add each with "
        "its count (0 if none); when most are missing, a column nested in another "
        "(municipality within state) needs --hierarchy state>municipality",
        "{absent} combinaciones no tienen fila (se listan las primeras {listed}): agregue "
        "cada una con su conteo (0 si no hay); si faltan casi todas, una columna anidada en "
        "otra (municipality dentro de state) necesita --hierarchy state>municipality",
    ),
    "unwritable-out": (
        "cannot write {path}: {reason}; give --out a path in a folder that exists and can be "
        "written",
        "no se puede escribir {path}: {reason}; indique en --out una ruta en una carpeta que "
        "exista y admita escritura",
    ),
    "unreadable-json": (
        "not a readable JSON document ({reason})",
        "no es un documento JSON legible ({reason})",
    ),
    "not-a-document": (
        'expected a JSON object with "cells" or "tables"',
        'se esperaba un objeto JSON con "cells" o "tables"',
    ),
}


@dataclass(frozen=True)
class Problem:
    """One problem in an input table, as the user sees it (spreadsheet row numbers), in
    English and Spanish."""

    type: str
    message: str
    row: int | None = None
    field: str | None = None
    value: str | None = None
    es: str = ""  # the message in Spanish

    def __str__(self) -> str:
        where = ", ".join(
            part
            for part in (
                f"row/fila {self.row}" if self.row is not None else "",
                f"field/campo {self.field!r}" if self.field is not None else "",
                f"value/valor {self.value!r}" if self.value is not None else "",
            )
            if part
        )
        text = bilingual(self.message, self.es)
        return f"{where}: {text} [{self.type}]" if where else f"{text} [{self.type}]"


def problem(
    slug: str,
    *,
    row: int | None = None,
    field: str | None = None,
    value: str | None = None,
    **params: object,
) -> Problem:
    """The catalogued problem `slug`, its texts filled in from `params`."""
    en, es = texts(slug, **params)
    return Problem(slug, en, row, field, value, es)


def texts(slug: str, **params: object) -> tuple[str, str]:
    """The catalogued message `slug` filled in from `params`: (English, Spanish)."""
    en, es = MESSAGES[slug]
    return en.format(**params), es.format(**params)


def message(slug: str, **params: object) -> str:
    """The catalogued message `slug` in both languages, for an exception's text."""
    return bilingual(*texts(slug, **params))


def bilingual(en: str, es: str) -> str:
    """One message for people who read either language: English, then Spanish."""
    return f"{en} / {es}" if es else en


class DisclosureError(Exception):
    """Base of every error raised by `opsc.disclosure`."""


class InvalidTableError(DisclosureError):
    """The input table cannot be read as inner cells; `problems` lists every problem."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        lines = "\n".join(f"  {p}" for p in problems[:20])
        extra = len(problems) - 20
        more = f"\n  … and {extra} more / y {extra} más" if extra > 0 else ""
        count = f"{len(problems)} problem(s) / problema(s)"
        super().__init__(f"{source}: {count}\n{lines}{more}")

    def flatten(self, fields: list[str]) -> list[list[object]]:
        """Compact form for tests: `[[row, field, type], …]`."""
        return [[getattr(p, f) for f in fields] for p in self.problems]


class InvalidRulesError(DisclosureError, ValueError):
    """A rule setting is out of range (k below 1, a share above 1, …)."""


class UnsafeTableError(DisclosureError):
    """The audit found a disclosive pattern: the table must not be published."""

    def __init__(self, message: str, failures: list[str]) -> None:
        self.failures = failures
        super().__init__(message + "".join(f"\n  {f}" for f in failures[:20]))


class TableRefusedError(DisclosureError):
    """Suppression would hide too much, or no safe pattern was found in time."""

    def __init__(self, message: str, advice: list[object]) -> None:
        self.advice = advice
        super().__init__(message)
