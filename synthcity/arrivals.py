"""When each file reached the inbox: its modification time, for reporting timeliness.

Most institutions upload a business day's file in the early hours of the next
day; a few are habitually slow; re-sends, corrections and history loads come
later than the file they repeat or correct.  The time is written as the
file's mtime (what an SFTP front-end server preserves) and into the truth.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pandas as pd

from .config import CityConfig

SLOW_SENDER_SHARE = 0.2  # senders that are often late
LATE_SHARE = {False: 0.02, True: 0.3}  # share of late files, punctual vs slow senders
SHANGHAI = 8 * 3600  # UTC offset of Asia/Shanghai, seconds


def stamp_arrivals(config: CityConfig, inbox: Path, files: pd.DataFrame) -> pd.DataFrame:
    """Set every file's mtime to its arrival and return the table with ``arrived_at`` (UTC)."""
    rng = config.rng("arrivals")
    senders = np.sort(files.sender.unique())
    slow = dict(zip(senders, rng.random(len(senders)) < SLOW_SENDER_SHARE, strict=True))
    n = len(files)
    is_slow = files.sender.map(slow).fillna(False).to_numpy(bool)
    late = rng.random(n) < np.where(is_slow, LATE_SHARE[True], LATE_SHARE[False])
    # on time: 00:30–09:00 the next day; late: 2–14 days after the business day
    hours = np.where(late, rng.uniform(48, 14 * 24, n), rng.uniform(24.5, 33, n))
    defect = files.defect.to_numpy(str)
    later = np.isin(defect, ["duplicate", "correction"])
    hours = hours + np.where(later, rng.uniform(24, 5 * 24, n), 0.0)
    business = files.business_day.to_numpy(np.int64) * 86400  # int days since 1970
    seconds = business - SHANGHAI + (hours * 3600).astype(np.int64)
    for path, second in zip(files.path, seconds, strict=True):
        os.utime(inbox / path, (int(second), int(second)))
    return files.assign(arrived_at=pd.to_datetime(seconds, unit="s", utc=True))
