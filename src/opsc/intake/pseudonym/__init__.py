"""Pseudonymisation at the institution: keyed tokens and Bloom filters instead of names."""

from opsc.intake.pseudonym.keys import LinkageKey, generate_key, load_key
from opsc.intake.pseudonym.normalise import normalise_id, normalise_name, split_surnames
from opsc.intake.pseudonym.phonetic import phonetic, phonetic_key
from opsc.intake.pseudonym.stream import (
    PseudonymiseResult,
    pseudonymise_file,
    pseudonymise_manifest,
)

__all__ = [
    "LinkageKey",
    "PseudonymiseResult",
    "generate_key",
    "load_key",
    "normalise_id",
    "normalise_name",
    "phonetic",
    "phonetic_key",
    "pseudonymise_file",
    "pseudonymise_manifest",
    "split_surnames",
]
