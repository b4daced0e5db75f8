"""Multiple systems estimation of hidden victims, and impact assessment of measures."""

from opsc.estimation.errors import EstimationError
from opsc.estimation.its import ITSResult, interrupted_time_series, make_series, read_series
from opsc.estimation.loglinear import check_model, fit_model, require_estimable
from opsc.estimation.memberships import Membership, overlap_table
from opsc.estimation.mse import METHODS, MSEResult, estimate_mse
from opsc.estimation.strata import StratifiedResult, estimate_stratified
from opsc.estimation.table import OverlapTable, read_csv, read_strata_csv

__all__ = [
    "METHODS",
    "EstimationError",
    "ITSResult",
    "MSEResult",
    "Membership",
    "OverlapTable",
    "StratifiedResult",
    "check_model",
    "estimate_mse",
    "estimate_stratified",
    "fit_model",
    "interrupted_time_series",
    "make_series",
    "overlap_table",
    "read_csv",
    "read_series",
    "read_strata_csv",
    "require_estimable",
]
