"""`opsc stats`: build the cube, query tables, funnels, rates, reconciliation, truth check."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from opsc import settings
from opsc.disclosure import DisclosureError, TableRefusedError
from opsc.disclosure.cli import advice_of, exit_code, print_advice
from opsc.records import connect
from opsc.stats.attrition import funnel
from opsc.stats.cube import Cube, build_cube
from opsc.stats.errors import StatsError
from opsc.stats.keys import KeySource, from_linkage, from_record_map, unlinked
from opsc.stats.measures import MEASURES
from opsc.stats.overlap import reconciliation
from opsc.stats.publish import publish_table
from opsc.stats.rates import rates
from opsc.stats.render import (
    console,
    emit,
    fail,
    output_format,
    parse_where,
    show_frame,
    split_dims,
)
from opsc.stats.truth import compare

app = typer.Typer(help="The statistical cube: tables, funnels, rates.", no_args_is_help=True)

Country = Annotated[str, typer.Option(help="Country profile code (MX, PE, ...).")]
CubePath = Annotated[Path | None, typer.Option("--cube", help="Cube file (default var/).")]
Json = Annotated[bool, typer.Option("--json", help="Print JSON.")]
Csv = Annotated[bool, typer.Option("--csv", help="Print CSV.")]


def cube_path(country: str, path: Path | None) -> Path:
    return path or settings.var_dir() / f"cube_{country.upper()}.duckdb"


def open_cube(country: str, path: Path | None) -> Cube:
    try:
        return Cube.open(cube_path(country, path))
    except StatsError as exc:
        raise fail(exc) from exc


def parse_keys(spec: str, database: str | None) -> KeySource:
    """`records`, `truth:DIR` (synthetic output folder) or `linkage:victims=RUN[,cases=RUN]`."""
    kind, _, ref = spec.partition(":")
    if kind == "records" and not ref:
        return unlinked()
    if kind == "truth" and ref:
        path = Path(ref)
        path = path / "TRUTH_DO_NOT_IMPORT" / "record_map.csv" if path.is_dir() else path
        frame = pd.read_csv(path, dtype=str, keep_default_na=False)
        return from_record_map(frame, str(ref))
    if kind == "linkage" and ref:
        runs = dict(part.split("=", 1) for part in ref.split(","))
        engine = connect(database)
        try:
            return from_linkage(engine, **{k: int(v) for k, v in runs.items()})
        finally:
            engine.dispose()
    raise StatsError(
        f"--keys {spec!r}: use `records`, `truth:SYNTHETIC_DIR` or `linkage:victims=RUN_ID`"
    )


@app.command("build")
def build_command(
    country: Country = "MX",
    keys: Annotated[
        str,
        typer.Option(
            help="Person/case keys: records | truth:DIR | linkage:victims=RUN[,cases=RUN]"
        ),
    ] = "records",
    database: Annotated[str | None, typer.Option(help="Store URL (default setting).")] = None,
    out: Annotated[Path | None, typer.Option(help="Cube file to write (default var/).")] = None,
) -> None:
    """Read the store and materialise the cube (fact tables) into a DuckDB file."""
    try:
        source = parse_keys(keys, database)
        engine = connect(database)
        try:
            cube = build_cube(engine, country, source, cube_path(country, out))
        finally:
            engine.dispose()
    except (StatsError, ValueError) as exc:
        raise fail(exc) from exc
    rows = pd.DataFrame(sorted(cube.meta["rows"].items()), columns=["table", "rows"])
    show_frame(
        rows,
        f"cube {cube_path(country, out)} · keys {cube.key_source} · {cube.meta['build_seconds']} s",
    )


@app.command("measures")
def measures_command() -> None:
    """List the measures with their counting unit."""
    show_frame(
        pd.DataFrame(
            [(m.name, m.unit, m.table, m.help) for m in MEASURES],
            columns=["measure", "unit", "fact", "what it counts"],
        )
    )


@app.command("table")
def table_command(
    measure: Annotated[str, typer.Option(help="Measure, e.g. unique_children.")],
    by: Annotated[str, typer.Option(help="Dimensions, comma separated.")] = "",
    year: Annotated[int | None, typer.Option(help="Only this year.")] = None,
    where: Annotated[list[str] | None, typer.Option(help="Filter DIM=V[,V].")] = None,
    publish: Annotated[bool, typer.Option(help="Protect through disclosure control.")] = False,
    country: Country = "MX",
    cube: CubePath = None,
    as_json: Json = False,
    as_csv: Csv = False,
) -> None:
    """A measure by up to any dimensions, e.g. --measure unique_children --by sex,state."""
    c = open_cube(country, cube)
    dims = split_dims(by)
    try:
        fmt = output_format(as_json, as_csv)
        filters = parse_where(where)
        if year is not None:
            filters["year"] = [year]
        if publish:
            result, meta = publish_table(c, measure, dims, filters)
            doc = meta | result.to_json()
            cells = pd.DataFrame(doc.get("cells", []))
            emit(cells, doc, fmt, f"{measure} ({meta['unit']}) · published")
            return
        table = c.table(measure, dims, filters)
    except DisclosureError as exc:
        if isinstance(exc, TableRefusedError):
            advice = advice_of(exc)
            if as_json:  # a reader of --json gets JSON on stdout, refusal or not
                typer.echo(json.dumps({"error": "refused", "message": str(exc), "advice": advice}))
            print_advice(advice)
        raise fail(exc, exit_code(exc)) from exc  # as `opsc disclosure`
    except StatsError as exc:
        raise fail(exc) from exc
    emit(
        table.frame,
        table.to_json(),
        fmt,
        f"{measure} ({table.unit}) · keys {table.key_source} · total {table.total()}",
    )


@app.command("funnel")
def funnel_command(
    offence: Annotated[str | None, typer.Option(help="One offence (code or group).")] = None,
    by: Annotated[str, typer.Option(help="offence | offence_group | iccs")] = "offence_group",
    country: Country = "MX",
    cube: CubePath = None,
    as_json: Json = False,
    as_csv: Csv = False,
) -> None:
    """Justice attrition: children, cases and proceedings at each stage, and times."""
    c = open_cube(country, cube)
    try:
        f = funnel(c, by, offence)
        fmt = output_format(as_json, as_csv)
    except StatsError as exc:
        raise fail(exc) from exc
    emit(f.stages, f.to_json(), fmt, f"attrition by {by} · keys {f.key_source}")
    if fmt == "table":
        show_frame(f.times, "days between stages")


@app.command("rates")
def rates_command(
    year: Annotated[int, typer.Option(help="Year of the numerator and denominator.")],
    by: Annotated[
        str,
        typer.Option(
            help="sex, a geographic level, age_band or age (population by age), offence..."
        ),
    ] = "",
    basis: Annotated[str, typer.Option(help="children | total | auto")] = "auto",
    country: Country = "MX",
    cube: CubePath = None,
    as_json: Json = False,
    as_csv: Csv = False,
) -> None:
    """Child victims per 100,000 (SDG 16.2.2) with the denominator's source and year."""
    c = open_cube(country, cube)
    dims = split_dims(by)
    try:
        table = rates(c, year, dims, basis=basis)
        fmt = output_format(as_json, as_csv)
    except StatsError as exc:
        raise fail(exc) from exc
    d = table.denominator
    emit(
        table.frame,
        table.to_json(),
        fmt,
        f"{d.label_en} · {d.table} ({d.year}, {d.age_group}) · {table.note}",
    )


@app.command("reconcile")
def reconcile_command(
    country: Country = "MX", cube: CubePath = None, as_json: Json = False, as_csv: Csv = False
) -> None:
    """Aggregate cells that overlap case-level records, and their differences."""
    c = open_cube(country, cube)
    frame = reconciliation(c.con)
    doc = {
        "rule": "case-level records count; overlapping aggregate cells are compared",
        "cells": frame.astype(str).to_dict(orient="records"),
    }
    emit(frame, doc, output_format(as_json, as_csv), "reconciliation")


@app.command("truth")
def truth_command(
    synthetic: Annotated[Path, typer.Argument(help="Output folder of `opsc synth`.")],
    country: Country = "MX",
    cube: CubePath = None,
) -> None:
    """Compare the standard tables with a synthetic country's truth files."""
    c = open_cube(country, cube)
    results = compare(c, synthetic)
    for r in results:
        mark = "[green]equal[/green]" if r.equal else f"[red]{len(r.differences)} differ[/red]"
        console.print(f"{r.table}: {r.cells} cells, {mark}")
        if not r.equal:
            show_frame(r.differences.head(20))
    if not all(r.equal for r in results):
        raise typer.Exit(1)
