"""Rendering for the CLI edges: rich tables, JSON and CSV of data frames."""

from __future__ import annotations

import json
import sys
from typing import Any

import pandas as pd
import typer
from rich.console import Console
from rich.table import Table

from opsc.stats.errors import StatsError

console = Console()


def split_dims(by: str) -> list[str]:
    """`--by sex, state` as a list of dimension names (blanks ignored)."""
    return [d.strip() for d in by.split(",") if d.strip()]


def fail(exc: Exception, code: int = 1) -> typer.Exit:
    """Print a library error for people and return the exit to raise."""
    Console(stderr=True, soft_wrap=True).print(f"[red]error:[/red] {exc}", highlight=False)
    return typer.Exit(code)


def show_frame(frame: pd.DataFrame, title: str = "") -> None:
    table = Table(title=title or None)
    for col in frame.columns:
        table.add_column(str(col), justify="right" if frame[col].dtype.kind in "iuf" else "left")
    for row in frame.astype(object).where(frame.notna(), "").itertuples(index=False):
        table.add_row(*(_fmt(v) for v in row))
    console.print(table)


def _fmt(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:,.4f}".rstrip("0").rstrip(".")
    return str(value)


def emit(frame: pd.DataFrame, doc: dict[str, Any], fmt: str, title: str) -> None:
    """One output in the asked format: `json` (doc), `csv` (frame) or a rich table."""
    if fmt == "json":
        sys.stdout.write(json.dumps(doc, ensure_ascii=False, indent=2, default=str) + "\n")
    elif fmt == "csv":
        frame.to_csv(sys.stdout, index=False)
    else:
        show_frame(frame, title)


def output_format(as_json: bool, as_csv: bool) -> str:
    if as_json and as_csv:
        raise StatsError("--json cannot be used with --csv: choose one output format")
    return "json" if as_json else "csv" if as_csv else "table"


def parse_where(items: list[str] | None) -> dict[str, list[str | int]]:
    """`--where sex=F --where state=09,15` as {dim: [values]} (years as integers)."""
    out: dict[str, list[str | int]] = {}
    for item in items or []:
        dim, sep, values = item.partition("=")
        if not sep or not dim or not values:
            raise StatsError(f"--where {item!r}: write DIMENSION=VALUE[,VALUE...], e.g. sex=F")
        out[dim.strip()] = [
            int(v) if v.isdigit() and dim in ("year", "age") else v for v in values.split(",")
        ]
    return out
