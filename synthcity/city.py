"""Generate a whole city: the inbox of deliveries and, beside it, the ground truth."""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, fields
from pathlib import Path

import pandas as pd

from .config import CityConfig
from .deliveries import InboxWriter
from .education import build_education
from .geography import build_geography
from .people import build_people
from .records import build_health_records
from .snapshots import institution_snapshots, month_ends, population_snapshot
from .truth import write_truth
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


def generate(config: CityConfig, out_dir: Path, log: Callable[[str], None] = print) -> Summary:
    """Write ``out_dir/inbox`` (the deliveries) and ``out_dir/truth`` (what the generator knows)."""
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
    vision = build_vision(config, geo, people)
    lap("vision")
    education = build_education(config, geo, people)
    lap("education")
    records = build_health_records(config, geo, people)
    lap("health records")

    writer = InboxWriter(config, people.persons, inbox, geo.unregistered_code)
    writer.write("institution", institution_snapshots(config, geo))
    writer.write("team", records.team)
    lap("write registries")
    for day in month_ends(config):
        writer.write("population", population_snapshot(people, geo, day))
    lap("write population")
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
        writer.write(name, frame)
        lap(f"write {name}")

    feed_names = {"team", "ehr_record", "ehr_service", "contract", "transfer"}
    record_truth = {
        f.name: getattr(records, f.name)
        for f in fields(records)
        if f.name not in feed_names and isinstance(getattr(records, f.name), pd.DataFrame)
    }
    files = write_truth(truth_dir, config, geo, people, vision, education, record_truth, writer.log)
    (truth_dir / "config.json").write_text(
        json.dumps(asdict(config), default=str, indent=2, ensure_ascii=False) + "\n"
    )
    lap("write truth")
    return Summary(out_dir=out_dir, seconds=seconds, files=files, persons=len(people.persons))
