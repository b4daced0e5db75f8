"""Citations in a paragraph: Protocol articles, UN document symbols, general comments,
other instruments.

Articles are normalised to strings such as "3", "3(4)", "9(3)", "3(1)(a)", "2(a)". Both
drafting styles are read: "article 3, paragraph 4" and "art. 3 (4)"; "article 9 (3 and 4)"
and "article 9, paragraphs 3 and 4" both give 9(3) and 9(4). An article counts as one of the
document's own instrument (the Optional Protocol in an OPSC document) when it is followed
by "of the Optional Protocol", or when it is followed by no instrument at all and its number
exists in that instrument. "Article 44 of the Convention", "article 10, paragraph 1, of the
International Extradition Act" and "a new article 130" of a criminal code are kept apart as
`other_articles`.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field

ARTICLE_WORD = re.compile(r"\b(?:articles?|arts?\.|art[íi]culos?)\s+", re.I)
_NUM = r"\d{1,3}"
_PARA_WORD = r"(?:paragraphs?|paras?\.|p[áa]rrafos?|p[áa]rrs?\.|incisos?)"
_JOIN = r"(?:\s*,\s*(?:and|y)\s+|\s+(?:and|y|e)\s+|\s*,\s*|\s*;\s*(?:and\s+|y\s+)?)"
_PJOIN = r"(?:\s*,\s*(?:and|y)\s+|\s+(?:and|y|e)\s+|\s*,\s*)"  # within one article
_PAREN = rf"\s*\((?:{_NUM}(?:{_PJOIN}{_NUM})*|[a-z])\)"
_ITEM = (
    rf"{_NUM}(?:\s*[-–]\s*{_NUM})?(?:{_PAREN})*"
    rf"(?:\s*,\s*{_PARA_WORD}\s+{_NUM}(?:{_PJOIN}{_NUM})*)?"
)
ITEM = re.compile(_ITEM)
ITEM_LIST = re.compile(rf"{_ITEM}(?:{_JOIN}{_ITEM})*")
TAIL = re.compile(
    r"^,?\s+(?:of|de|del)\s+(?:the\s+|its\s+|la\s+|el\s+|su\s+)?([^,.;()]{1,80})", re.I
)
NEW_BEFORE = re.compile(r"\b(?:new|nuevo|proposed)\s*$", re.I)

SYMBOL = re.compile(r"\b[A-Z]{1,6}(?:\.\d+)?(?:/[A-Za-z0-9.\-]*[A-Za-z0-9]){2,}")
GENERAL_COMMENT = re.compile(
    r"\b(?:general comments?|observaci[óo]n(?:es)? general(?:es)?)\s+"
    r"(?:No\.?|Nos\.|n[úu]m\.|n\.º|[Nn][°º])\s*(\d{1,2})\s*\((\d{4})\)",
    re.I,
)
RESOLUTION = re.compile(
    r"\bresoluci[óo]n\s+(\d{2,4}/\d{1,3})|\bresolution\s+(\d{2,4}/\d{1,3})", re.I
)

# Other instruments the Committee cites in OPSC documents, as (pattern, canonical name).
INSTRUMENTS: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(p, re.I), name)
    for p, name in (
        (
            r"(?:International Labour Organization|ILO|OIT|Organizaci[óo]n Internacional del "
            r"Trabajo)\)?\s+(?:Worst Forms of Child Labour\s+)?(?:Convention|Convenio)\s+"
            r"(?:No\.\s*|n[úu]m\.\s*)?182",
            "ILO Convention No. 182 (Worst Forms of Child Labour)",
        ),
        (
            r"Convenio\s+(?:n[úu]m\.\s*|n\.º\s*)?182\b",
            "ILO Convention No. 182 (Worst Forms of Child Labour)",
        ),
        (r"Convenio\s+(?:n[úu]m\.\s*|n\.º\s*)?138\b", "ILO Convention No. 138 (Minimum Age)"),
        (
            r"(?:International Labour Organization|ILO|OIT)\)?\s+(?:Minimum Age\s+)?"
            r"(?:Convention|Convenio)\s+(?:No\.\s*|n[úu]m\.\s*)?138",
            "ILO Convention No. 138 (Minimum Age)",
        ),
        (
            r"Hague Convention[^.;]{0,40}Intercountry Adoption|Convenio de La Haya[^.;]{0,60}"
            r"Adopci[óo]n Internacional",
            "Hague Convention on Intercountry Adoption (1993)",
        ),
        (
            r"Convention against Transnational Organized Crime|"
            r"Convenci[óo]n de las Naciones Unidas contra la Delincuencia Organizada Transnacional",
            "UN Convention against Transnational Organized Crime",
        ),
        (
            r"Protocol to Prevent, Suppress and Punish Trafficking in Persons|Protocolo para "
            r"prevenir, reprimir y sancionar la trata",
            "Protocol to Prevent, Suppress and Punish Trafficking in Persons (Palermo Protocol)",
        ),
        (
            r"Guidelines on Justice in Matters involving Child Victims and Witnesses of Crime|"
            r"Directrices sobre la justicia en asuntos concernientes a los niños víctimas",
            "Guidelines on Justice in Matters involving Child Victims and Witnesses of Crime",
        ),
        (
            r"Global Code of Ethics for Tourism|Código Ético Mundial para el Turismo",
            "Global Code of Ethics for Tourism",
        ),
        (
            r"Code of Conduct for the Protection of Children from Sexual Exploitation in Travel",
            "Code of Conduct for the Protection of Children from Sexual Exploitation in Travel and "
            "Tourism",
        ),
        (
            r"Optional Protocol[^.;]{0,60}communications procedure|Protocolo Facultativo[^.;]{0,60}"
            r"procedimiento de comunicaciones",
            "Optional Protocol on a communications procedure",
        ),
        (
            r"Optional Protocol[^.;]{0,60}involvement of children in armed conflict|Protocolo "
            r"Facultativo[^.;]{0,60}participación de niños en los conflictos armados",
            "Optional Protocol on the involvement of children in armed conflict",
        ),
        (
            r"Convention on Cybercrime|Convenio sobre la Ciberdelincuencia",
            "Council of Europe Convention on Cybercrime",
        ),
        (
            r"Convention on the Protection of Children against Sexual Exploitation and "
            r"Sexual Abuse",
            "Council of Europe Convention on the Protection of Children against Sexual "
            "Exploitation and Sexual Abuse",
        ),
    )
)

# Words one of which every citation of the instrument contains (lower case).
_NEEDLES: dict[str, tuple[str, ...]] = {
    "ILO Convention No. 182 (Worst Forms of Child Labour)": ("182",),
    "ILO Convention No. 138 (Minimum Age)": ("138",),
    "Hague Convention on Intercountry Adoption (1993)": ("hague", "haya"),
    "UN Convention against Transnational Organized Crime": ("organized crime", "delincuencia"),
    "Protocol to Prevent, Suppress and Punish Trafficking in Persons (Palermo Protocol)": (
        "suppress and punish",
        "reprimir",
    ),
    "Guidelines on Justice in Matters involving Child Victims and Witnesses of Crime": (
        "guidelines on justice",
        "directrices",
    ),
    "Global Code of Ethics for Tourism": ("ethics for tourism", "ético mundial"),
    "Code of Conduct for the Protection of Children from Sexual Exploitation in Travel and "
    "Tourism": ("code of conduct",),
    "Optional Protocol on a communications procedure": ("communications", "comunicaciones"),
    "Optional Protocol on the involvement of children in armed conflict": (
        "armed conflict",
        "conflictos armados",
    ),
    "Council of Europe Convention on Cybercrime": ("cybercrime", "ciberdelincuencia"),
    "Council of Europe Convention on the Protection of Children against Sexual "
    "Exploitation and Sexual Abuse": ("sexual abuse",),
}

# How many articles each instrument has, to tell an unqualified "article 12" apart.
ARTICLE_COUNT = {"OPSC": 17, "OPAC": 13, "OPIC": 24, "Convention": 54}
# Words that name the document's own instrument after "of the".
OWN_NAMES = {
    "OPSC": ("optional protocol", "protocol", "protocolo facultativo", "protocolo"),
    "OPAC": ("optional protocol", "protocol", "protocolo facultativo", "protocolo"),
    "OPIC": ("optional protocol", "protocol", "protocolo facultativo", "protocolo"),
    "Convention": ("convention", "convención"),
}


@dataclass
class References:
    op_articles: list[str] = field(default_factory=list)
    other_articles: list[dict[str, str]] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    general_comments: list[dict[str, int]] = field(default_factory=list)
    instruments: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, object]:
        return {
            "op_articles": self.op_articles,
            "other_articles": self.other_articles,
            "documents": self.documents,
            "general_comments": self.general_comments,
            "instruments": self.instruments,
        }


def expand_item(item: str) -> list[str]:
    """One cited article with its paragraphs, as normalised strings: "9 (3 and 4)" ->
    ["9(3)", "9(4)"]; "5-7" -> ["5", "6", "7"]."""
    head = re.match(rf"({_NUM})(?:\s*[-–]\s*({_NUM}))?", item)
    assert head is not None
    first, last = int(head.group(1)), int(head.group(2) or head.group(1))
    articles = [str(n) for n in range(first, last + 1)] if last - first < 20 else [str(first)]
    rest = item[head.end() :]
    groups = [
        [p] if re.fullmatch(r"[a-z]", p) else re.findall(r"\d+", p)
        for p in re.findall(r"\(([^)]*)\)", rest)
    ]
    paras = re.search(rf",\s*{_PARA_WORD}\s+(.*)$", rest)
    if paras:
        groups.insert(0, re.findall(r"\d+", paras.group(1)))
    suffixes = ["".join(f"({x})" for x in combo) for combo in itertools.product(*groups)]
    return [a + s for a in articles for s in suffixes]


def _add(target: list[str], values: list[str]) -> None:
    for v in values:
        if v not in target:
            target.append(v)


def articles(text: str, instrument: str = "OPSC") -> tuple[list[str], list[dict[str, str]]]:
    """The document instrument's articles cited in `text`, and the others with their source."""
    own: list[str] = []
    other: list[dict[str, str]] = []
    limit = ARTICLE_COUNT.get(instrument, 17)
    names = OWN_NAMES.get(instrument, OWN_NAMES["OPSC"])
    for word in ARTICLE_WORD.finditer(text):
        listed = ITEM_LIST.match(text, word.end())
        if not listed:
            continue
        cited = [a for m in ITEM.finditer(listed.group(0)) for a in expand_item(m.group(0))]
        tail = TAIL.match(text[listed.end() :])
        source = " ".join(tail.group(1).split()) if tail else ""
        if source.lower().startswith(names):
            _add(own, cited)
        elif source:
            other.extend({"article": a, "of": source} for a in cited)
        elif NEW_BEFORE.search(text[: word.start()]):
            other.extend({"article": a, "of": "(new provision)"} for a in cited)
        elif all(int(re.match(r"\d+", a).group(0)) <= limit for a in cited):  # type: ignore[union-attr]
            _add(own, cited)
        else:
            other.extend({"article": a, "of": "(unnamed)"} for a in cited)
    return own, other


def extract(text: str, instrument: str = "OPSC") -> References:
    """Every citation in `text`, in order of first appearance, without repeats."""
    refs = References()
    refs.op_articles, refs.other_articles = articles(text, instrument)
    _add(refs.documents, [m.group(0).rstrip(".-") for m in SYMBOL.finditer(text)])
    for m in GENERAL_COMMENT.finditer(text):
        gc = {"number": int(m.group(1)), "year": int(m.group(2))}
        if gc not in refs.general_comments:
            refs.general_comments.append(gc)
    low = text.lower()
    # a cheap test first: most paragraphs cite none of these, and the patterns are costly
    names = [
        name
        for pattern, name in INSTRUMENTS
        if any(n in low for n in _NEEDLES[name]) and pattern.search(text)
    ]
    names += [f"ECOSOC resolution {m.group(1) or m.group(2)}" for m in RESOLUTION.finditer(text)]
    _add(refs.instruments, names)
    return refs
