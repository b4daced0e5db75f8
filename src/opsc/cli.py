"""The `opsc` command line: thin typer commands over the library."""

from __future__ import annotations

import importlib

import typer

app = typer.Typer(
    name="opsc",
    help="OPSC Monitor: statistics and follow-up for the Optional Protocol on the sale of "
    "children, child prostitution and child pornography.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)

# Sub-command groups: (name, module holding a typer `app`). Each package owns its own CLI.
SUBAPPS: tuple[tuple[str, str], ...] = (
    ("reference", "opsc.reference.cli"),
    ("disclosure", "opsc.disclosure.cli"),
    ("estimate", "opsc.estimation.cli"),
    ("link", "opsc.linkage.cli"),
    ("co", "opsc.recommendations.cli"),
    ("recs", "opsc.recommendations.recs_cli"),
    ("contract", "opsc.intake.cli"),
    ("stats", "opsc.stats.cli"),
    ("indicators", "opsc.stats.indicators_cli"),
)

# Single commands defined in their package's cli module (module, function name).
COMMANDS: tuple[tuple[str, str], ...] = (
    ("opsc.records.cli", "init"),
    ("opsc.demo", "demo"),
    ("opsc.synth.cli", "synth"),
    *(
        ("opsc.intake.cli", f)
        for f in ("template", "keygen", "pseudonymise", "validate", "submit", "export")
    ),
)


def _register() -> None:
    for name, module in SUBAPPS:
        app.add_typer(importlib.import_module(module).app, name=name)
    for module, func in COMMANDS:
        app.command()(getattr(importlib.import_module(module), func))


_register()


def main() -> None:
    app()
