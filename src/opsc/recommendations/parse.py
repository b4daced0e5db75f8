"""Parse a concluding-observations document into a `Document` with its paragraphs."""

from __future__ import annotations

from pathlib import Path

from opsc.recommendations import metadata, references, themes
from opsc.recommendations.classify import CONCERN, RECOMMENDATION, classify
from opsc.recommendations.document import Document, Paragraph, SubItem
from opsc.recommendations.importers import read_lines
from opsc.recommendations.structure import Skeleton, build
from opsc.recommendations.text import Line, clean, split_text


class ParseError(ValueError):
    """The text holds no numbered paragraphs."""


def parse_file(path: Path | str, symbol: str | None = None, state: str | None = None) -> Document:
    """Read and parse a .txt, .docx, .pdf or .html file; `symbol`/`state` override what the
    text says."""
    path = Path(path)
    lines, marked = read_lines(path)
    return parse_lines(lines, marked, symbol=symbol, state=state, source=str(path))


def parse_text(text: str, symbol: str | None = None, state: str | None = None) -> Document:
    return parse_lines(split_text(text), False, symbol=symbol, state=state)


def parse_lines(
    lines: list[Line],
    marked_headings: bool,
    symbol: str | None = None,
    state: str | None = None,
    source: str = "text",
) -> Document:
    skeleton = build(clean(lines), marked_headings)
    if not skeleton.paragraphs:
        raise ParseError(
            f"{source}: no numbered paragraphs found (expected '1.' at the start of a line "
            "before the first paragraph's text); is this a concluding-observations document?"
        )
    first = skeleton.join(skeleton.paragraphs[0].lines)
    facts = metadata.describe(skeleton.preamble, first, skeleton.header_symbols, skeleton.footnotes)
    if symbol:
        facts["symbol"] = symbol
    if state:
        code = metadata.country_code(state)
        if code is None:
            raise ParseError(f"--state {state!r} is not a country name or ISO code (e.g. MX)")
        facts["state"] = code
    instrument = facts["instrument"] or "OPSC"
    paragraphs = [
        _paragraph(skeleton, raw_index, instrument) for raw_index in range(len(skeleton.paragraphs))
    ]
    _pair(paragraphs)
    return Document(
        symbol=facts["symbol"],
        state=facts["state"],
        body=facts["body"],
        instrument=facts["instrument"],
        language=facts["language"],
        title=facts["title"],
        report=facts["report"],
        meetings=facts["meetings"],
        considered_on=facts["considered_on"],
        adopted_on=facts["adopted_on"],
        session=facts["session"],
        footnotes=skeleton.footnotes,
        paragraphs=paragraphs,
    )


def _paragraph(skeleton: Skeleton, index: int, instrument: str) -> Paragraph:
    raw = skeleton.paragraphs[index]
    items = [SubItem(item.label, skeleton.join(item.lines)) for item in raw.items]
    text = skeleton.join(raw.lines)
    whole = " ".join([text] + [s.text for s in items])
    found = classify(whole)
    return Paragraph(
        number=raw.number,
        section=raw.section,
        text=text,
        kind=found.kind,
        verb=found.verb,
        verb_text=found.verb_text,
        strength=found.strength,
        subitems=items,
        references=references.extract(whole, instrument),
        themes=themes.themes(raw.section, whole, found.kind),
        groups=themes.groups(whole),
    )


def _pair(paragraphs: list[Paragraph]) -> None:
    """Point each recommendation at the nearest earlier concern under the same headings."""
    for i, p in enumerate(paragraphs):
        if p.kind != RECOMMENDATION:
            continue
        for earlier in reversed(paragraphs[:i]):
            if earlier.section != p.section:
                break
            if earlier.kind == CONCERN:
                p.pairs_with = earlier.number
                break
