"""The generator's command line: same seed, same bytes; clean cities; clear errors."""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd
import pytest

from synthcity.cli import main

TINY = ["--scale", "0.002", "--start", "2026-01-01", "--end", "2026-06-30"]


def digest(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_same_seed_same_bytes_other_seed_other_bytes(tmp_path: Path) -> None:
    for name, seed in (("a", "11"), ("b", "11"), ("c", "12")):
        assert main(["generate", *TINY, "--seed", seed, "--out", str(tmp_path / name)]) == 0
    a, b, c = (digest(tmp_path / n / "inbox") for n in "abc")
    assert a and a == b
    assert a != c
    truth = [digest(tmp_path / n / "truth") for n in "ab"]
    assert truth[0] == truth[1]


def test_clean_city_has_no_defects(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["generate", *TINY, "--clean", "--out", str(tmp_path)]) == 0
    files = pd.read_parquet(tmp_path / "truth" / "deliveries.parquet")
    assert set(files["defect"]) <= {"normal", "history"}
    assert set(files["encoding"]) <= {"utf-8", "xlsx"}
    assert pd.read_parquet(tmp_path / "truth" / "row_defects.parquet").empty
    out = capsys.readouterr().out
    assert "deliveries written to" in out and "population" in out


def test_one_defect_rate_can_be_raised(tmp_path: Path) -> None:
    assert (
        main(["generate", *TINY, "--clean", "--defect", "gb18030_file=1", "--out", str(tmp_path)])
        == 0
    )
    files = pd.read_parquet(tmp_path / "truth" / "deliveries.parquet")
    assert set(files.loc[files["format"] == "csv", "encoding"]) == {"gb18030"}


def test_unknown_defect_and_bad_dates_are_refused(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["generate", "--defect", "bogus=1"])
    assert "unknown defect 'bogus'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        main(["generate", "--start", "2026-02-30"])
    assert "not a date (YYYY-MM-DD): '2026-02-30'" in capsys.readouterr().err
    with pytest.raises(ValueError, match="end 2025-01-01 is before start 2026-01-01"):
        main(["generate", "--start", "2026-01-01", "--end", "2025-01-01"])
