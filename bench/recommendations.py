"""Benchmark: parsing concluding observations and ranking recurring recommendations.

Inputs: the two seed documents, and a long synthetic document made of the Mexico seed's
paragraphs repeated and renumbered (1,000 paragraphs, 20 sections). The anchor, timed in
the same run on the same text, is the cheapest thing that finds paragraphs at all: one
regular-expression split on "NUMBER." at line starts. Ratios say how much the full parse
(cleaning, structure, kinds, references, themes, metadata) costs over that. Similarity: all
Mexico recommendations ranked against Peru's, and whether Mexico 6's best match is Peru 8.
Prints one JSON object on its last line.

    python bench/recommendations.py [--quick]
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from opsc.recommendations import Document, parse_text
from opsc.recommendations.similarity import recurring

SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
SEEDS = {"MX": "seeds/000_46d93a851d7bc3fa.txt", "PE": "seeds/002_17cb5de238c70805.txt"}
ANCHOR = re.compile(r"\n(?=[ \t]*\d{1,3}\.)")


def best_of(fn: Callable[[], Any], repeat: int) -> float:
    """The fastest of `repeat` runs, in seconds (the least disturbed by other jobs)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)


def long_document(mexico: Document, copies: int) -> str:
    """The Mexico paragraphs repeated `copies` times, under renumbered Roman sections."""
    romans = [
        "I",
        "II",
        "III",
        "IV",
        "V",
        "VI",
        "VII",
        "VIII",
        "IX",
        "X",
        "XI",
        "XII",
        "XIII",
        "XIV",
        "XV",
        "XVI",
        "XVII",
        "XVIII",
        "XIX",
        "XX",
        "XXI",
        "XXII",
        "XXIII",
        "XXIV",
    ]
    lines = ["Concluding observations: Mexico"]
    number = 0
    for copy in range(copies):
        for p in mexico.paragraphs:
            number += 1
            if p.number == 2:
                lines.append(f"{romans[copy]}.\tSection {copy + 1}")
            lines.append(f"{number}.\t{p.text}")
            lines.extend(f"({s.label})\t{s.text}" for s in p.subitems)
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="fewer repetitions (< 2 minutes)")
    args = parser.parse_args()
    repeat = 3 if args.quick else 10
    texts = {k: (SHARED / v).read_text(encoding="utf-8") for k, v in SEEDS.items()}
    docs = {k: parse_text(t) for k, t in texts.items()}
    texts["long"] = long_document(docs["MX"], 20)
    results: dict[str, Any] = {}
    for name, text in texts.items():
        parse_s = best_of(lambda text=text: parse_text(text), repeat)
        anchor_s = best_of(lambda text=text: ANCHOR.split(text), max(repeat, 20))
        paragraphs = len(parse_text(text).paragraphs)
        results[name] = {
            "paragraphs": paragraphs,
            "parse_s": round(parse_s, 4),
            "anchor_s": round(anchor_s, 6),
            "ratio": round(parse_s / anchor_s, 1),
            "paragraphs_per_s": round(paragraphs / parse_s),
        }
        print(
            f"{name:5} {paragraphs:5} paragraphs  parse {parse_s * 1000:8.1f} ms  "
            f"anchor {anchor_s * 1000:7.3f} ms  ratio {parse_s / anchor_s:8.1f}"
        )
    mx_recs = [p.number for p in docs["MX"].paragraphs if p.kind == "recommendation"]
    rank_s = best_of(lambda: [recurring(docs["MX"], n, [docs["PE"]], 1) for n in mx_recs], repeat)
    top = recurring(docs["MX"], 6, [docs["PE"]], 1)
    results["similarity"] = {
        "queries": len(mx_recs),
        "total_s": round(rank_s, 3),
        "per_query_ms": round(rank_s / len(mx_recs) * 1000, 1),
        "mx6_best": top[0].key if top else None,
        "mx6_score": top[0].score if top else None,
    }
    best = results["similarity"]["mx6_best"]
    print(f"similarity: {len(mx_recs)} queries in {rank_s:.3f} s; MX 6 -> {best}")
    results["machine"] = {"cpus": os.cpu_count(), "python": platform.python_version()}
    results["quick"] = args.quick
    print(json.dumps(results))


if __name__ == "__main__":
    main()
