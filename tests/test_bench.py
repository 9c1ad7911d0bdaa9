"""The benchmark command (`xzh bench`): the floor reads every data row whatever the encoding,
and each feed's line carries the figures issue 3 asks for, with rows counted as the
generator's truth says. Speed itself is printed by the benchmark, never asserted here."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import City
from xzh import bench


def _write(path: Path, text: str, encoding: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(text.encode(encoding))


def test_floor_reads_every_row_of_utf8_bom_and_gb18030_files(tmp_path: Path) -> None:
    inbox = tmp_path / "inbox"
    header = "身份证号,姓名,现住址街道代码\r\n"
    _write(
        inbox / "population" / "202601" / "population_A_20260131_1.csv",
        "\ufeff" + header + "".join(f"11010519491231002{i},张三,320302001\r\n" for i in range(3)),
        "utf-8",
    )
    _write(
        inbox / "population" / "202601" / "population_B_20260131_1.csv",
        header + "110105194912310021,李四,320303001\r\n110105194912310022,王五,320303002\r\n",
        "gb18030",
    )
    got = bench.floor(inbox, "population")
    assert got is not None
    assert (got["files"], got["rows"]) == (2, 5)
    assert got["seconds"] > 0


def test_no_floor_for_a_feed_delivered_only_as_xlsx(tmp_path: Path) -> None:
    (tmp_path / "kg_roster" / "202601").mkdir(parents=True)
    (tmp_path / "kg_roster" / "202601" / "kg_roster_K_20260131_1.xlsx").write_bytes(b"PK")
    assert bench.floor(tmp_path, "kg_roster") is None


def test_a_feed_line_has_every_figure_and_the_truths_row_count(
    demo_city: City, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(bench, "_city", lambda scale: demo_city.root)
    bench.bench_feeds(0.1, ("team",))
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith("ingest + gate at scale 0.1")
    columns = ["feed", "files", "rows", "s", "gate s", "rows/s", "peak MB", "floor rows/s", "ratio"]
    assert lines[1].split() == " ".join(columns).split()
    feed, files, rows, seconds, gate_seconds, rate, peak, floor_rate, ratio = lines[2].split()
    delivered = demo_city.truth("deliveries").query("feed == 'team'")
    assert feed == "team"
    assert int(files.replace(",", "")) == len(delivered)
    # every row of every delivered file, duplicates counted with their original's rows
    assert int(rows.replace(",", "")) == int((delivered.data_rows + delivered.malformed_rows).sum())
    assert 0 < float(gate_seconds) <= float(seconds)
    assert float(rate.replace(",", "")) > 0 and float(floor_rate.replace(",", "")) > 0
    assert 100 < float(peak.replace(",", "")) < 4000  # MB: the process is counted, not bytes
    measured = float(floor_rate.replace(",", "")) / float(rate.replace(",", ""))
    assert ratio.endswith("x") and float(ratio[:-1]) == pytest.approx(measured, abs=0.06)
