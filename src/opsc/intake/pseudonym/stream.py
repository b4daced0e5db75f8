"""`opsc pseudonymise`: stream a file with clear identifiers into one without them.

Rows are read and written one at a time (memory does not grow with the file); the clear
columns are dropped and replaced by tokens, Bloom filters, birth year and age at offence.
Other columns pass through untouched, in their order.

Victims and perpetrators who are natural persons get the same columns, made with the same
code and sub-keys (`person_tokens`): a person's name gives the same token in both files.
A perpetrator's national ID (or a company's tax ID) becomes `tk_identity`.

Age at the offence is computed here, from the clear date of birth, so the exact age is known
centrally without the date of birth leaving the institution. The offence date comes from the
victims' or perpetrators' file when it has one, else from the institution's own cases file
(`--cases`, or the cases files of the same institution in a manifest).
"""

from __future__ import annotations

import base64
import csv
import json
import shutil
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from opsc.intake.contracts import get_contract
from opsc.intake.definitions import CLEAR_COLUMNS, PERSON_COLUMNS
from opsc.intake.headers import header_fields, header_key
from opsc.intake.pseudonym.bloom import BloomEncoder
from opsc.intake.pseudonym.keys import Hmac, LinkageKey
from opsc.intake.pseudonym.normalise import normalise_id, normalise_name, split_surnames
from opsc.intake.pseudonym.phonetic import phonetic_key
from opsc.intake.reader import detect_delimiter, detect_encoding

# Clear identifier -> header spellings accepted (compared with header_key).
IDENTIFYING = ("given_names", "paternal_surname", "maternal_surname", "birth_date", "national_id")
CACHE_LIMIT = 200_000


class PseudonymiseError(ValueError):
    """The input cannot be pseudonymised; the message names the file and the fix."""


@dataclass
class PseudonymiseResult:
    rows: int
    removed: list[str]
    added: list[str]
    notes: list[str] = field(default_factory=list)


class Tokeniser:
    """Keyed tokens for one key: HMAC-SHA256 with a sub-key per field, base64url."""

    def __init__(self, key: LinkageKey) -> None:
        self.key = key
        self._macs: dict[str, Hmac] = {}
        self._cache: dict[tuple[str, str], str] = {}
        self.given = BloomEncoder(key, "given_names")
        self.surnames = BloomEncoder(key, "surnames")

    def token(self, purpose: str, value: str) -> str:
        if not value:
            return ""
        cached = self._cache.get((purpose, value))
        if cached is not None:
            return cached
        mac = self._macs.get(purpose)
        if mac is None:
            mac = self._macs[purpose] = Hmac(self.key.derive(f"token/{purpose}"))
        token = base64.urlsafe_b64encode(mac.digest(value.encode())).decode().rstrip("=")
        if len(self._cache) >= CACHE_LIMIT:
            self._cache.clear()  # names repeat; ids do not: keep memory bounded
        self._cache[(purpose, value)] = token
        return token


def parse_date(text: str) -> date | None:
    text = text.strip()
    if not text:
        return None
    try:
        if "/" in text:
            d, m, y = text.split("/")
            return date(int(y), int(m), int(d))
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def _age(born: date, on: date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


# The pseudonymous columns of a person's names and birth date (victims and perpetrators).
PERSON_OUTPUT = PERSON_COLUMNS
VICTIM_OUTPUT = ("key_version", "tk_national_id", *PERSON_OUTPUT, "age_at_offence")
PERPETRATOR_OUTPUT = ("key_version", "tk_identity", *PERSON_OUTPUT, "age")


def person_tokens(tok: Tokeniser, clear: Mapping[str, str]) -> dict[str, str]:
    """Tokens, phonetic tokens and Bloom filters of a person's names, and the birth date
    token and year: the same sub-keys for victims and perpetrators."""
    given = normalise_name(clear.get("given_names", ""))
    paternal, maternal = split_surnames(
        clear.get("paternal_surname", ""), clear.get("maternal_surname", "")
    )
    surnames = " ".join(s for s in (paternal, maternal) if s)
    first = given.partition(" ")[0]
    born = parse_date(clear.get("birth_date", ""))
    return {
        "tk_birth_date": tok.token("birth_date", born.isoformat() if born else ""),
        "tk_given_names": tok.token("given_names", given),
        "tk_surnames": tok.token("surnames", f"{paternal}|{maternal}" if surnames else ""),
        "tk_given_phonetic": tok.token("given_phonetic", phonetic_key(given) if given else ""),
        "tk_surname_phonetic": tok.token(
            "surname_phonetic", phonetic_key(surnames) if surnames else ""
        ),
        # The first given name and the paternal surname alone: a record that drops the
        # second given name or the maternal surname still shares these with the full one.
        "tk_first_given": tok.token("first_given", first),
        "tk_paternal_surname": tok.token("paternal_surname", paternal),
        "tk_first_given_phonetic": tok.token(
            "first_given_phonetic", phonetic_key(first) if first else ""
        ),
        "tk_paternal_phonetic": tok.token(
            "paternal_phonetic", phonetic_key(paternal) if paternal else ""
        ),
        "bf_given_names": tok.given.encode(given),
        "bf_surnames": tok.surnames.encode(surnames),
        "birth_year": str(born.year) if born else "",
    }


def age_at(clear: Mapping[str, str], date_offence: str) -> str:
    """The age at the offence from the clear birth date, else the age the file gives."""
    born = parse_date(clear.get("birth_date", ""))
    offence = parse_date(date_offence)
    if born and offence:
        return str(_age(born, offence))
    return clear.get("age", "").strip()


def victim_tokens(tok: Tokeniser, clear: Mapping[str, str], date_offence: str) -> dict[str, str]:
    """The pseudonymous columns of one victim row from its clear identifiers."""
    return {
        "key_version": tok.key.version,
        "tk_national_id": tok.token("national_id", normalise_id(clear.get("national_id", ""))),
        **person_tokens(tok, clear),
        "age_at_offence": age_at(clear, date_offence),
    }


def perpetrator_tokens(
    tok: Tokeniser, clear: Mapping[str, str], date_offence: str
) -> dict[str, str]:
    """A perpetrator's national ID (or a company's tax ID) as `tk_identity`; a natural
    person's names and birth date as victims' are. A legal person has no person's name or
    birth date: whatever those columns hold for it is dropped, not tokenised."""
    legal = clear.get("person_type", "").strip().lower() == "legal"
    person = dict.fromkeys(PERSON_OUTPUT, "") if legal else person_tokens(tok, clear)
    return {
        "key_version": tok.key.version,
        "tk_identity": tok.token("identity", normalise_id(clear.get("national_id", ""))),
        **person,
        "age": clear.get("age", "").strip() if legal else age_at(clear, date_offence),
    }


@dataclass(frozen=True)
class Layout:
    """How one contract is pseudonymised: the function making its columns, the columns it
    writes, the column of the age at the offence, and columns read but kept as they are."""

    make: Callable[[Tokeniser, Mapping[str, str], str], dict[str, str]]
    outputs: tuple[str, ...]
    age: str
    context: tuple[str, ...] = ()


LAYOUTS = {
    "victims": Layout(victim_tokens, VICTIM_OUTPUT, "age_at_offence"),
    "perpetrators": Layout(perpetrator_tokens, PERPETRATOR_OUTPUT, "age", ("person_type",)),
}


CASE_DATE_COLUMNS: dict[str, tuple[str, ...]] = {
    "agency_case_id": ("agency_case_id", "case_id", "id_del_caso", "id_caso", "carpeta"),
    "date_offence": ("date_offence", "date_of_the_offence", "fecha_del_delito", "fecha_hechos"),
}


@contextmanager
def _open_csv(path: Path) -> Iterator[Iterator[list[str]]]:
    """A csv reader over `path` in its own encoding and delimiter; a workbook's sheet is
    read through a temporary CSV."""
    if not path.is_file():
        raise PseudonymiseError(f"{path}: file not found")
    if path.suffix.lower() in (".xlsx", ".xlsm"):
        with tempfile.TemporaryDirectory(prefix="opsc-pseudo-") as tmp:
            from opsc.intake.xlsx import xlsx_to_csv

            csv_path = Path(tmp) / "sheet.csv"
            xlsx_to_csv(path, csv_path)
            with _open_csv(csv_path) as reader:
                yield reader
        return
    with path.open("rb") as f:
        sample = f.read(1 << 16)
    encoding = detect_encoding(path, sample)
    delimiter = detect_delimiter(sample.decode(encoding, errors="ignore"))
    with path.open(encoding=encoding, newline="") as f:
        yield csv.reader(f, delimiter=delimiter)


def read_case_dates(cases: Path) -> dict[str, str]:
    """Agency case id -> the offence date written in the institution's cases file (parsed
    later, per victim). The report date is not a substitute: a child of 17 at the offence
    may be 18 when it is reported, and would wrongly count as an adult."""
    with _open_csv(cases) as reader:
        keys = [header_key(h.strip().lstrip("\ufeff")) for h in next(reader, [])]
        case_col, offence = (
            next((i for i, k in enumerate(keys) if k in spellings), None)
            for spellings in CASE_DATE_COLUMNS.values()
        )
        if case_col is None:
            raise PseudonymiseError(
                f"{cases}: no agency_case_id column; give the institution's cases file"
            )
        dates: dict[str, str] = {}
        if offence is None:
            return dates
        for row in _rows(reader, len(keys)):
            if when := row[offence].strip():
                dates[row[case_col].strip()] = when
    return dates


def _clear_index(header: list[str]) -> dict[str, int]:
    keys = [header_key(h) for h in header]
    found: dict[str, int] = {}
    for name, spellings in CLEAR_COLUMNS.items():
        for i, k in enumerate(keys):
            if k in spellings:
                found[name] = i
    return found


def pseudonymise_file(
    src: Path,
    dst: Path,
    key: LinkageKey,
    contract: str = "victims",
    case_dates: Mapping[str, str] | None = None,
) -> PseudonymiseResult:
    """Write `dst`: `src` without clear identifiers, with tokens and filters added.

    `contract` is victims or perpetrators (names, birth date, ID, age; a legal person's
    tax ID only). `case_dates` (agency case id -> offence date) gives the date a person's
    age is measured at when the file itself has no offence date (`read_case_dates`).
    """
    layout = LAYOUTS.get(contract)
    if layout is None:
        raise PseudonymiseError(
            f"contract {contract!r}: only {' and '.join(LAYOUTS)} carry identifiers"
        )
    tok = Tokeniser(key)
    with _open_csv(src) as reader, dst.open("w", encoding="utf-8", newline="") as fout:
        header = next(reader, None)
        if header is None:
            raise PseudonymiseError(f"{src}: empty file, no header row")
        header = [h.strip().lstrip("\ufeff") for h in header]
        clear = _clear_index(header)
        if not clear:
            raise PseudonymiseError(
                f"{src}: no clear identifier columns found (expected some of "
                f"{', '.join(CLEAR_COLUMNS)}); the file can be sent as it is"
            )
        # each header as the field it names in the contract (a title or alias as intake
        # reads it, e.g. "Edad al momento del delito" is `age`), else as written
        fields = header_fields(get_contract(contract))
        keys = [fields.get(header_key(h), header_key(h)) for h in header]
        read = clear | {c: keys.index(c) for c in layout.context if c in keys}
        offence_col = keys.index("date_offence") if "date_offence" in keys else None
        case_col = next(
            (keys.index(k) for k in CASE_DATE_COLUMNS["agency_case_id"] if k in keys), None
        )
        dates = case_dates if case_dates and case_col is not None else {}
        # Existing output columns (e.g. an empty age_at_offence, or a perpetrator's age
        # under any of its spellings) are overwritten in place; clear columns are dropped.
        replace = {c: keys.index(c) for c in layout.outputs if c in keys}
        if layout.age in clear:
            replace.setdefault(layout.age, clear[layout.age])
        drop = {i for i in clear.values() if i not in replace.values()}
        added = [c for c in layout.outputs if c not in replace]
        keep = [i for i in range(len(header)) if i not in drop]
        writer = csv.writer(fout, lineterminator="\n")
        writer.writerow([header[i] for i in keep] + added)
        rows = 0
        for row in _rows(reader, len(header)):
            values = {name: row[i] for name, i in read.items()}
            when = row[offence_col] if offence_col is not None else ""
            if not when.strip() and dates:
                when = dates.get(row[case_col].strip(), "")  # type: ignore[index]
            out = layout.make(tok, values, when)
            for name, i in replace.items():
                if out[name] or name != layout.age:
                    row[i] = out[name]
            writer.writerow([row[i] for i in keep] + [out[c] for c in added])
            rows += 1
    return PseudonymiseResult(rows, [header[i] for i in sorted(drop)], added)


def _rows(reader: Iterator[list[str]], width: int) -> Iterator[list[str]]:
    for row in reader:
        if len(row) < width:
            row = row + [""] * (width - len(row))
        yield row


def has_clear_identifiers(path: Path) -> bool:
    if path.suffix.lower() != ".csv":
        return path.suffix.lower() in (".xlsx", ".xlsm")
    with path.open("rb") as f:
        sample = f.read(1 << 16)
    text = sample.decode("utf-8", errors="ignore")
    header = next(csv.reader(text.splitlines()[:1], delimiter=detect_delimiter(text)), [])
    found = _clear_index([h.strip().lstrip("\ufeff") for h in header])
    return any(name in found for name in IDENTIFYING)


def pseudonymise_manifest(
    manifest: Path,
    out_dir: Path,
    key: LinkageKey,
    progress: Callable[[str, PseudonymiseResult | None], Any] | None = None,
) -> Path:
    """Pseudonymise every file of a manifest into `out_dir`; copy the rest; new manifest."""
    data = json.loads(manifest.read_text(encoding="utf-8"))
    base = manifest.parent
    out_dir.mkdir(parents=True, exist_ok=True)
    cases_of: dict[str, list[Path]] = {}
    for entry in data.get("submissions", []):
        if entry.get("contract") == "cases":
            cases_of.setdefault(str(entry.get("institution")), []).append(base / entry["file"])
    if data.get("institutions_file"):
        shutil.copyfile(base / data["institutions_file"], out_dir / data["institutions_file"])
    for entry in data.get("submissions", []):
        src = base / entry["file"]
        dst = out_dir / entry["file"]
        dst.parent.mkdir(parents=True, exist_ok=True)
        if entry.get("contract") in LAYOUTS and has_clear_identifiers(src):
            dates: dict[str, str] = {}  # the same institution's cases: offence dates
            for cases in cases_of.get(str(entry.get("institution")), []):
                dates.update(read_case_dates(cases))
            result = pseudonymise_file(src, dst.with_suffix(".csv"), key, entry["contract"], dates)
            entry["file"] = str(Path(entry["file"]).with_suffix(".csv"))
            entry["pseudonymised"] = True
            if progress:
                progress(entry["file"], result)
        else:
            shutil.copyfile(src, dst)
            if progress:
                progress(entry["file"], None)
    data["key_version"] = key.version
    target = out_dir / "manifest.json"
    target.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return target
