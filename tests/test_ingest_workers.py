"""How many parse workers a feed run uses: processes only where they pay, never more at
once than the memory budget holds (the 8 GB goal of a scale-1 population snapshot)."""

from __future__ import annotations

from ingest.pipeline import (
    PARALLEL_FROM,
    PARSE_MEMORY_BUDGET,
    PARSE_MEMORY_PER_BYTE,
    parse_workers,
)

MB = 2**20


def test_a_backlog_of_small_daily_files_uses_every_worker() -> None:
    assert parse_workers([3_000] * 20_000, configured=2) == 2


def test_a_few_small_files_stay_in_this_process() -> None:
    # fewer than PARALLEL_FROM files and 31 MB in all: a process would cost more than it saves
    assert parse_workers([1 * MB] * 31, configured=2) == 1
    assert parse_workers([3_000] * (PARALLEL_FROM - 1), configured=2) == 1


def test_a_month_of_scale_01_snapshots_is_parsed_two_at_a_time() -> None:
    assert parse_workers([104 * MB] * 13, configured=2) == 2


def test_scale_1_snapshots_are_parsed_one_at_a_time() -> None:
    # 1 GB each: two at once would peak near 2 × 11 GB
    assert parse_workers([1_040 * MB] * 2, configured=2) == 1
    assert 2 * PARSE_MEMORY_PER_BYTE * 1_040 * MB > PARSE_MEMORY_BUDGET


def test_one_file_or_one_configured_worker_never_forks() -> None:
    assert parse_workers([500 * MB], configured=2) == 1
    assert parse_workers([3_000] * 20_000, configured=1) == 1
