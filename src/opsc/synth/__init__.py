"""Seeded synthetic country with known truth, for the demo, tests and benchmarks.

No real person is in anything this package writes: names, dates and ids are drawn from
synthetic lists and a random seed, and every output says it is synthetic.
"""

from opsc.synth.generate import SynthResult, generate, parse_years
from opsc.synth.output import TRUTH_DIR
from opsc.synth.params import NoiseRates, SynthError, available_countries, load_params

__all__ = [
    "TRUTH_DIR",
    "NoiseRates",
    "SynthError",
    "SynthResult",
    "available_countries",
    "generate",
    "load_params",
    "parse_years",
]
