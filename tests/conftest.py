"""Shared fixtures: one generated demo city per test session (shared by xdist workers)."""

from __future__ import annotations

import fcntl
import json
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pytest

from synthcity.city import generate
from synthcity.config import CityConfig

ROOT = Path(__file__).resolve().parents[1]
CITY_CACHE = ROOT / "var" / "test-cities"


@dataclass
class City:
    config: CityConfig
    root: Path

    @property
    def inbox(self) -> Path:
        return self.root / "inbox"

    def truth(self, name: str) -> pd.DataFrame:
        return pd.read_parquet(self.root / "truth" / f"{name}.parquet")


def build_city(config: CityConfig, name: str) -> City:
    """Generate once per configuration; workers wait on a lock instead of generating twice."""
    root = CITY_CACHE / name
    CITY_CACHE.mkdir(parents=True, exist_ok=True)
    marker = root / "truth" / "config.json"
    expected = json.dumps(
        {
            "scale": config.scale,
            "seed": config.seed,
            "start": str(config.start),
            "end": str(config.end),
        }
    )
    with open(CITY_CACHE / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        stamp = root / "done.json"
        if not (
            marker.exists()
            and stamp.exists()
            and stamp.read_text() == expected
            and _source_unchanged(root)
        ):
            generate(config, root, log=lambda _: None)
            stamp.write_text(expected)
            (root / "source.txt").write_text(_source_digest())
    return City(config, root)


def _source_digest() -> str:
    import hashlib

    digest = hashlib.sha256()
    for path in sorted((ROOT / "synthcity").glob("*.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def _source_unchanged(root: Path) -> bool:
    source = root / "source.txt"
    return source.exists() and source.read_text() == _source_digest()


@pytest.fixture(scope="session")
def demo_city() -> City:
    """The README's demo city: 1% of Xuzhou over statistical year 2026, every defect on."""
    return build_city(CityConfig(scale=0.01), "demo")


@dataclass
class Warehouse:
    """The demo city pulled through ingest and the gate (and dbt, once built)."""

    city: City
    data_root: Path

    @property
    def config(self):  # -> PlatformConfig
        from ingest.config import load_config

        return load_config(str(self.city.inbox), self.data_root)

    def ledger(self) -> pd.DataFrame:
        from ingest.ledger import Ledger

        return Ledger(self.data_root / "ledger").read()


def _platform_digest() -> str:
    import hashlib

    digest = hashlib.sha256()
    # only what decides the zones: the CLI, reports and dbt glue in xzh/ do not
    for folder in ("ingest", "expectations"):
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file() and path.suffix in (".py", ".json"):
                digest.update(path.read_bytes())
    return digest.hexdigest()


@pytest.fixture(scope="session")
def ingested_demo(demo_city: City) -> Warehouse:
    """The demo city ingested once per code version (xdist workers share it under a lock)."""
    import shutil

    from ingest.config import load_config
    from ingest.pipeline import ingest_all

    data_root = CITY_CACHE / "demo-data"
    with open(CITY_CACHE / "demo-data.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        stamp = data_root / "stamp.txt"
        expected = _platform_digest() + (demo_city.root / "source.txt").read_text()
        if not (stamp.exists() and stamp.read_text() == expected):
            shutil.rmtree(data_root, ignore_errors=True)
            ingest_all(load_config(str(demo_city.inbox), data_root))
            stamp.write_text(expected)
    return Warehouse(demo_city, data_root)


@pytest.fixture(scope="session")
def built_demo(ingested_demo: Warehouse) -> Warehouse:
    """The ingested demo city with ``dbt build`` run on it (once per dbt project version)."""
    import hashlib

    from xzh.warehouse import build

    digest = hashlib.sha256()
    for path in sorted((ROOT / "dbt_project").rglob("*")):
        built = "target" in path.parts or "logs" in path.parts
        if path.is_file() and path.suffix in (".sql", ".yml", ".csv", ".md") and not built:
            digest.update(path.read_bytes())
    with open(CITY_CACHE / "demo-data.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        stamp = ingested_demo.data_root / "dbt-stamp.txt"
        expected = digest.hexdigest() + (ingested_demo.data_root / "stamp.txt").read_text()
        if not (stamp.exists() and stamp.read_text() == expected):
            build(ingested_demo.config)
            stamp.write_text(expected)
    return ingested_demo
