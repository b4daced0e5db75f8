"""Recurring recommendations: which paragraphs of other documents say much the same.

The method is deliberately transparent: TF-IDF over words and word pairs (sublinear term
frequency, accents folded) gives a cosine `text_score`; the overlap (Jaccard) of the two
paragraphs' OPSC themes gives a `theme_score`; the `score` is 0.7 x text + 0.3 x themes.
The shared terms that weigh most are returned with each match so a reader can see why two
paragraphs were paired. The
formulaic openings every paragraph shares ("The Committee recommends that the State party")
are removed first, so they neither inflate nor dilute scores.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from opsc.recommendations.document import Document

_FORMULAS = re.compile(
    r"\b(?:the committee|el comit[ée]|the state party|el estado parte|optional protocol|"
    r"protocolo facultativo|recommends?|urges?|encourages?|requests?|recomienda|insta|alienta|"
    r"that|que|also|further|inter alia|entre otras cosas)\b",
    re.I,
)
DEFAULT_MIN_SCORE = 0.2
TEXT_WEIGHT = 0.7


@dataclass(frozen=True)
class Candidate:
    key: str  # e.g. "CRC/C/OPSC/PER/CO/1:8"
    text: str
    themes: tuple[str, ...] = ()


@dataclass(frozen=True)
class Match:
    key: str
    score: float  # 0-1: TEXT_WEIGHT x text_score + (1 - TEXT_WEIGHT) x theme_score
    text_score: float  # TF-IDF cosine similarity
    theme_score: float  # Jaccard overlap of themes
    shared_terms: tuple[str, ...]  # the heaviest terms both texts contain


def _jaccard(a: Sequence[str], b: Sequence[str]) -> float:
    union = set(a) | set(b)
    return len(set(a) & set(b)) / len(union) if union else 0.0


def _prepare(text: str) -> str:
    return _FORMULAS.sub(" ", text.lower())


def rank(
    target: Candidate,
    candidates: Sequence[Candidate],
    top: int = 5,
    min_score: float = DEFAULT_MIN_SCORE,
) -> list[Match]:
    """The `top` candidates most similar to `target`, best first."""
    if not candidates:
        return []
    vectorizer = TfidfVectorizer(
        ngram_range=(1, 2), sublinear_tf=True, strip_accents="unicode", stop_words="english"
    )
    matrix = vectorizer.fit_transform([_prepare(c.text) for c in [target, *candidates]])
    # rows are L2-normalised, so the dot product is the cosine similarity
    text_scores = (matrix[1:] @ matrix[0].T).toarray().ravel()
    theme_scores = np.array([_jaccard(target.themes, c.themes) for c in candidates])
    scores = TEXT_WEIGHT * text_scores + (1 - TEXT_WEIGHT) * theme_scores
    terms = np.asarray(vectorizer.get_feature_names_out())
    target_row = matrix[0].toarray().ravel()
    out: list[Match] = []
    for i in np.argsort(-scores, kind="stable")[:top]:
        if scores[i] < min_score:
            break
        both = target_row * matrix[int(i) + 1].toarray().ravel()
        heaviest = [j for j in np.argsort(-both)[:5] if both[j] > 0]
        shared = tuple(str(terms[j]) for j in heaviest)
        out.append(
            Match(
                candidates[int(i)].key,
                round(float(scores[i]), 3),
                round(float(text_scores[i]), 3),
                round(float(theme_scores[i]), 3),
                shared,
            )
        )
    return out


def recurring(
    doc: Document,
    number: int,
    others: Sequence[Document],
    top: int = 5,
    min_score: float = DEFAULT_MIN_SCORE,
) -> list[Match]:
    """Recommendations of `others` most similar to paragraph `number` of `doc`."""
    p = doc.paragraph(number)
    target = Candidate(f"{doc.symbol}:{number}", p.full_text, tuple(p.themes))
    candidates = [
        Candidate(f"{o.symbol}:{p.number}", p.full_text, tuple(p.themes))
        for o in others
        if o.symbol != doc.symbol
        for p in o.paragraphs
        if p.kind == "recommendation"
    ]
    return rank(target, candidates, top, min_score)
