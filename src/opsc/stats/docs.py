"""docs/indicators.md, generated from the catalogue (a test keeps it current)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from opsc.stats.catalogue import TYPES, Catalogue, Indicator, catalogue

DOC_PATH = Path(__file__).resolve().parents[3] / "docs" / "indicators.md"
HEADER = """# Indicator catalogue

Generated from `src/opsc/stats/data/indicators.yaml` by `opsc indicators docs`; do not edit
by hand (a test fails when this file is not current). Types follow OHCHR's human rights
indicators framework (structural, process, outcome). Paragraphs: "MX 6" is
CRC/C/OPSC/MEX/CO/1 para. 6, "PE 8" is CRC/C/OPSC/PER/CO/1 para. 8. `GEO1`/`GEO2` are the
profile's first and second geographic levels (state/municipality; department/province).
"""


def describe(formula: dict[str, Any]) -> str:
    """A one-line reading of a formula."""

    def part(p: dict[str, Any]) -> str:
        text = str(p["measure"])
        if p.get("where"):
            text += " where " + ", ".join(f"{k}={v}" for k, v in p["where"].items())
        if p.get("exclude"):
            text += " excluding " + ", ".join(f"{k}={v}" for k, v in p["exclude"].items())
        if p.get("outside_capital"):
            text += " outside the capital"
        return text

    scale = f" x {formula['scale']}" if "scale" in formula and formula["scale"] != 1 else ""
    if "ratio" in formula:
        r = formula["ratio"]
        return f"{part(r['numerator'])} / {part(r['denominator'])}{scale}"
    if "rate" in formula:
        return "unique_children per 100,000 population (0-17, else all ages, labelled)"
    if "funnel" in formula:
        f = formula["funnel"]
        return f"cases reaching {f['step']} / cases reaching {f['of']}{scale}"
    if "time" in formula:
        return f"median days from {formula['time']['from']} to {formula['time']['to']}"
    if "data_gap" in formula:
        return "DATA GAP: " + str(formula["data_gap"])
    return part(formula) + scale


def _row(i: Indicator) -> str:
    cells = [
        i.id,
        i.en,
        i.es,
        i.unit,
        describe(i.formula),
        ", ".join(i.articles),
        ", ".join(i.paragraphs),
        ", ".join(i.disaggregations),
    ]
    return "| " + " | ".join(c.replace("|", "/") for c in cells) + " |"


def render_markdown(cat: Catalogue | None = None) -> str:
    cat = cat or catalogue()
    lines = [
        HEADER,
        "## Seed obligations",
        "",
        "| obligation | paragraphs | indicators |",
        "|---|---|---|",
    ]
    for ob in cat.obligations:
        ids = ", ".join(i.id for i in cat.serving(ob.id))
        lines.append(f"| {ob.en} / {ob.es} | {', '.join(ob.paragraphs)} | {ids} |")
    lines.append("")
    for kind in TYPES:
        inds = [i for i in cat.indicators if i.type == kind]
        lines += [
            f"## {kind.capitalize()} indicators ({len(inds)})",
            "",
            "| id | name (en) | nombre (es) | unit | formula | OPSC art. | paragraphs | "
            "disaggregations |",
            "|---|---|---|---|---|---|---|---|",
        ]
        lines += [_row(i) for i in inds]
        lines.append("")
    return "\n".join(lines)
