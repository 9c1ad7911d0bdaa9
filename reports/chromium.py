"""Headless Chromium: print a report to PDF (optional; the HTML itself is the deliverable)."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path


class ChromiumNotFoundError(RuntimeError):
    """No Chromium to print with."""


def find_chromium() -> str:
    """``$BROWSER_PATH`` when set (as for plotly's kaleido), else ``chromium`` on the PATH."""
    configured = os.environ.get("BROWSER_PATH")
    if configured:
        if Path(configured).is_file() and os.access(configured, os.X_OK):
            return configured
        raise ChromiumNotFoundError(
            f"BROWSER_PATH={configured} is not an executable file: point it at Chromium"
        )
    for name in ("chromium", "chromium-browser", "google-chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise ChromiumNotFoundError(
        "Chromium not found: install it (Debian: `apt-get install chromium fonts-noto-cjk`) or "
        "set BROWSER_PATH to its executable; the HTML report does not need it"
    )


def chromium_command(*args: str, profile_dir: Path) -> list[str]:
    """A headless Chromium command line with a private profile (parallel runs don't collide)."""
    return [
        find_chromium(),
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-dev-shm-usage",
        "--no-first-run",
        "--hide-scrollbars",
        f"--user-data-dir={profile_dir}",
        *args,
    ]


def run_chromium(*args: str, timeout: float = 120.0) -> subprocess.CompletedProcess[str]:
    with tempfile.TemporaryDirectory(prefix="xzh-chromium-") as profile:
        command = chromium_command(*args, profile_dir=Path(profile))
        return subprocess.run(command, capture_output=True, text=True, timeout=timeout, check=False)


def to_pdf(html_path: str | Path, pdf_path: str | Path, timeout: float = 120.0) -> Path:
    """Print an HTML report to PDF with headless Chromium (A4, the page's own @page CSS).

    Raises :class:`ChromiumNotFoundError` when no Chromium is installed, RuntimeError when the
    print fails.
    """
    html_path = Path(html_path).resolve()
    pdf_path = Path(pdf_path).resolve()
    if not html_path.is_file():
        raise FileNotFoundError(f"no HTML report at {html_path}")
    pdf_path.parent.mkdir(parents=True, exist_ok=True)
    pdf_path.unlink(missing_ok=True)
    result = run_chromium(
        "--no-pdf-header-footer",
        "--virtual-time-budget=5000",
        f"--print-to-pdf={pdf_path}",
        html_path.as_uri(),
        timeout=timeout,
    )
    if result.returncode != 0 or not pdf_path.is_file() or pdf_path.stat().st_size == 0:
        raise RuntimeError(
            f"Chromium could not print {html_path} to PDF (exit {result.returncode}): "
            f"{result.stderr.strip()[-500:]}"
        )
    return pdf_path
