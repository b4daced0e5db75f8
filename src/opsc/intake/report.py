"""Render a validation report: a rich table for the terminal, JSON for programs."""

from __future__ import annotations

import json

from rich.console import Console
from rich.table import Table

from opsc.intake.validate import Report

HEADINGS = {
    "en": ("Row", "Field", "Value", "Problem", "How to fix", "error type"),
    "es": ("Fila", "Campo", "Valor", "Problema", "Cómo corregir", "tipo de error"),
}


def report_json(report: Report, lang: str = "en") -> str:
    return json.dumps(report.as_dict(lang), ensure_ascii=False, indent=2, default=str)


def print_report(report: Report, console: Console, lang: str = "en") -> None:
    row, fld, value, problem, fix, kind = HEADINGS.get(lang, HEADINGS["en"])
    if report.ok:
        msg = (
            f"{report.rows:,} filas válidas ({report.contract})"
            if lang == "es"
            else f"{report.rows:,} valid rows ({report.contract})"
        )
        console.print(f"[green]✓[/green] {msg}")
    else:
        table = Table(row, fld, value, problem, fix, kind, show_lines=False)
        for e in report.errors:
            table.add_row(
                str(e.row or ""),
                e.field or "",
                "" if e.value is None else str(e.value)[:40],
                e.message(lang),
                e.hint(lang),
                e.type,
            )
        console.print(table)
        counts = ", ".join(f"{k}: {v:,}" for k, v in sorted(report.counts.items()))
        total = (
            f"{report.error_count:,} errores en {report.rows:,} filas"
            if lang == "es"
            else f"{report.error_count:,} errors in {report.rows:,} rows"
        )
        console.print(f"[red]✗[/red] {total} ({counts})")
    for note in report.notes:
        console.print(f"[dim]{note}[/dim]")
