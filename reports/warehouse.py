"""Read the built marts from ``warehouse.duckdb``, read-only (design.md: reports read the marts).

dbt is the single writer of the warehouse. A reader runs after the writer finishes; while dbt
holds the file DuckDB refuses even a read-only connection ("Could not set lock on file"), and
this module turns that, a missing file, a missing table or a missing column into a
:class:`WarehouseError` that says what to do.

The tables and columns read here are the contract of ``docs/vision-chain.md`` and
``docs/health-records-chain.md``. The identity
store (clear ID number and name) is read only by :func:`load_identity`, for the teams' XLSX
worklists; nothing else in ``reports`` touches it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import duckdb
import pandas as pd

log = logging.getLogger(__name__)

BUILD_HINT = "run `xzh build` first (dbt builds it)"

_RESULT_COLUMNS = (
    "indicator_code",
    "period_type",
    "period_label",
    "statistical_year",
    "period_start",
    "period_end",
    "level",
    "unit_code",
    "unit_name",
    "district_code",
    "numerator",
    "denominator",
    "rate",
    "target",
    "direction",
    "target_met",
)

#: table → the columns reports rely on (docs/vision-chain.md, "Tables and columns").
TABLE_COLUMNS: dict[str, tuple[str, ...]] = {
    "indicators.indicator_results": _RESULT_COLUMNS,
    "indicators.vis_poor_6_by_sex": (*_RESULT_COLUMNS, "sex_code"),
    "indicators.indicator_registry": (
        "indicator_code",
        "name_zh",
        "definition_zh",
        "numerator_zh",
        "denominator_zh",
        "unit",
        "target",
        "direction",
        "period_basis",
        "levels",
        "source_document",
    ),
    "worklists.wl_vision_interventions": (
        "list_date",
        "person_key",
        "flagged_check_key",
        "flag_institution_code",
        "flag_date",
        "flag_reason",
        "days_overdue",
        "responsible_team_code",
        "responsible_institution_code",
        "responsible_district_code",
        "kindergarten_code",
        "is_new_on_list",
    ),
    "worklists.wl_vision_remonitoring": (
        "list_date",
        "previous_list_date",
        "person_key",
        "flagged_check_key",
        "is_followed_up_since",
        "followup_check_key",
        "followup_date",
        "followup_result_code",
        "followup_action_code",
        "followup_shows_poor_vision",
    ),
    "identity.identity_persons": ("person_key", "id_number", "name", "sex_code", "birth_date"),
    # the health-record chain (docs/health-records-chain.md)
    "worklists.wl_ehr_transfers": (
        "list_date",
        "record_no",
        "person_key",
        "transfer_class",
        "managing_institution_code",
        "managing_team_code",
        "expected_institution_code",
        "expected_team_code",
        "managing_district_code",
        "expected_district_code",
        "open_request_no",
        "open_request_age_days",
        "change_since_previous",
    ),
    "worklists.wl_ehr_escalations": (
        "list_date",
        "request_no",
        "record_no",
        "person_key",
        "from_institution_code",
        "from_district_code",
        "to_institution_code",
        "to_district_code",
        "age_days",
        "is_escalated_flag",
        "change_since_previous",
    ),
    "worklists.wl_ehr_duplicates": (
        "list_date",
        "person_key",
        "record_count",
        "record_nos",
        "institution_codes",
        "change_since_previous",
    ),
    "worklists.wl_ehr_stale": (
        "list_date",
        "record_no",
        "person_key",
        "managing_institution_code",
        "stale_reason",
        "change_since_previous",
    ),
    # registry names (not personal data): institutions and teams as validity spans
    "intermediate.int_institutions_as_of": (
        "institution_code",
        "institution_name",
        "district_code",
        "snapshot_date",
        "valid_from",
        "valid_to",
    ),
    "intermediate.int_teams_as_of": (
        "team_code",
        "institution_code",
        "team_name",
        "snapshot_date",
        "valid_from",
        "valid_to",
    ),
}

#: table → columns read when the table has them (a warehouse built before they existed lacks
#: them): they are then all-NULL, so a report falls back to the codes.
OPTIONAL_COLUMNS: dict[str, tuple[str, ...]] = {
    # names of institutions, teams and kindergartens (not personal data)
    "worklists.wl_vision_interventions": (
        "flag_institution_name",
        "responsible_team_name",
        "responsible_institution_name",
        "kindergarten_name",
    ),
}

_DATE_COLUMNS = {
    "period_start",
    "period_end",
    "list_date",
    "previous_list_date",
    "flag_date",
    "followup_date",
    "birth_date",
    "snapshot_date",
    "valid_from",
    "valid_to",
}
_NUMBER_COLUMNS = {
    "numerator",
    "denominator",
    "rate",
    "target",
    "days_overdue",
    "open_request_age_days",
    "age_days",
    "record_count",
}
# Codes and ID numbers are text, always (a leading zero or an X must survive).
_TEXT_COLUMNS = {
    "unit_code",
    "district_code",
    "sex_code",
    "id_number",
    "team_code",
    "responsible_team_code",
    "responsible_institution_code",
    "responsible_district_code",
    "flag_institution_code",
    "kindergarten_code",
    "followup_result_code",
    "followup_action_code",
    "period_label",
    "record_no",
    "request_no",
    "open_request_no",
    "record_nos",
    "institution_codes",
    "institution_code",
    "managing_institution_code",
    "managing_team_code",
    "expected_institution_code",
    "expected_team_code",
    "managing_district_code",
    "expected_district_code",
    "from_institution_code",
    "from_district_code",
    "to_institution_code",
    "to_district_code",
    "flag_institution_name",
    "responsible_team_name",
    "responsible_institution_name",
    "kindergarten_name",
}


class WarehouseError(RuntimeError):
    """The warehouse cannot be read as the reports need it; the message says what to do."""


class NothingToPublish(ValueError):
    """The warehouse holds no period of this chain ending on or before the requested date
    (no data delivered yet): the schedule skips the publication instead of failing."""


@contextmanager
def connect(path: str | Path) -> Iterator[duckdb.DuckDBPyConnection]:
    """A read-only connection, closed on exit. Raises :class:`WarehouseError` when the file is
    missing or locked by a writer."""
    path = Path(path)
    if not path.exists():
        raise WarehouseError(f"warehouse {path} does not exist: {BUILD_HINT}")
    try:
        con = duckdb.connect(str(path), read_only=True)
    except duckdb.IOException as error:
        if "lock" in str(error).lower():
            raise WarehouseError(
                f"warehouse {path} is locked by a writer (dbt is building it): reports read the "
                "built marts, so run them after `xzh build` has finished"
            ) from error
        raise WarehouseError(f"cannot open warehouse {path} read-only: {error}") from error
    try:
        yield con
    finally:
        con.close()


def _existing_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    schema, name = table.split(".", 1)
    rows = con.execute(
        "select column_name from information_schema.columns "
        "where table_schema = ? and table_name = ? order by ordinal_position",
        [schema, name],
    ).fetchall()
    return [str(row[0]) for row in rows]


def _normalize(frame: pd.DataFrame) -> pd.DataFrame:
    for column in frame.columns:
        if column in _DATE_COLUMNS:
            frame[column] = pd.to_datetime(frame[column]).dt.date
        elif column in _NUMBER_COLUMNS:
            frame[column] = pd.to_numeric(frame[column]).astype("Float64")
        elif column in _TEXT_COLUMNS:
            frame[column] = frame[column].astype("string")
    return frame


def read_table(
    con: duckdb.DuckDBPyConnection,
    table: str,
    where: str | None = None,
    params: Iterable[object] = (),
) -> pd.DataFrame:
    """The contract columns of one table (``schema.name``), in contract order, then its
    :data:`OPTIONAL_COLUMNS` (all-NULL when the table lacks them).

    Raises :class:`WarehouseError` naming the table when it or one of its columns is missing.
    """
    columns = TABLE_COLUMNS[table]
    existing = _existing_columns(con, table)
    if not existing:
        raise WarehouseError(f"table {table} is missing from the warehouse: {BUILD_HINT}")
    lacking = [column for column in columns if column not in existing]
    if lacking:
        raise WarehouseError(
            f"table {table} lacks column(s) {', '.join(lacking)} (docs/vision-chain.md): "
            f"rebuild it with `xzh build`"
        )
    optional = OPTIONAL_COLUMNS.get(table, ())
    present = [column for column in optional if column in existing]
    select = ", ".join(f'"{column}"' for column in (*columns, *present))
    sql = f"select {select} from {table}" + (f" where {where}" if where else "")
    frame = con.execute(sql, list(params)).df()
    for column in optional:
        if column not in present:
            frame[column] = pd.Series([None] * len(frame), index=frame.index, dtype="object")
    return _normalize(frame)


@dataclass(frozen=True)
class VisionData:
    """Everything the vision report and exports read, person_key only (no clear ID or name)."""

    results: pd.DataFrame
    poor_6_by_sex: pd.DataFrame
    registry: pd.DataFrame
    interventions: pd.DataFrame
    remonitoring: pd.DataFrame


def load_vision_data(path: str | Path) -> VisionData:
    """Read the vision chain's indicator and worklist tables in one short read-only session."""
    with connect(path) as con:
        data = VisionData(
            results=read_table(con, "indicators.indicator_results"),
            poor_6_by_sex=read_table(con, "indicators.vis_poor_6_by_sex"),
            registry=read_table(con, "indicators.indicator_registry"),
            interventions=read_table(con, "worklists.wl_vision_interventions"),
            remonitoring=read_table(con, "worklists.wl_vision_remonitoring"),
        )
    log.info(
        "read %s indicator results, %s intervention and %s re-monitoring rows from %s",
        len(data.results),
        len(data.interventions),
        len(data.remonitoring),
        path,
    )
    return data


#: indicator_results rows of the health-record chain carry this period basis.
CALENDAR_BASIS = "calendar"
EHR_WORKLISTS = (
    "worklists.wl_ehr_transfers",
    "worklists.wl_ehr_escalations",
    "worklists.wl_ehr_duplicates",
    "worklists.wl_ehr_stale",
)


@dataclass(frozen=True)
class HealthRecordsData:
    """What the health-record report and exports read, person_key only (no clear ID or name).

    ``results`` holds the calendar-period rows of ``indicators.indicator_results``;
    ``institutions`` and ``teams`` are the registries' validity spans (names only).
    """

    results: pd.DataFrame
    registry: pd.DataFrame
    transfers: pd.DataFrame
    escalations: pd.DataFrame
    duplicates: pd.DataFrame
    stale: pd.DataFrame
    institutions: pd.DataFrame
    teams: pd.DataFrame


def _calendar_results(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    table = "indicators.indicator_results"
    existing = _existing_columns(con, table)
    if existing and "period_basis" not in existing:
        raise WarehouseError(
            f"table {table} lacks column period_basis (docs/health-records-chain.md): "
            "rebuild it with `xzh build`"
        )
    return read_table(con, table, where="period_basis = ?", params=[CALENDAR_BASIS])


def load_health_records_data(path: str | Path) -> HealthRecordsData:
    """Read the health-record chain's indicator, worklist and registry-name tables in one short
    read-only session."""
    with connect(path) as con:
        data = HealthRecordsData(
            results=_calendar_results(con),
            registry=read_table(con, "indicators.indicator_registry"),
            transfers=read_table(con, "worklists.wl_ehr_transfers"),
            escalations=read_table(con, "worklists.wl_ehr_escalations"),
            duplicates=read_table(con, "worklists.wl_ehr_duplicates"),
            stale=read_table(con, "worklists.wl_ehr_stale"),
            institutions=read_table(con, "intermediate.int_institutions_as_of"),
            teams=read_table(con, "intermediate.int_teams_as_of"),
        )
    log.info(
        "read %s calendar indicator results and %s/%s/%s/%s transfer/escalation/duplicate/stale "
        "rows from %s",
        len(data.results),
        len(data.transfers),
        len(data.escalations),
        len(data.duplicates),
        len(data.stale),
        path,
    )
    return data


def load_identity(path: str | Path, person_keys: Iterable[str]) -> pd.DataFrame:
    """Clear ID number, name, sex and birth date of the given persons (restricted store).

    Only the worklist export calls this: the family-doctor team must know whom to call. The
    result must never reach a report or a log line.
    """
    keys = sorted({str(key) for key in person_keys if key is not None and not pd.isna(key)})
    columns = list(TABLE_COLUMNS["identity.identity_persons"])
    if not keys:
        return pd.DataFrame({column: pd.Series(dtype="string") for column in columns})
    with connect(path) as con:
        return read_table(
            con, "identity.identity_persons", where="list_contains(?, person_key)", params=[keys]
        )
