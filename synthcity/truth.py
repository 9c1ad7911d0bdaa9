"""The ground truth written beside the inbox, so tests judge the pipeline against facts.

Files (Parquet unless said otherwise) in ``<out>/truth/``:

- ``persons``: every person (pid, true normalized ID, name, sex, birth/death, origin,
  mother, twin, day entered the population database)
- ``residence``: one row per person and residence spell (street, district, 常住 flag,
  from/to; ``to`` null = still there)
- ``streets``, ``institutions``, ``kindergartens``, ``schools``: the city's registry as built
- ``births``, ``eye_checks``, ``enrolments`` and the health-record truth tables
- ``deliveries``: one row per file written (path under the inbox, feed, sender, business
  date, sequence, encoding, line end, injected defect, the outcome the contract
  prescribes, data rows, malformed rows, sha256, for a duplicate the file it copies, and
  ``arrived_at``: when it reached the inbox, also set as the file's mtime)
- ``delivered_rows``: which truth record version each data row of each file carries
  (population files excepted: their row r is the r-th person by pid of that day)
- ``row_defects``: every value deliberately written in a non-canonical or broken form
  (file, row, column, kind, the text delivered)
- ``config.json``: the options the city was generated with
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from .dates import LONG_AGO, NEVER
from .deliveries import DeliveryLog, merge_logs
from .education import Education
from .geography import Geography
from .people import People
from .vision import Vision


def _as_dates(frame: pd.DataFrame) -> pd.DataFrame:
    """Int-day columns (``*_day``) to real dates; NEVER and LONG_AGO become null."""
    out = frame.copy()
    for column in out.columns:
        if column.endswith("_day") and pd.api.types.is_integer_dtype(out[column].dtype):
            days = out[column].to_numpy().astype(np.int64)
            unknown = (days == NEVER) | (days <= LONG_AGO)
            as_date = pa.array(np.where(unknown, 0, days).astype(np.int32), mask=unknown).cast(
                pa.date32()
            )
            out[column] = pd.array(as_date, dtype=pd.ArrowDtype(pa.date32()))
    return out


def _write(folder: Path, name: str, frame: pd.DataFrame) -> None:
    table = pa.Table.from_pandas(_as_dates(frame), preserve_index=False)
    pq.write_table(table, folder / f"{name}.parquet", compression="zstd")


def write_city_truth(
    folder: Path,
    geo: Geography,
    people: People,
    vision: Vision,
    education: Education,
    record_truth: dict[str, pd.DataFrame],
) -> None:
    """Everything the generator knows about the city itself (before any file is written)."""
    streets = geo.streets["street_code"].to_numpy()
    _write(folder, "persons", people.persons.drop(columns=["update_second", "base_update_day"]))
    _write(
        folder,
        "residence",
        people.residence.assign(street_code=streets[people.residence["street_idx"].to_numpy()]),
    )
    _write(folder, "streets", geo.streets)
    _write(folder, "institutions", geo.institutions)
    _write(
        folder,
        "kindergartens",
        education.kindergartens.assign(
            street_code=streets[education.kindergartens["street_idx"].to_numpy()]
        ),
    )
    _write(folder, "schools", education.schools)
    _write(folder, "births", vision.births_truth)
    _write(folder, "eye_checks", vision.checks_truth)
    _write(folder, "enrolments", education.enrolment_truth)
    for name, frame in record_truth.items():
        _write(folder, name, frame)
    (folder / "README.md").write_text((__doc__ or "").strip() + "\n", encoding="utf-8")


def write_delivery_truth(folder: Path, logs: list[DeliveryLog], parts: Path) -> pd.DataFrame:
    """The files written, the record each row carries, the deviations; returns the file table."""
    files, local_to_final = merge_logs(logs)
    write_deliveries(folder, files)
    _write_delivered_rows(folder / "delivered_rows.parquet", parts, local_to_final)
    defects = [
        frame.assign(file_id=local_to_final[i][frame["file_id"].to_numpy()])
        for i, log in enumerate(logs)
        for frame in log.defects
    ]
    columns = ["file_id", "row", "column", "kind", "delivered"]
    table = (
        pd.concat(defects, ignore_index=True)[columns]
        if defects
        else pd.DataFrame(
            {c: pd.Series([], dtype="int64" if c in ("file_id", "row") else str) for c in columns}
        )
    )
    _write(folder, "row_defects", table.sort_values(["file_id", "row", "column"], kind="stable"))
    return files


def write_deliveries(folder: Path, files: pd.DataFrame) -> None:
    _write(folder, "deliveries", files)


def _write_delivered_rows(path: Path, parts: Path, local_to_final: list[np.ndarray]) -> None:
    """Stream the writers' row logs into one file, with final file ids, in file order."""
    schema = pa.schema([("file_id", pa.int32()), ("row", pa.int32()), ("record", pa.string())])
    with pq.ParquetWriter(path, schema, compression="zstd") as out:
        for index, ids in enumerate(local_to_final):
            part = parts / f"{index}.parquet"
            if not part.exists():
                continue
            frame = pq.read_table(part).to_pandas()
            frame["file_id"] = ids[frame["file_id"].to_numpy()].astype(np.int32)
            frame = frame.sort_values(["file_id", "row"], kind="stable")
            out.write_table(pa.Table.from_pandas(frame, schema=schema, preserve_index=False))
            part.unlink()
    parts.rmdir()
