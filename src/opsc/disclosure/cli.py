"""`opsc disclosure`: protect a table of counts, audit a published one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.table import Table as RichTable
from typer.core import TyperGroup

from opsc.disclosure.errors import (
    DisclosureError,
    InvalidTableError,
    TableRefusedError,
    UnsafeTableError,
    bilingual,
    message,
)
from opsc.disclosure.io import parse_hierarchy, read_published, read_table
from opsc.disclosure.output import audit_published
from opsc.disclosure.protect import ProtectedTables, publish
from opsc.disclosure.rules import Rules

EXIT_INVALID, EXIT_REFUSED, EXIT_UNSAFE = 1, 2, 3


class _MalformedIsInvalid(TyperGroup):
    """Click exits 2 on a malformed or missing option, which here means "refused": a script
    reading the code would look for advice. It is invalid input (1), said in both languages."""

    def invoke(self, ctx: Any) -> Any:  # typer.Context is narrower than click's
        try:
            return super().invoke(ctx)
        except typer.TyperException as exc:
            if getattr(exc, "exit_code", None) == 2 and isinstance(getattr(exc, "message", 0), str):
                exc.exit_code = EXIT_INVALID
                exc.message = bilingual(exc.message, _SPANISH_USAGE)
            raise


_SPANISH_USAGE = "opción o argumento no válido: vea --help"
app = typer.Typer(
    cls=_MalformedIsInvalid,
    help="Disclosure control: primary and secondary suppression, and its audit.",
    no_args_is_help=True,
)


def _levels(specs: list[str]) -> dict[str, int]:
    out: dict[str, int] = {}
    for spec in specs:
        level, _, k = spec.partition("=")
        if not (k.strip().isascii() and k.strip().isdigit()):
            raise ValueError(message("invalid-level-k", spec=spec))
        out[level.strip()] = int(k)
    return out


@app.command("protect")
def protect_command(
    table: Annotated[Path, typer.Argument(help="CSV of inner cells with a `count` column.")],
    dims: Annotated[str, typer.Option(help="Dimension columns, comma separated.")],
    hierarchy: Annotated[
        list[str] | None, typer.Option(help="Nested levels, coarse to fine: state>municipality.")
    ] = None,
    k: Annotated[int, typer.Option(help="Threshold for national and state cells.")] = 5,
    k_level: Annotated[
        list[str] | None,
        typer.Option(
            help="Threshold below state: LEVEL=K (default municipality/province/district=10)."
        ),
    ] = None,
    p: Annotated[int | None, typer.Option(help="Protection width (default: the cell's k).")] = None,
    hide_zeros: Annotated[
        bool, typer.Option(help="Treat zeros as sensitive (audit L = 0).")
    ] = False,
    round_to: Annotated[
        int | None, typer.Option("--round", help="Round counts to this base instead.")
    ] = None,
    max_share: Annotated[
        float, typer.Option(help="Refuse above this share of non-zero cells suppressed.")
    ] = 0.5,
    count: Annotated[str, typer.Option(help="Name of the count column.")] = "count",
    out: Annotated[Path | None, typer.Option(help="Write the published JSON here.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the published JSON.")] = False,
) -> None:
    """Protect TABLE.csv: add margins, suppress, audit; refuse with advice if too sparse."""
    defaults = Rules()
    try:
        rules = Rules(
            k=k,
            k_by_level=_levels(k_level) if k_level else defaults.k_by_level,
            p=p,
            publish_zeros=not hide_zeros,
            rounding_base=round_to,
            max_suppressed_share=max_share,
        )
        levels = parse_hierarchy(hierarchy or [])
    except ValueError as exc:  # the rules' and the hierarchy's own errors, bilingual
        _fail(str(exc), EXIT_INVALID, as_json, {"error": "invalid-option", "message": str(exc)})
    columns = [c.strip() for c in dims.split(",") if c.strip()]
    try:
        result = publish(read_table(table, columns, hierarchy=levels, count=count), rules)
    except InvalidTableError as exc:
        _fail_invalid(exc, as_json)
    except TableRefusedError as exc:
        advice = advice_of(exc)
        if not as_json:
            print_advice(advice)
        _fail(
            str(exc),
            EXIT_REFUSED,
            as_json,
            {"error": "refused", "message": str(exc), "advice": advice},
        )
    except UnsafeTableError as exc:
        _fail(str(exc), EXIT_UNSAFE, as_json, {"error": "unsafe", "message": str(exc)})
    doc = result.to_json()
    if out is not None:
        _write_atomically(out, json.dumps(doc, ensure_ascii=False, indent=1), as_json)
    if as_json:
        typer.echo(json.dumps(doc, ensure_ascii=False))
    else:
        _print_loss(result, out)


@app.command("audit")
def audit_command(
    published: Annotated[Path, typer.Argument(help="A published JSON (from `protect --out`).")],
    lower: Annotated[
        int | None,
        typer.Option(
            "--L", min=0, help="Lower bound on hidden cells (default 1 if zeros published)."
        ),
    ] = None,
    exact_only: Annotated[
        bool, typer.Option(help="Only the fast exact-disclosure check (huge tables).")
    ] = False,
    safety_only: Annotated[
        bool,
        typer.Option(help="Decide safety only: skip secondary cells' intervals (large tables)."),
    ] = False,
    k: Annotated[
        int | None, typer.Option(help="Hold it to this threshold, not the document's own k.")
    ] = None,
    p: Annotated[
        int | None, typer.Option(help="Hold it to this protection width, not the document's.")
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
) -> None:
    """Feasible interval of every hidden cell; exit 3 when a primary cell is exposed."""
    try:
        doc = read_published(published)  # its errors name the file already
    except ValueError as exc:
        _fail(str(exc), EXIT_INVALID, as_json, {"error": "invalid", "message": str(exc)})
    try:
        report = audit_published(
            doc,
            lower=lower,
            exact_only=exact_only,
            secondary=not safety_only,
            source=str(published),
            k=k,
            p=p,
        )
    except InvalidTableError as exc:
        _fail_invalid(exc, as_json)
    except (ValueError, RuntimeError) as exc:
        _fail(
            f"{published}: {exc}", EXIT_INVALID, as_json, {"error": "invalid", "message": str(exc)}
        )
    if as_json:
        typer.echo(json.dumps(report.to_dict(), ensure_ascii=False))
    else:
        console = Console()
        verdict = "[green]safe[/green]" if report.safe else "[red]UNSAFE[/red]"
        console.print(
            f"{published}: {verdict} at L = {report.lower}: {report.hidden} hidden cells in "
            f"{report.blocks} blocks, {report.exact_precheck} determined by the fast check, "
            f"{report.seconds:.2f} s"
        )
        for finding in report.findings:
            console.print(f"  {finding}", markup=False)
    if not report.safe:
        raise typer.Exit(EXIT_UNSAFE)


def advice_of(exc: TableRefusedError) -> list[dict[str, object]]:
    """A refused table's coarser options, as printed and as JSON."""
    return [o.to_dict() for o in exc.advice if hasattr(o, "to_dict")]


def exit_code(exc: DisclosureError) -> int:
    """The exit code of a disclosure error, in every command that publishes a table."""
    if isinstance(exc, TableRefusedError):
        return EXIT_REFUSED
    return EXIT_UNSAFE if isinstance(exc, UnsafeTableError) else EXIT_INVALID


def _write_atomically(path: Path, text: str, as_json: bool) -> None:
    """All of `text` or nothing: a reader never sees half a published table."""
    partial = path.with_name(f".{path.name}.partial")
    try:
        partial.write_text(text, encoding="utf-8")
        partial.replace(path)
    except OSError as exc:
        partial.unlink(missing_ok=True)
        text = message("unwritable-out", path=path, reason=exc.strerror or exc)
        _fail(text, EXIT_INVALID, as_json, {"error": "invalid-option", "message": text})


def _fail_invalid(exc: InvalidTableError, as_json: bool) -> NoReturn:
    problems = [
        {
            "type": e.type,
            "row": e.row,
            "field": e.field,
            "value": e.value,
            "message": e.message,
            "mensaje": e.es,
        }
        for e in exc.problems
    ]
    doc: dict[str, object] = {"error": "invalid-table", "source": exc.source, "problems": problems}
    _fail(str(exc), EXIT_INVALID, as_json, doc)


def _fail(message: str, code: int, as_json: bool, doc: dict[str, object]) -> NoReturn:
    if as_json:
        typer.echo(json.dumps(doc, ensure_ascii=False))
    else:
        typer.echo(message, err=True)
    raise typer.Exit(code)


def _print_loss(result: ProtectedTables, out: Path | None) -> None:
    loss = result.loss
    table = RichTable(title=f"Information loss ({result.method}, {result.seconds:.2f} s)")
    for column in (
        "cells",
        "suppressed",
        "primary",
        "secondary",
        "non-zero cells hidden",
        "count hidden",
    ):
        table.add_column(column, justify="right")
    table.add_row(
        str(loss.cells),
        str(loss.suppressed),
        str(loss.primary),
        str(loss.suppressed - loss.primary),
        f"{loss.suppressed_nonzero_share:.1%}",
        f"{loss.suppressed_count_share:.1%}",
    )
    console = Console()
    console.print(table)
    audit = result.audit
    if audit is not None:
        console.print(f"audit at L = {audit.lower}: {'safe' if audit.safe else 'UNSAFE'}")
    if out is not None:
        console.print(f"written to {out}")


def print_advice(advice: list[dict[str, object]]) -> None:
    table = RichTable(title="Coarser tables that publish more")
    for column in ("change", "cells", "suppressed", "non-zero hidden", "evaluated"):
        table.add_column(column)
    for option in advice:
        table.add_row(
            str(option["change"]),
            str(option["cells"]),
            str(option["suppressed"]),
            f"{float(str(option['suppressed_nonzero_share'])):.1%}",
            str(option["evaluated"]),
        )
    Console(stderr=True).print(table)
