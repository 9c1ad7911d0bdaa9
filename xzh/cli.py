"""``xzh``: ingest deliveries, build the warehouse, read the load ledger.

xzh run     [--inbox URL] [--data DIR]     ingest every feed, dbt build, print the ledger
xzh ingest  [--inbox URL] [--data DIR] [--feed F ...]
xzh build   [--data DIR] [--select SELECTOR]
xzh ledger  [--data DIR] [--problems N] [--csv FILE]
xzh report  [--data DIR] [--as-of YYYY-MM-DD] [--pdf]   the vision report, indicator CSV, 干预清单
xzh export-indicators --out FILE [--data DIR]          every indicator result as CSV
xzh bench   [--scale 0.1] [--feed F ...] [--population-scale-1]
"""

from __future__ import annotations

import argparse
import datetime as dt
import logging
import sys
import time

from ingest.config import PlatformConfig, load_config
from ingest.contract import LOAD_ORDER
from ingest.ledger import Ledger


def _config(args: argparse.Namespace) -> PlatformConfig:
    return load_config(getattr(args, "inbox", None), args.data, args.config)


def cmd_ingest(args: argparse.Namespace) -> None:
    from ingest.pipeline import ingest_all

    config = _config(args)
    print(f"ingest: inbox {config.inbox} -> {config.data_root}")
    start = time.perf_counter()
    for report in ingest_all(config, tuple(args.feed or LOAD_ORDER)):
        statuses = ", ".join(f"{k} {v:,}" for k, v in sorted(report.statuses.items()))
        files = f"{report.new_files:>7,} new files"
        print(f"  {report.feed:<13}{files}  {report.seconds:6.1f} s  {statuses}")
    print(f"ingest took {time.perf_counter() - start:.1f} s")


def cmd_build(args: argparse.Namespace) -> None:
    from xzh.warehouse import build

    config = _config(args)
    start = time.perf_counter()
    build(config, args.select)
    print(f"dbt build took {time.perf_counter() - start:.1f} s; warehouse {config.warehouse}")


def cmd_ledger(args: argparse.Namespace) -> None:
    from xzh.summary import format_summary, ledger_summary, problems

    config = _config(args)
    ledger = Ledger(config.data_root / "ledger").read()
    if ledger.empty:
        sys.exit(f"no ledger under {config.data_root}; run `xzh ingest` first")
    print(format_summary(ledger_summary(ledger)))
    lines = problems(ledger, args.problems)
    if lines:
        print(f"\nfiles not loaded (latest {len(lines)}; all in the ledger and in quarantine/):")
        print("\n".join(f"  {line}" for line in lines))
    if args.csv:
        ledger.to_csv(args.csv, index=False)
        print(f"\nledger written to {args.csv}")


def cmd_report(args: argparse.Namespace) -> None:
    from xzh.publishing import publish_health_record_reports, publish_vision_reports

    config = _config(args)
    as_of = dt.date.fromisoformat(args.as_of) if args.as_of else None
    vision = publish_vision_reports(config, as_of, pdf=args.pdf)
    print(f"child-vision report ({vision['period']}): {vision['report_html']}")
    if vision.get("report_pdf"):
        print(f"  as PDF: {vision['report_pdf']}")
    print(f"indicator results (CSV): {vision['indicators_csv']}")
    worklists, where = vision["worklists"], vision["worklists_dir"]
    print(f"干预清单 of {vision['list_date']}: {len(worklists)} XLSX files under {where}")
    records = publish_health_record_reports(config, as_of, pdf=args.pdf)
    print(f"health-record report ({records['period']}): {records['report_html']}")
    if records.get("report_pdf"):
        print(f"  as PDF: {records['report_pdf']}")
    files = len(records["worklists"]) + len(records["district_worklists"])
    print(
        f"迁档/重复/失效档案清单 of {records['list_date']}: {files} XLSX files "
        f"(per institution and district bureau) under {records['worklists_dir']}"
    )


def cmd_export_indicators(args: argparse.Namespace) -> None:
    from reports.indicator_export import export_indicator_csv
    from reports.warehouse import load_vision_data

    config = _config(args)
    path = export_indicator_csv(load_vision_data(config.warehouse).results, args.out)
    print(f"indicator results written to {path}")


def cmd_run(args: argparse.Namespace) -> None:
    cmd_ingest(args)
    cmd_build(args)
    cmd_ledger(args)
    args.as_of, args.pdf = None, False
    cmd_report(args)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="xzh", description=__doc__.splitlines()[0])
    parser.add_argument("--config", help="TOML file with a [platform] table (or XZH_CONFIG)")
    sub = parser.add_subparsers(dest="command", required=True)

    def add(name: str, helptext: str, inbox: bool = False) -> argparse.ArgumentParser:
        p = sub.add_parser(name, help=helptext)
        p.add_argument("--data", help="zone root (default var/data, or XZH_DATA)")
        if inbox:
            p.add_argument("--inbox", help="local folder or fsspec URL (default var/city/inbox)")
        return p

    run = add("run", "ingest every feed, build the warehouse, print the ledger", inbox=True)
    run.add_argument("--problems", type=int, default=10, help="steward lines to print")
    run.add_argument("--csv", help=argparse.SUPPRESS)
    run.add_argument("--select", help=argparse.SUPPRESS)
    run.add_argument("--feed", action="append", help=argparse.SUPPRESS)
    ingest = add("ingest", "pull new deliveries through ingest and the gate", inbox=True)
    ingest.add_argument("--feed", action="append", choices=LOAD_ORDER, help="only these feeds")
    build = add("build", "dbt build on the raw zone (the single writer of the warehouse)")
    build.add_argument("--select", help="dbt selector")
    ledger = add("ledger", "print the load ledger summary")
    ledger.add_argument("--problems", type=int, default=20, help="steward lines to print")
    ledger.add_argument("--csv", help="also write the whole ledger to this CSV file")
    report = add("report", "publish the child-vision report, indicator CSV and 干预清单 (XLSX)")
    report.add_argument("--as-of", help="report on the latest period ending on or before this date")
    report.add_argument(
        "--pdf", action="store_true", help="also print the report to PDF (Chromium)"
    )
    export = add("export-indicators", "write every indicator result as CSV (statisticians)")
    export.add_argument("--out", required=True, help="CSV file to write (UTF-8 with BOM)")
    sub.add_parser(
        "bench", help="ingest + gate throughput per feed (see xzh/bench.py)", add_help=False
    )
    if argv is None:
        argv = sys.argv[1:]
    if argv[:1] == ["bench"]:
        from xzh.bench import main as bench

        return bench(argv[1:])
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")
    commands = {
        "run": cmd_run,
        "ingest": cmd_ingest,
        "build": cmd_build,
        "ledger": cmd_ledger,
        "report": cmd_report,
        "export-indicators": cmd_export_indicators,
    }
    commands[args.command](args)


if __name__ == "__main__":
    main()
