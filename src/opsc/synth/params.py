"""Generator parameters as data: `profiles/common.toml` overlaid by `profiles/<CC>.toml`.

The TOML files are the one place where every number is documented with its source or
marked as invented; this module only types them.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

PROFILE_DIR = Path(__file__).parent / "profiles"
DATA_DIR = Path(__file__).parent / "data"


class SynthError(ValueError):
    """A parameter or argument is wrong; the message names it and the fix."""


@dataclass(frozen=True)
class OffenceSpec:
    code: str
    share: float
    female: float
    ages: tuple[int, int]
    online: float
    victims_per_case: float
    perpetrators_per_case: float
    legal_person: float
    risk: dict[str, float]
    relation: dict[str, float]
    also: str | None = None
    also_rate: float = 0.0
    tourist_only: bool = False


@dataclass(frozen=True)
class CaptureSpec:
    type: str
    logit: float
    hetero: float
    after: dict[str, float] = field(default_factory=dict)
    national_share: float = 0.0
    only_risk: tuple[str, ...] = ()
    only_offences: tuple[str, ...] = ()


@dataclass(frozen=True)
class InstitutionSpec:
    code: str
    name: str
    type: str
    scope: str  # national / region
    aggregate: bool = False


@dataclass(frozen=True)
class NoiseRates:
    """Shares of victim records each kind of identifier noise touches."""

    typo: float = 0.03
    drop_accents: float = 0.20
    drop_second_given: float = 0.10
    drop_maternal: float = 0.06
    swap_surnames: float = 0.02
    nickname: float = 0.03
    day_month_swap: float = 0.015
    date_off_by_one: float = 0.02
    missing_birth_date: float = 0.05
    missing_sex: float = 0.01
    missing_nationality: float = 0.03
    moved_address: float = 0.05

    def scaled(self, factor: float) -> NoiseRates:
        """All rates multiplied by `factor` (0 = clean identifiers), capped at 1."""
        values = {k: min(1.0, v * factor) for k, v in self.__dict__.items()}
        return replace(self, **values)


@dataclass(frozen=True)
class SynthParams:
    country: str
    raw: dict[str, Any]
    offences: tuple[OffenceSpec, ...]
    capture: tuple[CaptureSpec, ...]
    institutions: tuple[InstitutionSpec, ...]
    noise: NoiseRates

    def section(self, name: str) -> dict[str, Any]:
        value = self.raw.get(name, {})
        if not isinstance(value, dict):
            raise SynthError(f"synth parameter [{name}] must be a table")
        return value

    def get(self, name: str) -> Any:
        if name not in self.raw:
            raise SynthError(f"synth parameters for {self.country} lack {name!r}")
        return self.raw[name]

    def offence(self, code: str) -> OffenceSpec:
        for spec in self.offences:
            if spec.code == code:
                return spec
        raise SynthError(f"no offence {code!r} in the synth parameters")


def _read(path: Path) -> dict[str, Any]:
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SynthError(f"{path}: not valid TOML: {exc}") from exc


def available_countries() -> list[str]:
    return sorted(p.stem for p in PROFILE_DIR.glob("*.toml") if p.stem != "common")


def load_params(country: str, noise: NoiseRates | None = None) -> SynthParams:
    """Parameters for `country` (common values overlaid by the country's own file)."""
    code = country.upper()
    path = PROFILE_DIR / f"{code}.toml"
    if not path.is_file():
        known = ", ".join(available_countries())
        raise SynthError(f"no synthetic profile for {code!r}: add {path} (known: {known})")
    raw = {**_read(PROFILE_DIR / "common.toml"), **_read(path)}
    where = f"{path} (over common.toml)"
    for section in ("offence", "capture", "institution", "noise"):
        if section not in raw:
            raise SynthError(f"{where}: no [{section}] table; copy it from common.toml")
    for section in ("offence", "capture"):
        for name, table in raw[section].items():
            missing = [k for k in REQUIRED[section] if k not in table]
            if missing:
                raise SynthError(
                    f"{where}: [{section}.{name}] lacks {', '.join(missing)}; add "
                    f"{'them' if len(missing) > 1 else 'it'} (see common.toml)"
                )
    try:
        return _typed(code, raw, noise)
    except (KeyError, TypeError, ValueError) as exc:
        raise SynthError(f"{where}: a value is missing or of the wrong type: {exc}") from None


REQUIRED = {
    "offence": (
        "share",
        "female",
        "ages",
        "online",
        "victims_per_case",
        "perpetrators_per_case",
        "legal_person",
    ),
    "capture": ("logit", "hetero"),
}


def _typed(code: str, raw: dict[str, Any], noise: NoiseRates | None) -> SynthParams:
    offences = tuple(_offence(c, v) for c, v in raw["offence"].items())
    total = sum(o.share for o in offences)
    if abs(total - 1.0) > 1e-6:
        raise SynthError(f"offence shares sum to {total:.4f}, not 1: fix [offence.*].share")
    capture = tuple(
        CaptureSpec(
            type=t,
            logit=float(v["logit"]),
            hetero=float(v["hetero"]),
            after={k: float(x) for k, x in v.get("after", {}).items()},
            national_share=float(v.get("national_share", 0.0)),
            only_risk=tuple(v.get("only_risk", ())),
            only_offences=tuple(v.get("only_offences", ())),
        )
        for t, v in raw["capture"].items()
    )
    institutions = tuple(
        InstitutionSpec(i["code"], i["name"], i["type"], i["scope"], bool(i.get("aggregate")))
        for i in raw["institution"]
    )
    rates = noise or NoiseRates(**{k: float(v) for k, v in raw["noise"].items()})
    return SynthParams(code, raw, offences, capture, institutions, rates)


def _offence(code: str, v: dict[str, Any]) -> OffenceSpec:
    return OffenceSpec(
        code=code,
        share=float(v["share"]),
        female=float(v["female"]),
        ages=(int(v["ages"][0]), int(v["ages"][1])),
        online=float(v["online"]),
        victims_per_case=float(v["victims_per_case"]),
        perpetrators_per_case=float(v["perpetrators_per_case"]),
        legal_person=float(v["legal_person"]),
        risk={k: float(x) for k, x in v.get("risk", {}).items()},
        relation={k: float(x) for k, x in v.get("relation", {}).items()},
        also=v.get("also"),
        also_rate=float(v.get("also_rate", 0.0)),
        tourist_only=bool(v.get("tourist_only", False)),
    )


def load_names() -> dict[str, Any]:
    """The synthetic name lists: data/names_spanish.toml (given names, surnames,
    nicknames), plus `indigenous` (data/names_indigenous.toml, by country profile) and
    `foreign` (data/names_foreign.toml, by nationality). Each file notes its source."""
    names = _read(DATA_DIR / "names_spanish.toml")
    for part in ("indigenous", "foreign"):
        lists = _read(DATA_DIR / f"names_{part}.toml")
        names[part] = {k: v for k, v in lists.items() if isinstance(v, dict)}
    return names
