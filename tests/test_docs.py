"""The docs describe the code that exists (architecture, settings, README commands)."""

from __future__ import annotations

import re
from pathlib import Path

from opsc.settings import SETTINGS

REPO = Path(__file__).resolve().parent.parent
PACKAGES = REPO / "src" / "opsc"


def _architecture_rows() -> dict[str, str]:
    text = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    return dict(re.findall(r"^\| `(\w+)/` \| (built|planned[^|]*) \|", text, flags=re.M))


def test_every_package_is_described_in_the_architecture() -> None:
    rows = _architecture_rows()
    packages = {p.name for p in PACKAGES.iterdir() if (p / "__init__.py").is_file()}
    assert packages - set(rows) == set(), "add these packages to docs/architecture.md"
    built = {name for name, status in rows.items() if status == "built"}
    assert built - packages == set(), "docs/architecture.md lists as built what does not exist"
    planned = {name for name, status in rows.items() if status != "built"}
    assert planned & packages == set(), "mark these packages as built in docs/architecture.md"


def test_every_setting_is_documented() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    for setting in SETTINGS:
        assert setting.env in readme, f"document {setting.env} in README.md"


def test_readme_gives_the_two_commands() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "make run" in readme and "make test" in readme
    makefile = (REPO / "Makefile").read_text(encoding="utf-8")
    assert re.search(r"^run:", makefile, re.M) and re.search(r"^test:", makefile, re.M)
    assert "make test" in (REPO / ".ci" / "run").read_text(encoding="utf-8")
