"""Turn cleaned lines into headings, numbered paragraphs and lettered sub-items.

The Committee's documents share one skeleton whatever the file format: Roman-numeral
sections ("VI. Prohibition of ..."), optional lettered sections ("A. ..."), unnumbered
sub-headings, paragraphs numbered 1, 2, 3 ... and sub-items (a), (b) .... Numbers and
letters must follow in sequence, which keeps a wrapped line that happens to start with
"20." or "(a)" inside its paragraph.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from opsc.recommendations.text import Cleaned, Line, join_wrapped, vocabulary

NUM = re.compile(r"^\s*(\d{1,4})\.(?:\s+|$)(.*)$")
# "(a)" in English documents, "a)" in Spanish ones
LABEL = re.compile(r"^\s*(?:\(([a-z])\)|([a-z])\))(?:\s+|$)(.*)$")
ROMAN = re.compile(r"^\s*([IVXL]{1,5})\.(?:\s+|$)(.*)$")
LETTERED = re.compile(r"^\s*([A-H])\.(?:\s+|$)(.*)$")
TERMINAL = (".", ";", ":", ".”", '."', ".)", ";”")
# A heading line ending in one of these words (or a comma) goes on on the next line.
_OPEN_ENDINGS = {
    "the",
    "of",
    "and",
    "to",
    "on",
    "in",
    "for",
    "under",
    "with",
    "a",
    "an",
    "by",
    "or",
    "de",
    "del",
    "la",
    "el",
    "los",
    "las",
    "y",
    "en",
    "para",
    "sobre",
    "con",
    "por",
    "o",
}
HEADING = "heading"


@dataclass
class RawItem:
    label: str
    lines: list[str] = field(default_factory=list)


@dataclass
class RawParagraph:
    number: int
    section: list[str]
    lines: list[str] = field(default_factory=list)
    items: list[RawItem] = field(default_factory=list)


@dataclass
class Skeleton:
    preamble: list[str]
    paragraphs: list[RawParagraph]
    footnotes: list[str]
    header_symbols: list[str]
    vocabulary: set[str]

    def join(self, lines: list[str]) -> str:
        return join_wrapped(lines, self.vocabulary)


def roman_value(numeral: str) -> int:
    values = {"I": 1, "V": 5, "X": 10, "L": 50}
    total = 0
    for i, ch in enumerate(numeral):
        v = values[ch]
        total += -v if i + 1 < len(numeral) and values[numeral[i + 1]] > v else v
    return total


def _ends_open(text: str) -> bool:
    """True when a block's text so far does not end a sentence or a list entry."""
    stripped = text.rstrip()
    return not stripped or not stripped.endswith(TERMINAL)


def continues_heading(previous: str, line: str) -> bool:
    """Whether `line` is the wrapped rest of the heading line `previous`."""
    first = line.lstrip()[:1]
    if first.islower() or first.isdigit() or first == "(":
        return True
    prev = previous.rstrip()
    last_word = prev.rsplit(None, 1)[-1].lower() if prev else ""
    return prev.endswith(",") or last_word in _OPEN_ENDINGS or prev.count("(") > prev.count(")")


class _Builder:
    def __init__(self, marked_headings: bool) -> None:
        self.marked = marked_headings
        self.preamble: list[str] = []
        self.paragraphs: list[RawParagraph] = []
        self.levels: dict[int, str] = {}
        self.heading: list[str] | None = None
        self.heading_untitled = False  # "II." alone: its title is on the next line
        self.heading_level = 0
        self.current: RawParagraph | None = None
        # Plain text only: the paragraph a tentative sub-heading interrupted. When the
        # "heading" turns out to end a sentence, it was wrapped body text and goes back.
        self.undo: tuple[RawParagraph, list[str]] | None = None
        self.roman_seen = 0
        self.letter_seen = 0

    # -- headings ------------------------------------------------------------------------
    def open_heading(self, level: int, first: str) -> None:
        self.flush_heading()
        self.heading, self.heading_level = [first], level
        self.heading_untitled = bool(re.fullmatch(r"[IVXLA-H]{1,5}\.", first))
        self.current = None

    def settle(self) -> None:
        """Give a tentative sub-heading that ends like a sentence back to its paragraph."""
        if (
            self.heading is not None
            and self.undo is not None
            and self.heading_level == 3
            and join_wrapped(self.heading, set()).endswith(TERMINAL)
        ):
            self.current, block = self.undo
            block.extend(self.heading)
            self.heading = None
        self.undo = None

    def flush_heading(self) -> None:
        self.settle()
        if self.heading is None:
            return
        title = join_wrapped(self.heading, set())
        self.levels = {k: v for k, v in self.levels.items() if k < self.heading_level}
        self.levels[self.heading_level] = title
        self.heading = None

    # -- body ----------------------------------------------------------------------------
    def block(self) -> list[str]:
        assert self.current is not None
        return self.current.items[-1].lines if self.current.items else self.current.lines

    def feed(self, line: Line) -> None:
        text = line.text
        if any(rx.match(text) for rx in (NUM, ROMAN, LETTERED, LABEL)):
            self.settle()
        num = NUM.match(text)
        if num and int(num.group(1)) == len(self.paragraphs) + 1:
            self.flush_heading()
            section = [self.levels[k] for k in sorted(self.levels)]
            self.current = RawParagraph(int(num.group(1)), section, [num.group(2)])
            self.paragraphs.append(self.current)
            return
        roman = ROMAN.match(text)
        if roman and roman_value(roman.group(1)) == self.roman_seen + 1 and self.paragraphs:
            self.roman_seen += 1
            self.letter_seen = 0
            self.open_heading(1, f"{roman.group(1)}. {roman.group(2)}".strip())
            self.levels = {}
            return
        letter = LETTERED.match(text)
        if (
            letter
            and ord(letter.group(1)) - ord("A") == self.letter_seen
            and (self.current is None or not _ends_open(" ".join(self.block())))
        ):
            self.letter_seen += 1
            self.open_heading(2, f"{letter.group(1)}. {letter.group(2)}".strip())
            return
        label = LABEL.match(text)
        letter_label = label and (label.group(1) or label.group(2))
        if (
            label
            and letter_label
            and self.current is not None
            and self._label_expected(letter_label)
        ):
            self.current.items.append(RawItem(letter_label, [label.group(3)]))
            return
        self._text(line)

    def _label_expected(self, label: str) -> bool:
        assert self.current is not None
        if ord(label) - ord("a") != len(self.current.items):
            return False
        before = " ".join(self.block()).rstrip()
        if label == "a":
            return before.endswith(":")
        return before.endswith((";", ".", ":", " and", " or", " y", " o"))

    def _text(self, line: Line) -> None:
        text = line.text
        pending = join_wrapped(self.heading, set()) if self.heading is not None else ""
        if self.undo is not None and pending.endswith(TERMINAL):
            self.settle()  # a tentative heading that ended a sentence goes back to the body
        if self.heading is not None:
            # In plain text two sub-headings in a row would be pointless: the second line is
            # the wrapped rest of the first ("... in the Optional" + "Protocol").
            plain_sub = not self.marked and self.heading_level == 3
            if self.heading_untitled or plain_sub or continues_heading(self.heading[-1], text):
                self.heading_untitled = False
                self.heading.append(text)
            else:
                self.open_heading(3, text)
            return
        if self.current is None:
            if not self.paragraphs:
                self.preamble.append(text)
            else:
                self.open_heading(3, text)
            return
        if line.hint == HEADING:
            self.open_heading(3, text)
            return
        block = self.block()
        body = " ".join(block)
        if self.marked or _ends_open(body) or text.lstrip()[:1].islower():
            block.append(text)
        else:
            paragraph = self.current
            self.open_heading(3, text)
            self.undo = (paragraph, block)


def build(cleaned: Cleaned, marked_headings: bool = False) -> Skeleton:
    """Group cleaned lines into a skeleton.

    `marked_headings` says the source marks every heading (bold in a PDF, a heading style
    in Word, <h2> in HTML), so an unmarked line is always the wrapped rest of the text.
    """
    builder = _Builder(marked_headings)
    for line in cleaned.lines:
        builder.feed(line)
    builder.flush_heading()
    return Skeleton(
        preamble=builder.preamble,
        paragraphs=builder.paragraphs,
        footnotes=cleaned.footnotes,
        header_symbols=cleaned.header_symbols,
        vocabulary=vocabulary(line.text for line in cleaned.lines),
    )
