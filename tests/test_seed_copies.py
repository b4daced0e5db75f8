"""The seed documents copied into the repository still match ../shared, where it exists."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = REPO.parent / "shared"
SEED_COPIES = REPO / "tests" / "fixtures" / "shared"


def test_the_seed_copies_match_the_originals() -> None:
    originals = sorted((SHARED / "seeds").glob("*.txt"))
    if not originals:
        pytest.skip(f"{SHARED / 'seeds'} is not beside this clone: nothing to compare")
    copies = sorted((SEED_COPIES / "seeds").glob("*.txt"))
    assert [p.name for p in copies] == [p.name for p in originals]
    for original, copy in zip(originals, copies, strict=True):
        assert copy.read_bytes() == original.read_bytes(), copy
