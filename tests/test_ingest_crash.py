"""Killing an ingest in the middle and rerunning it leaves no partial or doubled batch."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ingest.ledger import Ledger

LEDGER_COLUMNS = ["file_path", "status", "reason_code", "rows_in", "rows_loaded", "batch_id"]


def small_inbox(city_inbox: Path, target: Path) -> Path:
    """The registry feeds and one month of eye checks: enough files to be killed mid-way."""
    for part in ("institution", "team", "eye_check/202510", "eye_check/resend"):
        shutil.copytree(city_inbox / part, target / part)
    return target


def ingest(inbox: Path, data: Path) -> subprocess.Popen:
    command = [
        sys.executable,
        "-m",
        "xzh.cli",
        "ingest",
        "--inbox",
        str(inbox),
        "--data",
        str(data),
    ]
    return subprocess.Popen(
        command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True
    )


def zone_files(data: Path) -> list[str]:
    return sorted(
        str(p.relative_to(data))
        for zone in ("raw", "quarantine", "superseded")
        for p in (data / zone).rglob("*")
        if p.is_file()
    )


def kill_when(process: subprocess.Popen, ready, timeout: float = 120) -> None:
    deadline = time.monotonic() + timeout
    while not ready():
        assert process.poll() is None, "the run finished before the kill point"
        assert time.monotonic() < deadline, "kill point never reached"
        time.sleep(0.02)
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()


@pytest.fixture(scope="module")
def reference_run(demo_city, tmp_path_factory) -> tuple[Path, Path]:
    inbox = small_inbox(demo_city.inbox, tmp_path_factory.mktemp("inbox"))
    data = tmp_path_factory.mktemp("clean")
    process = ingest(inbox, data)
    assert process.wait() == 0, process.stderr.read().decode() if process.stderr else ""
    return inbox, data


@pytest.mark.parametrize("kill_point", ["landing", "filing"])
def test_kill_and_rerun_equals_a_clean_run(reference_run, tmp_path, kill_point) -> None:
    inbox, clean = reference_run
    data = tmp_path / "data"
    landing = data / "landing" / "eye_check"
    raw = data / "raw" / "eye_check"

    def reached() -> bool:
        if kill_point == "landing":
            return landing.exists() and sum(1 for _ in landing.glob("*.parquet")) >= 20
        return raw.exists() and sum(1 for _ in raw.rglob("*.parquet")) >= 30

    kill_when(ingest(inbox, data), reached)
    killed_ledger = Ledger(data / "ledger").read()
    assert "eye_check" not in set(killed_ledger.feed)  # the kill came before eye_check's ledger

    rerun = ingest(inbox, data)
    assert rerun.wait() == 0, rerun.stderr.read().decode() if rerun.stderr else ""

    assert zone_files(data) == zone_files(clean)
    assert not list(data.rglob("*.tmp-*"))
    assert not list((data / "landing").rglob("*.parquet"))
    got = Ledger(data / "ledger").read()[LEDGER_COLUMNS]
    want = Ledger(clean / "ledger").read()[LEDGER_COLUMNS]
    assert got.equals(want)
