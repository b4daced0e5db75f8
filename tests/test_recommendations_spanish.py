"""Spanish concluding observations: verbs, headings, "a)" sub-items, citations, metadata.

The fixture is a working translation, in UN Spanish style, of paragraphs 1-13 of the Mexico
seed, with a few citations added to exercise the parser.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from opsc.recommendations import Document, classify, parse_file, parse_text

FIXTURE = Path(__file__).parent / "fixtures" / "recommendations" / "es_mex_extract.txt"


@pytest.fixture(scope="module")
def es() -> Document:
    return parse_file(FIXTURE)


def test_metadata(es: Document) -> None:
    assert (es.symbol, es.state, es.language, es.instrument) == (
        "CRC/C/OPSC/MEX/CO/1",
        "MX",
        "es",
        "OPSC",
    )
    assert es.meetings == {"considered": [1604, 1605], "adopted": [1612]}
    assert (es.considered_on, es.adopted_on) == ("2011-01-31", "2011-02-04")
    assert es.report["description"] == "informe inicial"


def test_kinds_verbs_and_strength(es: Document) -> None:
    got = [(p.number, p.kind, p.verb, p.strength) for p in es.paragraphs]
    assert got == [
        (1, "procedural", "considered", None),
        (2, "positive", "welcomes", None),
        (3, "procedural", "reminds", None),
        (4, "positive", "notes with appreciation", None),
        (5, "concern", "regrets", None),
        (6, "recommendation", "recommends", 4),
        (7, "concern", "is concerned", None),
        (8, "recommendation", "recommends", 4),
        (9, "concern", "is concerned", None),
        (10, "recommendation", "recalls", 4),
        (11, "recommendation", "urges", 5),
        (12, "concern", "is concerned", None),  # "Si bien acoge con satisfacción ... preocupa"
        (13, "recommendation", "requests", 4),  # "alienta" (3) and "pide" (4): the stronger
    ]
    assert es.paragraph(11).verb_text == "insta"


def test_sections_subitems_and_pairs(es: Document) -> None:
    assert es.paragraph(6).section == ["III. Datos"]
    assert es.paragraph(9).section == ["IV. Medidas generales de aplicación", "Legislación"]
    assert [s.label for s in es.paragraph(4).subitems] == ["a", "b", "c"]
    assert (
        es.paragraph(4).subitems[1].text
        == "La Ley para Prevenir y Sancionar la Trata de Personas (2007);"
    )
    assert (es.paragraph(6).pairs_with, es.paragraph(13).pairs_with) == (5, 12)


def test_citations(es: Document) -> None:
    p11, p13 = es.paragraph(11).references, es.paragraph(13).references
    assert p11.op_articles == ["3(4)"]
    assert p11.other_articles == [{"article": "10(1)", "of": "Ley de Extradición Internacional"}]
    assert p11.instruments == ["ILO Convention No. 182 (Worst Forms of Child Labour)"]
    assert p13.op_articles == ["9(3)", "9(4)"]  # "artículo 9, párrs. 3 y 4"
    assert p13.other_articles == [{"article": "44", "of": "Convención"}]
    assert p13.general_comments == [{"number": 11, "year": 2009}]
    assert es.paragraph(3).references.documents == ["CRC/C/MEX/CO/3", "CRC/C/OPAC/MEX/CO/1"]


def test_themes_and_groups(es: Document) -> None:
    assert es.paragraph(6).themes == ["data"]
    assert "legal_persons" in es.paragraph(11).themes
    assert es.paragraph(13).groups == ["indigenous"]


@pytest.mark.parametrize(
    ("sentence", "kind", "verb"),
    [
        ("Al Comité le preocupa que no exista un sistema de datos.", "concern", "is concerned"),
        ("El Comité expresa profunda preocupación por la impunidad.", "concern", "is concerned"),
        (
            "El Comité exhorta al Estado parte a que tipifique la venta de niños.",
            "recommendation",
            "urges",
        ),
        (
            "El Comité invita al Estado parte a que ratifique el Protocolo.",
            "recommendation",
            "encourages",
        ),
        (
            "Recomienda también que el Estado parte refuerce la línea telefónica.",
            "recommendation",
            "recommends",
        ),
        ("El Comité celebra la aprobación de la Ley General.", "positive", "welcomes"),
        ("El Comité reitera su preocupación por la falta de datos.", "concern", "is concerned"),
        (
            "The Committee reiterates its deep concern at the lack of data.",
            "concern",
            "is concerned",
        ),
        ("The Committee notes with regret that no plan exists.", "concern", "regrets"),
        (
            "The Committee strongly recommends that the State party act.",
            "recommendation",
            "strongly recommends",
        ),
        ("It regrets that requests for extradition are refused.", "concern", "regrets"),
    ],
)
def test_verbs(sentence: str, kind: str, verb: str) -> None:
    found = classify(sentence)
    assert (found.kind, found.verb) == (kind, verb)


def test_spanish_labels_need_an_introduction() -> None:
    text = (
        "Observaciones finales: Perú\n"
        "1.\tEl Comité recomienda al Estado parte que:\n"
        "a)\tRefuerce la coordinación;\n"
        "b)\tAsigne recursos suficientes.\n"
        "2.\tEl Comité observa que el inciso\n"  # a wrapped line that starts with "a)"
        "a) del artículo 5 de la ley no se aplica.\n"
    )
    doc = parse_text(text)
    assert doc.state == "PE"
    assert [s.label for s in doc.paragraph(1).subitems] == ["a", "b"]
    assert doc.paragraph(2).subitems == []
    assert doc.paragraph(2).text.endswith("inciso a) del artículo 5 de la ley no se aplica.")
