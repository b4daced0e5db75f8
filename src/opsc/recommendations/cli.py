"""`opsc co`: import and parse concluding-observations documents."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from opsc import settings
from opsc.recommendations.importers import ImportFormatError
from opsc.recommendations.parse import ParseError, parse_file
from opsc.recommendations.similarity import DEFAULT_MIN_SCORE, Match, recurring
from opsc.recommendations.tracking import TrackingError, import_document
from opsc.records.db import init_store, session

app = typer.Typer(
    help="Concluding observations: import (.txt .docx .pdf .html) and parse into paragraphs.",
    no_args_is_help=True,
)
console = Console()

FileArg = Annotated[Path, typer.Argument(help="A .txt, .docx, .pdf or .html file.")]
SymbolOpt = Annotated[
    str | None, typer.Option("--symbol", help="UN symbol, e.g. CRC/C/OPSC/MEX/CO/1 (else read)")
]
StateOpt = Annotated[
    str | None, typer.Option("--state", help="State party, ISO code or name (else read)")
]
DatabaseOpt = Annotated[
    str | None,
    typer.Option("--database", help="SQLAlchemy URL of the store; default: the database setting"),
]


def fail(exc: Exception) -> typer.Exit:
    """Print a domain error for people and give the exit code for the shell."""
    typer.echo(f"Error: {exc}", err=True)  # plain text: no wrapping at the terminal width
    return typer.Exit(1)


@app.command("parse")
def parse_cmd(
    file: FileArg,
    as_json: Annotated[bool, typer.Option("--json", help="Print the whole parse as JSON.")] = False,
    symbol: SymbolOpt = None,
    state: StateOpt = None,
) -> None:
    """Parse a document into its record and paragraphs (kind, verb, sub-items, references)."""
    try:
        doc = parse_file(file, symbol=symbol, state=state)
    except (ParseError, ImportFormatError) as exc:
        raise fail(exc) from exc
    if as_json:
        typer.echo(json.dumps(doc.to_dict(), ensure_ascii=False, indent=2))
        return
    console.print(
        f"[bold]{doc.symbol}[/bold] {doc.state} {doc.instrument} adopted {doc.adopted_on}"
    )
    table = Table("no.", "kind", "verb", "str.", "sub-items", "OP articles", "themes", "section")
    for p in doc.paragraphs:
        table.add_row(
            str(p.number),
            p.kind,
            p.verb or "",
            str(p.strength or ""),
            "".join(s.label for s in p.subitems),
            ", ".join(p.references.op_articles),
            ", ".join(p.themes),
            p.section[-1] if p.section else "",
        )
    console.print(table)


@app.command("import")
def import_cmd(
    file: FileArg, symbol: SymbolOpt = None, state: StateOpt = None, database: DatabaseOpt = None
) -> None:
    """Parse a document and store it with its paragraphs in the registry (idempotent)."""
    try:
        doc = parse_file(file, symbol=symbol, state=state)
        engine = init_store(database or settings.database_url())
        with session(engine) as s:
            sha = hashlib.sha256(file.read_bytes()).hexdigest()
            result = import_document(s, doc, file.name, sha)
            line = (
                f"[green]Imported[/green] {doc.symbol} ({doc.state}): {result.paragraphs} "
                f"paragraphs, {result.recommendations} recommendations"
                if result.created
                else f"{doc.symbol}: {'; '.join(result.notes)}"
            )
        engine.dispose()
    except (ParseError, ImportFormatError, TrackingError) as exc:
        raise fail(exc) from exc
    console.print(line)


@app.command("similar")
def similar_cmd(
    file: FileArg,
    paragraph: Annotated[int, typer.Option("--paragraph", "-p", help="Paragraph number.")],
    against: Annotated[
        list[Path], typer.Option("--against", help="Other documents to compare with (repeat).")
    ],
    top: Annotated[int, typer.Option(help="How many matches.")] = 5,
    min_score: Annotated[float, typer.Option(help="Lowest score shown (0-1).")] = DEFAULT_MIN_SCORE,
) -> None:
    """Recommendations in other documents similar to one paragraph (TF-IDF and themes)."""
    try:
        doc = parse_file(file)
        others = [parse_file(path) for path in against]
        matches = recurring(doc, paragraph, others, top, min_score)
    except (ParseError, ImportFormatError, KeyError) as exc:
        raise fail(exc) from exc
    print_matches(matches)


def print_matches(matches: list[Match]) -> None:
    table = Table("score", "text", "themes", "shared terms")
    table.add_column("match", no_wrap=True)
    for m in matches:
        table.add_row(
            f"{m.score:.3f}",
            f"{m.text_score:.3f}",
            f"{m.theme_score:.3f}",
            ", ".join(m.shared_terms),
            m.key,
        )
    console.print(table)
