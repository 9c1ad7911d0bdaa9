"""Ingest + gate throughput and memory per feed, against DuckDB's own CSV reader as the floor.

    xzh bench [--scale 0.1] [--population-scale-1]

Each feed runs in a fresh process (peak memory is that process's and its
parse workers'). The floor is DuckDB ``read_csv`` → Parquet on the same CSV
content (GB18030 files through untimed UTF-8 copies; DuckDB cannot read XLSX
without an extension that cannot be installed here, so roster feeds have no
floor). The ratio compares rows per second.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from ingest.config import REPO_ROOT, load_config
from ingest.contract import LOAD_ORDER

BENCH_ROOT = REPO_ROOT / "var" / "bench"


def _city(scale: float, end: str | None = None) -> Path:
    name = f"city-{scale:g}" + (f"-to-{end}" if end else "")
    out = BENCH_ROOT / name
    if not (out / "truth" / "deliveries.parquet").exists():
        command = [sys.executable, "-m", "synthcity", "generate", "--scale", str(scale)]
        command += ["--out", str(out)] + (["--end", end] if end else [])
        subprocess.run(command, check=True, stdout=subprocess.DEVNULL)
    return out


class PeakMemory:
    """Samples this process's RSS plus its children's unique memory (parse workers are
    forked: their shared pages are this process's) and keeps the peak, in MB."""

    def __init__(self, every: float = 0.2) -> None:
        import threading

        self.peak = 0.0
        self._every = every
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)

    def _sample(self) -> None:
        import psutil

        me = psutil.Process()
        while not self._stop.is_set():
            total = me.memory_info().rss
            for child in me.children(recursive=True):
                with contextlib.suppress(psutil.Error):  # a worker that just ended
                    total += child.memory_full_info().uss
            self.peak = max(self.peak, total / 2**20)
            self._stop.wait(self._every)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()


def one_feed(inbox: str, data: str, feed: str) -> dict[str, float]:
    """Run in a child process: ingest one feed (its registry feeds first, not timed)."""
    from ingest.pipeline import ingest_feed

    config = load_config(inbox, data)
    from expectations.gate import Gate

    gate = Gate(Path(data) / "gx")  # GX import (~6 s) is per process, not per file: not timed
    if feed not in ("institution", "team"):
        for reference in ("institution", "team"):
            ingest_feed(reference, config, gate)
    gate_seconds = _time_gate_decisions(gate)
    start = time.perf_counter()
    with PeakMemory() as memory:
        report = ingest_feed(feed, config, gate)
    seconds = time.perf_counter() - start
    from ingest.ledger import Ledger

    ledger = Ledger(Path(data) / "ledger").read(feed)
    return {
        "files": report.new_files,
        "rows": int(ledger.rows_in.sum()),
        "seconds": seconds,
        "gate_seconds": gate_seconds[0],
        "peak_mb": memory.peak,
    }


def _time_gate_decisions(gate: Any) -> list[float]:
    """Wraps ``gate.check`` to sum its seconds: profiling the batches not profiled while
    landing, plus the GX checkpoint run. The GX run is a fixed cost per feed and run
    (~0.3 s), which is what the tiny registry feeds' ratio mostly measures."""
    total = [0.0]
    check = gate.check

    def timed(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return check(*args, **kwargs)
        finally:
            total[0] += time.perf_counter() - start

    gate.check = timed
    return total


def floor(inbox: Path, feed: str) -> dict[str, float] | None:
    """DuckDB read_csv → Parquet over the feed's CSV files (all columns as text).

    DuckDB cannot decode GB18030 without an extension, so those files are first
    transcoded to UTF-8 copies (not timed): the floor reads the same content.
    """
    import duckdb

    from ingest.parse import detect_encoding

    sources = sorted((inbox / feed).rglob("*.csv"))
    if not sources:
        return None
    work = Path(tempfile.mkdtemp(prefix="xzh-floor-"))
    files = []
    for i, path in enumerate(sources):
        data = path.read_bytes()
        if detect_encoding(data) == "gb18030":
            copy = work / f"{i}.csv"
            copy.write_bytes(data.decode("gb18030", errors="replace").encode("utf-8"))
            files.append(str(copy))
        else:
            files.append(str(path))
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")  # not settable at connect in DuckDB 2
    total_rows = 0
    start = time.perf_counter()
    # union_by_name opens every file at once: in chunks, under the open-files limit
    # (20,000 here; a daily feed at scale 0.1 delivers more files than that in a year)
    for n, first in enumerate(range(0, len(files), FLOOR_FILES_PER_READ)):
        chunk = files[first : first + FLOOR_FILES_PER_READ]
        rows = con.execute(
            "copy (select * from read_csv(?, all_varchar = true, union_by_name = true,"
            " ignore_errors = true, header = true)) to ? (format parquet, compression zstd)",
            [chunk, str(work / f"floor-{n}.parquet")],
        ).fetchone()
        total_rows += int(rows[0]) if rows else 0
    seconds = time.perf_counter() - start
    con.close()
    shutil.rmtree(work)
    return {"files": len(files), "rows": total_rows, "seconds": seconds}


FLOOR_FILES_PER_READ = 5_000


def _run_child(inbox: Path, data: Path, feed: str) -> dict[str, float]:
    code = (
        "import json, sys; from xzh.bench import one_feed; "
        "print(json.dumps(one_feed(sys.argv[1], sys.argv[2], sys.argv[3])))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code, str(inbox), str(data), feed],
        check=True,
        capture_output=True,
        text=True,
    )
    return json.loads(result.stdout.strip().splitlines()[-1])


def bench_feeds(scale: float, feeds: tuple[str, ...] = LOAD_ORDER) -> None:
    city = _city(scale)
    inbox = city / "inbox"
    print(f"ingest + gate at scale {scale:g} ({inbox})")
    print(
        f"{'feed':<13}{'files':>8}{'rows':>12}{'s':>8}{'gate s':>8}{'rows/s':>11}"
        f"{'peak MB':>9}{'floor rows/s':>14}{'ratio':>7}"
    )
    for feed in feeds:
        data = Path(tempfile.mkdtemp(prefix="xzh-bench-"))
        try:
            got = _run_child(inbox, data, feed)
        finally:
            shutil.rmtree(data, ignore_errors=True)
        base = floor(inbox, feed)
        rate = got["rows"] / got["seconds"] if got["seconds"] else 0.0
        floor_rate = base["rows"] / base["seconds"] if base and base["seconds"] else None
        ratio = f"{floor_rate / rate:6.1f}x" if floor_rate and rate else "   n/a"
        floor_text = f"{floor_rate:>14,.0f}" if floor_rate else f"{'n/a (xlsx)':>14}"
        print(
            f"{feed:<13}{got['files']:>8,}{got['rows']:>12,}{got['seconds']:>8.1f}"
            f"{got['gate_seconds']:>8.1f}{rate:>11,.0f}"
            f"{got['peak_mb']:>9,.0f}{floor_text}{ratio}"
        )


def bench_population_scale_1() -> None:
    """One month of a scale-1 city: two 9-million-row population snapshots through the gate."""
    city = _city(1.0, end="2025-10-31")
    data = Path(tempfile.mkdtemp(prefix="xzh-bench-"))
    try:
        got = _run_child(city / "inbox", data, "population")
    finally:
        shutil.rmtree(data, ignore_errors=True)
    per_file = got["seconds"] / max(got["files"], 1)
    rate = got["rows"] / got["seconds"]
    base = floor(city / "inbox", "population")
    assert base is not None
    floor_rate = base["rows"] / base["seconds"]
    print(
        f"population at scale 1: {got['files']} snapshots, {got['rows']:,} rows, "
        f"{got['seconds']:.1f} s ({per_file:.1f} s per snapshot), "
        f"{rate:,.0f} rows/s, peak {got['peak_mb']:,.0f} MB; floor {base['seconds']:.1f} s "
        f"({floor_rate:,.0f} rows/s), ratio {floor_rate / rate:.1f}x"
    )


def main(argv: list[str] | None = None) -> None:
    import argparse

    parser = argparse.ArgumentParser(prog="xzh bench", description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=0.1)
    parser.add_argument("--population-scale-1", action="store_true")
    parser.add_argument(
        "--feed", action="append", choices=LOAD_ORDER, help="only these feeds (repeatable)"
    )
    args = parser.parse_args(argv)
    bench_feeds(args.scale, tuple(args.feed or LOAD_ORDER))
    if args.population_scale_1:
        bench_population_scale_1()


if __name__ == "__main__":
    main()
