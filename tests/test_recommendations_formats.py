"""The same concluding observations as .docx, .pdf and .html parse exactly as the .txt seed.

The files are generated here from the seed text in the layouts the UN publishes: Word with
heading styles, header and footer; PDF with wrapped and hyphenated lines, bold headings,
page headers, page numbers, a "GE.xx-" job number and a footnote in small type; HTML with
<h2>/<h3> headings, non-breaking spaces and a footnote list.
"""

from __future__ import annotations

import functools
import html
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from opsc.recommendations import Document, parse_file

SEEDS = {"MX": "seeds/000_46d93a851d7bc3fa.txt", "PE": "seeds/002_17cb5de238c70805.txt"}
JOB = {"MX": "GE.11-40512", "PE": "GE.16-02021"}


def _blocks(doc: Document) -> list[tuple[str, Any]]:
    """The document as a reading-order list of ("title"|"h1"|"h2"|"para"|"item", value)."""
    out: list[tuple[str, Any]] = [("title", doc.title)]
    section: list[str] = []
    for p in doc.paragraphs:
        if p.section != section:
            for level, heading in enumerate(p.section):
                if level >= len(section) or section[level] != heading:
                    out.append(("h1" if level == 0 else "h2", heading))
            section = p.section
        out.append(("para", (p.number, p.text)))
        out.extend(("item", (s.label, s.text)) for s in p.subitems)
    return out


def _comparable(doc: Document) -> list[dict[str, Any]]:
    return [p.to_dict() for p in doc.paragraphs]


# -- generators -----------------------------------------------------------------------------
def write_docx(doc: Document, path: Path) -> None:
    import docx

    word = docx.Document()
    word.sections[0].header.paragraphs[0].text = doc.symbol or ""
    word.sections[0].footer.paragraphs[0].text = JOB[doc.state or "MX"]
    for kind, value in _blocks(doc):
        if kind == "title":
            word.add_paragraph(value, style="Title")
        elif kind in ("h1", "h2"):
            word.add_heading(value, level=1 if kind == "h1" else 2)
        elif kind == "para":
            # a non-breaking space after the number, as Word's "SingleTxtG" style often has
            word.add_paragraph(f"{value[0]}.\u00a0\t{value[1]}")
        else:
            word.add_paragraph(f"({value[0]})\t{value[1]}")
    if doc.footnotes:
        _add_footnotes(word, doc.footnotes)
    word.save(str(path))


def _add_footnotes(word: Any, notes: list[str]) -> None:
    """A word/footnotes.xml part as Word writes it (python-docx has no API for it)."""
    from docx.opc.constants import RELATIONSHIP_TYPE
    from docx.opc.packuri import PackURI
    from docx.opc.part import Part

    ns = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
    body = "".join(
        f'<w:footnote w:id="{i}"><w:p><w:r><w:t xml:space="preserve">*\t{html.escape(n)}'
        "</w:t></w:r></w:p></w:footnote>"
        for i, n in enumerate(notes, 1)
    )
    xml = (
        f'<w:footnotes xmlns:w="{ns}"><w:footnote w:id="-1"><w:p/></w:footnote>'
        f'<w:footnote w:id="0"><w:p/></w:footnote>{body}</w:footnotes>'
    )
    content_type = "application/vnd.openxmlformats-officedocument.wordprocessingml.footnotes+xml"
    part = Part(PackURI("/word/footnotes.xml"), content_type, xml.encode(), word.part.package)
    word.part.relate_to(part, RELATIONSHIP_TYPE.FOOTNOTES)


def _wrap(text: str, width: int) -> list[str]:
    """Greedy wrapping that hyphenates long words at the line end, as typesetters do."""
    lines: list[str] = []
    line = ""
    for word in text.split():
        room = width - len(line) - (1 if line else 0)
        if len(word) <= room:
            line = f"{line} {word}" if line else word
            continue
        if "-" in word[: room - 1] and not word.endswith("-"):
            cut = word[: room - 1].rindex("-") + 1  # break after an existing hyphen
            head, word = word[:cut], word[cut:]
            lines.append(f"{line} {head}" if line else head)
        elif word.isalpha() and len(word) >= 10 and room >= 6:
            cut = min(room - 2, len(word) - 4)
            lines.append(f"{line} {word[:cut]}-" if line else f"{word[:cut]}-")
            word = word[cut:]
        elif line:
            lines.append(line)
        line = word
    if line:
        lines.append(line)
    return lines


def write_pdf(doc: Document, path: Path, width: int = 88) -> None:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    pdf = canvas.Canvas(str(path), pagesize=A4)
    top, bottom, page = 790.0, 70.0, [1]
    y = top

    def furniture() -> None:
        pdf.setFont("Helvetica-Bold", 8)
        pdf.drawString(57, 810, doc.symbol or "")
        pdf.setFont("Helvetica", 8)
        pdf.drawString(57, 30, f"{JOB[doc.state or 'MX']}  ")
        pdf.drawString(530, 30, str(page[0]))

    def line(x: float, text: str, font: str = "Helvetica", size: float = 10) -> None:
        nonlocal y
        if y < bottom:
            pdf.showPage()
            furniture()
            page[0] += 1
            y = top
        pdf.setFont(font, size)
        pdf.drawString(x, y, text)
        y -= 13

    furniture()
    for kind, value in _blocks(doc):
        if kind == "title":
            for i, part in enumerate(_wrap(value, 70)):
                line(57, part, "Helvetica-Bold", 12)
                if i == 0 and doc.footnotes:
                    pdf.setFont("Helvetica", 6)  # a raised footnote mark
                    pdf.drawString(57 + pdf.stringWidth(part, "Helvetica-Bold", 12), y + 17, "*")
        elif kind in ("h1", "h2"):
            y -= 6
            for part in _wrap(value, 70):
                line(57 if kind == "h1" else 70, part, "Helvetica-Bold", 10)
        else:
            x_label, x_text = (57.0, 85.0) if kind == "para" else (85.0, 110.0)
            label = f"{value[0]}." if kind == "para" else f"({value[0]})"
            parts = _wrap(value[1], width if kind == "para" else width - 5)
            pdf.setFont("Helvetica", 10)
            pdf.drawString(x_label, y, label)
            for part in parts:
                line(x_text, part)
    for note in doc.footnotes:
        pdf.setFont("Helvetica", 7)
        pdf.drawString(57, 50, f"*  {note}")
    pdf.save()


def write_html(doc: Document, path: Path) -> None:
    body = [f"<p>United Nations</p><p>{doc.symbol}</p>"]
    for kind, value in _blocks(doc):
        if kind == "title":
            mark = '<sup><a href="#fn1">*</a></sup>' if doc.footnotes else ""
            body.append(f"<h1>{html.escape(value)}{mark}</h1>")
        elif kind in ("h1", "h2"):
            tag = "h2" if kind == "h1" else "h3"
            body.append(f"<{tag}>{html.escape(value)}</{tag}>")
        elif kind == "para":
            body.append(f"<p>{value[0]}.&nbsp;&nbsp;{html.escape(value[1])}</p>")
        else:
            body.append(f"<p class='item'>({value[0]})&nbsp;{html.escape(value[1])}</p>")
    notes = "".join(f"<p id='fn{i}'>* {html.escape(n)}</p>" for i, n in enumerate(doc.footnotes, 1))
    page = f"<html><head><title>{doc.symbol}</title></head><body>{''.join(body)}"
    page += f"<div class='footnotes'>{notes}</div></body></html>"
    path.write_text(page, encoding="utf-8")


WRITERS = {".docx": write_docx, ".pdf": write_pdf, ".html": write_html}


@functools.cache
def _seed(shared: Path, state: str) -> Document:
    return parse_file(shared / SEEDS[state])


@pytest.fixture(scope="module", params=sorted(SEEDS))
def seed(request: pytest.FixtureRequest, shared_dir: Path) -> Document:
    return _seed(shared_dir, request.param)


@pytest.mark.parametrize("suffix", sorted(WRITERS))
def test_same_parse_from_every_format(seed: Document, suffix: str, tmp_path: Path) -> None:
    path = tmp_path / f"co{suffix}"
    WRITERS[suffix](seed, path)
    again = parse_file(path)
    assert (again.symbol, again.state, again.meetings, again.adopted_on) == (
        seed.symbol,
        seed.state,
        seed.meetings,
        seed.adopted_on,
    )
    assert again.footnotes == seed.footnotes
    assert _comparable(again) == _comparable(seed)


def test_pdf_really_has_page_furniture_and_hyphens(seed: Document, tmp_path: Path) -> None:
    from pypdf import PdfReader

    path = tmp_path / "co.pdf"
    write_pdf(seed, path)
    text = "\n".join(page.extract_text() for page in PdfReader(str(path)).pages)
    assert JOB[seed.state or "MX"] in text and seed.symbol in text
    assert len(PdfReader(str(path)).pages) > 3
    assert sum(line.endswith("-") for line in text.splitlines()) > 5


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(state=st.sampled_from(sorted(SEEDS)), width=st.integers(min_value=60, max_value=110))
def test_pdf_parse_does_not_depend_on_line_width(
    tmp_path: Path, shared_dir: Path, state: str, width: int
) -> None:
    seed = _seed(shared_dir, state)
    path = tmp_path / f"co-{state}-{width}.pdf"
    write_pdf(seed, path, width)
    assert _comparable(parse_file(path)) == _comparable(seed)


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(state=st.sampled_from(sorted(SEEDS)), width=st.integers(min_value=60, max_value=110))
def test_text_copied_out_of_a_pdf_parses_the_same(
    tmp_path: Path, shared_dir: Path, state: str, width: int
) -> None:
    """Plain text with no bold to mark headings: wrapped lines, page furniture, a line
    break that falls at a sentence end, and headings wrapped over two lines."""
    from pypdf import PdfReader

    seed = _seed(shared_dir, state)
    pdf = tmp_path / f"co-{state}-{width}.pdf"
    write_pdf(seed, pdf, width)
    txt = tmp_path / f"co-{state}-{width}.txt"
    txt.write_text("\n".join(p.extract_text() for p in PdfReader(str(pdf)).pages), "utf-8")
    again = parse_file(txt)
    assert again.footnotes == seed.footnotes
    assert _comparable(again) == _comparable(seed)
