"""`opsc synth`: a thin command over `opsc.synth.generate`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from opsc.synth.generate import generate
from opsc.synth.params import NoiseRates, SynthError, available_countries, load_params

app = typer.Typer(help="Synthetic country generator with known truth.", add_completion=False)


@app.command()
def synth(
    out: Annotated[
        Path,
        typer.Option(
            "--out", help="Output folder (created; a previous synthetic run there is replaced)."
        ),
    ],
    country: Annotated[
        str,
        typer.Option(
            "--country", help=f"Country profile to simulate ({', '.join(available_countries())})."
        ),
    ] = "MX",
    children: Annotated[
        int,
        typer.Option(
            "--children",
            help="True number of child victims, recorded or not (institutions record a part).",
        ),
    ] = 20000,
    years: Annotated[
        str,
        typer.Option(
            "--years", help="Period simulated: complete past years FIRST-LAST (e.g. 2019-2024)."
        ),
    ] = "2019-2024",
    seed: Annotated[
        int, typer.Option("--seed", help="Random seed: the same seed writes byte-identical files.")
    ] = 7,
    fmt: Annotated[
        str, typer.Option("--format", help="Submission file format: csv or xlsx (truth is CSV).")
    ] = "csv",
    noise: Annotated[
        float,
        typer.Option(
            "--noise",
            help="Multiplier of every identifier-noise rate (0 = clean, 1 = as in the profile).",
        ),
    ] = 1.0,
    perpetrator_names: Annotated[
        bool,
        typer.Option(
            "--perpetrator-names/--no-perpetrator-names",
            help="Write natural-person perpetrators' names and birth dates into their files "
            "(default; the truth always has them). --no-perpetrator-names leaves only their "
            "national or tax ID, as institutions that record no names would.",
        ),
    ] = True,
) -> None:
    """Generate a SYNTHETIC country: institution submissions, manifest and truth files.

    Writes per-institution files in the submission contracts, institutions.<format>,
    manifest.json (for `opsc submit --manifest`), README.txt and TRUTH_DO_NOT_IMPORT/.
    """
    console = Console()
    try:
        if noise < 0:
            raise SynthError(f"--noise {noise}: use 0 (clean) or more (1 = the profile's rates)")
        rates = load_params(country).noise.scaled(noise) if noise != 1.0 else None
        result = generate(country, children, years, seed, out, fmt, rates, perpetrator_names)
    except SynthError as exc:
        raise typer.BadParameter(str(exc)) from exc
    console.print(
        f"[bold]SYNTHETIC[/bold] {country.upper()}: {result.children:,} children, "
        f"{result.recorded_children:,} recorded by at least one institution; "
        f"{result.victim_records:,} victim records in {len(result.rows)} contracts."
    )
    console.print(f"manifest: {result.manifest}\ntruth (never import): {result.truth}")


__all__ = ["NoiseRates", "app", "synth"]
