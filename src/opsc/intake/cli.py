"""`opsc contract`, `opsc template`, `opsc keygen`, `opsc pseudonymise`, `opsc validate`,
`opsc submit`, `opsc export`: thin typer commands over the intake library."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from sqlalchemy import select

from opsc.intake.annotate import annotate
from opsc.intake.contracts import ContractError, all_contracts, get_contract
from opsc.intake.docs import contract_markdown
from opsc.intake.export import ExportError, export_records
from opsc.intake.importer import SubmitError, submit_file
from opsc.intake.manifest import ManifestError, ManifestItem, submit_manifest
from opsc.intake.pseudonym import generate_key, load_key, pseudonymise_file, pseudonymise_manifest
from opsc.intake.pseudonym.keys import KeyFileError
from opsc.intake.pseudonym.stream import (
    PseudonymiseError,
    PseudonymiseResult,
    read_case_dates,
)
from opsc.intake.report import print_report, report_json
from opsc.intake.templates import write_template
from opsc.intake.validate import validate_file
from opsc.records.db import init_store
from opsc.records.institutions import Institution
from opsc.reference import ProfileError, load_profile

app = typer.Typer(help="Submission contracts / Formatos de envío.", no_args_is_help=True)
console = Console()

CountryOption = Annotated[str, typer.Option("--country", help="Country profile, e.g. MX or PE.")]
LangOption = Annotated[str, typer.Option("--lang", help="Language of messages: es or en.")]
DatabaseOption = Annotated[
    str | None, typer.Option("--database", help="SQLAlchemy URL; default: the database setting.")
]


def _fail(message: str, code: int = 2) -> typer.Exit:
    console.print(f"[red]Error:[/red] {message}")
    return typer.Exit(code)


@app.command("list")
def contract_list() -> None:
    """List the contracts with their version."""
    table = Table("contract", "version", "title (en)", "título (es)", "fields")
    for c in all_contracts():
        table.add_row(c.name, c.version, c.title_en, c.title_es, str(len(c.fields)))
    console.print(table)


@app.command("show")
def contract_show(
    name: str,
    country: Annotated[str | None, typer.Option(help="Fill code lists for this country.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the Table Schema.")] = False,
) -> None:
    """Print one contract (Markdown, or its frictionless Table Schema with --json)."""
    try:
        contract = get_contract(name)
        profile = load_profile(country) if country else None
    except (ContractError, ProfileError) as exc:
        raise _fail(str(exc).strip("\"'")) from exc
    if as_json:
        typer.echo(json.dumps(contract.descriptor(profile), ensure_ascii=False, indent=2))
    else:
        typer.echo(contract_markdown(contract))


def template(
    contract: Annotated[str, typer.Argument(help="Contract name, e.g. victims.")],
    country: CountryOption,
    output: Annotated[Path, typer.Option("-o", "--output", help="File to write.")],
    lang: LangOption = "es",
    fmt: Annotated[str, typer.Option("--format", help="xlsx or csv.")] = "xlsx",
) -> None:
    """Write a template to fill in: XLSX with drop-downs and instructions, or CSV."""
    try:
        write_template(get_contract(contract), load_profile(country), lang, fmt, output)
    except (ContractError, ProfileError, ValueError) as exc:
        raise _fail(str(exc).strip("\"'")) from exc
    console.print(f"[green]✓[/green] {output}")


def keygen(
    keyfile: Annotated[Path, typer.Argument(help="Where to write the new key.")],
    version: Annotated[
        str | None,
        typer.Option(
            "--version",
            help="Key version name, e.g. 2026-1; default: today's date (YYYY-MM-DD).",
        ),
    ] = None,
) -> None:
    """Create a linkage key (keep it at the institution; it never goes to the central store)."""
    try:
        key = generate_key(keyfile, version or date.today().isoformat())
    except KeyFileError as exc:
        raise _fail(str(exc)) from exc
    from opsc.intake.pseudonym.keys import fingerprint

    console.print(
        f"[green]✓[/green] key {key.version} written to {keyfile} (check {fingerprint(key)})"
    )


def pseudonymise(
    key: Annotated[Path, typer.Option("--key", help="Linkage key file (opsc keygen).")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Output file or folder.")],
    source: Annotated[Path | None, typer.Argument(help="File with clear identifiers.")] = None,
    manifest: Annotated[
        Path | None, typer.Option("--manifest", help="Pseudonymise a whole folder.")
    ] = None,
    cases: Annotated[
        Path | None,
        typer.Option(
            "--cases",
            help="The institution's cases file: offence dates for each victim's or "
            "perpetrator's age at the offence (a manifest uses its own cases files).",
        ),
    ] = None,
    contract: Annotated[
        str, typer.Option("--contract", help="victims or perpetrators.")
    ] = "victims",
) -> None:
    """Replace names, birth dates and IDs by keyed tokens and Bloom filters."""
    try:
        linkage_key = load_key(key)
        if manifest is not None:

            def show(name: str, result: PseudonymiseResult | None) -> None:
                what = f"{result.rows:,} rows pseudonymised" if result else "copied"
                console.print(f"  {name}: {what}")

            target = pseudonymise_manifest(manifest, output, linkage_key, show)
            console.print(f"[green]✓[/green] {target}")
            return
        if source is None:
            raise _fail("give a FILE or --manifest DIR/manifest.json")
        if contract not in ("victims", "perpetrators"):
            raise _fail(f"--contract {contract!r}: only victims and perpetrators carry identifiers")
        dates = read_case_dates(cases) if cases is not None else None
        result = pseudonymise_file(source, output, linkage_key, contract, dates)
    except (KeyFileError, PseudonymiseError, ManifestError, OSError) as exc:
        raise _fail(str(exc)) from exc
    console.print(
        f"[green]✓[/green] {result.rows:,} rows → {output}; removed {', '.join(result.removed)}"
    )


def validate(
    file: Path,
    country: CountryOption,
    contract: Annotated[
        str | None, typer.Option("--contract", help="Contract; default: from the file name.")
    ] = None,
    lang: LangOption = "es",
    as_json: Annotated[bool, typer.Option("--json", help="Print the report as JSON.")] = False,
    annotated: Annotated[
        Path | None, typer.Option("--annotate", help="Write an .xlsx with bad cells marked.")
    ] = None,
    institution: Annotated[
        str | None, typer.Option("--institution", help="Check references against the store.")
    ] = None,
    database: DatabaseOption = None,
) -> None:
    """Check a file against its contract; exit code 0 only when there are no errors."""
    try:
        c = get_contract(contract or _contract_from_name(file))
        profile = load_profile(country)
    except (ContractError, ProfileError) as exc:
        raise _fail(str(exc).strip("\"'")) from exc
    if institution:
        engine = init_store(database)
        with engine.connect() as conn:
            inst = conn.execute(
                select(Institution.id).where(
                    Institution.country == profile.code, Institution.code == institution
                )
            ).scalar()
            if inst is None:
                raise _fail(f"institution {institution!r} is not registered for {profile.code}")
            v = validate_file(file, c, profile, store=conn, institution_id=inst)
        engine.dispose()
    else:
        v = validate_file(file, c, profile)
    v.close()
    if as_json:
        typer.echo(report_json(v.report, lang))
    else:
        print_report(v.report, console, lang)
    if annotated is not None and v.report.errors and v.report.format:
        n = annotate(file, c, v.report, annotated, lang)
        if not as_json:
            console.print(f"{n} cells marked in {annotated}")
    raise typer.Exit(0 if v.report.ok else 1)


def submit(
    file: Annotated[Path | None, typer.Argument(help="File to submit.")] = None,
    institution: Annotated[str | None, typer.Option("--institution", help="Its code.")] = None,
    period: Annotated[
        str | None, typer.Option("--period", help="2024, 2019-2024 or 2024-01-01:2024-06-30.")
    ] = None,
    contract: Annotated[str | None, typer.Option("--contract")] = None,
    country: Annotated[str | None, typer.Option("--country")] = None,
    manifest: Annotated[Path | None, typer.Option("--manifest", help="Submit a folder.")] = None,
    lang: LangOption = "es",
    database: DatabaseOption = None,
) -> None:
    """Validate and import in one transaction; the same file twice is a no-op."""
    engine = init_store(database)
    try:
        if manifest is not None:
            items = submit_manifest(engine, manifest, _progress)
            _summary(items)
            raise typer.Exit(0 if all(i.status != "rejected" for i in items) else 1)
        if file is None or institution is None or period is None:
            raise _fail("give FILE --institution CODE --period P, or --manifest DIR/manifest.json")
        c = get_contract(contract or _contract_from_name(file))
        result = submit_file(
            engine,
            file,
            c,
            country=country or _country_of(engine, institution),
            institution=institution,
            period=parse_period(period),
        )
    except (SubmitError, ContractError, ProfileError, ManifestError, ValueError) as exc:
        raise _fail(str(exc).strip("\"'")) from exc
    finally:
        engine.dispose()
    print_report(result.report, console, lang)
    console.print(f"submission {result.submission_id}: {result.status} ({result.rows:,} rows)")
    raise typer.Exit(0 if result.status != "rejected" else 1)


def export(
    contract: Annotated[str, typer.Argument(help="Contract name, e.g. victims.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="File to write: .csv or .xlsx.")],
    institution: Annotated[
        str | None, typer.Option("--institution", help="Only this institution's records.")
    ] = None,
    submission: Annotated[
        int | None, typer.Option("--submission", help="Only the rows of this submission id.")
    ] = None,
    country: Annotated[str | None, typer.Option("--country")] = None,
    titles: Annotated[
        str | None, typer.Option("--titles", help="Header row in es or en titles, not names.")
    ] = None,
    database: DatabaseOption = None,
) -> None:
    """Export stored records in the contract's columns (formula-like cells neutralised)."""
    engine = init_store(database)
    try:
        c = get_contract(contract)
        with engine.connect() as conn:
            inst = None
            if institution is not None:
                code = country or _country_of(engine, institution)
                inst = conn.execute(
                    select(Institution.id).where(
                        Institution.country == code, Institution.code == institution
                    )
                ).scalar()
                if inst is None:
                    raise ExportError(f"institution {institution!r} is not registered for {code}")
            result = export_records(
                conn, c, output, institution_id=inst, submission_id=submission, lang=titles
            )
    except (ContractError, ExportError, SubmitError, OSError) as exc:
        raise _fail(str(exc).strip("\"'")) from exc
    finally:
        engine.dispose()
    note = f"; {result.neutralised} formula-like cells neutralised" if result.neutralised else ""
    console.print(f"[green]✓[/green] {result.rows:,} rows → {output}{note}")


def _progress(item: ManifestItem) -> None:
    console.print(f"  {item.file}: {item.status}")


def _summary(items: list[ManifestItem]) -> None:
    table = Table("file", "contract", "institution", "status", "rows", "errors", "submission")
    for i in items:
        r = i.result
        table.add_row(
            i.file,
            i.contract,
            i.institution,
            i.status,
            f"{r.rows:,}" if r else "",
            f"{r.report.error_count:,}" if r else i.problem[:60],
            str(r.submission_id) if r else "",
        )
    console.print(table)


def _contract_from_name(file: Path) -> str:
    return file.stem.split(".")[0]


def _country_of(engine: object, institution: str) -> str:
    with engine.connect() as conn:  # type: ignore[attr-defined]
        rows = conn.execute(
            select(Institution.country).where(Institution.code == institution)
        ).all()
    if len(rows) != 1:
        raise SubmitError(f"institution {institution!r}: give --country (found {len(rows)})")
    return str(rows[0][0])


def parse_period(text: str) -> tuple[date, date]:
    """'2024' -> the year; '2019-2024' -> those years; 'YYYY-MM-DD:YYYY-MM-DD' -> as given."""
    text = text.strip()
    if re.fullmatch(r"\d{4}", text):
        return date(int(text), 1, 1), date(int(text), 12, 31)
    m = re.fullmatch(r"(\d{4})-(\d{4})", text)
    if m:
        return date(int(m[1]), 1, 1), date(int(m[2]), 12, 31)
    if ":" in text:
        a, b = text.split(":", 1)
        return date.fromisoformat(a), date.fromisoformat(b)
    raise ValueError(f"period {text!r}: write 2024, 2019-2024 or 2024-01-01:2024-06-30")
