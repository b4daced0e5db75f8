"""Code lists: bilingual CSV files of codes, common to all countries or per country."""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

COMMON_DIR = Path(__file__).parent / "common"


@dataclass(frozen=True)
class Code:
    code: str
    label_en: str
    label_es: str
    extra: dict[str, str] = field(default_factory=dict)

    def label(self, lang: str) -> str:
        return self.label_es if lang == "es" else self.label_en

    def as_dict(self) -> dict[str, str]:
        return {
            "code": self.code,
            "label_en": self.label_en,
            "label_es": self.label_es,
            **self.extra,
        }


@dataclass(frozen=True)
class CodeList:
    name: str
    source: Path
    codes: tuple[Code, ...]

    def __contains__(self, code: object) -> bool:
        return any(c.code == code for c in self.codes)

    def __iter__(self):  # type: ignore[no-untyped-def]
        return iter(self.codes)

    def __len__(self) -> int:
        return len(self.codes)

    def get(self, code: str) -> Code:
        for c in self.codes:
            if c.code == code:
                return c
        raise KeyError(f"{code!r} is not a code of {self.name} ({self.source.name})")

    def code_set(self) -> frozenset[str]:
        return frozenset(c.code for c in self.codes)


def read_rows(path: Path) -> list[dict[str, str]]:
    """All rows of a UTF-8 CSV as text (codes keep their leading zeros)."""
    with path.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def read_codelist(path: Path) -> CodeList:
    codes = []
    seen: set[str] = set()
    for line, row in enumerate(read_rows(path), start=2):
        code = row.pop("code", "") or ""
        if not code or code in seen:
            problem = "empty" if not code else "duplicate"
            raise ValueError(f"{path}: row {line}: {problem} code {code!r}")
        seen.add(code)
        codes.append(Code(code, row.pop("label_en"), row.pop("label_es"), row))
    return CodeList(path.stem, path, tuple(codes))


def common_codelist_names() -> list[str]:
    return sorted(p.stem for p in COMMON_DIR.glob("*.csv"))
