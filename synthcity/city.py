"""Generate a whole city: the inbox of deliveries and, beside it, the ground truth."""

from __future__ import annotations

import gc
import json
import multiprocessing
import shutil
import time
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, fields
from functools import partial
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .arrivals import stamp_arrivals
from .config import CityConfig
from .contract import FEEDS
from .deliveries import DeliveryLog, FilePlan, InboxWriter, plan_files
from .education import build_education
from .geography import build_geography
from .people import build_people
from .records import build_health_records
from .snapshots import institution_snapshots, month_ends, population_snapshot
from .truth import write_city_truth, write_deliveries, write_delivery_truth
from .vision import build_vision

FEED_ORDER = (
    "institution",
    "team",
    "population",
    "birth",
    "eye_check",
    "kg_roster",
    "school_entry",
    "ehr_record",
    "ehr_service",
    "contract",
    "transfer",
)


@dataclass(frozen=True)
class WriteJob:
    """One writer task: a feed, how to build its frame (in the worker), its file plan."""

    feed: str
    build: Callable[[], pd.DataFrame]
    plan: FilePlan = FilePlan.none()


ROWS_PER_JOB = 2_000_000  # larger feeds are written a month of business days per job


def _whole(frame: pd.DataFrame) -> pd.DataFrame:
    return frame


def _days(frame: pd.DataFrame, first: int, last: int) -> pd.DataFrame:
    day = frame["_business_day"]
    return frame[(day >= first) & (day <= last)]


def feed_jobs(config: CityConfig, feed: str, frame: pd.DataFrame) -> list[WriteJob]:
    """One job per feed, or per month of business days when the feed is large.

    File defects are planned on the whole feed first, so the split changes nothing written.
    """
    plan = plan_files(config, FEEDS[feed], frame)
    if len(frame) <= ROWS_PER_JOB:
        return [WriteJob(feed, partial(_whole, frame), plan)]
    months = frame["_business_day"].to_numpy().astype("datetime64[D]").astype("datetime64[M]")
    jobs = []
    for month in np.unique(months):
        first = int(month.astype("datetime64[D]").astype(np.int64))
        last = int((month + 1).astype("datetime64[D]").astype(np.int64)) - 1
        jobs.append(WriteJob(feed, partial(_days, frame, first, last), plan))
    return jobs


# Set before forking: the workers inherit the jobs and the city instead of unpickling them.
_JOBS: list[WriteJob] = []
_CONTEXT: tuple[CityConfig, pd.DataFrame, Path, str, Path] | None = None
_FIRST = 0


def _run_job(index: int) -> DeliveryLog:
    assert _CONTEXT is not None
    config, persons, inbox, unregistered, parts = _CONTEXT
    job = _JOBS[index]
    writer = InboxWriter(config, persons, inbox, unregistered)
    writer.write(job.feed, job.build(), job.plan)
    # the row log can be tens of millions of rows: it goes to disk, not back through a pipe
    if writer.log.rows:
        table = pa.Table.from_pandas(
            pd.concat(writer.log.rows, ignore_index=True), preserve_index=False
        )
        pq.write_table(table, parts / f"{_FIRST + index}.parquet")
    writer.log.rows = []
    return writer.log


def write_all(
    jobs: list[WriteJob],
    context: tuple[CityConfig, pd.DataFrame, Path, str, Path],
    workers: int,
    first_index: int = 0,
) -> list[DeliveryLog]:
    """Run the write jobs, in ``workers`` forked processes; logs come back in job order.

    ``first_index`` numbers this batch's row-log parts after the batches before it.
    """
    global _JOBS, _CONTEXT, _FIRST
    _JOBS, _CONTEXT, _FIRST = jobs, context, first_index
    try:
        if workers <= 1:
            return [_run_job(i) for i in range(len(jobs))]
        # frozen objects are skipped by the collector, so forked workers do not copy their pages
        gc.freeze()
        fork = multiprocessing.get_context("fork")
        # an executor, not a Pool: a worker killed (say, out of memory) fails the run instead of
        # leaving it waiting forever for the lost job
        with ProcessPoolExecutor(workers, mp_context=fork) as pool:
            return list(pool.map(_run_job, range(len(jobs))))
    finally:
        gc.unfreeze()
        _JOBS, _CONTEXT, _FIRST = [], None, 0


@dataclass
class Summary:
    out_dir: Path
    seconds: dict[str, float]
    files: pd.DataFrame  # one row per delivered file
    persons: int

    def rows_by_feed(self) -> pd.DataFrame:
        return self.files.groupby("feed").agg(
            files=("file_id", "size"),
            rows=("data_rows", "sum"),
            megabytes=("bytes", lambda b: round(b.sum() / 1e6, 1)),
        )


def generate(
    config: CityConfig, out_dir: Path, log: Callable[[str], None] = print, workers: int = 2
) -> Summary:
    """Write ``out_dir/inbox`` (the deliveries) and ``out_dir/truth`` (what the generator knows).

    Files are written by ``workers`` processes (forked, so they share the
    built city); the output does not depend on how many.
    """
    inbox, truth_dir = out_dir / "inbox", out_dir / "truth"
    for folder in (inbox, truth_dir):
        if folder.exists():
            shutil.rmtree(folder)  # a stale file from another seed would be a delivery too
        folder.mkdir(parents=True)
    seconds: dict[str, float] = {}
    clock = time.perf_counter()

    def lap(stage: str) -> None:
        nonlocal clock
        now = time.perf_counter()
        seconds[stage] = round(now - clock, 2)
        clock = now
        log(f"  {stage:<22} {seconds[stage]:7.2f} s")

    geo = build_geography(config)
    people = build_people(config, geo)
    lap("people")
    parts = truth_dir / "_parts"
    parts.mkdir()
    # the population snapshots first, while the process holds only the people: forked
    # writers then share (and may copy) a small heap
    population_jobs = [
        WriteJob("population", partial(population_snapshot, people, geo, day))
        for day in month_ends(config)
    ]
    context = (config, people.persons, inbox, geo.unregistered_code, parts)
    logs = write_all(population_jobs, context, workers)
    lap("write population")
    vision = build_vision(config, geo, people)
    lap("vision")
    education = build_education(config, geo, people)
    lap("education")
    records = build_health_records(config, geo, people)
    lap("health records")

    feed_names = {"team", "ehr_record", "ehr_service", "contract", "transfer"}
    record_truth = {
        f.name: getattr(records, f.name)
        for f in fields(records)
        if f.name not in feed_names and isinstance(getattr(records, f.name), pd.DataFrame)
    }
    write_city_truth(truth_dir, geo, people, vision, education, record_truth)
    persons = len(people.persons)
    # written: free them before the writers fork
    for name in record_truth:
        setattr(records, name, pd.DataFrame())
    vision.checks_truth = vision.births_truth = pd.DataFrame()
    lap("write city truth")

    jobs = [
        WriteJob("institution", partial(institution_snapshots, config, geo)),
        WriteJob("team", partial(_whole, records.team)),
    ]
    for name, frame in (
        ("birth", vision.birth),
        ("eye_check", vision.eye_check),
        ("kg_roster", education.kg_roster),
        ("school_entry", education.school_entry),
        ("ehr_record", records.ehr_record),
        ("ehr_service", records.ehr_service),
        ("contract", records.contract),
        ("transfer", records.transfer),
    ):
        jobs += feed_jobs(config, name, frame)
    logs += write_all(jobs, context, workers, first_index=len(logs))
    lap("write other feeds")

    files = write_delivery_truth(truth_dir, logs, parts)
    files = stamp_arrivals(config, inbox, files)
    write_deliveries(truth_dir, files)
    (truth_dir / "config.json").write_text(
        json.dumps(asdict(config), default=str, indent=2, ensure_ascii=False) + "\n"
    )
    lap("write truth")
    return Summary(out_dir=out_dir, seconds=seconds, files=files, persons=persons)
