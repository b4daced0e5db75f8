"""The rule set of disclosure control: thresholds, protection width, zeros, rounding.

Settings are data: `RULE_SETTINGS` lists every rule with its default and help, and feeds the
CLI help and `docs/disclosure.md` (a test checks that each is documented).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

from opsc.disclosure.errors import InvalidRulesError, message


@dataclass(frozen=True)
class RuleSetting:
    name: str
    default: str
    help: str


RULE_SETTINGS: tuple[RuleSetting, ...] = (
    RuleSetting("k", "5", "Threshold for national and state cells: a count 1..k-1 is primary."),
    RuleSetting(
        "k_by_level",
        "municipality=10, province=10, district=10",
        "Threshold per geographic level below the state: a cell that names one of these "
        "dimensions uses the largest threshold among them.",
    ),
    RuleSetting(
        "p",
        "k of the cell",
        "Protection width: the audit's feasible interval of a primary cell must be at least "
        "this wide.",
    ),
    RuleSetting(
        "publish_zeros",
        "true",
        "Zeros are published and never suppressed (a structural zero is no risk); the "
        "attacker then knows every hidden cell is at least 1 (audit bound L = 1).",
    ),
    RuleSetting(
        "rounding_base",
        "none",
        "Alternative rule: round every published count to this base instead of suppressing.",
    ),
    RuleSetting(
        "max_suppressed_share",
        "0.5",
        "Refuse a table (and propose coarser ones) when more than this share of its non-zero "
        "cells would be suppressed.",
    ),
    RuleSetting(
        "time_limit",
        "300",
        "Seconds to reach a decision (a safe pattern, or refusal with coarsening advice).",
    ),
    RuleSetting(
        "exact_time_limit",
        "2",
        "Seconds the exact mixed-integer model may run before the heuristic pattern is kept.",
    ),
    RuleSetting(
        "exact_max_size",
        "150",
        "Largest system (cells, margins included) for which the exact model is tried after "
        "the heuristic, on tables of one or two dimensions (on three it does not finish in "
        "time); the others keep the heuristic pattern (audited and repaired).",
    ),
)

_LOCAL_LEVELS = {"municipality": 10, "province": 10, "district": 10}


@dataclass(frozen=True)
class Rules:
    """How a table is protected; defaults from issue 7 (k = 5, 10 below state level)."""

    k: int = 5
    k_by_level: Mapping[str, int] = field(default_factory=lambda: MappingProxyType(_LOCAL_LEVELS))
    p: int | None = None
    publish_zeros: bool = True
    rounding_base: int | None = None
    max_suppressed_share: float = 0.5
    time_limit: float = 300.0
    exact_time_limit: float = 2.0
    exact_max_size: int = 150

    def __post_init__(self) -> None:
        at_least_one = ("a whole number ≥ 1", "un número entero ≥ 1")
        checks = [
            ("k", self.k, self.k >= 1, at_least_one),
            *((f"k[{level}]", k, k >= 1, at_least_one) for level, k in self.k_by_level.items()),
            ("p", self.p, self.p is None or self.p >= 1, at_least_one),
            (
                "rounding_base",
                self.rounding_base,
                self.rounding_base is None or self.rounding_base >= 2,
                ("a whole number ≥ 2", "un número entero ≥ 2"),
            ),
            (
                "max_suppressed_share",
                self.max_suppressed_share,
                0.0 < self.max_suppressed_share <= 1.0,
                ("a share above 0 and at most 1", "una proporción mayor que 0 y como máximo 1"),
            ),
        ]
        for name, value, ok, what in checks:
            if not ok:
                raise InvalidRulesError(
                    f"{message('invalid-rule', name=name, what=what)} (got/valor: {value})"
                )

    @property
    def lower_bound(self) -> int:
        """L: what an attacker knows of every hidden cell (1 when zeros are always shown)."""
        return 1 if self.publish_zeros else 0

    def k_for(self, columns: Iterable[str]) -> int:
        """The threshold of a cell that names these (non-total) dimensions."""
        return max([self.k, *(self.k_by_level.get(c, self.k) for c in columns)])

    def p_for(self, k: int) -> int:
        """The protection width of a primary cell whose threshold is k."""
        return k if self.p is None else self.p
