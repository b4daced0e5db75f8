"""Citations: both drafting styles give the same normalised articles; other instruments and
national laws are kept apart."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from opsc.recommendations.references import _NEEDLES, INSTRUMENTS, extract


@pytest.mark.parametrize(
    ("text", "own", "other"),
    [
        ("in conformity with article 3, paragraph 4, of the Optional Protocol", ["3(4)"], []),
        (
            "in accordance with articles 2 (a) and 3 (1) (a) of the Optional Protocol",
            ["2(a)", "3(1)(a)"],
            [],
        ),
        ("In the light of article 9 (3 and 4) of the Optional Protocol", ["9(3)", "9(4)"], []),
        ("(arts. 3, 4 (2 and 3) and 5-7)", ["3", "4(2)", "4(3)", "5", "6", "7"], []),
        ("(arts. 3; 4, paras. 2 and 3; 5; 6; and 7)", ["3", "4(2)", "4(3)", "5", "6", "7"], []),
        (
            "In accordance with article 12, paragraph 2, the Committee requests ... in accordance "
            "with article 44 of the Convention.",
            ["12(2)"],
            [("44", "Convention")],
        ),
        (
            "amend article 10, paragraph 1, of the International Extradition Act",
            [],
            [("10(1)", "International Extradition Act")],
        ),
        (
            "which envisages a new article 130 on the responsibility of legal persons",
            [],
            [("130", "(new provision)")],
        ),
        ("provided in article 153 of the Criminal Code", [], [("153", "Criminal Code")]),
        ("de conformidad con el artículo 3, párrafo 4, del Protocolo facultativo", ["3(4)"], []),
        (
            "el art. 9, párrs. 3 y 4, y el artículo 44 de la Convención",
            ["9(3)", "9(4)"],
            [("44", "Convención")],
        ),
    ],
)
def test_articles(text: str, own: list[str], other: list[tuple[str, str]]) -> None:
    refs = extract(text)
    assert refs.op_articles == own
    assert [(o["article"], o["of"]) for o in refs.other_articles] == other


@settings(max_examples=60, deadline=None)
@given(
    article=st.integers(min_value=1, max_value=17),
    paragraphs=st.lists(st.integers(min_value=1, max_value=9), min_size=1, max_size=3, unique=True),
)
def test_both_drafting_styles_agree(article: int, paragraphs: list[int]) -> None:
    listed = ", ".join(map(str, paragraphs[:-1]))
    spoken = f"{listed} and {paragraphs[-1]}" if listed else str(paragraphs[-1])
    word = "paragraphs" if len(paragraphs) > 1 else "paragraph"
    long_style = extract(f"article {article}, {word} {spoken}, of the Optional Protocol")
    short_style = extract(f"art. {article} ({spoken}) of the Optional Protocol")
    expected = [f"{article}({p})" for p in paragraphs]
    assert long_style.op_articles == short_style.op_articles == expected


def test_documents_general_comments_and_instruments() -> None:
    refs = extract(
        "(see CRC/C/PER/CO/4-5, paras. 9 and 10) and (CCPR/C/MEX/CO/5, para. 20). "
        "general comment No. 11 (2009); International Labour Organization Convention 182 "
        "(1999); the Guidelines on Justice in Matters involving Child Victims and Witnesses of "
        "Crime (Economic and Social Council resolution 2005/20, annex)."
    )
    assert refs.documents == ["CRC/C/PER/CO/4-5", "CCPR/C/MEX/CO/5"]
    assert refs.general_comments == [{"number": 11, "year": 2009}]
    assert refs.instruments == [
        "ILO Convention No. 182 (Worst Forms of Child Labour)",
        "Guidelines on Justice in Matters involving Child Victims and Witnesses of Crime",
        "ECOSOC resolution 2005/20",
    ]


def test_every_instrument_has_its_quick_test_words() -> None:
    assert {name for _, name in INSTRUMENTS} == set(_NEEDLES)
