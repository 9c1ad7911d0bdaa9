"""``synthcity``: generate the synthetic city, or benchmark its generation.

synthcity generate --scale 0.01 --out var/city        # demo city: inbox + truth
synthcity generate --scale 1 --seed 7 --start 2025-10-01 --end 2026-09-30
synthcity bench --scales 0.01 0.1 1                  # seconds, rows, peak memory
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from .config import CityConfig, DefectRates

DEFAULT_OUT = Path("var/city")


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {text!r}") from None


def _defect_override(text: str) -> tuple[str, float]:
    name, _, value = text.partition("=")
    known = {f.name for f in dataclasses.fields(DefectRates)}
    if name not in known:
        raise argparse.ArgumentTypeError(
            f"unknown defect {name!r}; known: {', '.join(sorted(known))}"
        )
    try:
        return name, float(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"defect rate must be a number: {text!r}") from None


def config_from(args: argparse.Namespace) -> CityConfig:
    rates = DefectRates.none() if args.clean else DefectRates()
    if args.defect:
        rates = dataclasses.replace(rates, **dict(args.defect))
    return CityConfig(
        scale=args.scale, start=args.start, end=args.end, seed=args.seed, defects=rates
    )


def _generate(args: argparse.Namespace) -> int:
    from .city import generate

    config = config_from(args)
    print(f"synthcity: scale {config.scale}, {config.start} … {config.end}, seed {config.seed}")
    summary = generate(config, args.out, workers=args.workers)
    table = summary.rows_by_feed()
    print(f"\n{summary.persons:,} persons; deliveries written to {args.out / 'inbox'}")
    print(table.to_string())
    print(
        f"total: {int(table['files'].sum()):,} files, {int(table['rows'].sum()):,} rows, "
        f"{table['megabytes'].sum():,.1f} MB; ground truth in {args.out / 'truth'}"
    )
    print(f"generation took {sum(summary.seconds.values()):.1f} s")
    return 0


def _bench(args: argparse.Namespace) -> int:
    """Each scale in its own process, so peak memory is that scale's alone."""
    print(
        f"{'scale':>6} {'seconds':>8} {'files':>8} {'rows':>12} {'rows/s':>10} {'MB':>8} "
        f"{'peak MB':>8}"
    )
    for scale in args.scales:
        with tempfile.TemporaryDirectory(prefix="synthcity-bench-") as tmp:
            out = Path(tmp) / "city"
            started = time.perf_counter()
            proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "synthcity",
                    "generate",
                    "--scale",
                    str(scale),
                    "--seed",
                    str(args.seed),
                    "--out",
                    str(out),
                ],
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                text=True,
            )
            _, status, usage = os.wait4(proc.pid, 0)
            seconds = time.perf_counter() - started
            output = proc.stdout.read() if proc.stdout else ""
            if status != 0:
                print(output)
                return 1
            import pandas as pd

            files = pd.read_parquet(out / "truth" / "deliveries.parquet")
            rows = int(files["data_rows"].sum())
            print(
                f"{scale:>6} {seconds:>8.1f} {len(files):>8,} {rows:>12,} {rows / seconds:>10,.0f} "
                f"{files['bytes'].sum() / 1e6:>8,.0f} {usage.ru_maxrss / 1024:>8,.0f}"
            )
            if args.verbose:
                print(output)
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="synthcity", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    commands = parser.add_subparsers(dest="command", required=True)
    gen = commands.add_parser("generate", help="write a city's deliveries and ground truth")
    gen.add_argument(
        "--scale", type=float, default=0.01, help="share of the real city (1 = 9.1 M residents)"
    )
    gen.add_argument(
        "--start", type=_date, default=CityConfig.start, help="first day (default 2025-10-01)"
    )
    gen.add_argument(
        "--end", type=_date, default=CityConfig.end, help="last day (default 2026-09-30)"
    )
    gen.add_argument("--seed", type=int, default=CityConfig.seed)
    gen.add_argument("--out", type=Path, default=DEFAULT_OUT, help="folder for inbox/ and truth/")
    gen.add_argument("--clean", action="store_true", help="no delivery defects at all")
    gen.add_argument(
        "--defect",
        type=_defect_override,
        action="append",
        metavar="NAME=RATE",
        help="override one defect rate (repeatable), e.g. --defect gb18030_file=0.5",
    )
    gen.add_argument(
        "--workers",
        type=int,
        default=2,
        help="processes writing files (default 2; 1 uses the least memory)",
    )
    gen.set_defaults(run=_generate)
    bench = commands.add_parser("bench", help="time generation at several scales")
    bench.add_argument("--scales", type=float, nargs="+", default=[0.01, 0.1, 1.0])
    bench.add_argument("--seed", type=int, default=CityConfig.seed)
    bench.add_argument("--verbose", action="store_true", help="also print each run's stage times")
    bench.set_defaults(run=_bench)
    args = parser.parse_args(argv)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
