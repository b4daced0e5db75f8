"""OPSC areas (themes) and groups of children a paragraph speaks of, in English and Spanish.

A theme comes from the section headings first (the Committee's own classification), then
from the keywords below found in the paragraph. The dictionaries are data: extend them here
and document the change in docs/recommendations.md.
"""

from __future__ import annotations

import re

# theme -> keywords (lower case; matched at word starts, so "legislat" finds "legislation").
THEMES: dict[str, tuple[str, ...]] = {
    "data": (
        "data collection",
        "disaggregated",
        "statistics",
        "data on",
        "recopilación de datos",
        "desglosad",
        "estadística",
        "reunión de datos",
        "datos sobre",
    ),
    "coordination": ("coordinat", "coordinación", "coordinar"),
    "plan_of_action": (
        "plan of action",
        "national plan",
        "national programme",
        "strategy",
        "plan de acción",
        "plan nacional",
        "estrategia",
        "comprehensive policy",
    ),
    "dissemination": (
        "dissemination",
        "awareness",
        "widely known",
        "campaign",
        "difusión",
        "sensibilización",
        "campaña",
        "ampliamente conocid",
    ),
    "training": ("training", "capacity-building", "capacitación", "formación"),
    "resources": (
        "budget",
        "allocation of resources",
        "financial resources",
        "earmark",
        "presupuest",
        "asignación de recursos",
        "recursos financieros",
    ),
    "independent_monitoring": (
        "human rights commission",
        "independent monitoring",
        "ombudsman",
        "national human rights institution",
        "comisión de derechos humanos",
        "defensoría",
        "vigilancia independiente",
    ),
    "prevention": (
        "prevention",
        "preventive",
        "prevent ",
        "root causes",
        "prevención",
        "preventiv",
        "causas profundas",
    ),
    "sex_tourism": ("sex tourism", "tourism", "turismo sexual", "turismo"),
    "legislation": (
        "legislat",
        "criminal code",
        "penal code",
        "criminaliz",
        "legislación",
        "código penal",
        "tipific",
        "existing criminal or penal laws",
    ),
    "legal_persons": ("legal persons", "personas jurídicas", "corporations"),
    "adoption": ("adoption", "adopción"),
    "jurisdiction": ("jurisdiction", "double criminality", "jurisdicción", "doble incriminación"),
    "extradition": ("extradition", "extradición"),
    "victim_protection": (
        "protection of the rights of child victims",
        "child victims",
        "witnesses",
        "child-sensitive",
        "niños víctimas",
        "testigos",
    ),
    "helpline": ("helpline", "línea de ayuda", "línea telefónica"),
    "recovery": (
        "recovery",
        "reintegration",
        "compensation",
        "recuperación",
        "reintegración",
        "indemnización",
    ),
    "international_cooperation": (
        "international cooperation",
        "international assistance",
        "bilateral",
        "cooperación internacional",
        "asistencia internacional",
    ),
    "follow_up": (
        "follow-up",
        "full implementation of the present recommendations",
        "next periodic report",
        "next report",
        "próximo informe",
        "aplicación plena de las presentes recomendaciones",
    ),
    "impunity": ("impunity", "corruption", "impunidad", "corrupción"),
    "human_rights_defenders": ("human rights defenders", "defensores de los derechos humanos"),
}

# group -> keywords
GROUPS: dict[str, tuple[str, ...]] = {
    "indigenous": ("indigenous", "indígena", "pueblos originarios"),
    "migrant_unaccompanied": (
        "migrant",
        "unaccompanied",
        "immigrant",
        "separated children",
        "migrante",
        "no acompañad",
    ),
    "asylum_refugee": (
        "asylum-seeking",
        "asylum seeking",
        "refugee",
        "solicitantes de asilo",
        "refugiad",
    ),
    "street_situation": (
        "street situation",
        "street children",
        "situación de calle",
        "niños de la calle",
    ),
    "girls": ("girls", "niñas"),
    "out_of_school": (
        "do not attend school",
        "out of school",
        "not attend school",
        "no asisten a la escuela",
        "fuera de la escuela",
    ),
    "rural_remote": ("rural", "remote areas", "zonas remotas"),
    "poverty": ("poverty", "pobreza"),
    "disability": ("with disabilities", "con discapacidad"),
    "child_victims": ("child victims", "niños víctimas", "niñas y niños víctimas"),
}

# Words that name a theme in a heading (the Committee's standard headings, en and es) but
# are too common to tag a paragraph's text by themselves.
HEADING_WORDS: dict[str, tuple[str, ...]] = {
    "data": ("data", "datos"),
    "legislation": ("legislation", "legislación", "leyes penales"),
    "prevention": ("prevention", "prevención"),
    "victim_protection": ("protection of the rights", "protección de los derechos"),
    "international_cooperation": (
        "international assistance",
        "cooperación internacional",
        "asistencia y cooperación",
    ),
    "follow_up": ("follow-up", "seguimiento", "next report", "próximo informe"),
    "dissemination": ("dissemination", "difusión"),
    "training": ("training", "capacitación", "formación"),
    "resources": ("allocation of resources", "asignación de recursos"),
    "independent_monitoring": ("independent monitoring", "vigilancia independiente"),
    "plan_of_action": ("plan of action", "plan nacional de acción"),
}


class _Keywords:
    """Keywords matched at word starts (and ends, when `whole`) in lower-cased text.

    A plain substring test runs first: most keywords are absent from most paragraphs, and
    `in` is far cheaper than a regular expression with word boundaries.
    """

    def __init__(self, words: tuple[str, ...], whole: bool = False) -> None:
        self.words = words
        end = r"\b" if whole else ""
        self.rx = re.compile("|".join(r"\b" + re.escape(w) + end for w in words))

    def found_in(self, low: str) -> bool:
        return any(w in low for w in self.words) and self.rx.search(low) is not None


_HEADING_RX = {key: _Keywords(words, whole=True) for key, words in HEADING_WORDS.items()}
_COMPILED = {
    table: {key: _Keywords(words) for key, words in source.items()}
    for table, source in (("themes", THEMES), ("groups", GROUPS))
}
# Headings that name a theme only in general terms; they do not tag every paragraph below.
_BROAD_HEADINGS = (
    "general measures of implementation",
    "general observations",
    "medidas generales de aplicación",
    "observaciones generales",
)


def themes(section: list[str], text: str, kind: str) -> list[str]:
    """Themes from the headings, then (for recommendations and concerns) from the text."""
    found: list[str] = []
    for heading in section:
        if heading.lower().split(". ", 1)[-1].startswith(_BROAD_HEADINGS):
            continue
        low = heading.lower()
        found += [k for k, rx in _COMPILED["themes"].items() if rx.found_in(low)]
        found += [k for k, rx in _HEADING_RX.items() if rx.found_in(low)]
    if kind in ("recommendation", "concern"):
        low = text.lower()
        found += [k for k, rx in _COMPILED["themes"].items() if rx.found_in(low)]
    return list(dict.fromkeys(found))


def groups(text: str) -> list[str]:
    """Groups of children named in the text."""
    low = text.lower()
    return [k for k, rx in _COMPILED["groups"].items() if rx.found_in(low)]
