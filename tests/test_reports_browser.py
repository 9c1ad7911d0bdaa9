"""The fixture report in headless Chromium: charts render, Chinese title, screenshot, PDF.

Skipped only when Chromium is not installed (Debian: ``apt-get install chromium
fonts-noto-cjk``; or set BROWSER_PATH).
"""

from __future__ import annotations

import datetime as dt
import re
import struct
import zlib
from pathlib import Path

import numpy as np
import pytest

from reports.chromium import ChromiumNotFoundError, find_chromium, run_chromium, to_pdf
from reports.vision_report import write_vision_report
from reports.warehouse import load_vision_data
from tests.report_fixtures import fixture_warehouse_path


def _chromium_available() -> bool:
    try:
        find_chromium()
    except ChromiumNotFoundError:
        return False
    return True


pytestmark = pytest.mark.skipif(
    not _chromium_available(), reason="Chromium is not installed (apt-get install chromium)"
)


@pytest.fixture(scope="module")
def report_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    warehouse = fixture_warehouse_path(tmp_path_factory.mktemp("wh"))
    return write_vision_report(
        load_vision_data(warehouse),
        tmp_path_factory.mktemp("out"),
        generated_at=dt.datetime(2026, 1, 5),
    )


def test_dom_after_javascript(report_path: Path) -> None:
    result = run_chromium("--virtual-time-budget=5000", "--dump-dom", report_path.as_uri())
    assert result.returncode == 0, result.stderr[-500:]
    dom = result.stdout
    assert "徐州市0～6岁儿童眼保健和视力检查统计报告（2026统计年度，截至2025年12月31日）" in dom
    # every chart div got its SVG from plotly.js (which ran offline, from the page itself)
    for chart in ("coverage", "trend", "kindergartens", "poor-vision", "followup"):
        div = re.search(rf'<div id="chart-{chart}"[^>]*>(.*?)</div>\s*<script', dom, re.S)
        assert div and 'class="main-svg"' in div.group(1), chart
    assert dom.count('class="main-svg"') >= 10
    assert '<table id="district-table">' in dom
    assert len(re.findall(r'<tr data-unit="', dom)) == 5


def _unfilter(kind: int, line: np.ndarray, previous: np.ndarray, bpp: int) -> np.ndarray:
    """Undo one PNG row filter (0 none, 1 sub, 2 up, 3 average, 4 Paeth)."""
    if kind == 0:
        return line
    if kind == 1:
        return (
            (np.cumsum(line.reshape(-1, bpp).astype(np.int64), axis=0) % 256)
            .astype(np.uint8)
            .ravel()
        )  # noqa: E501
    if kind == 2:
        return ((line.astype(np.int64) + previous) % 256).astype(np.uint8)
    out = [0] * len(line)
    raw, up = line.tolist(), previous.tolist()
    for i in range(len(raw)):
        left = out[i - bpp] if i >= bpp else 0
        corner = up[i - bpp] if i >= bpp else 0
        if kind == 3:
            out[i] = (raw[i] + (left + up[i]) // 2) & 0xFF
        else:
            p = left + up[i] - corner
            pa, pb, pc = abs(p - left), abs(p - up[i]), abs(p - corner)
            pred = left if pa <= pb and pa <= pc else up[i] if pb <= pc else corner
            out[i] = (raw[i] + pred) & 0xFF
    return np.array(out, dtype=np.uint8)


def _png_pixels(path: Path) -> np.ndarray:
    """A tiny PNG decoder (8-bit RGB/RGBA, not interlaced): an array height × width × 3."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    pos, idat, header = 8, b"", b""
    while pos < len(data):
        (length,) = struct.unpack(">I", data[pos : pos + 4])
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and color in (2, 6) and interlace == 0
    bpp = 4 if color == 6 else 3
    stride = width * bpp
    raw = np.frombuffer(zlib.decompress(idat), dtype=np.uint8).reshape(height, stride + 1)
    rows = np.zeros((height, stride), dtype=np.uint8)
    previous = np.zeros(stride, dtype=np.uint8)
    for y in range(height):
        previous = rows[y] = _unfilter(int(raw[y, 0]), raw[y, 1:], previous, bpp)
    return rows.reshape(height, width, bpp)[:, :, :3]


def test_screenshot_is_not_blank(report_path: Path, tmp_path: Path) -> None:
    png = tmp_path / "report.png"
    result = run_chromium(
        "--virtual-time-budget=5000",
        "--window-size=900,1400",
        f"--screenshot={png}",
        report_path.as_uri(),
    )
    assert result.returncode == 0 and png.is_file(), result.stderr[-500:]
    pixels = _png_pixels(png)
    assert pixels.shape == (1400, 900, 3)
    flat = pixels.reshape(-1, 3)
    colors = np.unique(flat, axis=0)
    assert len(colors) > 200  # text, cards, bars: far from a blank page
    white = int(np.all(flat == 255, axis=1).sum())
    assert white < 0.9 * len(flat)


def test_print_to_pdf(report_path: Path, tmp_path: Path) -> None:
    pdf = to_pdf(report_path, tmp_path / "report.pdf")
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF-")
    pages = len(re.findall(rb"/Type\s*/Page\b(?!s)", data))
    assert pages >= 1
    counts = [int(n) for n in re.findall(rb"/Count\s+(\d+)", data)]
    assert not counts or max(counts) == pages
