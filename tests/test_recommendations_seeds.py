"""Exact acceptance of the parser on the two seed documents (Mexico 2011, Peru 2016)."""

from __future__ import annotations

from pathlib import Path

import pytest

from opsc.recommendations import Document, parse_file

MEXICO = "seeds/000_46d93a851d7bc3fa.txt"
PERU = "seeds/002_17cb5de238c70805.txt"


@pytest.fixture(scope="module")
def mx(shared_dir: Path) -> Document:
    return parse_file(shared_dir / MEXICO)


@pytest.fixture(scope="module")
def pe(shared_dir: Path) -> Document:
    return parse_file(shared_dir / PERU)


def _labels(doc: Document) -> dict[int, str]:
    return {p.number: "".join(s.label for s in p.subitems) for p in doc.paragraphs if p.subitems}


def test_paragraph_counts(mx: Document, pe: Document) -> None:
    assert [p.number for p in mx.paragraphs] == list(range(1, 51))
    assert [p.number for p in pe.paragraphs] == list(range(1, 39))


def test_subitem_labels(mx: Document, pe: Document) -> None:
    assert _labels(mx) == {
        4: "abc",
        16: "abcd",
        23: "abc",
        24: "abc",
        29: "abcde",
        30: "abcde",
        44: "abc",
        46: "abc",
    }
    assert _labels(pe) == {
        4: "ab",
        5: "abcde",
        6: "abcd",
        14: "abcd",
        19: "ab",
        20: "abcd",
        26: "abcd",
        31: "abc",
        32: "abcde",
    }


def test_subitem_text_is_clean(mx: Document, pe: Document) -> None:
    assert mx.paragraph(16).subitems[3].text.startswith("Seek technical support")
    assert pe.paragraph(32).subitems[4].text.endswith("compensation and redress.")
    assert pe.paragraph(3).text.startswith("The Committee reminds")  # bookmark removed


MX_RECS = [
    6,
    8,
    10,
    11,
    13,
    16,
    18,
    20,
    22,
    24,
    26,
    28,
    30,
    32,
    34,
    36,
    38,
    40,
    42,
    44,
    46,
    47,
    48,
    49,
    50,
]
PE_RECS = [8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30, 32, 34, 35, 36, 37, 38]


def test_kinds(mx: Document, pe: Document) -> None:
    assert [p.number for p in mx.paragraphs if p.kind == "recommendation"] == MX_RECS
    assert [p.number for p in pe.paragraphs if p.kind == "recommendation"] == PE_RECS
    assert {p.number for p in mx.paragraphs if p.kind == "positive"} == {2, 4}
    assert {p.number for p in pe.paragraphs if p.kind == "positive"} == {4, 5, 6}
    assert {p.number for p in mx.paragraphs if p.kind == "procedural"} == {1, 3}
    # every other paragraph, including "welcomes ... but regrets" (PE 2), is a concern
    concerns = {p.number for p in pe.paragraphs if p.kind == "concern"}
    assert concerns == set(range(1, 39)) - set(PE_RECS) - {1, 3, 4, 5, 6}
    assert 2 in concerns and 7 in concerns


def test_verbs_and_strength(mx: Document, pe: Document) -> None:
    got = {n: (mx.paragraph(n).verb, mx.paragraph(n).strength) for n in (6, 10, 18, 22, 44, 50)}
    assert got == {
        6: ("recommends", 4),
        10: ("recalls", 4),
        18: ("encourages", 3),
        22: ("urges", 5),
        44: ("urges", 5),
        50: ("requests", 4),
    }
    assert (pe.paragraph(26).verb, pe.paragraph(35).verb) == ("urges", "encourages")
    assert mx.paragraph(5).verb == "regrets" and mx.paragraph(5).strength is None


def test_sections(mx: Document, pe: Document) -> None:
    assert mx.paragraph(6).section == ["III. Data"]
    vi = mx.paragraph(32).section
    assert vi[0].startswith("VI. Prohibition of the sale of children")
    assert vi[1] == "Criminal liability of legal persons"
    assert pe.paragraph(24).section == [
        "VI. Prohibition of the sale of children, child pornography and child prostitution "
        "and related matters (arts. 3, 4 (2 and 3) and 5-7)",
        "Existing criminal or penal laws and regulations",
    ]
    assert mx.paragraph(47).section == ["VIII. International assistance and cooperation"]
    assert pe.paragraph(31).section[1] == (
        "Measures adopted to protect the rights and interests of child victims of offences "
        "prohibited under the Optional Protocol"
    )


def test_references(mx: Document, pe: Document) -> None:
    arts = {(d.symbol, p.number): p.references.op_articles for d in (mx, pe) for p in d.paragraphs}
    m, p = mx.symbol, pe.symbol
    assert arts[m, 32] == ["3(4)"]
    assert arts[m, 47] == ["10(1)"]
    assert arts[m, 46] == ["9(3)", "9(4)"]
    assert arts[p, 24] == ["2(a)", "3(1)(a)"]
    assert arts[p, 32] == ["9(3)", "9(4)"]
    assert arts[m, 50] == ["12(2)"]
    assert arts[p, 38] == ["12(2)"]
    assert arts[m, 38] == [] and arts[p, 28] == ["3(4)"]
    assert "CRC/C/PER/CO/4-5" in pe.paragraph(10).references.documents
    assert "CCPR/C/MEX/CO/5" in mx.paragraph(22).references.documents
    assert mx.paragraph(13).references.general_comments == [{"number": 11, "year": 2009}]
    assert mx.paragraph(11).references.instruments == [
        "ILO Convention No. 182 (Worst Forms of Child Labour)"
    ]
    others = mx.paragraph(38).references.other_articles
    assert others == [{"article": "10(1)", "of": "International Extradition Act"}]


def test_document_facts(mx: Document, pe: Document) -> None:
    assert (mx.symbol, mx.state, mx.body, mx.instrument) == (
        "CRC/C/OPSC/MEX/CO/1",
        "MX",
        "CRC",
        "OPSC",
    )
    assert (pe.symbol, pe.state, pe.adopted_on) == ("CRC/C/OPSC/PER/CO/1", "PE", "2016-01-29")
    assert mx.meetings == {"considered": [1604, 1605], "adopted": [1612]}
    assert (mx.considered_on, mx.adopted_on) == ("2011-01-31", "2011-02-04")
    assert mx.report == {"description": "initial report", "symbols": ["CRC/C/OPSC/MEX/1"]}
    assert pe.session == "seventy-first session"
    assert pe.footnotes == [
        "Adopted by the Committee at its seventy-first session (11-29 January 2016)."
    ]


def test_pairs_themes_groups(mx: Document, pe: Document) -> None:
    assert mx.paragraph(6).pairs_with == 5 and pe.paragraph(8).pairs_with == 7
    assert mx.paragraph(16).pairs_with == 15 and mx.paragraph(48).pairs_with is None
    assert mx.paragraph(6).themes[0] == "data" and pe.paragraph(8).themes[0] == "data"
    assert "legal_persons" in mx.paragraph(32).themes
    assert "helpline" in mx.paragraph(44).themes
    assert {"indigenous", "street_situation", "migrant_unaccompanied"} <= set(
        mx.paragraph(24).groups
    )
    assert "girls" in pe.paragraph(19).groups
    assert "asylum_refugee" in mx.paragraph(46).groups
