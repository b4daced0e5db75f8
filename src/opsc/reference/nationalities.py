"""Nationalities: ISO 3166-1 from pycountry, with Spanish names from its translations."""

from __future__ import annotations

import gettext
from functools import cache
from pathlib import Path

import pycountry

from opsc.reference.codelists import Code, CodeList

STATELESS = Code("XXA", "Stateless", "Apátrida", {"alpha_2": "", "numeric": ""})
UNKNOWN = Code(
    "UNK", "Nationality not recorded", "Nacionalidad sin dato", {"alpha_2": "", "numeric": ""}
)


@cache
def nationalities() -> CodeList:
    """Every ISO 3166-1 country by alpha-3 code, plus stateless and not recorded."""
    spanish = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["es"])
    codes = [
        Code(
            c.alpha_3,
            c.name,
            spanish.gettext(c.name),
            {"alpha_2": c.alpha_2, "numeric": c.numeric},
        )
        for c in sorted(pycountry.countries, key=lambda c: c.alpha_3)
    ]
    return CodeList("nationalities", Path(pycountry.__file__), (*codes, STATELESS, UNKNOWN))
