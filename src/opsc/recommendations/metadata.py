"""Document-level facts read from the title and paragraph 1: symbol, State, body, instrument,
report considered, meetings, dates and session."""

from __future__ import annotations

import re
from datetime import date
from functools import cache
from typing import Any

import pycountry
from babel import Locale

from opsc.recommendations.references import SYMBOL

MONTHS = {
    **{
        m: i
        for i, m in enumerate(
            [
                "january",
                "february",
                "march",
                "april",
                "may",
                "june",
                "july",
                "august",
                "september",
                "october",
                "november",
                "december",
            ],
            1,
        )
    },
    **{
        m: i
        for i, m in enumerate(
            [
                "enero",
                "febrero",
                "marzo",
                "abril",
                "mayo",
                "junio",
                "julio",
                "agosto",
                "septiembre",
                "octubre",
                "noviembre",
                "diciembre",
            ],
            1,
        )
    },
    "setiembre": 9,
}
DATE = re.compile(r"\b(\d{1,2})(?:º|°)? (?:de )?([A-Za-zé]+) (?:de )?(\d{4})\b")
MEETING = re.compile(r"\b(\d{3,4})(?:st|nd|rd|th|ª|a\b|\.ª)")
REPORT = re.compile(
    r"\b((?:initial|combined [\w\s]+? periodic|[\w-]+ periodic|periodic) reports?|"
    r"informes? (?:inicial|periódicos? [\w\s]+?|[\w\s]+? periódicos?))\s+(?:of|de|del)\s+"
    r"([^()]{2,60}?)\s*\(([^)]*)\)",
    re.I,
)
SESSION = re.compile(
    r"\b([\w-]+(?:th|st|nd|rd)|[\w-]+ (?:período|periodo)) (?:session|de sesiones)\b", re.I
)
TITLE_STATE = re.compile(
    r"(?:Concluding observations|Observaciones finales)\s*:\s*(.+)$|"
    r"(?:report|informe)\s+(?:submitted by|presentado por|of|de|del)\s+([A-ZÁÉÍÓÚ][\w ]+?)\s+"
    r"(?:under|en virtud|con arreglo|\()",
)


@cache
def _country_names() -> dict[str, str]:
    """Lower-case country names in English and Spanish -> ISO alpha-2."""
    names: dict[str, str] = {}
    for lang in ("en", "es"):
        for code, name in Locale.parse(lang).territories.items():
            if len(code) == 2 and code.isalpha():
                names[name.lower()] = code
    for c in pycountry.countries:
        names.setdefault(c.name.lower(), c.alpha_2)
        if getattr(c, "official_name", None):
            names.setdefault(c.official_name.lower(), c.alpha_2)
    return names


def country_code(name: str) -> str | None:
    """ISO alpha-2 for a country named in English or Spanish, or given as alpha-2/alpha-3."""
    clean = name.strip().strip(".,;").lower()
    if clean in _country_names():
        return _country_names()[clean]
    found = pycountry.countries.get(alpha_3=clean.upper()) if len(clean) == 3 else None
    if found is None and len(clean) == 2:
        found = pycountry.countries.get(alpha_2=clean.upper())
    return found.alpha_2 if found else None


def _country_at_start(text: str) -> str | None:
    """The country named by the first words of `text` ("México (extracto ...)" -> MX)."""
    words = text.replace("(", " ( ").split()
    for n in range(min(9, len(words)), 0, -1):
        code = country_code(" ".join(words[:n]))
        if code:
            return code
    return None


def parse_date(text: str) -> str | None:
    m = DATE.search(text)
    if not m or m.group(2).lower() not in MONTHS:
        return None
    return date(int(m.group(3)), MONTHS[m.group(2).lower()], int(m.group(1))).isoformat()


def co_symbol(report_symbol: str) -> str:
    """The concluding observations' symbol from the report's: CRC/C/OPSC/MEX/1 ->
    CRC/C/OPSC/MEX/CO/1."""
    head, _, tail = report_symbol.rpartition("/")
    return f"{head}/CO/{tail}"


def describe(
    preamble: list[str], first: str, header_symbols: list[str], footnotes: list[str]
) -> dict[str, Any]:
    """Document facts from the title lines, paragraph 1, page headers and footnotes."""
    title = " ".join(" ".join(preamble).split())
    facts: dict[str, Any] = {"title": title}
    report = REPORT.search(first)
    report_symbols = [s.rstrip(".") for s in SYMBOL.findall(report.group(3))] if report else []
    facts["report"] = {
        "description": " ".join(report.group(1).split()) if report else None,
        "symbols": report_symbols,
    }
    own = [s for s in header_symbols if "/CO/" in s]
    symbol = own[0] if own else (co_symbol(report_symbols[0]) if report_symbols else None)
    facts["symbol"] = symbol
    state = None
    m = TITLE_STATE.search(title) or TITLE_STATE.search(first)
    if m:
        state = _country_at_start(m.group(1) or m.group(2))
    if state is None and report:
        state = country_code(report.group(2))
    if state is None and symbol:
        parts = [p for p in symbol.split("/") if len(p) == 3 and p.isalpha()]
        state = next((c for c in map(country_code, parts) if c), None)
    facts["state"] = state
    body = symbol.split("/")[0] if symbol else None
    if body is None and re.search(r"Rights of the Child|Derechos del Niño", title):
        body = "CRC"
    facts["body"] = body
    instrument = None
    if symbol:
        instrument = next((i for i in ("OPSC", "OPAC", "OPIC") if f"/{i}/" in symbol), None)
        instrument = instrument or ("Convention" if body == "CRC" else None)
    elif re.search(r"sale of children|venta de niños", title, re.I):
        instrument = "OPSC"
    facts["instrument"] = instrument
    adopted_at = re.search(r"\b(?:adopted|aprobó)\b", first)
    split = adopted_at.start() if adopted_at else len(first)
    facts["meetings"] = {
        "considered": [int(x) for x in MEETING.findall(first[:split])],
        "adopted": [int(x) for x in MEETING.findall(first[split:])],
    }
    facts["considered_on"] = parse_date(first[:split])
    facts["adopted_on"] = parse_date(first[split:])
    session = SESSION.search(" ".join([*footnotes, title]))
    facts["session"] = session.group(0) if session else None
    facts["language"] = "es" if re.search(r"\bComité\b", first) else "en"
    return facts
