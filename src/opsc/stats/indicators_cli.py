"""`opsc indicators`: the catalogue (list, show), computing it, and its documentation."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from opsc.stats.catalogue import TYPES, catalogue
from opsc.stats.cli import Country, Csv, CubePath, Json, open_cube
from opsc.stats.compute import compute
from opsc.stats.docs import DOC_PATH, render_markdown
from opsc.stats.errors import StatsError
from opsc.stats.render import console, emit, fail, output_format, show_frame, split_dims

app = typer.Typer(help="Indicator catalogue: list, show, compute.", no_args_is_help=True)
Lang = Annotated[str, typer.Option(help="Language of names: en | es.")]


@app.command("list")
def list_command(
    type_: Annotated[str | None, typer.Option("--type", help=" | ".join(TYPES))] = None,
    lang: Lang = "en",
) -> None:
    """Every indicator with its type, unit and the paragraphs it answers."""
    rows = [
        (i.id, i.type, i.name(lang), i.unit, ", ".join(i.paragraphs))
        for i in catalogue().indicators
        if type_ is None or i.type == type_
    ]
    show_frame(pd.DataFrame(rows, columns=["id", "type", "name", "unit", "paragraphs"]))


@app.command("show")
def show_command(indicator: str, lang: Lang = "en") -> None:
    """One indicator in full."""
    try:
        ind = catalogue().get(indicator)
    except StatsError as exc:
        raise fail(exc) from exc
    console.print(f"[bold]{ind.id}[/bold] {ind.name(lang)}  ({ind.type}, {ind.unit})")
    console.print(f"en: {ind.en}\nes: {ind.es}")
    console.print(f"formula: {ind.formula}")
    console.print(f"OPSC articles: {', '.join(ind.articles)}")
    console.print(f"paragraphs: {', '.join(ind.paragraphs)}")
    console.print(f"obligations: {', '.join(ind.obligations)}")
    console.print(f"disaggregations: {', '.join(ind.disaggregations)}")


@app.command("compute")
def compute_command(
    indicators: Annotated[list[str] | None, typer.Argument(help="Ids (default: all).")] = None,
    year: Annotated[int | None, typer.Option(help="Only this year.")] = None,
    by: Annotated[str, typer.Option(help="Disaggregation (one indicator).")] = "",
    lang: Lang = "en",
    country: Country = "MX",
    cube: CubePath = None,
    as_json: Json = False,
    as_csv: Csv = False,
) -> None:
    """Compute indicators over the cube (status says ok / no_data / data_gap)."""
    c = open_cube(country, cube)
    ids = indicators or [i.id for i in catalogue().indicators]
    dims = split_dims(by)
    try:
        fmt = output_format(as_json, as_csv)
        if dims and len(ids) != 1:
            raise StatsError("--by needs exactly one indicator id")
        values = [compute(c, i, year, dims) for i in ids]
    except StatsError as exc:
        raise fail(exc) from exc
    if dims and values[0].frame is not None:
        emit(values[0].frame, values[0].to_json(), fmt, f"{values[0].id} by {by}")
        return
    frame = pd.DataFrame(
        [
            (v.id, v.name_es if lang == "es" else v.name_en, v.value, v.unit, v.status, v.note[:80])
            for v in values
        ],
        columns=["id", "name", "value", "unit", "status", "note"],
    )
    doc = {"key_source": c.key_source, "year": year, "indicators": [v.to_json() for v in values]}
    emit(frame, doc, fmt, f"indicators · keys {c.key_source}")


@app.command("docs")
def docs_command(
    out: Annotated[Path, typer.Option(help="Where to write.")] = DOC_PATH,
    check: Annotated[bool, typer.Option(help="Fail if the file is not current.")] = False,
) -> None:
    """Write docs/indicators.md from the catalogue (or check it is current)."""
    text = render_markdown()
    if check:
        if not out.is_file() or out.read_text(encoding="utf-8") != text:
            raise fail(StatsError(f"{out} is not current: run `opsc indicators docs`"))
        return
    out.write_text(text, encoding="utf-8")
    console.print(f"wrote {out}")
