"""Settings are data: one table feeds the loader, the CLI help and the docs."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class Setting:
    name: str
    env: str
    default: str
    help: str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "database",
        "OPSC_DATABASE_URL",
        "sqlite:///var/opsc.db",
        "SQLAlchemy URL of the records store (SQLite file or PostgreSQL server).",
    ),
    Setting(
        "var_dir",
        "OPSC_VAR_DIR",
        "var",
        "Folder for the embedded database, generated files and published outputs.",
    ),
    Setting(
        "profile_path",
        "OPSC_PROFILE_PATH",
        "",
        "Extra folders of country profiles (separated by the OS path separator), searched "
        "before the built-in MX and PE profiles.",
    ),
    Setting(
        "intake_memory",
        "OPSC_INTAKE_MEMORY",
        "1GB",
        "Memory limit of the DuckDB validation of one submission (e.g. 512MB); larger files "
        "spill to disk.",
    ),
    Setting(
        "synth_writers",
        "OPSC_SYNTH_WRITERS",
        "2",
        "2: the synthetic generator forks a writer process when a second core is idle; "
        "1: it always writes in-process.",
    ),
    Setting(
        "linkage_key",
        "OPSC_LINKAGE_KEY",
        "",
        "Base64 linkage key for pseudonymisation when no --key file is given (an institution's "
        "secret: never in the store).",
    ),
    Setting(
        "linkage_key_version",
        "OPSC_LINKAGE_KEY_VERSION",
        "env",
        "Version label of the key in OPSC_LINKAGE_KEY.",
    ),
)

_BY_NAME = {s.name: s for s in SETTINGS}


def get(name: str) -> str:
    """The value of a setting: its environment variable if set, else its default."""
    setting = _BY_NAME[name]
    return os.environ.get(setting.env, setting.default)


def database_url() -> str:
    return get("database")


def var_dir() -> Path:
    return Path(get("var_dir"))
