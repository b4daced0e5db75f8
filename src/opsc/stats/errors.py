"""Errors of the statistical layer; each message names the value and the fix."""

from __future__ import annotations


class StatsError(ValueError):
    """A statistic cannot be computed as asked; the message says why and what to do."""


class UnknownNameError(StatsError):
    """A measure, dimension or indicator name that does not exist."""

    def __init__(self, kind: str, name: str, known: list[str]) -> None:
        super().__init__(
            f"unknown {kind} {name!r}; known: {', '.join(sorted(known))}. "
            f"/ {kind} desconocido {name!r}."
        )
        self.name = name
        self.known = known


class MissingDenominatorError(StatsError):
    """No population denominator for the cells asked: never a silent zero or blank."""


class CatalogueError(StatsError):
    """The indicator catalogue is malformed (file, indicator id and field named)."""
