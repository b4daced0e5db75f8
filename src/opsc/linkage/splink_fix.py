"""A guard around one step of Splink 5.0's EM training.

When a comparison level is never seen among the matches of a training block (on a small
country: no two files of one case in the same state but different municipalities), EM
drives its m probability towards 0 until it passes 1e-300, and Splink's setter then
refuses the value and stops the run. Splink already clamps m and u at that floor when it
turns them into match weights; here EM's new values are clamped the same way before they
are set, so training finishes with that level weighted as "never seen among matches".
"""

from __future__ import annotations

from typing import Any

from splink.internals import expectation_maximisation as em
from splink.internals.comparison_level import M_U_CLAMP_MIN, ComparisonLevel

_original = em.populate_m_u_from_lookup


def _clamped(
    training_fixed_probabilities: set[str],
    comparison_level: ComparisonLevel,
    output_column_name: str,
    m_u_records_lookup: dict[str, dict[int, Any]],
) -> None:
    for values in m_u_records_lookup.get(output_column_name, {}).values():
        for name in ("m_probability", "u_probability"):
            value = values.get(name)
            if isinstance(value, (int, float)) and value < M_U_CLAMP_MIN:
                values[name] = M_U_CLAMP_MIN
    _original(
        training_fixed_probabilities, comparison_level, output_column_name, m_u_records_lookup
    )


def install() -> None:
    """Clamp EM's m and u at Splink's own floor (idempotent)."""
    em.populate_m_u_from_lookup = _clamped
