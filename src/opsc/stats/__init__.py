"""Statistics: the cube (facts x conformed dimensions with explicit counting units),
justice attrition, rates with recorded denominators, and the indicator catalogue."""

from opsc.stats.attrition import Funnel, funnel
from opsc.stats.catalogue import Catalogue, Indicator, catalogue
from opsc.stats.compute import IndicatorValue, compute, compute_all, headline_indicators
from opsc.stats.cube import Cube, CubeTable, build_cube
from opsc.stats.errors import (
    CatalogueError,
    MissingDenominatorError,
    StatsError,
    UnknownNameError,
)
from opsc.stats.keys import KeySource, from_frames, from_linkage, from_record_map, unlinked
from opsc.stats.measures import MEASURES, Measure
from opsc.stats.publish import publish_table
from opsc.stats.rates import RateTable, rates

__all__ = [
    "MEASURES",
    "Catalogue",
    "CatalogueError",
    "Cube",
    "CubeTable",
    "Funnel",
    "Indicator",
    "IndicatorValue",
    "KeySource",
    "Measure",
    "MissingDenominatorError",
    "RateTable",
    "StatsError",
    "UnknownNameError",
    "build_cube",
    "catalogue",
    "compute",
    "compute_all",
    "from_frames",
    "from_linkage",
    "from_record_map",
    "funnel",
    "headline_indicators",
    "publish_table",
    "rates",
    "unlinked",
]
