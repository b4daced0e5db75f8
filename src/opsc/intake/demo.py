"""The demo country through the real path: generate (synth), pseudonymise, submit.

For `opsc demo`: the key is derived from the seed so a second run sends identical files
and every submission is a no-op. Synthetic data only — a real key is random (`keygen`).
"""

from __future__ import annotations

import hashlib
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from sqlalchemy import Engine

from opsc.intake.manifest import ManifestItem, submit_manifest
from opsc.intake.pseudonym import LinkageKey, pseudonymise_manifest


def demo_key(seed: int) -> LinkageKey:
    return LinkageKey("demo", hashlib.sha256(f"opsc-demo-{seed}".encode()).digest())


def import_synthetic_country(
    engine: Engine,
    country: str = "MX",
    children: int = 300,
    years: str = "2022-2024",
    seed: int = 7,
    progress: Callable[[ManifestItem], Any] | None = None,
) -> list[ManifestItem]:
    """Generate a synthetic country, pseudonymise it and submit every file by manifest."""
    from opsc.synth.generate import generate

    with tempfile.TemporaryDirectory(prefix="opsc-demo-") as tmp:
        generated = generate(country, children, years, seed, Path(tmp) / "clear")
        manifest = pseudonymise_manifest(generated.manifest, Path(tmp) / "sent", demo_key(seed))
        return submit_manifest(engine, manifest, progress)
