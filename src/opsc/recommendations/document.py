"""The parsed form of a concluding-observations document: plain dataclasses with to_dict()."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

from opsc.recommendations.references import References


@dataclass
class SubItem:
    label: str
    text: str


@dataclass
class Paragraph:
    number: int
    section: list[str]
    text: str  # the paragraph's own text (the introduction when it has sub-items)
    kind: str
    verb: str | None
    verb_text: str | None
    strength: int | None
    subitems: list[SubItem] = field(default_factory=list)
    references: References = field(default_factory=References)
    pairs_with: int | None = None
    themes: list[str] = field(default_factory=list)
    groups: list[str] = field(default_factory=list)

    @property
    def full_text(self) -> str:
        """The text with its sub-items, as a reader quotes it."""
        return " ".join([self.text] + [f"({s.label}) {s.text}" for s in self.subitems])

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["references"] = self.references.as_dict()
        return out


@dataclass
class Document:
    symbol: str | None
    state: str | None  # ISO 3166-1 alpha-2
    body: str | None  # treaty body, e.g. "CRC"
    instrument: str | None  # "OPSC", "OPAC", "OPIC" or "Convention"
    language: str  # "en" or "es"
    title: str
    report: dict[str, Any]  # {"description": "initial report", "symbols": [...]}
    meetings: dict[str, Any]  # {"considered": [1604, 1605], "adopted": [1612]}
    considered_on: str | None  # ISO dates
    adopted_on: str | None
    session: str | None
    footnotes: list[str]
    paragraphs: list[Paragraph]

    def paragraph(self, number: int) -> Paragraph:
        for p in self.paragraphs:
            if p.number == number:
                return p
        raise KeyError(f"{self.symbol or 'document'} has no paragraph {number}")

    def to_dict(self) -> dict[str, Any]:
        out = {k: v for k, v in asdict(self).items() if k != "paragraphs"}
        out["paragraphs"] = [p.to_dict() for p in self.paragraphs]
        return out
