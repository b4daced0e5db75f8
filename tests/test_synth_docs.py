"""docs/synth.md documents every CLI option and every noise setting (STYLE 5, 17)."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from typer.testing import CliRunner

from opsc.synth import NoiseRates, available_countries, load_params
from opsc.synth.cli import app

DOC = Path(__file__).resolve().parent.parent / "docs" / "synth.md"


def test_every_cli_option_is_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    help_text = CliRunner().invoke(app, ["--help"], env={"COLUMNS": "200"}).output
    # Option rows of the help panel start with the option (after an optional `*`).
    options = re.findall(r"^\W*(--[a-z][a-z-]+)", help_text, flags=re.MULTILINE)
    assert "--noise" in options
    missing = [o for o in options if o != "--help" and f"`{o}`" not in text]
    assert missing == []


def test_every_noise_setting_is_documented_and_set_in_the_profiles() -> None:
    text = DOC.read_text(encoding="utf-8")
    kinds = [f.name for f in dataclasses.fields(NoiseRates)]
    assert [k for k in kinds if f"`{k}`" not in text] == []
    for country in available_countries():
        rates = load_params(country).noise
        assert all(0 <= getattr(rates, k) <= 1 for k in kinds)
    assert NoiseRates().scaled(0) == NoiseRates(**dict.fromkeys(kinds, 0.0))
