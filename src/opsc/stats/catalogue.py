"""The indicator catalogue: indicators as data (data/indicators.yaml), loaded and checked.

Each indicator says what it measures (formula over the cube), in which counting unit, which
OPSC articles and concluding-observation paragraphs it answers, which seed obligations it
serves, and which disaggregations it supports. `check` lists every problem with the file
and the indicator named, so a broken catalogue never reaches a report.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]

from opsc.stats.errors import CatalogueError, UnknownNameError
from opsc.stats.measures import MEASURES

CATALOGUE = Path(__file__).parent / "data" / "indicators.yaml"
TYPES = ("structural", "process", "outcome")
FORMULA_KINDS = ("measure", "ratio", "rate", "funnel", "time", "data_gap")
PARAGRAPH = re.compile(r"^(MX|PE) \d{1,2}(\([a-z]\))?$")
REQUIRED = (
    "id",
    "en",
    "es",
    "type",
    "unit",
    "formula",
    "articles",
    "paragraphs",
    "obligations",
    "disaggregations",
)


@dataclass(frozen=True)
class Obligation:
    id: str
    en: str
    es: str
    paragraphs: tuple[str, ...]


@dataclass(frozen=True)
class Indicator:
    id: str
    en: str
    es: str
    type: str
    unit: str
    formula: dict[str, Any]
    articles: tuple[str, ...]
    paragraphs: tuple[str, ...]
    obligations: tuple[str, ...]
    disaggregations: tuple[str, ...]

    @property
    def kind(self) -> str:
        return next(k for k in FORMULA_KINDS if k in self.formula)

    def name(self, lang: str) -> str:
        return self.es if lang == "es" else self.en

    def measures(self) -> list[str]:
        """Every cube measure the formula reads."""
        f = self.formula
        if "measure" in f:
            return [str(f["measure"])]
        if "ratio" in f:
            return [str(f["ratio"][p]["measure"]) for p in ("numerator", "denominator")]
        if "rate" in f:
            return ["unique_children"]
        if "funnel" in f or "time" in f:
            return ["proceedings"]
        return []


@dataclass(frozen=True)
class Catalogue:
    source: Path
    indicators: tuple[Indicator, ...]
    obligations: tuple[Obligation, ...]
    countries: dict[str, dict[str, Any]] = field(default_factory=dict)

    def get(self, indicator_id: str) -> Indicator:
        for ind in self.indicators:
            if ind.id == indicator_id:
                return ind
        raise UnknownNameError("indicator", indicator_id, [i.id for i in self.indicators])

    def serving(self, obligation: str) -> list[Indicator]:
        return [i for i in self.indicators if obligation in i.obligations]


def _indicator(raw: dict[str, Any]) -> Indicator:
    return Indicator(
        id=str(raw["id"]),
        en=str(raw["en"]),
        es=str(raw["es"]),
        type=str(raw["type"]),
        unit=str(raw["unit"]),
        formula=dict(raw["formula"]),
        articles=tuple(str(a) for a in raw["articles"]),
        paragraphs=tuple(str(p) for p in raw["paragraphs"]),
        obligations=tuple(str(o) for o in raw["obligations"]),
        disaggregations=tuple(str(d) for d in raw["disaggregations"]),
    )


def check(raw: dict[str, Any], source: Path) -> list[str]:
    """Every problem of a raw catalogue, each naming the file, the indicator and the field."""
    problems: list[str] = []
    obligations = {str(o["id"]) for o in raw.get("obligations", [])}
    measures = {m.name for m in MEASURES}
    seen: set[str] = set()
    served: set[str] = set()
    for n, ind in enumerate(raw.get("indicators", []), start=1):
        where = f"{source.name}: indicator {ind.get('id', f'#{n}')}"
        missing = [f for f in REQUIRED if f not in ind]
        if missing:
            problems.append(f"{where}: missing field(s) {', '.join(missing)}")
            continue
        if ind["id"] in seen:
            problems.append(f"{where}: duplicate id")
        seen.add(ind["id"])
        if ind["type"] not in TYPES:
            problems.append(f"{where}: type {ind['type']!r} is not one of {', '.join(TYPES)}")
        kinds = [k for k in FORMULA_KINDS if k in ind["formula"]]
        if len(kinds) != 1:
            problems.append(f"{where}: formula needs exactly one of {', '.join(FORMULA_KINDS)}")
            continue
        for m in _indicator(ind).measures():
            if m not in measures:
                problems.append(f"{where}: formula reads unknown measure {m!r}")
        for p in ind["paragraphs"]:
            if not PARAGRAPH.match(str(p)):
                problems.append(f"{where}: paragraph {p!r} is not like 'MX 29(c)' or 'PE 8'")
        for o in ind["obligations"]:
            if o not in obligations:
                problems.append(f"{where}: unknown obligation {o!r}")
            served.add(str(o))
    for o in sorted(obligations - served):
        problems.append(f"{source.name}: obligation {o!r} has no indicator")
    return problems


def load_catalogue(path: Path = CATALOGUE) -> Catalogue:
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    problems = check(raw, path)
    if problems:
        raise CatalogueError("; ".join(problems))
    return Catalogue(
        source=path,
        indicators=tuple(_indicator(i) for i in raw["indicators"]),
        obligations=tuple(
            Obligation(str(o["id"]), str(o["en"]), str(o["es"]), tuple(o["paragraphs"]))
            for o in raw["obligations"]
        ),
        countries=dict(raw.get("countries", {})),
    )


@cache
def catalogue() -> Catalogue:
    """The built-in catalogue (loaded once)."""
    return load_catalogue()
