"""Benchmark: pseudonymise, then validate + import N victim rows into SQLite (and PostgreSQL
when OPSC_BENCH_POSTGRES_URL or OPSC_TEST_POSTGRES_URL is set), against DuckDB's bare
`read_csv` of the same file timed in the same run.

Rows come from the synthetic generator: a generated country's victims (clear identifiers)
are pooled into one institution's file and repeated with fresh agency ids up to N rows.
Each phase runs in its own process so its peak memory is its own.

    .venv/bin/python bench/intake.py            # 1,000,000 rows
    .venv/bin/python bench/intake.py --quick    # 100,000 rows, under 2 minutes

The last line of output is one JSON object with every figure.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import platform
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

PHASE = """
import sys, time, json, resource
from datetime import date
from pathlib import Path
phase, url, path = sys.argv[1], sys.argv[2], Path(sys.argv[3])
import duckdb
from opsc.intake.contracts import get_contract
from opsc.intake.importer import submit_file
from opsc.intake.pseudonym import load_key, pseudonymise_file
from opsc.records.db import connect
t0 = time.perf_counter()  # imports excluded: each phase times only its own work
_use = resource.getrusage(resource.RUSAGE_SELF)
cpu0 = _use.ru_utime + _use.ru_stime
if phase == "duckdb":
    con = duckdb.connect()
    con.execute("CREATE TABLE x AS SELECT * FROM read_csv(?, all_varchar = true)", [str(path)])
    rows = con.execute("SELECT count(*) FROM x").fetchone()[0]
    phases = {}
elif phase == "pseudonymise":
    rows = pseudonymise_file(path, Path(sys.argv[4]), load_key(Path(sys.argv[5]))).rows
    phases = {}
else:
    engine = connect(url)
    result = submit_file(engine, path, get_contract(phase), country="MX",
        institution="BENCH", period=(date(2000, 1, 1), date(2030, 12, 31)))
    if result.status != "imported":
        counts = result.report.as_dict()["error_counts"]
        sys.exit(json.dumps(counts) + repr(result.report.errors[:5]))
    rows = result.rows
    phases = {k: round(v, 2) for k, v in result.report.timings.items()}
seconds = time.perf_counter() - t0
use = resource.getrusage(resource.RUSAGE_SELF)  # every thread of this process
cpu = use.ru_utime + use.ru_stime - cpu0
peak = use.ru_maxrss / 1024
print(json.dumps({"rows": rows, "seconds": seconds, "cpu_seconds": cpu, "peak_mb": peak,
                  "phases": phases}))
"""


def run_phase(*args: str) -> dict[str, Any]:
    out = subprocess.run([sys.executable, "-c", PHASE, *args], capture_output=True, text=True)
    if out.returncode != 0:
        sys.exit(f"phase {args[0]} failed:\n{out.stderr[-3000:]}")
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def pooled_victims(folder: Path) -> tuple[list[str], list[list[str]]]:
    header: list[str] = []
    rows: list[list[str]] = []
    for path in sorted(folder.rglob("victims.csv")):
        with path.open(encoding="utf-8", newline="") as f:
            reader = csv.reader(f)
            header = next(reader)
            rows.extend(reader)
    return header, rows


def write_inputs(work: Path, n: int, children: int) -> tuple[Path, Path]:
    """cases.csv (one case per 2 victims) and clear victims.csv with n rows, from synth."""
    from opsc.synth.generate import generate

    generate("MX", children, "2019-2024", 7, work / "syn")
    header, pool = pooled_victims(work / "syn")
    vid, cid = header.index("agency_victim_id"), header.index("agency_case_id")
    n_cases = max(1, n // 2)
    cases = work / "cases.csv"
    with cases.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(["agency_case_id", "date_reported", "date_offence", "offences"])
        for k in range(n_cases):
            w.writerow([f"K{k:08d}", "2024-06-02", "", "SALE_SEXUAL"])
    victims = work / "victims_clear.csv"
    with victims.open("w", encoding="utf-8", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        for i in range(n):
            row = list(pool[i % len(pool)])
            row[vid] = f"B{i:08d}"
            row[cid] = f"K{i % n_cases:08d}"
            w.writerow(row)
    return cases, victims


def prepare_store(url: str) -> None:
    from opsc.records.db import init_store, session
    from opsc.records.institutions import Institution

    engine = init_store(url)
    with session(engine) as s:
        s.add(Institution(country="MX", code="BENCH", name="Bench", type="POLICE", level="state"))
    engine.dispose()


@contextmanager
def fresh_postgres(server: str) -> Iterator[str]:
    """A new, empty database on the server, dropped afterwards."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    url = make_url(server).set(drivername="postgresql+psycopg")
    name = f"opsc_bench_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield url.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def measure(name: str, url: str, cases: Path, victims: Path, figures: dict[str, object]) -> None:
    prepare_store(url)
    c = run_phase("cases", url, str(cases))
    v = run_phase("victims", url, str(victims))
    figures[f"{name}_cases_rows"] = int(c["rows"])
    figures[f"{name}_cases_seconds"] = round(c["seconds"], 1)
    figures[f"{name}_victims_seconds"] = round(v["seconds"], 1)
    figures[f"{name}_victims_cpu_seconds"] = round(v["cpu_seconds"], 1)
    figures[f"{name}_victims_peak_mb"] = round(v["peak_mb"])
    figures[f"{name}_victims_phases"] = v["phases"]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="100,000 rows")
    parser.add_argument("--rows", type=int, default=None)
    args = parser.parse_args()
    n = args.rows or (100_000 if args.quick else 1_000_000)
    figures: dict[str, object] = {
        "benchmark": "intake",
        "rows": n,
        "machine": f"{os.cpu_count()} cores, {platform.system()}",
        "load_average_start": Path("/proc/loadavg").read_text().split()[:3],
    }
    with tempfile.TemporaryDirectory(prefix="opsc-bench-intake-") as tmp:
        work = Path(tmp)
        t = time.perf_counter()
        cases, clear = write_inputs(work, n, 3000 if args.quick else 20000)
        figures["prepare_seconds"] = round(time.perf_counter() - t, 1)
        from opsc.intake.pseudonym import generate_key

        generate_key(work / "key", "bench")
        victims = work / "victims.csv"
        p = run_phase("pseudonymise", "", str(clear), str(victims), str(work / "key"))
        figures["pseudonymise_seconds"] = round(p["seconds"], 1)
        figures["pseudonymise_cpu_seconds"] = round(p["cpu_seconds"], 1)
        figures["pseudonymise_peak_mb"] = round(p["peak_mb"])
        duck = run_phase("duckdb", "", str(victims))
        figures["duckdb_read_csv_seconds"] = round(duck["seconds"], 2)
        figures["duckdb_read_csv_cpu_seconds"] = round(duck["cpu_seconds"], 2)
        measure("sqlite", f"sqlite:///{work / 'bench.db'}", cases, victims, figures)
        pg = os.environ.get("OPSC_BENCH_POSTGRES_URL") or os.environ.get("OPSC_TEST_POSTGRES_URL")
        if pg:
            with fresh_postgres(pg) as url:
                measure("postgresql", url, cases, victims, figures)
        else:
            figures["postgresql"] = "not run (set OPSC_BENCH_POSTGRES_URL)"
        for name in ("sqlite", "postgresql"):
            if f"{name}_victims_seconds" in figures:
                ratio = float(figures[f"{name}_victims_seconds"]) / duck["seconds"]  # type: ignore[arg-type]
                figures[f"{name}_ratio_to_duckdb"] = round(ratio, 1)
    figures["load_average_end"] = Path("/proc/loadavg").read_text().split()[:3]
    for key, value in figures.items():
        print(f"{key:>28}: {value}")
    print(json.dumps(figures))


if __name__ == "__main__":
    main()
