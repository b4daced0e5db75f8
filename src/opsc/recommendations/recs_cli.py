"""`opsc recs`: follow recommendations in the registry (assign, update, review, export)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy.orm import Session

from opsc import settings
from opsc.recommendations import registry, tracking
from opsc.recommendations.cli import DatabaseOpt, fail, print_matches
from opsc.recommendations.models import STATUSES
from opsc.recommendations.tracking import ActionIn, EvidenceIn, TrackingError
from opsc.records.db import init_store, session

app = typer.Typer(
    help="Follow recommendations: list, assign institutions, propose and review updates, "
    "link indicators, export.",
    no_args_is_help=True,
)
console = Console()

RefArg = Annotated[
    str, typer.Argument(help="SYMBOL:NUMBER or SYMBOL:NUMBER(letter), e.g. CRC/C/OPSC/MEX/CO/1:6")
]
UserOpt = Annotated[str, typer.Option("--user", help="Username of the person acting.")]
STATUS_HELP = "One of: " + ", ".join(STATUSES)


@contextmanager
def _store(database: str | None) -> Iterator[Session]:
    """A session on the store; domain errors become a message and exit code 1."""
    engine = init_store(database or settings.database_url())
    try:
        with session(engine) as s:
            yield s
    except (TrackingError, ValueError) as exc:
        raise fail(exc) from exc
    finally:
        engine.dispose()


@app.command("list")
def list_cmd(
    state: Annotated[str | None, typer.Option(help="State party (ISO code).")] = None,
    theme: Annotated[str | None, typer.Option(help="Theme, e.g. data, training.")] = None,
    status: Annotated[str | None, typer.Option(help=STATUS_HELP)] = None,
    symbol: Annotated[str | None, typer.Option(help="Only this document.")] = None,
    institution: Annotated[str | None, typer.Option(help="Institution code.")] = None,
    kind: Annotated[str, typer.Option(help="Paragraph kind; 'all' for every kind.")] = (
        "recommendation"
    ),
    database: DatabaseOpt = None,
) -> None:
    """Recommendations with their status, institutions and indicators."""
    with _store(database) as s:
        found = registry.rows(
            s, state, theme, status, symbol, None if kind == "all" else kind, institution
        )
    table = Table("ref", "status", "verb", "themes", "institutions", "text")
    for r in found:
        table.add_row(
            r["ref"],
            r["status"],
            r["verb"] or "",
            ", ".join(r["themes"]),
            ", ".join(r["institutions"]),
            r["text"][:80],
        )
    console.print(table)
    console.print(f"{len(found)} paragraph(s)")


@app.command("assign")
def assign_cmd(
    ref: RefArg,
    institution: Annotated[str, typer.Argument(help="Institution code.")],
    role: Annotated[str, typer.Option(help="lead or support.")] = "lead",
    by: Annotated[str | None, typer.Option("--user", help="Who assigns.")] = None,
    database: DatabaseOpt = None,
) -> None:
    """Make an institution responsible for a recommendation."""
    with _store(database) as s:
        tracking.assign(s, ref, institution, role, by)
    console.print(f"{ref}: {institution} ({role})")


def _action(text: str) -> ActionIn:
    day, sep, description = text.partition(":")
    try:
        started = date.fromisoformat(day.strip())
    except ValueError:
        started = None
    if not sep or started is None or not description.strip():
        raise TrackingError(f"--action {text!r}: write DATE:DESCRIPTION, e.g. 2024-03-01:Training")
    return ActionIn(description.strip(), started)


def _evidence(text: str, public: bool) -> EvidenceIn:
    path = Path(text)
    if "://" not in text and path.exists():
        return EvidenceIn.file(path, settings.var_dir() / "evidence", public=public)
    return EvidenceIn(text, "link", public=public)


@app.command("update")
def update_cmd(
    ref: RefArg,
    user: UserOpt,
    status: Annotated[str | None, typer.Option(help=STATUS_HELP)] = None,
    note: Annotated[str, typer.Option(help="What changed.")] = "",
    action: Annotated[
        list[str] | None, typer.Option(help="DATE:DESCRIPTION of an action (repeat).")
    ] = None,
    evidence: Annotated[
        list[str] | None, typer.Option(help="A link or a file path (repeat).")
    ] = None,
    public: Annotated[bool, typer.Option(help="Evidence may be published.")] = False,
    institution: Annotated[str | None, typer.Option(help="Reporting institution code.")] = None,
    database: DatabaseOpt = None,
) -> None:
    """Propose an update; it counts once a validator of the institution approves it."""
    with _store(database) as s:
        update = tracking.propose(
            s,
            ref,
            user,
            status,
            note,
            [_action(a) for a in action or []],
            [_evidence(e, public) for e in evidence or []],
            institution,
        )
        number = update.id
    console.print(f"Update {number} proposed for {ref}: waiting for a validator (recs approve)")


def _review(update: int, user: str, note: str, approve: bool, database: str | None) -> None:
    with _store(database) as s:
        tracking.review(s, update, user, approve, note)
    console.print(f"Update {update} {'approved' if approve else 'rejected'}")


@app.command("approve")
def approve_cmd(
    update: Annotated[int, typer.Argument(help="Update number.")],
    user: UserOpt,
    note: Annotated[str, typer.Option()] = "",
    database: DatabaseOpt = None,
) -> None:
    """Approve a pending update (validator of the reporting institution)."""
    _review(update, user, note, True, database)


@app.command("reject")
def reject_cmd(
    update: Annotated[int, typer.Argument(help="Update number.")],
    user: UserOpt,
    note: Annotated[str, typer.Option(help="Why, for the contributor.")] = "",
    database: DatabaseOpt = None,
) -> None:
    """Reject a pending update, with a note saying why."""
    _review(update, user, note, False, database)


@app.command("history")
def history_cmd(ref: RefArg, database: DatabaseOpt = None) -> None:
    """Every update of a recommendation, approved or not, as JSON."""
    with _store(database) as s:
        found = tracking.history(s, ref)
    typer.echo(json.dumps(found, ensure_ascii=False, indent=2))


@app.command("link")
def link_cmd(
    ref: RefArg,
    indicator: Annotated[str, typer.Argument(help="Indicator id of the statistics layer.")],
    note: Annotated[str, typer.Option()] = "",
    database: DatabaseOpt = None,
) -> None:
    """Link a recommendation to an indicator that measures its implementation."""
    with _store(database) as s:
        tracking.link_indicator(s, ref, indicator, note)
    console.print(f"{ref} -> {indicator}")


@app.command("export")
def export_cmd(
    fmt: Annotated[str, typer.Option("--format", help="csv or json.")] = "csv",
    output: Annotated[Path | None, typer.Option(help="File to write; default: stdout.")] = None,
    state: Annotated[str | None, typer.Option()] = None,
    theme: Annotated[str | None, typer.Option()] = None,
    status: Annotated[str | None, typer.Option(help=STATUS_HELP)] = None,
    database: DatabaseOpt = None,
) -> None:
    """The follow-up table of recommendations as CSV or JSON."""
    with _store(database) as s:
        text = registry.export(registry.rows(s, state, theme, status), fmt)
    if output is None:
        typer.echo(text, nl=False)
    else:
        output.write_text(text, encoding="utf-8")
        console.print(f"Wrote {output}")


@app.command("similar")
def similar_cmd(
    ref: RefArg,
    top: Annotated[int, typer.Option()] = 5,
    database: DatabaseOpt = None,
) -> None:
    """Recommendations of other documents in the registry that recur in this one."""
    with _store(database) as s:
        matches = registry.recurring(s, ref, top)
    print_matches(matches)
