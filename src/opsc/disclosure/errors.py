"""Errors people read: each names the file, row, field and value, and the fix."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Problem:
    """One problem in an input table, as the user sees it (spreadsheet row numbers), in
    English and Spanish."""

    type: str
    message: str
    row: int | None = None
    field: str | None = None
    value: str | None = None
    es: str = ""  # the message in Spanish

    def __str__(self) -> str:
        where = ", ".join(
            part
            for part in (
                f"row/fila {self.row}" if self.row is not None else "",
                f"field/campo {self.field!r}" if self.field is not None else "",
                f"value/valor {self.value!r}" if self.value is not None else "",
            )
            if part
        )
        text = bilingual(self.message, self.es)
        return f"{where}: {text} [{self.type}]" if where else f"{text} [{self.type}]"


def bilingual(en: str, es: str) -> str:
    """One message for people who read either language: English, then Spanish."""
    return f"{en} / {es}" if es else en


class DisclosureError(Exception):
    """Base of every error raised by `opsc.disclosure`."""


class InvalidTableError(DisclosureError):
    """The input table cannot be read as inner cells; `problems` lists every problem."""

    def __init__(self, source: str, problems: list[Problem]) -> None:
        self.source = source
        self.problems = problems
        lines = "\n".join(f"  {p}" for p in problems[:20])
        extra = len(problems) - 20
        more = f"\n  … and {extra} more / y {extra} más" if extra > 0 else ""
        count = f"{len(problems)} problem(s) / problema(s)"
        super().__init__(f"{source}: {count}\n{lines}{more}")

    def flatten(self, fields: list[str]) -> list[list[object]]:
        """Compact form for tests: `[[row, field, type], …]`."""
        return [[getattr(p, f) for f in fields] for p in self.problems]


class UnsafeTableError(DisclosureError):
    """The audit found a disclosive pattern: the table must not be published."""

    def __init__(self, message: str, failures: list[str]) -> None:
        self.failures = failures
        super().__init__(message + "".join(f"\n  {f}" for f in failures[:20]))


class TableRefusedError(DisclosureError):
    """Suppression would hide too much, or no safe pattern was found in time."""

    def __init__(self, message: str, advice: list[object]) -> None:
        self.advice = advice
        super().__init__(message)
