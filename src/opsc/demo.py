"""`opsc demo`: the system's single entry point for a newcomer (`make run`).

It walks the whole data flow on a labelled synthetic country: reference data → synthetic
institutions' files → pseudonymisation → validated import → linkage → the cube and its
headline indicators. Running it again changes nothing that is already there.
"""

from __future__ import annotations

import logging
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine, select

from opsc import settings
from opsc.records.db import current_revision, init_store
from opsc.reference.profiles import list_profiles
from opsc.reference.store import load_reference

DEMO_COUNTRY = "MX"
DEMO_CHILDREN = 400
DEMO_YEARS = "2022-2024"
DEMO_SEED = 7
SYNTHETIC = "[bold magenta]SYNTHETIC DEMO DATA / DATOS SINTÉTICOS DE DEMOSTRACIÓN[/bold magenta]"


def demo(
    database: Annotated[
        str | None,
        typer.Option("--database", help="SQLAlchemy URL; default: sqlite:///var/opsc.db"),
    ] = None,
    reference_only: Annotated[
        bool,
        typer.Option("--reference-only", help="Only create the store and load reference data."),
    ] = False,
) -> None:
    """Initialise the store, load reference data and run a synthetic country end to end."""
    console = Console()
    engine = init_store(database)
    url = engine.url.render_as_string(hide_password=True)
    console.print(f"[bold]OPSC Monitor[/bold] store: {url} (schema {current_revision(engine)})")
    try:
        _reference(console, engine)
        if not reference_only:
            console.print(SYNTHETIC)
            _submissions(console, engine)
            run_id = _linkage(console, engine)
            _statistics(console, engine, run_id)
            console.print(SYNTHETIC)
            _next_steps(console)
    finally:
        engine.dispose()


def _reference(console: Console, engine: Engine) -> None:
    table = Table(
        "country",
        "geography",
        "code lists",
        "population rows",
        "status",
        title="Reference data in the store / Datos de referencia cargados",
    )
    for profile in list_profiles():
        with console.status(f"Loading {profile.name_en} reference data…"):
            result = load_reference(engine, profile)
        geo = ", ".join(
            f"{len(profile.geo_units(g.level)):,} {g.level}" for g in profile.geo_levels
        )
        table.add_row(
            f"{profile.code} {profile.name_en}",
            geo,
            f"{result.codes:,} codes",
            f"{result.population_rows:,}",
            "unchanged" if result.skipped else "loaded",
        )
    console.print(table)
    offences = list_profiles()[0].codelist("offences")
    console.print(
        f"OPSC offence taxonomy: {len(offences)} codes mapped to UNODC ICCS "
        "(`opsc reference show MX offences`)."
    )
    for profile in list_profiles():
        for note in profile.notes().values():
            console.print(f"[yellow]{profile.code}[/yellow]: {note}")


def _submissions(console: Console, engine: Engine) -> None:
    from opsc.intake.demo import import_synthetic_country

    with console.status(
        f"Generating synthetic {DEMO_COUNTRY} ({DEMO_CHILDREN} children, {DEMO_YEARS}), "
        "pseudonymising at each institution, validating and importing…"
    ):
        items = import_synthetic_country(engine, DEMO_COUNTRY, DEMO_CHILDREN, DEMO_YEARS, DEMO_SEED)
    by_contract: dict[str, Counter[str]] = {}
    rows: Counter[str] = Counter()
    for item in items:
        by_contract.setdefault(item.contract, Counter())[item.status] += 1
        rows[item.contract] += item.result.rows if item.result else 0
    table = Table("contract", "files", "rows", "status", title="Synthetic submissions (labelled)")
    for contract, statuses in by_contract.items():
        status = ", ".join(f"{n} {s}" for s, n in sorted(statuses.items()))
        table.add_row(contract, str(sum(statuses.values())), f"{rows[contract]:,}", status)
    console.print(table)
    rejected = [i for i in items if i.status == "rejected"]
    for item in rejected:
        console.print(f"[red]rejected[/red] {item.file}: {item.problem}")
    if rejected:
        raise typer.Exit(1)


def _linkage(console: Console, engine: Engine) -> int:
    from opsc.linkage.models import LinkageRun
    from opsc.linkage.runs import input_hash, load_victims, run_linkage

    frame = load_victims(engine)
    digest = input_hash(frame.drop(columns=["key_version"], errors="ignore"))
    with engine.connect() as conn:
        done = conn.execute(
            select(LinkageRun.id, LinkageRun.n_records, LinkageRun.n_clusters)
            .where(LinkageRun.entity == "victim", LinkageRun.input_sha256 == digest)
            .order_by(LinkageRun.id.desc())
        ).first()
    if done:
        run_id, records, children = done
        status = f"unchanged: same records as run {run_id}"
    else:
        # Splink logs every untrainable level of a small sample; the run record keeps the model.
        logging.getLogger("splink").setLevel(logging.ERROR)
        with console.status("Linking victim records across institutions (Splink)…"):
            summary = run_linkage(engine)
        run_id, records, children = summary.run_id, summary.n_records, summary.n_clusters
        status = f"new run {run_id}"
    console.print(f"Linkage: {records:,} victim records → {children:,} unique children ({status}).")
    return int(run_id)


def _statistics(console: Console, engine: Engine, run_id: int) -> None:
    from opsc.stats import build_cube, from_linkage, headline_indicators

    path = settings.var_dir() / "cube" / f"{DEMO_COUNTRY}.duckdb"
    with console.status("Building the statistical cube…"):
        cube = build_cube(engine, DEMO_COUNTRY, from_linkage(engine, victims=run_id), path)
    console.print(
        f"Statistical cube: {Path(path)} — headline indicators "
        "(internal, before disclosure control):"
    )
    for line in headline_indicators(cube):
        console.print(f"  • {line}")


def _next_steps(console: Console) -> None:
    console.print(
        "Next: `opsc stats table --measure unique_children --by sex,age_band --json`, "
        "`opsc indicators list`, `opsc link review`, `opsc disclosure --help`, "
        "`opsc co parse FILE`, `opsc estimate mse --help`."
    )
