"""`opsc init`: create or upgrade the records store."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.console import Console

from opsc.records.db import StoreError, current_revision, init_store

DatabaseOption = Annotated[
    str | None,
    typer.Option("--database", help="SQLAlchemy URL; default: sqlite:///var/opsc.db"),
]


def init(database: DatabaseOption = None) -> None:
    """Create the records store, or upgrade it to the newest schema (safe to repeat)."""
    try:
        engine = init_store(database)
    except StoreError as exc:
        Console(stderr=True).print(f"[red]Error:[/red] {exc}", highlight=False)
        raise typer.Exit(2) from exc
    Console().print(
        f"[green]Store ready[/green] at {engine.url.render_as_string(hide_password=True)} "
        f"(schema {current_revision(engine)})"
    )
    engine.dispose()
