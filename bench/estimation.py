"""Benchmark: multiple systems estimation on the published data, bootstrap, coverage, ITS.

Anchor: 200 statsmodels Poisson GLM fits of the UK main-effects model, timed in the same
run; every timing is also printed as a ratio to it. Targets (issue 9, 2 cores): UK BHS
selection ≤ 2 s; all published datasets in one run ≤ 60 s without bootstraps; a
1,000-replicate BCa bootstrap on UK ≤ 60 s. `--quick` (under 2 minutes) uses 200 bootstrap
replicates and 20 coverage replications. The last line is one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import time
from collections.abc import Callable
from datetime import date
from typing import Any

import numpy as np

from opsc.estimation.bhs import Selection, select_bhs
from opsc.estimation.datasets import load_dataset
from opsc.estimation.its import interrupted_time_series, make_series
from opsc.estimation.linkstudy import threshold_study
from opsc.estimation.loglinear import statsmodels_fit
from opsc.estimation.mse import estimate_mse
from opsc.estimation.profile import ProfileInterval, profile_interval
from opsc.estimation.reproduce import REPRODUCTIONS
from opsc.estimation.simulate import Scenario, simulate
from opsc.estimation.synthcountry import synthetic_country, with_linkage_noise
from opsc.estimation.table import OverlapTable

# published 95 % BCa intervals (published_estimates.csv) for the bootstrap comparison
PUBLISHED_BCA: dict[tuple[str, str], tuple[float, float]] = {
    ("UKdat_5", "BIC order 2"): (11456, 43894),
    ("UKdat_5", "BIC order 4"): (11168, 56052),
    ("NewOrl", "sparse"): (717, 1657),
    ("NewOrl", "main effects"): (644, 1618),
    ("NewOrl_5", "sparse"): (589, 1703),
    ("Western", "sparse"): (1293, 3670),
    ("Kosovo", "BIC order 3"): (6947, 18010),
    ("Kosovo", "BIC order 2"): (12451, 16273),
    ("Korea", "BIC"): (128, 349),
}

# bootstraps beside the published intervals (UK BHS is timed separately; BIC order 4
# on UKdat_5 would refit 100 models per replicate)
BOOTSTRAPPED = set(PUBLISHED_BCA) - {("UKdat_5", "BIC order 4")}


CPU: dict[str, float] = {}  # CPU seconds (this process and its workers) of the last timed()


def _cpu() -> float:
    own = resource.getrusage(resource.RUSAGE_SELF)
    kids = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + kids.ru_utime + kids.ru_stime


def timed(fn: Callable[[], Any]) -> tuple[Any, float]:
    """Value and wall seconds; CPU["last"] holds the CPU seconds, which a machine shared
    with other jobs does not inflate."""
    start, cpu = time.perf_counter(), _cpu()
    value = fn()
    CPU["last"] = _cpu() - cpu
    return value, time.perf_counter() - start


def anchor() -> tuple[float, float]:
    """Wall and CPU seconds of 200 statsmodels GLM fits of the UK main-effects model."""
    table = load_dataset("UKdat")
    _, seconds = timed(lambda: [statsmodels_fit(table, ()) for _ in range(200)])
    return seconds, CPU["last"]


def its_null_rate(reps: int, rho: float, seed: int = 7) -> float:
    rng = np.random.default_rng(seed)
    n, first_post = 60, 30
    periods = [f"{2012 + i // 12}-{i % 12 + 1:02d}" for i in range(n)]
    false = 0
    for _ in range(reps):
        noise = np.zeros(n)
        for i, e in enumerate(rng.normal(0, 1, n)):
            noise[i] = (rho * noise[i - 1] if i else 0.0) + e
        series = make_series("x", periods, list(20 + 0.1 * np.arange(n) + noise))
        result = interrupted_time_series(series, date(2014, 6, 15))
        assert result.first_post == first_post
        false += result.level_change.p_value < 0.05
    return false / reps


def coverage(scenario: Scenario, method: str, reps: int) -> dict[str, float]:
    hits, estimates = 0, []
    for seed in range(reps):
        r = estimate_mse(simulate(scenario, seed), method)  # type: ignore[arg-type]
        hits += r.ci_low <= scenario.size <= r.ci_high
        estimates.append(r.estimate)
    return {"coverage": hits / reps, "median_estimate": round(float(np.median(estimates)), 1)}


def bhs_with_profile(table: OverlapTable) -> tuple[Selection, ProfileInterval]:
    selection = select_bhs(table)
    return selection, profile_interval(selection.fit)


def synthetic_country_study(seeds: int) -> dict[str, Any]:
    """Estimate, interval and truth on the synthetic country; linkage sensitivity (seed 1)."""
    runs = []
    for seed in range(1, seeds + 1):
        country = synthetic_country("MX", children=3000, year=2023, seed=seed)
        for method in ("bhs", "sparse", "downhill"):
            r = estimate_mse(country.table, method)  # type: ignore[arg-type]
            runs.append(
                {
                    "seed": seed,
                    "method": method,
                    "truth": country.truth,
                    "recorded": country.recorded,
                    "estimate": round(r.estimate),
                    "ci": [round(r.ci_low), round(r.ci_high)],
                    "covered": r.ci_low <= country.truth <= r.ci_high,
                }
            )
    country = synthetic_country("MX", children=3000, year=2023, seed=1)
    sensitivity = []
    for split, merge in ((0.0, 0.0), (0.05, 0.0), (0.1, 0.0), (0.2, 0.0), (0.0, 0.02), (0.0, 0.05)):
        table = with_linkage_noise(country.table, split, merge, seed=1)
        r = estimate_mse(table, "bhs")
        sensitivity.append(
            {
                "split": split,
                "merge": merge,
                "people": table.observed,
                "estimate": round(r.estimate),
                "ci": [round(r.ci_low), round(r.ci_high)],
            }
        )
    return {"runs": runs, "linkage_sensitivity_seed1": sensitivity, "truth": country.truth}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer replicates (< 2 minutes)")
    args = parser.parse_args()
    boot_n = 200 if args.quick else 1000
    reps = 20 if args.quick else 50
    workers = min(2, os.cpu_count() or 1)
    out: dict[str, Any] = {
        "quick": args.quick,
        "machine": platform.platform(),
        "load_average": os.getloadavg()[0],
    }

    ref, ref_cpu = anchor()
    out["anchor_seconds"], out["anchor_cpu_seconds"] = round(ref, 3), round(ref_cpu, 3)
    print(f"anchor: 200 statsmodels GLM fits in {ref:.2f} s ({ref_cpu:.2f} s CPU)")

    uk = load_dataset("UKdat")
    (sel, prof), wall = timed(lambda: bhs_with_profile(uk))
    out["uk_bhs"] = {
        "seconds": round(wall, 3),
        "cpu_seconds": round(CPU["last"], 3),
        "ratio_cpu": round(CPU["last"] / ref_cpu, 3),
    }
    print(
        f"UK BHS selection + profile: {wall:.2f} s, {CPU['last']:.2f} s CPU (target 2 s); "
        f"{sel.fit.estimate:.0f}, profile {prof.estimate:.0f} [{prof.low:.0f}, {prof.high:.0f}]"
    )

    rows, total_wall, total_cpu = [], 0.0, 0.0
    for rep in REPRODUCTIONS:
        value, wall = timed(lambda rep=rep: rep.fit().estimate)
        total_wall, total_cpu = total_wall + wall, total_cpu + CPU["last"]
        rows.append(
            {
                "dataset": rep.dataset,
                "method": rep.label,
                "published": rep.published,
                "ours": round(value, 2),
                "diff": round(value - rep.published, 2),
                "cpu_seconds": round(CPU["last"], 2),
            }
        )
        print(
            f"{rep.dataset:9s} {rep.label:14s} published {rep.published:>9} "
            f"ours {value:10.2f} ({CPU['last']:.2f} s CPU)"
        )
    out["published"] = rows
    out["published_run"] = {
        "seconds": round(total_wall, 2),
        "cpu_seconds": round(total_cpu, 2),
        "ratio_cpu": round(total_cpu / ref_cpu, 2),
    }
    print(f"all published estimates: {total_wall:.1f} s, {total_cpu:.1f} s CPU (target 60 s)")

    result, wall = timed(
        lambda: estimate_mse(uk, "bhs", bootstrap=boot_n, seed=2024, workers=workers)
    )
    boot = result.bootstrap
    assert boot is not None
    cpu = CPU["last"]
    out["uk_bootstrap"] = {
        "replicates": boot_n,
        "workers": workers,
        "seconds": round(wall, 2),
        "cpu_seconds": round(cpu, 2),
        "per_1000_cpu_seconds": round(cpu * 1000 / boot_n, 1),
        "per_1000_two_free_cores_seconds": round(cpu * 1000 / boot_n / workers, 1),
        "ratio_cpu": round(cpu / ref_cpu, 2),
        "bca": [round(boot.low), round(boot.high)],
        "profile": [
            round(result.details["model_ci"]["ci_low"]),
            round(result.details["model_ci"]["ci_high"]),
        ],
    }
    print(
        f"UK BHS BCa bootstrap, {boot_n} replicates, {workers} workers: {wall:.1f} s, "
        f"{cpu:.1f} s CPU → [{boot.low:.0f}, {boot.high:.0f}]"
    )

    beside = []
    for rep in REPRODUCTIONS:
        name, label = rep.dataset, rep.label
        if (name, label) not in BOOTSTRAPPED or (args.quick and name != "Korea"):
            continue
        r, wall = timed(
            lambda rep=rep: estimate_mse(
                load_dataset(rep.dataset),
                bootstrap=boot_n,
                seed=1234,
                workers=workers,
                **rep.options,
            )
        )
        ci = PUBLISHED_BCA.get((name, label))
        beside.append(
            {
                "dataset": name,
                "method": label,
                "estimate": round(r.estimate),
                "bca": [round(r.ci_low), round(r.ci_high)],
                "published_bca": list(ci) if ci else None,
                "cpu_seconds": round(CPU["last"], 1),
            }
        )
        print(
            f"BCa {name} {label}: [{r.ci_low:.0f}, {r.ci_high:.0f}] published {ci} "
            f"({CPU['last']:.1f} s CPU)"
        )
    out["bootstrap_beside_published"] = beside

    scenarios = {
        "independent": Scenario(),
        "dependence_A_B_1.5": Scenario(dependence=1.5),
        "heterogeneity_sd_1": Scenario(heterogeneity=1.0),
        "linkage_split_0.2": Scenario(split=0.2),
        "linkage_merge_0.05": Scenario(merge=0.05),
    }
    cov: dict[str, Any] = {}
    for key, sc in scenarios.items():
        cov[key] = {m: coverage(sc, m, reps) for m in ("bhs", "sparse")}
        print(f"coverage {key}: {cov[key]}")
    out["coverage"] = {"truth": 2000, "replications": reps, **cov}

    out["synthetic_country"] = synthetic_country_study(2 if args.quick else 5)
    for run in out["synthetic_country"]["runs"]:
        print(f"synthetic country: {run}")
    for row in out["synthetic_country"]["linkage_sensitivity_seed1"]:
        print(f"linkage sensitivity: {row}")

    thresholds = (0.5, 0.9, 0.999) if args.quick else (0.3, 0.5, 0.8, 0.9, 0.99, 0.999)
    out["linkage_threshold_study"] = [
        threshold_study(Scenario(size=2000), thresholds, seed=3, noise_scale=scale)
        for scale in ((1.0,) if args.quick else (1.0, 2.5))
    ]
    for study in out["linkage_threshold_study"]:
        print(
            f"linkage threshold study (noise x{study['noise_scale']}): truth {study['truth']}, "
            f"perfect {study['perfect']}, runs {study['runs']}"
        )

    out["its_null_level_rejection"] = {
        rho: its_null_rate(100 if args.quick else 400, rho) for rho in (0.0, 0.3, 0.6)
    }
    print(f"ITS level-change false-positive rate at 5 %: {out['its_null_level_rejection']}")
    print(json.dumps(out))


if __name__ == "__main__":
    main()
