"""Country reference data: geography, population, code lists and the OPSC offence taxonomy."""

from opsc.reference.codelists import Code, CodeList
from opsc.reference.geography import GeoLevel, GeoUnit
from opsc.reference.population import PopulationRow, PopulationTable, national_totals
from opsc.reference.profiles import Profile, ProfileError, list_profiles, load_profile

__all__ = [
    "Code",
    "CodeList",
    "GeoLevel",
    "GeoUnit",
    "PopulationRow",
    "PopulationTable",
    "Profile",
    "ProfileError",
    "list_profiles",
    "load_profile",
    "national_totals",
]
