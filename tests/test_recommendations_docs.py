"""docs/recommendations.md documents every command, status, theme and group."""

from __future__ import annotations

from pathlib import Path

import pytest
import typer

from opsc.recommendations.cli import app as co
from opsc.recommendations.models import STATUSES
from opsc.recommendations.recs_cli import app as recs
from opsc.recommendations.themes import GROUPS, THEMES

DOC = Path(__file__).resolve().parent.parent / "docs" / "recommendations.md"


def _commands(app: typer.Typer) -> list[str]:
    return [c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands]


@pytest.mark.parametrize(("group", "app"), [("co", co), ("recs", recs)])
def test_every_command_is_documented(group: str, app: typer.Typer) -> None:
    text = DOC.read_text(encoding="utf-8")
    missing = [c for c in _commands(app) if f"`opsc {group} {c}" not in text]
    assert missing == []


def test_vocabularies_are_documented() -> None:
    text = DOC.read_text(encoding="utf-8")
    for word in (*STATUSES, *(f"`{t}`" for t in THEMES), *(f"`{g}`" for g in GROUPS)):
        assert word in text, f"document {word} in {DOC.name}"
