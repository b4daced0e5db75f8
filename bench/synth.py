"""Benchmark: generate a synthetic country with about 1,000,000 victim records.

Target (issue 3): 1,000,000 victim records (all institutions) in <= 60 s and <= 4 GB peak
on a 2-core machine. The generator runs in a child process so its peak memory is its own.
Anchor, same run: pandas `DataFrame.to_csv` writing a table of the victim files' shape
(same rows, 21 text columns) — the cost of only writing the victims with a standard tool.
Prints one JSON object last.

    python bench/synth.py [--quick] [--children N] [--country MX]
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import os
import platform
import resource
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from opsc.synth import generate


def _run(country: str, children: int, out: str, queue: Any) -> None:
    from opsc.synth.sink import _parallel_default

    forked = _parallel_default()  # what the generator decides at its start (load-based)
    start = time.perf_counter()
    result = generate(country, children, "2019-2024", 7, out)
    seconds = time.perf_counter() - start
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    main = resource.getrusage(resource.RUSAGE_SELF)
    writers = resource.getrusage(resource.RUSAGE_CHILDREN)
    queue.put(
        {
            "seconds": seconds,
            "peak_kib": peak_kib,
            "rows": result.rows,
            "recorded": result.recorded_children,
            "cpu_main": main.ru_utime + main.ru_stime,
            "cpu_writers": writers.ru_utime + writers.ru_stime,
            "writer": "forked" if forked else "in-process",
        }
    )


def _tree_memory_kib(pid: int) -> tuple[int, int]:
    """(RSS, PSS) of a process and all its descendants (Linux /proc), KiB.

    RSS counts copy-on-write pages shared with the forked writer twice (an upper bound);
    PSS shares them out, so its sum is the physical memory the tree really uses."""
    rss = pss = 0
    todo = [pid]
    while todo:
        p = todo.pop()
        try:
            for line in Path(f"/proc/{p}/smaps_rollup").read_text().splitlines():
                if line.startswith("Rss:"):
                    rss += int(line.split()[1])
                elif line.startswith("Pss:"):
                    pss += int(line.split()[1])
            for task in Path(f"/proc/{p}/task").iterdir():
                todo += [int(c) for c in (task / "children").read_text().split()]
        except (OSError, ValueError):
            continue
    return rss, pss


def _watch(pid: int, peak: list[int], stop: threading.Event) -> None:
    while not stop.is_set():
        rss, pss = _tree_memory_kib(pid)
        peak[0], peak[1] = max(peak[0], rss), max(peak[1], pss)
        stop.wait(0.1)


def anchor(rows: int, folder: Path) -> float:
    """Seconds for pandas to write `rows` x 21 text columns (victim file shape)."""
    rng = np.random.default_rng(1)
    words = np.array([f"value{i}" for i in range(1000)], dtype=object)
    frame = pd.DataFrame({f"c{j}": words[rng.integers(0, 1000, rows)] for j in range(21)})
    start = time.perf_counter()
    frame.to_csv(folder / "anchor.csv", index=False)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--quick", action="store_true", help="100,000 children (~1 minute)")
    parser.add_argument("--children", type=int, default=None)
    parser.add_argument("--country", default="MX")
    args = parser.parse_args()
    children = args.children or (100_000 if args.quick else 1_000_000)
    load_before = round(os.getloadavg()[0], 2)
    with tempfile.TemporaryDirectory() as tmp:
        ctx = multiprocessing.get_context("spawn")
        queue = ctx.Queue()
        proc = ctx.Process(
            target=_run, args=(args.country, children, str(Path(tmp) / "out"), queue)
        )
        proc.start()
        peak, stop = [0, 0], threading.Event()
        watcher = threading.Thread(target=_watch, args=(proc.pid, peak, stop), daemon=True)
        watcher.start()
        cpu0 = os.times()
        figures = queue.get()
        proc.join()
        stop.set()
        watcher.join()
        cpu1 = os.times()
        cpu_s = (cpu1.children_user - cpu0.children_user) + (
            cpu1.children_system - cpu0.children_system
        )
        victims = int(figures["rows"]["victims"])
        anchor_s = anchor(victims, Path(tmp))
        total_rows = sum(int(v) for v in figures["rows"].values())
    peak_gb = max(peak[1], figures["peak_kib"]) / 1024**2  # PSS of the tree, or the main RSS
    peak_rss_gb = peak[0] / 1024**2
    result = {
        "benchmark": "synth",
        "country": args.country,
        "children": children,
        "children_recorded": figures["recorded"],
        "victim_records": victims,
        "submission_rows": total_rows,
        "seconds": round(figures["seconds"], 2),
        "peak_gb": round(peak_gb, 3),
        "peak_rss_sum_gb_upper_bound": round(peak_rss_gb, 3),
        "cpu_seconds_all_processes": round(cpu_s, 2),
        "cpu_seconds_main": round(figures["cpu_main"], 2),
        "cpu_seconds_writers": round(figures["cpu_writers"], 2),
        "load_average_1min_before": load_before,
        "load_average_1min_after": round(os.getloadavg()[0], 2),
        "writer": figures["writer"],
        "anchor_pandas_to_csv_victims_s": round(anchor_s, 2),
        "ratio_to_anchor": round(figures["seconds"] / anchor_s, 2),
        "seconds_per_million_victim_records": round(figures["seconds"] / victims * 1e6, 2),
        "target_met": bool(figures["seconds"] <= 60 and peak_gb <= 4 and victims >= 1_000_000),
        "machine": f"{platform.system()} {platform.machine()}, {multiprocessing.cpu_count()} cores",
        "quick": args.quick,
    }
    print(
        f"{victims:,} victim records ({total_rows:,} rows in all) in {result['seconds']} s "
        f"wall, {result['cpu_seconds_all_processes']} s CPU ({figures['writer']} writer), "
        f"peak {result['peak_gb']} GB; pandas writing the victims alone: {anchor_s:.1f} s"
    )
    print(json.dumps(result, sort_keys=True))


if __name__ == "__main__":
    main()
