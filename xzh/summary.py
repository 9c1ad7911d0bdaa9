"""The load ledger summarised per feed: what a planner reads after a run."""

from __future__ import annotations

import pandas as pd

from ingest.contract import LOAD_ORDER, STATUSES

ROW_COLUMNS = (
    "rows_in",
    "rows_loaded",
    "rows_quarantined",
    "rows_duplicate",
    "rows_superseded",
    "rows_malformed",
    "rows_flagged",
)


def row_outcomes(ledger: pd.DataFrame) -> pd.DataFrame:
    """Per delivered file, where its rows went (one of the outcome columns holds them all).

    rows_in = rows_loaded + rows_quarantined + rows_duplicate + rows_superseded
    + rows_malformed.  Rejected files' rows are in quarantine too.
    """
    frame = ledger.copy()
    parsed = frame.rows_in - frame.rows_malformed
    frame["rows_quarantined"] = parsed.where(frame.status.isin(["quarantined", "rejected"]), 0)
    frame["rows_duplicate"] = frame.rows_in.where(frame.status == "duplicate", 0)
    frame["rows_superseded"] = parsed.where(frame.status == "superseded", 0)
    # a duplicate's malformed lines are its original's: counted once, as duplicate rows
    frame["rows_malformed"] = frame.rows_malformed.where(frame.status != "duplicate", 0)
    frame["rows_flagged"] = frame.rows_flagged.where(frame.status == "loaded", 0)
    return frame


def ledger_summary(ledger: pd.DataFrame) -> pd.DataFrame:
    """One row per feed (and a total): files by status and rows by outcome."""
    frame = row_outcomes(ledger)
    files = pd.crosstab(frame.feed, frame.status).reindex(columns=list(STATUSES), fill_value=0)
    files.columns = [f"files_{s}" for s in STATUSES]
    rows = frame.groupby("feed")[list(ROW_COLUMNS)].sum()
    summary = files.join(rows, how="outer").fillna(0).astype("int64")
    order = [f for f in LOAD_ORDER if f in summary.index]
    order += [f for f in summary.index if f not in LOAD_ORDER]
    summary = summary.loc[order]
    summary.loc["total"] = summary.sum()
    return summary


COLUMNS = (
    ("files", 8),
    ("files_loaded", 8),
    ("files_quarantined", 6),
    ("files_rejected", 6),
    ("files_duplicate", 6),
    ("files_superseded", 6),
    ("rows_in", 12),
    ("rows_loaded", 12),
    ("rows_quarantined", 10),
    ("rows_duplicate", 9),
    ("rows_superseded", 9),
    ("rows_malformed", 6),
    ("rows_flagged", 9),
)
LABELS = {
    "files": "files",
    "files_loaded": "loaded",
    "files_quarantined": "quar",
    "files_rejected": "rej",
    "files_duplicate": "dup",
    "files_superseded": "sup",
    "rows_in": "rows in",
    "rows_loaded": "loaded",
    "rows_quarantined": "quarant.",
    "rows_duplicate": "dupl.",
    "rows_superseded": "supers.",
    "rows_malformed": "malf.",
    "rows_flagged": "flagged",
}


def format_summary(summary: pd.DataFrame) -> str:
    table = summary.copy()
    table.insert(0, "files", table[[f"files_{s}" for s in STATUSES]].sum(axis=1))
    lines = [
        "load ledger: files by status | rows by outcome",
        f"{'feed':<13}" + "".join(f"{LABELS[c]:>{w}}" for c, w in COLUMNS),
    ]
    lines.append("-" * len(lines[-1]))
    for feed, row in table.iterrows():
        if feed == "total":
            lines.append("-" * len(lines[1]))
        lines.append(f"{feed!s:<13}" + "".join(f"{int(row[c]):>{w},}" for c, w in COLUMNS))
    return "\n".join(lines)


def problems(ledger: pd.DataFrame, limit: int = 20) -> list[str]:
    """Steward lines of the files that did not load, most recent business dates first."""
    failed = ledger[ledger.status.isin(["rejected", "quarantined"])]
    failed = failed.sort_values(["business_date", "file_path"], ascending=[False, True])
    return [f"[{r.status}] {r.message}" for r in failed.head(limit).itertuples()]
