"""Clean extracted text: word-processor markers, PDF page furniture, odd spaces, hyphenation."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field

# Invisible or odd characters that word processors and PDF extractors leave behind.
_SPACES = {"\u00a0": " ", "\u202f": " ", "\u2007": " ", "\u2009": " ", "\t": "\t"}
_DROP = dict.fromkeys(map(ord, "\u00ad\u200b\u200c\u200d\ufeff"))

BOOKMARK = re.compile(r"\[bookmark:[^\]]*\]")
FOOTNOTE_REF = re.compile(r"\[footnoteRef:\s*\d+\]\**")
# Footnote bodies as docx-to-text converters write them: "[2: * Adopted by ...]".
FOOTNOTE_BODY = re.compile(r"\[(\d+):\s*(.*?)\]\s*", re.DOTALL)

# PDF page furniture: UN job numbers ("GE.16-01234 (E)  010216  040216"), bar-code text
# ("*1601234*"), bare page numbers, and a line holding only the document symbol.
JOB_NUMBER = re.compile(r"^(?:\d{1,3}\s+)?(?:GE\.\d{2}-\d{4,6}(?:\s*\([A-Z]\))?[\s\d*]*)+$")
BARCODE = re.compile(r"^\*\d{6,8}\*$")
PAGE_NUMBER = re.compile(r"^(?:page\s+|página\s+)?\d{1,3}(?:\s*/\s*\d{1,3})?$", re.I)
SYMBOL_LINE = re.compile(
    r"^(?:\d{1,3}\s+)?([A-Z]{1,6}(?:\.\d+)?(?:/[A-Za-z0-9.\-]+){2,})(?:\s+\d{1,3})?$"
)


FOOTNOTE = "footnote"


@dataclass
class Line:
    """One line from an importer; `hint` is "heading" or "footnote" when the source says."""

    text: str
    hint: str | None = None


@dataclass
class Cleaned:
    """Lines with markers removed, plus what was taken out (footnotes, header symbols)."""

    lines: list[Line]
    footnotes: list[str] = field(default_factory=list)
    header_symbols: list[str] = field(default_factory=list)


def normalise_chars(text: str) -> str:
    """Non-breaking and thin spaces become spaces; soft hyphens and zero-width marks go."""
    for odd, plain in _SPACES.items():
        text = text.replace(odd, plain)
    return text.translate(_DROP)


def _footnote(body: str) -> str:
    return re.sub(r"^\*?\s*", "", " ".join(body.split()))


def clean(lines: Iterable[Line]) -> Cleaned:
    """Remove markers and page furniture; keep the non-empty lines with their hints."""
    out = Cleaned(lines=[])
    pending: list[str] | None = None  # a footnote body "[2: ..." still open at a line end
    for line in lines:
        text = FOOTNOTE_REF.sub("", BOOKMARK.sub("", normalise_chars(line.text)))
        if pending is not None:
            body, sep, text = text.partition("]")
            pending.append(body)
            if not sep:
                continue
            out.footnotes.append(_footnote(" ".join(pending)))
            pending = None
        out.footnotes.extend(_footnote(m.group(2)) for m in FOOTNOTE_BODY.finditer(text))
        text = FOOTNOTE_BODY.sub("", text)
        opened = re.search(r"\[(\d+):(.*)$", text)
        if opened:
            pending, text = [opened.group(2)], text[: opened.start()]
        bare = text.strip()
        if not bare or JOB_NUMBER.match(bare) or BARCODE.match(bare) or PAGE_NUMBER.match(bare):
            continue
        symbol = SYMBOL_LINE.match(bare)
        if symbol:
            out.header_symbols.append(symbol.group(1))
            continue
        if line.hint == FOOTNOTE or re.match(r"\*+\s+\S", bare):  # "* Adopted by ..."
            out.footnotes.append(re.sub(r"^(?:\*+|\d{1,3})\s*", "", squash(bare)))
            continue
        out.lines.append(Line(text.rstrip(), line.hint))
    return out


def split_text(text: str) -> list[Line]:
    """Plain text as lines without hints."""
    return [Line(t) for t in text.replace("\r\n", "\n").replace("\r", "\n").split("\n")]


def squash(text: str) -> str:
    """Collapse runs of white space to one space."""
    return " ".join(text.split())


_WORD_END = re.compile(r"(\w+)-$")
_WORD_START = re.compile(r"^([a-záéíóúñü]+)")
# A hyphen kept at a line end before these words is a suspended compound ("child- and").
_SUSPENDED = {"and", "or", "y", "o", "e", "u"}
# First halves that UN editorial style joins with a hyphen ("non-governmental"): a line
# break after them keeps the hyphen even when the compound occurs only once.
_HYPHEN_PREFIXES = {
    "non",
    "self",
    "cross",
    "well",
    "ex",
    "socio",
    "child",
    "gender",
    "long",
    "short",
    "high",
    "low",
    "full",
    "follow",
    "awareness",
    "capacity",
    "decision",
    "anti",
    "cyber",
    "rights",
    "human",
    "age",
    "community",
    "asylum",
    "state",
    "law",
}
# Prefixes UN style writes closed ("interaction", "undertaken"): never a kept hyphen.
_CLOSED_PREFIXES = {
    "inter",
    "intra",
    "re",
    "un",
    "in",
    "pre",
    "post",
    "co",
    "sub",
    "over",
    "under",
    "counter",
    "multi",
    "semi",
    "trans",
}


def join_wrapped(lines: Iterable[str], vocabulary: set[str]) -> str:
    """Join the lines of one wrapped block, undoing end-of-line hyphenation.

    "imple-" + "mentation" becomes "implementation" when that word occurs unbroken
    elsewhere in the document, or when "imple-mentation" does not; "child-" + "and" keeps
    its hyphen and a space (a suspended compound).
    """
    text = ""
    for raw in lines:
        line = squash(raw)
        if not line:
            continue
        end, start = _WORD_END.search(text), _WORD_START.match(line)
        if re.search(r"[\d/]-$", text) and line[:1].isdigit():
            text += line  # a number range or symbol broken after its hyphen: "2012-" "2021"
        elif text.endswith("-") and end and start and start.group(1) not in _SUSPENDED:
            joined = (end.group(1) + start.group(1)).lower()
            hyphenated = f"{end.group(1)}-{start.group(1)}".lower()
            first, second = end.group(1).lower(), start.group(1)
            keep = (
                hyphenated in vocabulary
                or first in _HYPHEN_PREFIXES
                or (
                    first not in _CLOSED_PREFIXES
                    and min(len(first), len(second)) >= 3
                    and {first, second} <= vocabulary
                )
            )
            if joined in vocabulary or not keep:
                text = text[:-1] + line
            else:
                text += line
        elif text:
            text += " " + line
        else:
            text = line
    return text


def vocabulary(lines: Iterable[str]) -> set[str]:
    """Lower-case words and hyphenated compounds of the text, to judge line-end hyphens.

    The first word of a line and a word broken by a hyphen at its end are left out: they
    may be halves of a word cut by the line break.
    """
    words: set[str] = set()
    for line in lines:
        compounds = re.findall(r"\w+(?:-\w+)*", line)
        singles = re.findall(r"\w+", line)
        if line.rstrip().endswith("-"):
            compounds, singles = compounds[:-1], singles[:-1]
        words.update(w.lower() for w in compounds[1:])
        words.update(w.lower() for w in singles[1:])
    return words
