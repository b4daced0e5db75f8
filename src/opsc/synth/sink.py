"""Where finished tables go: written as soon as they are built.

Files are written by Arrow's CSV writer (see output.py), in-process, or, when a second
core is idle, by a forked child process while the parent builds the next table
(copy-on-write: nothing is pickled). One writer at a time, so appends to the truth record
map stay in order and output stays byte-identical. The caller drops each table after
`emit`, so a million-record country never holds every table at once.
"""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Mapping
from multiprocessing.process import BaseProcess
from pathlib import Path
from typing import Any

import numpy as np

from opsc import settings
from opsc.synth.capture import Institution
from opsc.synth.columns import Cells, Table, length
from opsc.synth.output import TRUTH_DIR, institution_folder, split_by_institution, write_table
from opsc.synth.params import SynthError

RecordMap = Callable[[str, Table], Mapping[str, Cells] | None]


def _parallel_default() -> bool:
    """Fork a writer only when a second core is idle (and fork exists; `1` forbids it).

    Measured on 1,000,000 children: the writer's copy-on-write page faults cost about
    5 s of CPU; with a free core that buys overlap, but when other work keeps both cores
    busy the in-process writer finishes sooner. Output is byte-identical either way."""
    if settings.get("synth_writers") == "1" or not hasattr(os, "fork"):
        return False
    cores = os.cpu_count() or 1
    return cores >= 2 and os.getloadavg()[0] < cores - 1


class Sink:
    def __init__(
        self,
        out: Path,
        registry: list[Institution],
        fmt: str,
        period: tuple[str, str],
        record_map: RecordMap,
        mapped: frozenset[str],
        parallel: bool | None = None,
    ) -> None:
        self.out, self.registry, self.fmt, self.period = out, registry, fmt, period
        self.entries: dict[str, list[dict[str, Any]]] = {}
        self.rows: dict[str, int] = {}
        self.record_map, self.mapped = record_map, mapped
        self.parallel = _parallel_default() if parallel is None else parallel
        self._writer: BaseProcess | None = None
        self._contract = ""
        self._maps = 0

    def emit(self, contract: str, table: Table) -> None:
        self.rows[contract] = length(table)
        self.entries[contract] = self._entries(contract, table)
        first_map = self._maps == 0
        if length(table) and contract in self.mapped:
            self._maps += 1
        self._run(contract, _write, (self, contract, table, first_map))

    def write_file(self, path: Path, table: Mapping[str, Cells]) -> None:
        """Write one CSV (a truth file) on the writer, like a contract."""
        self._run(path.name, write_table, (path, table, "csv"))

    def _run(self, what: str, job: Callable[..., None], args: tuple[Any, ...]) -> None:
        self.wait()
        if not self.parallel:
            job(*args)
            return
        ctx = multiprocessing.get_context("fork")
        self._writer = ctx.Process(target=job, args=args)
        self._contract = what
        self._writer.start()

    def wait(self) -> None:
        """Block until the running writer has finished; raise if it failed."""
        if self._writer is None:
            return
        self._writer.join()
        code = self._writer.exitcode
        self._writer = None
        if code != 0:
            raise SynthError(f"writing the {self._contract} files failed (exit code {code})")

    def _entries(self, contract: str, table: Table) -> list[dict[str, Any]]:
        """Manifest entries (institution order), computed without writing anything."""
        if not length(table):
            return []
        codes, counts = np.unique(table["_inst"], return_counts=True)
        return [
            {
                "file": f"{institution_folder(self.registry[i])}/{contract}.{self.fmt}",
                "contract": contract,
                "institution": self.registry[i].code,
                "period_start": self.period[0],
                "period_end": self.period[1],
                "rows": int(n),
            }
            for i, n in zip(codes.tolist(), counts.tolist(), strict=True)
        ]

    def ordered(self, order: tuple[str, ...]) -> list[dict[str, Any]]:
        return [e for contract in order for e in self.entries.get(contract, [])]


def _write(sink: Sink, contract: str, table: Table, first_map: bool) -> None:
    split_by_institution(sink.out, contract, table, sink.registry, sink.fmt, sink.period)
    mapped = sink.record_map(contract, table) if length(table) and contract in sink.mapped else None
    if mapped is not None:
        path = sink.out / TRUTH_DIR / "record_map.csv"
        write_table(path, mapped, "csv", append=not first_map)
