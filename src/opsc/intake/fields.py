"""Field specifications shared by the contracts: type, bilingual titles, code list, range."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

# Values accepted for booleans, after lower-casing and removing accents.
TRUE_VALUES = ("true", "1", "si", "s", "yes", "y", "verdadero")
FALSE_VALUES = ("false", "0", "no", "n", "falso")

TYPE_NAMES = {  # type -> (en, es, example en, example es)
    "string": ("text", "texto", "text", "texto"),
    "integer": (
        "whole number",
        "número entero",
        "a whole number such as 12",
        "un número entero como 12",
    ),
    "number": ("number", "número", "a number such as 1500.50", "un número como 1500.50"),
    "date": (
        "date",
        "fecha",
        "a date as dd/mm/yyyy (31/12/2024) or yyyy-mm-dd",
        "una fecha como dd/mm/aaaa (31/12/2024) o aaaa-mm-dd",
    ),
    "boolean": ("yes/no value", "valor sí/no", "sí/no, yes/no, true/false or 1/0", "sí/no o 1/0"),
}


@dataclass(frozen=True)
class Field:
    """One column of a contract; `name` is the store column (or a reference to one)."""

    name: str
    type: str
    title_en: str
    title_es: str
    description_en: str = ""
    description_es: str = ""
    required: bool = False
    codelist: str | None = None  # a profile code list, or "geo" for any geographic unit
    multiple: bool = False  # space-separated codes (offences, risk factors)
    enum: tuple[str, ...] = ()  # a short fixed list that is not a reference code list
    minimum: float | None = None
    maximum: float | None = None
    max_length: int | None = None
    pattern: str | None = None  # SQL regular expression the whole value must match
    pattern_en: str = ""
    pattern_es: str = ""
    past: bool = False  # dates that cannot be in the future
    aliases: tuple[str, ...] = ()

    def title(self, lang: str) -> str:
        return self.title_es if lang == "es" else self.title_en

    def description(self, lang: str) -> str:
        return self.description_es if lang == "es" else self.description_en

    def but(self, **changes: Any) -> Field:
        """A copy with some attributes changed (e.g. the same field made required)."""
        return replace(self, **changes)


def code(name: str, codelist: str, en: str, es: str, **kw: Any) -> Field:
    return Field(name, "string", en, es, codelist=codelist, max_length=40, **kw)


def flag(name: str, en: str, es: str, **kw: Any) -> Field:
    return Field(name, "boolean", en, es, **kw)


def day(name: str, en: str, es: str, **kw: Any) -> Field:
    return Field(name, "date", en, es, past=True, **kw)


def count(name: str, en: str, es: str, maximum: float | None = None, **kw: Any) -> Field:
    return Field(name, "integer", en, es, minimum=0, maximum=maximum, **kw)


def amount(name: str, en: str, es: str, **kw: Any) -> Field:
    return Field(name, "number", en, es, minimum=0, **kw)


def agency_id(name: str, en: str, es: str, **kw: Any) -> Field:
    return Field(
        name,
        "string",
        en,
        es,
        "The institution's own identifier for the record; never a name.",
        "Identificador propio de la institución para el registro; nunca un nombre.",
        max_length=80,
        **kw,
    )


def token(name: str, en: str, es: str) -> Field:
    return Field(
        name,
        "string",
        en,
        es,
        "Keyed HMAC-SHA256 token written by `opsc pseudonymise` at the institution.",
        "Token HMAC-SHA256 con llave, generado por `opsc pseudonymise` en la institución.",
        pattern="[A-Za-z0-9_-]{43}",
        pattern_en="43 characters of base64url",
        pattern_es="43 caracteres base64url",
    )


def bloom(name: str, en: str, es: str) -> Field:
    return Field(
        name,
        "string",
        en,
        es,
        "Balanced Bloom filter of name bigrams (base64), for fuzzy comparison only.",
        "Filtro de Bloom balanceado de bigramas del nombre (base64), solo para comparación "
        "aproximada.",
        pattern="[A-Za-z0-9+/=]+",
        pattern_en="base64",
        pattern_es="base64",
    )


# Fields used by several contracts, defined once.
GEO = code(
    "geo_code",
    "geo",
    "Place (geographic code)",
    "Lugar (clave geográfica)",
    description_en="Code of the state/municipality (MX INEGI) or department/province/district "
    "(PE UBIGEO), with its leading zeros.",
    description_es="Clave del estado/municipio (MX INEGI) o departamento/provincia/distrito "
    "(PE UBIGEO), con sus ceros a la izquierda.",
    aliases=("lugar", "geo", "ubigeo", "cvegeo"),
)
SEX = code("sex", "sex", "Sex", "Sexo")
NATIONALITY = code(
    "nationality",
    "nationalities",
    "Nationality (ISO 3166 alpha-3)",
    "Nacionalidad (ISO 3166 alfa-3)",
    aliases=("nacionalidad",),
)
OFFENCE = code("offence", "offences", "Offence (OPSC code)", "Delito (código OPSC)")
AGENCY_CASE = agency_id("agency_case_id", "Case ID", "ID del caso")
