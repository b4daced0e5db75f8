"""Errors people read: a stable slug, the facts, and a message in Spanish or English."""

from __future__ import annotations

from typing import Any

# slug -> (English, Spanish). Templates name the bad value and the fix (STYLE 9, 11).
MESSAGES: dict[str, tuple[str, str]] = {
    "missing-count-column": (
        "{file}: no `count` column (header: {header}); add a `count` column with the number "
        "of people on each combination of lists",
        "{file}: falta la columna `count` (encabezado: {header}); agregue una columna `count` "
        "con el número de personas en cada combinación de listas",
    ),
    "duplicate-list": (
        "{file}: a list name appears twice in the header ({header}); give each list one column",
        "{file}: un nombre de lista aparece dos veces en el encabezado ({header}); "
        "use una columna por lista",
    ),
    "bad-indicator": (
        "{file}, row {row}, field `{field}`: {value!r} is not 0 or 1; write 1 if the people "
        "in this row are on list {field}, else 0",
        "{file}, fila {row}, campo `{field}`: {value!r} no es 0 ni 1; escriba 1 si las "
        "personas de esta fila están en la lista {field}, si no 0",
    ),
    "bad-count": (
        "{file}, row {row}, field `{field}`: {value!r} is not a whole number ≥ 0",
        "{file}, fila {row}, campo `{field}`: {value!r} no es un número entero ≥ 0",
    ),
    "all-zero-history": (
        "a row has 0 on every list: people on no list cannot be observed; remove the row",
        "una fila tiene 0 en todas las listas: las personas que no están en ninguna lista no "
        "se observan; elimine la fila",
    ),
    "too-few-lists": (
        "{lists} list(s): multiple systems estimation needs at least 2 lists",
        "{lists} lista(s): la estimación por sistemas múltiples necesita al menos 2 listas",
    ),
    "too-many-lists": (
        "{lists} lists: at most {limit} are supported; merge small or similar lists first",
        "{lists} listas: se admiten como máximo {limit}; combine primero las listas pequeñas "
        "o similares",
    ),
    "not-identifiable": (
        "the estimate is not identifiable for model {model}: the design matrix has rank "
        "deficiency {deficiency} on the cells that can hold people; drop interaction terms "
        "(for example the highest-order one) or merge lists",
        "la estimación no es identificable para el modelo {model}: la matriz de diseño tiene "
        "una deficiencia de rango {deficiency} en las celdas posibles; quite términos de "
        "interacción (por ejemplo el de mayor orden) o combine listas",
    ),
    "does-not-exist": (
        "the estimate does not exist for model {model}: the observed margins lie on the "
        "boundary (Fienberg–Rinaldo linear-programming check), so the hidden count is "
        "infinite or zero; {hint}",
        "la estimación no existe para el modelo {model}: los márgenes observados están en la "
        "frontera (prueba de programación lineal de Fienberg–Rinaldo), por lo que la cifra "
        "oculta es infinita o cero; {hint_es}",
    ),
    "empty-overlap": (
        "lists {pair} never overlap: the term {pair} is fixed at −∞ and the cells holding both "
        "lists are removed",
        "las listas {pair} nunca se superponen: el término {pair} se fija en −∞ y se eliminan "
        "las celdas con ambas listas",
    ),
    "unknown-list": (
        "term {term}: {name!r} is not a list of this table (lists: {lists})",
        "término {term}: {name!r} no es una lista de esta tabla (listas: {lists})",
    ),
    "no-linkage": (
        "linkage has not been run: the store has no linkage results (cluster ids) for {year}; "
        "run `opsc link` first, or estimate from an overlap table: `opsc estimate mse TABLE.csv`",
        "no se ha ejecutado la vinculación: el almacén no tiene resultados de vinculación "
        "(identificadores de clúster) para {year}; ejecute primero `opsc link`, o estime a "
        "partir de una tabla de superposición: `opsc estimate mse TABLA.csv`",
    ),
    "no-linked-records": (
        "the latest victim linkage run ({run}) has no linked records reported in {year}; "
        "check --year, or link the year's submissions with `opsc link`",
        "la última vinculación de víctimas ({run}) no tiene registros vinculados de {year}; "
        "revise --year, o vincule los envíos del año con `opsc link`",
    ),
    "too-few-large-lists": (
        "only {lists} list(s) reach the minimum size of {min_size} people after merging "
        "small lists; lower --min-list-size or add sources",
        "solo {lists} lista(s) alcanzan el tamaño mínimo de {min_size} personas tras combinar "
        "las listas pequeñas; reduzca --min-list-size o agregue fuentes",
    ),
    "too-many-models": (
        "{lists} lists up to order {order} give more than {limit} hierarchical models: lower "
        "--max-order (2 for six lists), merge lists, or use --method downhill",
        "{lists} listas hasta el orden {order} dan más de {limit} modelos jerárquicos: "
        "reduzca --max-order (2 para seis listas), combine listas o use --method downhill",
    ),
    "bad-series": (
        "series {indicator}: {problem}",
        "serie {indicator}: {problem}",
    ),
    "no-stratum": (
        "column {column!r} is not in the table (columns: {columns}); name a column that "
        "holds the strata, e.g. sex or age band",
        "la columna {column!r} no está en la tabla (columnas: {columns}); indique la columna "
        "de los estratos, p. ej. sexo o grupo de edad",
    ),
}


class EstimationError(ValueError):
    """An error with a stable slug, its facts, and es/en messages."""

    def __init__(self, slug: str, **facts: Any) -> None:
        self.slug = slug
        self.facts = facts
        super().__init__(self.message("en"))

    def message(self, lang: str = "en") -> str:
        english, spanish = MESSAGES[self.slug]
        facts = {"hint": "", "hint_es": "", **self.facts}
        return (spanish if lang == "es" else english).format(**facts)

    def as_dict(self) -> dict[str, Any]:
        return {
            "type": self.slug,
            **{k: v for k, v in self.facts.items() if not k.startswith("hint")},
            "message_en": self.message("en"),
            "message_es": self.message("es"),
        }
