"""`opsc link`: link records into persons, review uncertain pairs, link new records."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import Engine, select

from opsc.linkage.engine import ENGINES, EngineName
from opsc.linkage.errors import LinkageError
from opsc.linkage.models import DECISIONS, ENTITIES, LinkageRun
from opsc.linkage.pipeline import DEFAULT_CONFIG, LinkConfig
from opsc.records.db import init_store

app = typer.Typer(
    help="Link records of the same child across institutions (Splink, on pseudonymised "
    "fields). Without a sub-command: run the linkage and store its clusters.",
    invoke_without_command=True,
    no_args_is_help=False,
)
console = Console()

Database = Annotated[
    str | None, typer.Option("--database", help="SQLAlchemy URL; default: the database setting.")
]
Run = Annotated[int | None, typer.Option("--run", help="Run id; default: the latest run.")]
Entity = Annotated[str, typer.Option("--entity", help=f"What to link: {' | '.join(ENTITIES)}.")]


def _check_entity(entity: str) -> None:
    if entity not in ENTITIES:
        console.print(f"[red]Error:[/red] --entity {entity!r}: use one of {', '.join(ENTITIES)}")
        raise typer.Exit(2)


@contextmanager
def _store(database: str | None) -> Iterator[Engine]:
    engine = init_store(database)
    try:
        yield engine
    except LinkageError as exc:
        console.print(f"[red]Error:[/red] {exc}")
        raise typer.Exit(1) from exc
    finally:
        engine.dispose()


def _config(engine: str, threshold: float, lower: float, upper: float) -> LinkConfig:
    if engine not in ENGINES:
        console.print(f"[red]Error:[/red] --engine {engine!r}: use one of {', '.join(ENGINES)}")
        raise typer.Exit(2)
    try:
        name: EngineName = "spark" if engine == "spark" else "duckdb"
        return LinkConfig(threshold=threshold, review_lower=lower, review_upper=upper, engine=name)
    except ValueError as exc:
        console.print(f"[red]Error:[/red] {exc}")
        raise typer.Exit(2) from exc


@app.callback()
def link(
    ctx: typer.Context,
    engine: Annotated[str, typer.Option(help=f"Engine: {' | '.join(ENGINES)}.")] = "duckdb",
    threshold: Annotated[
        float, typer.Option(help="Match probability at or above which two records are one.")
    ] = DEFAULT_CONFIG.threshold,
    review_lower: Annotated[float, typer.Option(help="Lower bound of the review band.")] = 0.3,
    review_upper: Annotated[float, typer.Option(help="Upper bound of the review band.")] = 0.98,
    reuse_model: Annotated[
        int | None, typer.Option(help="Apply the trained model of this run (no training).")
    ] = None,
    entity: Entity = "victim",
    database: Database = None,
) -> None:
    """Link every victim record (or case, or perpetrator) and store the run (model,
    thresholds, versions, clusters). Cases rest on the latest victim run, perpetrators on
    the latest case run: link victims, then cases, then perpetrators."""
    if ctx.invoked_subcommand is not None:
        return
    from opsc.linkage.runs import run_entity_linkage, run_linkage

    config = _config(engine, threshold, review_lower, review_upper)
    _check_entity(entity)
    if reuse_model is not None and entity != "victim":
        console.print(
            "[red]Error:[/red] --reuse-model applies to victim runs only / "
            "solo se aplica a la vinculación de víctimas"
        )
        raise typer.Exit(2)
    with _store(database) as eng:
        if entity == "victim":
            summary = run_linkage(eng, config, reuse_model_of=reuse_model)
        else:
            summary = run_entity_linkage(eng, entity, config)
    console.print(
        f"Run {summary.run_id}: {summary.n_records} {entity} records → {summary.n_clusters} "
        f"{'cases' if entity == 'case' else 'persons'}; "
        f"{summary.n_review} pairs to review (`opsc link review`)."
    )


@app.command()
def review(
    run: Run = None,
    limit: Annotated[int, typer.Option(help="How many pairs to show.")] = 20,
    as_json: Annotated[bool, typer.Option("--json", help="Print one JSON object.")] = False,
    database: Database = None,
) -> None:
    """List uncertain pairs with the match weight each comparison contributed."""
    from opsc.linkage.review import review_pairs

    with _store(database) as eng:
        run_id, pairs = review_pairs(eng, run, limit)
    if as_json:
        print(json.dumps({"run": run_id, "pairs": [p.__dict__ for p in pairs]}))
        return
    if not pairs:
        console.print(f"Run {run_id}: no undecided pairs in the review band.")
        return
    names = list(pairs[0].weights)
    table = Table(title=f"Run {run_id}: uncertain pairs (match weight per comparison)")
    for col in ("record A", "record B", "probability", "weight", *names):
        table.add_column(col, justify="right")
    for p in pairs:
        cells = [f"{p.weights.get(n, 0.0):+.1f}" for n in names]
        table.add_row(
            str(p.record_l),
            str(p.record_r),
            f"{p.match_probability:.3f}",
            f"{p.match_weight:+.1f}",
            *cells,
        )
    console.print(table)
    console.print("Decide with `opsc link decide A B match|non-match --analyst NAME`.")


@app.command()
def decide(
    record_a: int,
    record_b: int,
    decision: Annotated[str, typer.Argument(help=f"{' | '.join(DECISIONS)}")],
    analyst: Annotated[str, typer.Option(help="Who decides (kept for audit).")],
    note: Annotated[str, typer.Option(help="Why, in a few words.")] = "",
    entity: Entity = "victim",
    database: Database = None,
) -> None:
    """Record an analyst's decision on a pair; later runs respect it."""
    from opsc.linkage.review import decide as store_decision

    _check_entity(entity)
    with _store(database) as eng:
        store_decision(eng, record_a, record_b, decision, analyst, note, entity)
    console.print(f"Recorded: {record_a} and {record_b} are a {decision}.")


@app.command(name="new")
def new_records(database: Database = None) -> None:
    """Link records that arrived since the latest run against its clusters (no retraining)."""
    from opsc.linkage.runs import link_new_records

    with _store(database) as eng:
        summary = link_new_records(eng)
    console.print(
        f"Run {summary.run_id}: {summary.n_records} records → {summary.n_clusters} persons "
        f"({summary.seconds.get('predict', 0.0):.1f} s scoring)."
    )


@app.command()
def runs(database: Database = None) -> None:
    """List linkage runs: what each rests on."""
    with _store(database) as eng, eng.connect() as conn:
        rows = conn.execute(select(LinkageRun).order_by(LinkageRun.id)).all()
    table = Table(title="Linkage runs")
    for col in ("run", "entity", "when", "engine", "threshold", "records", "persons", "parent"):
        table.add_column(col)
    for r in rows:
        table.add_row(
            str(r.id),
            r.entity,
            f"{r.created_at:%Y-%m-%d %H:%M}",
            r.engine,
            f"{r.threshold}",
            str(r.n_records),
            str(r.n_clusters),
            str(r.parent_run_id or ""),
        )
    console.print(table)


@app.command()
def count(run: Run = None, database: Database = None) -> None:
    """Number of unique children (clusters) in a run."""
    from opsc.linkage.runs import unique_count

    with _store(database) as eng:
        run_id, n = unique_count(eng, run)
    console.print(f"Run {run_id}: {n} unique children.")
