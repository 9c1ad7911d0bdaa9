"""Options of one generated city: scale, period, seed and delivery defect rates."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, fields

import numpy as np


@dataclass(frozen=True)
class DefectRates:
    """How often each delivery defect is injected.

    File-level rates are the probability that an eligible file gets the
    defect; row-level rates are the share of eligible rows.  Every injected
    defect is written to the ground truth (``truth/defects.parquet``).
    """

    # file-level, allowed by the contract
    gb18030_file: float = 0.15
    bom_file: float = 0.10
    xlsx_title_row: float = 0.5
    crlf_file: float = 0.4
    shuffled_columns: float = 0.2
    extra_column: float = 0.1
    # file-level, duplicates and corrections
    duplicate_file: float = 0.004
    corrected_redelivery: float = 0.004
    # file-level, forbidden by the contract (each at least once when > 0)
    missing_required_column: float = 0.001
    unknown_institution: float = 0.001
    truncated_file: float = 0.001
    empty_file: float = 0.001
    bad_file_name: float = 0.0005
    bad_id_batch: float = 0.001  # a file where ~30% of ID numbers fail the check
    # row-level, allowed (normalized by the platform)
    alt_date_format: float = 0.05
    id_15_digit: float = 0.01  # of persons born before 2000
    id_full_width: float = 0.003
    id_lower_x: float = 0.3  # of IDs ending in X
    id_spaces: float = 0.005
    sex_as_text: float = 0.02
    decimal_va_institution: float = 0.25  # share of institutions recording decimal VA
    omit_va_method: float = 0.5  # of decimal-VA institutions, share without 视力记录方式
    # row-level, broken (flagged by the platform)
    bad_id_check: float = 0.002

    @classmethod
    def none(cls) -> DefectRates:
        """A clean city: every rate zero (the contract's ideal delivery)."""
        return cls(**{f.name: 0.0 for f in fields(cls)})


@dataclass(frozen=True)
class CityConfig:
    scale: float = 0.01
    start: dt.date = dt.date(2025, 10, 1)
    end: dt.date = dt.date(2026, 9, 30)
    seed: int = 20260930
    defects: DefectRates = field(default_factory=DefectRates)

    def __post_init__(self) -> None:
        if not 0 < self.scale <= 2:
            raise ValueError(f"scale must be in (0, 2], got {self.scale}")
        if self.end < self.start:
            raise ValueError(f"end {self.end} is before start {self.start}")

    @property
    def start_day(self) -> int:
        return to_day(self.start)

    @property
    def end_day(self) -> int:
        return to_day(self.end)

    @property
    def years(self) -> float:
        return (self.end_day - self.start_day + 1) / 365.25

    def rng(self, stream: str) -> np.random.Generator:
        """An independent random stream per named part, so parts can change
        without shifting each other's numbers."""
        key = [self.seed, *stream.encode()]
        return np.random.default_rng(np.random.SeedSequence(key))


EPOCH = dt.date(1970, 1, 1)


def to_day(date: dt.date) -> int:
    """Days since 1970-01-01: the generator's integer date."""
    return (date - EPOCH).days


def from_day(day: int) -> dt.date:
    return EPOCH + dt.timedelta(days=int(day))
