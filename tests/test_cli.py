"""The two entry points a newcomer uses: `opsc init` and `opsc demo`."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from opsc.cli import app

runner = CliRunner()


def test_init_creates_a_store(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'store.db'}"
    result = runner.invoke(app, ["init", "--database", url])
    assert result.exit_code == 0, result.output
    assert "Store ready" in result.output
    assert (tmp_path / "store.db").is_file()


def test_init_on_postgresql(store_url: str) -> None:
    result = runner.invoke(app, ["init", "--database", store_url])
    assert result.exit_code == 0, result.output


def test_demo_twice_is_harmless(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'demo.db'}"
    first = runner.invoke(app, ["demo", "--database", url])
    assert first.exit_code == 0, first.output
    assert "loaded" in first.output and "2,478" in first.output
    second = runner.invoke(app, ["demo", "--database", url])
    assert second.exit_code == 0, second.output
    assert "unchanged" in second.output


def test_every_intake_command_is_on_the_main_cli() -> None:
    for command in ("template", "keygen", "pseudonymise", "validate", "submit", "export"):
        result = runner.invoke(app, [command, "--help"])
        assert result.exit_code == 0, f"opsc {command}: {result.output}"
