"""Match a file's header row to a contract's fields, tolerant of case, accents and language."""

from __future__ import annotations

import difflib
import re
import unicodedata
from dataclasses import dataclass, field

from opsc.intake.contracts import Contract
from opsc.intake.definitions import CLEAR_IDENTIFIERS, PSEUDONYMISED
from opsc.intake.errors import ErrorRecord


def header_key(text: str) -> str:
    """'Fecha del Delito ' -> 'fecha_del_delito' (no accents, lower case, `_` for gaps)."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return re.sub(r"[^a-z0-9]+", "_", plain.lower()).strip("_")


@dataclass
class HeaderMap:
    """Field name -> column index; and the problems found in the header row."""

    columns: dict[str, int] = field(default_factory=dict)
    errors: list[ErrorRecord] = field(default_factory=list)


def header_fields(contract: Contract) -> dict[str, str]:
    """Each accepted header (normalised: name, English or Spanish title, alias) -> field."""
    keys: dict[str, str] = {}
    for f in contract.fields:
        for alias in (f.name, f.title_en, f.title_es, *f.aliases):
            keys.setdefault(header_key(alias), f.name)
    return keys


def match_headers(contract: Contract, headers: list[str], has_data: list[bool]) -> HeaderMap:
    """Map each header cell to a field; unknown, duplicate, blank and missing are errors."""
    keys = header_fields(contract)
    clear = {header_key(c) for c in CLEAR_IDENTIFIERS}
    result = HeaderMap()
    for index, header in enumerate(headers):
        key = header_key(header)
        column = _column_letter(index)
        if not key:
            if has_data[index]:
                result.errors.append(ErrorRecord("blank-header", row=1, params={"column": column}))
            continue
        name = keys.get(key)
        if name is None:
            if key in clear and contract.name in PSEUDONYMISED:
                result.errors.append(
                    ErrorRecord(
                        "clear-identifier",
                        row=1,
                        value=header,
                        params={"contract": contract.name},
                    )
                )
                continue
            suggestion = difflib.get_close_matches(key, list(keys), n=1, cutoff=0.6)
            hint = keys[suggestion[0]] if suggestion else "—"
            result.errors.append(
                ErrorRecord(
                    "unknown-column",
                    row=1,
                    field=header,
                    value=header,
                    params={"contract": contract.name, "suggestion": hint},
                )
            )
        elif name in result.columns:
            result.errors.append(ErrorRecord("duplicate-column", row=1, field=name, value=header))
        else:
            result.columns[name] = index
    for f in contract.fields:
        if f.required and f.name not in result.columns:
            result.errors.append(
                ErrorRecord(
                    "missing-column",
                    row=1,
                    field=f.name,
                    params={"title_en": f.title_en, "title_es": f.title_es},
                )
            )
    return result


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters
