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
