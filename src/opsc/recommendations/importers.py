"""Read a concluding-observations file (.txt, .docx, .pdf, .html) into lines.

Each reader returns the lines in reading order and whether the source marks its headings
(a heading style or bold in Word and PDF, <h1>-<h6> or bold in HTML). Page headers and
footers, job numbers and markers are removed later by `text.clean`, the same for all.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from pathlib import Path
from typing import Any

from opsc.recommendations.text import FOOTNOTE, Line, split_text

HEADING = "heading"
SUFFIXES = (".txt", ".docx", ".pdf", ".html", ".htm")


class ImportFormatError(ValueError):
    """The file cannot be read as a concluding-observations document."""


def read_lines(path: Path) -> tuple[list[Line], bool]:
    """Lines of `path` and whether headings are marked; the reader is chosen by suffix."""
    suffix = path.suffix.lower()
    if not path.is_file():
        raise ImportFormatError(f"{path}: no such file")
    if suffix == ".txt":
        return split_text(_read_text(path)), False
    if suffix == ".docx":
        return _docx(path)
    if suffix == ".pdf":
        return _pdf(path)
    if suffix in (".html", ".htm"):
        return html_lines(_read_text(path))
    raise ImportFormatError(
        f"{path}: unsupported file type {suffix!r}; use one of {', '.join(SUFFIXES)}"
    )


def _read_text(path: Path) -> str:
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Older UN text exports are Windows-1252.
        return data.decode("cp1252", errors="replace")


# -- Word ---------------------------------------------------------------------------------
_HEADING_STYLES = re.compile(r"^(?:Heading|Title|H\d|H1G|H23G|HChG|H4G|H56G|Título)", re.I)


def _docx(path: Path) -> tuple[list[Line], bool]:
    import docx  # python-docx

    try:
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises several types for a damaged package
        raise ImportFormatError(f"{path}: not a readable .docx file ({exc})") from exc
    lines: list[Line] = []
    marked = False
    for para in document.paragraphs:
        runs = [r for r in para.runs if r.text.strip()]
        style = para.style.name if para.style is not None else ""
        heading = bool(_HEADING_STYLES.match(style or "")) or (
            bool(runs) and all(r.bold for r in runs)
        )
        marked = marked or heading
        for part in para.text.split("\n"):
            lines.append(Line(part, HEADING if heading else None))
    lines.extend(Line(note, FOOTNOTE) for note in _docx_footnotes(document))
    return lines, marked


_W = "{http://schemas.openxmlformats.org/wordprocessingml/2006/main}"


def _docx_footnotes(document: Any) -> list[str]:
    """Footnote texts from word/footnotes.xml (ids 0 and -1 are Word's separators)."""
    from docx.oxml import parse_xml

    notes: list[str] = []
    for rel in document.part.rels.values():
        if not rel.reltype.endswith("/footnotes") or rel.is_external:
            continue
        root = parse_xml(rel.target_part.blob)
        for note in root.iter(f"{_W}footnote"):
            if int(note.get(f"{_W}id", "0")) <= 0:
                continue
            text = "".join(t.text or "" for t in note.iter(f"{_W}t"))
            if text.strip():
                notes.append(text.strip())
    return notes


# -- PDF ----------------------------------------------------------------------------------
def _pdf(path: Path) -> tuple[list[Line], bool]:
    from pypdf import PdfReader

    try:
        reader = PdfReader(str(path))
    except Exception as exc:  # pypdf raises several types for a damaged file
        raise ImportFormatError(f"{path}: not a readable PDF ({exc})") from exc
    pages = [_pdf_chunks(page) for page in reader.pages]
    sizes = Counter(round(c[4], 1) for chunks in pages for c in chunks)
    body = sizes.most_common(1)[0][0] if sizes else 10.0  # the body text's type size
    lines = [line for chunks in pages for line in _pdf_lines(chunks, body)]
    return lines, any(line.hint == HEADING for line in lines)


Chunk = tuple[float, float, str, bool, float]  # y, x, text, bold, size


def _pdf_chunks(page: Any) -> list[Chunk]:
    chunks: list[Chunk] = []

    def visit(text: str, cm: list[float], tm: list[float], font: Any, size: float) -> None:
        if not text.strip():
            return
        x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
        y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
        name = str(font.get("/BaseFont", "")) if font else ""
        scale = abs(tm[3] * cm[3]) or 1.0
        chunks.append((y, x, text.replace("\n", " "), "Bold" in name, size * scale))

    page.extract_text(visitor_text=visit)
    return chunks


def _pdf_lines(chunks: list[Chunk], body: float) -> list[Line]:
    """Lines of one page: bold lines are headings, lines in small type footnotes, and small
    raised chunks inside a line (footnote marks) are dropped."""
    rows: dict[int, list[Chunk]] = defaultdict(list)
    for chunk in chunks:
        # chunks within 4 points vertically share a line (superscripts sit a little higher)
        key = next((k for k in rows if abs(k - chunk[0]) <= 4), round(chunk[0]))
        rows[key].append(chunk)
    out: list[Line] = []
    previous: tuple[float, float] | None = None  # y and x of the last heading line
    for key in sorted(rows, reverse=True):
        row = sorted(rows[key], key=lambda c: c[1])
        big = [c for c in row if c[4] >= 0.8 * body]
        kept = big or row  # a line all in small type (a footnote) is kept whole
        text = "\t".join(c[2].strip() for c in kept)
        hint = (HEADING if all(c[3] for c in kept) else None) if big else FOOTNOTE
        y, x = kept[0][0], kept[0][1]
        # a bold line right below another at the same indent is the heading's wrapped rest;
        # headings that follow each other are set apart by extra space
        if hint == HEADING and previous and previous[0] - y <= 1.5 * body and previous[1] == x:
            out[-1] = Line(f"{out[-1].text} {text}", HEADING)
        else:
            out.append(Line(text, hint))
        previous = (y, x) if hint == HEADING else None
    return out


# -- HTML ---------------------------------------------------------------------------------
_BLOCKS = ["p", "h1", "h2", "h3", "h4", "h5", "h6", "li", "div", "td", "th", "dt", "dd"]


def html_lines(markup: str) -> tuple[list[Line], bool]:
    """Lines of an HTML document: one per block element, headings from <h1>-<h6> or bold."""
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(markup, "html.parser")
    for tag in soup(["script", "style", "head"]):
        tag.decompose()
    # footnote reference markers: <sup><a href="#fn2">2</a></sup>
    for sup in soup.find_all("sup"):
        if (
            sup.find("a")
            or sup.get_text(strip=True).strip("*").isdigit()
            or sup.get_text(strip=True) == "*"
        ):
            sup.decompose()
    for br in soup.find_all("br"):
        br.replace_with("\n")
    lines: list[Line] = []
    marked = False
    for block in soup.find_all(_BLOCKS):
        if block.find(_BLOCKS):
            continue  # only innermost blocks carry text of their own
        text = block.get_text()
        if block.name == "li" and block.parent is not None and block.parent.name == "ol":
            text = _list_number(block) + text
        bold = block.find(["b", "strong"])
        heading = block.name in ("h1", "h2", "h3", "h4", "h5", "h6") or (
            bold is not None
            and bold.get_text(strip=True) == block.get_text(strip=True)
            and bool(block.get_text(strip=True))
        )
        marked = marked or heading
        hint = HEADING if heading else None
        if any("footnote" in _names(p) for p in [block, *block.parents]):
            hint = FOOTNOTE
        for part in text.split("\n"):
            lines.append(Line(" ".join(part.split()), hint))
    return lines, marked


def _names(tag: Any) -> str:
    """The id and classes of a tag, lower case, to spot footnote containers."""
    classes = tag.get("class") or [] if hasattr(tag, "get") else []
    ident = tag.get("id") or "" if hasattr(tag, "get") else ""
    return " ".join([str(ident), *map(str, classes)]).lower().replace("fn", "footnote")


def _list_number(item: Any) -> str:
    """The number or letter a browser shows before an <ol> item."""
    parent = item.parent
    index = int(parent.get("start", 1)) + len(item.find_previous_siblings("li"))
    if parent.get("type") == "a":
        return f"({chr(ord('a') + index - 1)})\t"
    return f"{index}.\t"
