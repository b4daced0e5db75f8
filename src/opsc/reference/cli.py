"""`opsc reference`: list country profiles and show their reference data."""

from __future__ import annotations

import json
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from opsc.reference.profiles import Profile, ProfileError, list_profiles, load_profile

app = typer.Typer(help="Country reference data: geography, population, code lists, offences.")
console = Console()

JsonOption = Annotated[bool, typer.Option("--json", help="Print JSON instead of a table.")]


def profile_summary(p: Profile) -> dict[str, Any]:
    return {
        "code": p.code,
        "name_en": p.name_en,
        "name_es": p.name_es,
        "locale": p.locale,
        "folder": str(p.folder),
        "geography": {g.level: len(p.geo_units(g.level)) for g in p.geo_levels},
        "population_tables": [t.id for t in p.population_tables],
        "codelists": p.codelist_names(),
        "disclosure_k": p.disclosure_k(),
        "notes": p.notes(),
    }


@app.command("list")
def list_command(as_json: JsonOption = False) -> None:
    """List the country profiles found on the profile search path."""
    summaries = [profile_summary(p) for p in list_profiles()]
    if as_json:
        typer.echo(json.dumps(summaries, ensure_ascii=False, indent=2))
        return
    table = Table("code", "name", "geography", "population tables")
    for s in summaries:
        geo = ", ".join(f"{n:,} {lvl}" for lvl, n in s["geography"].items())
        table.add_row(s["code"], s["name_en"], geo, ", ".join(s["population_tables"]))
    console.print(table)


def _geography(p: Profile, level: str | None) -> list[dict[str, Any]]:
    level = level or p.geo_levels[0].level
    geo = p.geo_level(level)
    parents = {u.code: u.name for u in p.geo_units(geo.parent)} if geo.parent else {}
    rows: list[dict[str, Any]] = []
    for u in p.geo_units(level):
        row: dict[str, Any] = u.as_dict()
        if geo.parent:
            row[geo.parent] = u.parent
            row[f"{geo.parent}_name"] = parents.get(u.parent or "")
        rows.append(row)
    return rows


def _population(p: Profile, table: str | None, year: int | None) -> list[dict[str, Any]]:
    tables = [p.population_table(table)] if table else list(p.population_tables)
    return [vars(r) for t in tables for r in t.rows() if year is None or r.year == year]


def collect(
    p: Profile, what: str, level: str | None, table: str | None, year: int | None
) -> list[dict[str, Any]]:
    """The rows of one kind of reference data (`what`) of a profile."""
    if what == "geography":
        return _geography(p, level)
    if what == "population":
        return _population(p, table, year)
    if what == "legal":
        return p.legal_provisions()
    if what == "profile":
        return [profile_summary(p)]
    return [c.as_dict() for c in p.codelist(what)]


@app.command("show")
def show(
    country: Annotated[str, typer.Argument(help="Country profile code, e.g. MX or PE.")],
    what: Annotated[
        str,
        typer.Argument(
            help="geography, population, legal, profile, or a code list "
            "(offences, sex, age_bands, nationalities, ethnic_origin, ...)."
        ),
    ],
    level: Annotated[
        str | None, typer.Option(help="Geographic level, e.g. state, municipality, district.")
    ] = None,
    table: Annotated[str | None, typer.Option(help="Population table id.")] = None,
    year: Annotated[int | None, typer.Option(help="Population year.")] = None,
    as_json: JsonOption = False,
) -> None:
    """Show one kind of reference data of a country profile."""
    try:
        rows = collect(load_profile(country), what, level, table, year)
    except ProfileError as exc:
        console.print(f"[red]{exc}[/red]")
        raise typer.Exit(2) from exc
    if as_json:
        typer.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    if not rows:
        console.print("(no rows)")
        return
    out = Table(*rows[0].keys(), title=f"{country.upper()} {what} ({len(rows):,} rows)")
    for row in rows[:200]:
        out.add_row(*(json.dumps(v) if isinstance(v, dict) else str(v) for v in row.values()))
    console.print(out)
    if len(rows) > 200:
        console.print(f"… {len(rows) - 200:,} more rows: use --json for all of them")
