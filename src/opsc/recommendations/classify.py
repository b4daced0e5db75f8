"""What a paragraph does: recommend, express concern, welcome, or frame the document.

The operative verb decides. A recommendation's strength follows the spirit of UPR Info's
action categories (5 = most demanding):

| strength | English | Spanish |
|---|---|---|
| 5 | urges, calls upon, strongly recommends | insta, exhorta, pide encarecidamente |
| 4 | recommends, requests, recalls (an obligation), reiterates | recomienda, solicita, pide, |
|   |   | recuerda, reitera |
| 3 | encourages, invites | alienta, anima, invita |
| 2 | suggests | sugiere |

Precedence when a paragraph mixes verbs: recommendation > concern > positive > procedural,
so a paragraph that welcomes something but regrets another is a concern.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

RECOMMENDATION, CONCERN, POSITIVE, PROCEDURAL = (
    "recommendation",
    "concern",
    "positive",
    "procedural",
)
KINDS = (RECOMMENDATION, CONCERN, POSITIVE, PROCEDURAL)

# The Committee (or "it", "Recomienda ...") as the subject, with adverbs in between.
_SUBJ = (
    r"(?:\bCommittee|\bComité|\bIt|\bit)(?:,[^,]{1,80},)?\s+"
    r"(?:(?:also|further|therefore|again|strongly|firmly|furthermore|moreover|además|también|"
    r"asimismo|encarecidamente|por lo tanto|nuevamente)\s+)*"
)


@dataclass(frozen=True)
class Verb:
    canonical: str
    kind: str
    strength: int | None
    pattern: re.Pattern[str]


def _v(canonical: str, kind: str, strength: int | None, pattern: str, subject: bool = True) -> Verb:
    return Verb(canonical, kind, strength, re.compile((_SUBJ if subject else "") + pattern))


VERBS: tuple[Verb, ...] = (
    # recommendations
    _v("strongly recommends", RECOMMENDATION, 5, r"(?<=strongly )recommends\b", subject=False),
    _v("urges", RECOMMENDATION, 5, r"urges\b"),
    _v("calls upon", RECOMMENDATION, 5, r"calls (?:up)?on\b"),
    _v("recommends", RECOMMENDATION, 4, r"recommends\b"),
    _v("requests", RECOMMENDATION, 4, r"requests\b"),
    _v("reiterates", RECOMMENDATION, 4, r"reiterates (?:its )?(?:previous )?recommendation"),
    _v("recalls", RECOMMENDATION, 4, r"(?:recalls|reminds)\b(?![^.]*read in conjunction)"),
    _v("encourages", RECOMMENDATION, 3, r"encourages\b"),
    _v("invites", RECOMMENDATION, 3, r"invites\b"),
    _v("suggests", RECOMMENDATION, 2, r"suggests\b"),
    _v("urges", RECOMMENDATION, 5, r"(?:insta|exhorta)\b"),
    _v("urges", RECOMMENDATION, 5, r"\b(?:Insta|Exhorta)\b", subject=False),
    _v("recommends", RECOMMENDATION, 4, r"(?:recomienda)\b"),
    _v("recommends", RECOMMENDATION, 4, r"\bRecomienda\b", subject=False),
    _v("requests", RECOMMENDATION, 4, r"(?:solicita|pide)\b"),
    _v("reiterates", RECOMMENDATION, 4, r"reitera (?:su )?recomendaci"),
    _v("recalls", RECOMMENDATION, 4, r"recuerda\b(?![^.]*(?:leerse|leídas) conjuntamente)"),
    _v("encourages", RECOMMENDATION, 3, r"(?:alienta|anima|invita)\b"),
    _v("suggests", RECOMMENDATION, 2, r"sugiere\b"),
    # concerns
    _v("is deeply concerned", CONCERN, None, r"(?:deeply|seriously|gravely) concerned\b", False),
    _v(
        "expresses concern",
        CONCERN,
        None,
        r"expresses (?:its )?(?:deep |serious |grave )?concern",
        False,
    ),
    _v("notes with concern", CONCERN, None, r"notes with (?:deep |serious |grave )?concern", False),
    _v("is concerned", CONCERN, None, r"\b(?:is|are|remains)\b[^.;:]{0,30}?\bconcerned\b", False),
    _v("regrets", CONCERN, None, r"\b(?:regrets|notes with (?:deep )?regret)\b", False),
    _v("is concerned", CONCERN, None, r"\breiterates its (?:deep |serious |grave )?concern", False),
    _v("deplores", CONCERN, None, r"\b(?:deplores|is alarmed)\b", False),
    _v("is concerned", CONCERN, None, r"\b(?:[Pp]reocupa|preocupado|preocupación)\b", False),
    _v("regrets", CONCERN, None, r"\b(?:lamenta|deplora)\b", False),
    # positive aspects
    _v("welcomes", POSITIVE, None, r"\b(?:welcomes|welcoming)\b", False),
    _v(
        "notes with appreciation",
        POSITIVE,
        None,
        r"notes with (?:appreciation|satisfaction)",
        False,
    ),
    _v(
        "appreciates",
        POSITIVE,
        None,
        r"\b(?:appreciates|commends|recognizes|acknowledges)\b",
        False,
    ),
    _v(
        "welcomes",
        POSITIVE,
        None,
        r"\b(?:acoge con (?:satisfacción|beneplácito)|celebra|"
        r"encomia|felicita)\b",
        False,
    ),
    _v(
        "notes with appreciation",
        POSITIVE,
        None,
        r"(?:observa|toma nota) con (?:reconocimiento|"
        r"satisfacción|aprecio)",
        False,
    ),
    _v("appreciates", POSITIVE, None, r"\b(?:valora|reconoce|aprecia)\b", False),
    # procedural
    _v("considered", PROCEDURAL, None, r"\b(?:considered|examinó|examined)\b", False),
    _v("reminds", PROCEDURAL, None, r"\b(?:reminds|recuerda)\b", False),
)
_RANK = {RECOMMENDATION: 0, CONCERN: 1, POSITIVE: 2, PROCEDURAL: 3}


@dataclass(frozen=True)
class Classification:
    kind: str
    verb: str | None  # canonical English verb, the strongest of the paragraph's kind
    verb_text: str | None  # the words as written
    strength: int | None  # 1-5 for recommendations, None otherwise
    verbs: tuple[str, ...]  # every canonical verb of that kind, in text order


def classify(text: str) -> Classification:
    """Kind, operative verb and strength of one paragraph (intro and sub-items together)."""
    hits: list[tuple[int, Verb, str]] = []
    for verb in VERBS:
        for m in verb.pattern.finditer(text):
            hits.append((m.start(), verb, m.group(0)))
    if not hits:
        return Classification(PROCEDURAL, None, None, None, ())
    kind = min((v.kind for _, v, _ in hits), key=_RANK.__getitem__)
    same = sorted((h for h in hits if h[1].kind == kind), key=lambda h: h[0])
    ordered: list[str] = []
    for _, verb, _ in same:
        if verb.canonical not in ordered:
            ordered.append(verb.canonical)
    # the strongest verb; among equals the first written
    best = min(same, key=lambda h: (-(h[1].strength or 0), h[0]))
    words = best[2].split()
    surface = " ".join(words[-2:]) if best[1].canonical in ("calls upon",) else words[-1]
    if kind != RECOMMENDATION:
        surface = best[2].strip()
    return Classification(kind, best[1].canonical, surface, best[1].strength, tuple(ordered))
