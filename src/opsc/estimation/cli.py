"""`opsc estimate`: hidden victims by multiple systems estimation, impact of measures."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from opsc.estimation.errors import EstimationError
from opsc.estimation.memberships import overlap_table, stratify
from opsc.estimation.mse import METHODS, MSEResult, estimate_mse
from opsc.estimation.strata import StratifiedResult, estimate_stratified
from opsc.estimation.table import OverlapTable, read_csv, read_strata_csv

app = typer.Typer(
    help="Estimate hidden victims (multiple systems estimation) and the impact of measures.",
    no_args_is_help=True,
)

Json = Annotated[bool, typer.Option("--json", help="Print one JSON object.")]
Lang = Annotated[str, typer.Option(help="Language of messages and summaries: en | es.")]
Level = Annotated[float, typer.Option(help="Interval level.")]


def _fail(exc: EstimationError, lang: str, as_json: bool) -> None:
    if as_json:
        typer.echo(json.dumps({"error": exc.as_dict()}, ensure_ascii=False))
    Console(stderr=True).print(f"[red]{exc.message(lang)}[/red]")
    raise typer.Exit(2)


@app.command()
def mse(
    table: Annotated[
        Path | None,
        typer.Argument(help="CSV: one 0/1 column per list and a `count` column.", exists=True),
    ] = None,
    method: Annotated[str, typer.Option(help=f"Model choice: {' | '.join(METHODS)}.")] = "bhs",
    threshold: Annotated[
        float | None,
        typer.Option(help="p-value threshold (bhs: Wald, default 0.05; sparse: Poisson, 0.02)."),
    ] = None,
    max_order: Annotated[int | None, typer.Option(help="bic: highest interaction order.")] = None,
    model: Annotated[str | None, typer.Option(help="fixed: terms such as 'A:B,C:D'.")] = None,
    bootstrap: Annotated[int, typer.Option(help="BCa bootstrap replicates (0: none).")] = 0,
    seed: Annotated[int, typer.Option(help="Bootstrap seed.")] = 1234,
    workers: Annotated[int, typer.Option(help="Processes for the bootstrap.")] = 1,
    level: Level = 0.95,
    by: Annotated[
        str | None, typer.Option(help="Stratify by this column (e.g. sex, age_band).")
    ] = None,
    from_store: Annotated[bool, typer.Option(help="Build the table from linked records.")] = False,
    year: Annotated[int | None, typer.Option(help="--from-store: year reported.")] = None,
    lists: Annotated[
        str, typer.Option(help="--from-store: institution | institution_type.")
    ] = "institution",
    min_list_size: Annotated[
        int, typer.Option(help="--from-store: lists with fewer people are pooled.")
    ] = 10,
    store: Annotated[
        str | None, typer.Option(help="Store URL (default: the database setting).")
    ] = None,
    as_json: Json = False,
    lang: Lang = "en",
) -> None:
    """Estimate the number of victims, recorded and unrecorded, from list overlaps."""
    if method not in METHODS:
        raise typer.BadParameter(f"{method!r}: choose one of {', '.join(METHODS)}")
    if (table is None) == (not from_store):
        raise typer.BadParameter("give either TABLE.csv or --from-store (not both)")
    if from_store and year is None:
        raise typer.BadParameter("--from-store needs --year")
    options: dict[str, Any] = {
        "method": method,
        "threshold": threshold,
        "max_order": max_order,
        "terms": tuple(t.strip() for t in model.split(",") if t.strip()) if model else (),
        "bootstrap": bootstrap,
        "seed": seed,
        "workers": workers,
    }
    try:
        result: MSEResult | StratifiedResult
        if table is None:
            assert year is not None
            result = _from_store(store, year, lists, min_list_size, by, level, options)
        elif by:
            result = estimate_stratified(read_strata_csv(table, by), by, level, **options)
        else:
            result = estimate_mse(read_csv(table), level=level, **options)
    except EstimationError as exc:
        _fail(exc, lang, as_json)
        return
    if as_json:
        typer.echo(json.dumps(result.as_dict(), ensure_ascii=False))
    else:
        _show(result, lang)


def _from_store(
    store: str | None,
    year: int,
    lists: str,
    min_list_size: int,
    by: str | None,
    level: float,
    options: dict[str, Any],
) -> MSEResult | StratifiedResult:
    from opsc.estimation.store import memberships_from_store

    members = memberships_from_store(store, year, lists)
    if by:
        tables: dict[str, OverlapTable] = {
            k: overlap_table(pairs, min_list_size)[0] for k, pairs in stratify(members, by).items()
        }
        return estimate_stratified(tables, by, level, **options)
    pairs = [(m.person_id, m.list_name) for m in members]
    return estimate_mse(overlap_table(pairs, min_list_size)[0], level=level, **options)


def _show(result: MSEResult | StratifiedResult, lang: str) -> None:
    from opsc.estimation.summary import mse_summary

    data = result.as_dict()
    columns = ("observed", "estimate", "ci_low", "ci_high", "ci_method")
    grid = Table(*columns)
    grid.add_row(*(str(data[c]) for c in columns))
    console = Console()
    console.print(grid)
    if isinstance(result, MSEResult):
        console.print(mse_summary(result, lang))
        console.print(
            ("modelo: " if lang == "es" else "model: ") + ("; ".join(result.model) or "—")
        )
        for w in result.warnings:
            console.print(f"• {w.message(lang)}")


@app.command()
def impact(
    event: Annotated[str, typer.Option(help="Date of the measure, e.g. 2014-09-30.")],
    indicator: Annotated[
        str | None,
        typer.Option(help="Cube measure or indicator (with --cube), or a series in --series."),
    ] = None,
    cube: Annotated[
        Path | None, typer.Option(help="Statistical cube file (opsc stats build).")
    ] = None,
    series: Annotated[
        Path | None,
        typer.Option(help="CSV with period,value (and indicator) columns.", exists=True),
    ] = None,
    errors: Annotated[
        str, typer.Option(help="prais-winsten (AR(1) GLS) | newey-west (OLS + HAC).")
    ] = "prais-winsten",
    maxlags: Annotated[int | None, typer.Option(help="newey-west lags (default: rule).")] = None,
    chart: Annotated[Path | None, typer.Option(help="Write the Vega-Lite spec here.")] = None,
    level: Level = 0.95,
    as_json: Json = False,
    lang: Lang = "en",
) -> None:
    """Interrupted time series: level and slope change of a series around a dated measure."""
    from opsc.estimation.chart import its_chart
    from opsc.estimation.cube_series import open_cube, series_from_cube
    from opsc.estimation.its import interrupted_time_series, read_series
    from opsc.estimation.summary import its_summary

    try:
        when = date.fromisoformat(event)
    except ValueError:
        raise typer.BadParameter(f"--event {event!r}: write the date as YYYY-MM-DD") from None
    if (cube is None) == (series is None):
        raise typer.BadParameter("give either --cube (with --indicator) or --series")
    try:
        if cube is not None:
            if not indicator:
                raise typer.BadParameter("--cube needs --indicator (a measure or indicator)")
            data = series_from_cube(open_cube(cube), indicator)
        else:
            assert series is not None
            data = read_series(series, indicator)
        result = interrupted_time_series(data, when, level, maxlags, errors)
    except EstimationError as exc:
        _fail(exc, lang, as_json)
        return
    spec = its_chart(result, lang)
    if chart is not None:
        chart.write_text(json.dumps(spec, ensure_ascii=False, indent=1), encoding="utf-8")
    if as_json:
        out = {**result.as_dict(), "summary": its_summary(result, lang), "chart": spec}
        typer.echo(json.dumps(out, ensure_ascii=False))
    else:
        Console().print(its_summary(result, lang))
