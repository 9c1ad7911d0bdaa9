"""The identity layer and the core marts on the demo city, judged against its truth.

Uses the ``built_demo`` fixture (the demo city through ingest, the gate and ``dbt build``).
To check an already built warehouse instead (e.g. a private copy), set
``XZH_CORE_TEST_WAREHOUSE`` to its ``warehouse.duckdb``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pandas as pd
import pytest

from xzh.person_key import person_key

ROOT = Path(__file__).resolve().parents[1]
TRUTH = ROOT / "var" / "test-cities" / "demo" / "truth"
ANALYTICS_SCHEMAS = ("intermediate", "core", "quality", "indicators", "worklists")


class Built:
    """A read-only connection to the built warehouse and the truth of its city."""

    def __init__(self, path: str, truth: Path) -> None:
        self.conn = duckdb.connect(path, read_only=True)
        self.truth_dir = truth

    def truth(self, name: str) -> pd.DataFrame:
        return pd.read_parquet(self.truth_dir / f"{name}.parquet")


@pytest.fixture(scope="module")
def built(request: pytest.FixtureRequest) -> Iterator[Built]:
    path = os.environ.get("XZH_CORE_TEST_WAREHOUSE")
    if path:
        result = Built(path, TRUTH)
    else:
        demo = request.getfixturevalue("built_demo")
        result = Built(str(demo.config.warehouse), demo.city.root / "truth")
    yield result
    result.conn.close()


@pytest.fixture(scope="module")
def warehouse(built: Built) -> duckdb.DuckDBPyConnection:
    return built.conn


def _df(conn: duckdb.DuckDBPyConnection, sql: str) -> pd.DataFrame:
    return conn.execute(sql).df()


def test_no_clear_id_or_name_outside_identity(
    built: Built, warehouse: duckdb.DuckDBPyConnection
) -> None:
    persons = built.truth("persons")
    secrets = set(persons["id_number"].dropna()) | set(persons["name"].dropna())
    columns = warehouse.execute(
        """
        select table_schema, table_name, column_name
        from information_schema.columns
        where table_schema in ?
          and data_type = 'VARCHAR'
        """,
        [list(ANALYTICS_SCHEMAS)],
    ).fetchall()
    assert {c[1] for c in columns} >= {
        "fct_eye_checks",
        "dim_resident_residences",
        "int_contract_versions",
    }
    leaks = []
    for schema, table, column in columns:
        values = warehouse.execute(
            f'select distinct "{column}" from "{schema}"."{table}"'
        ).fetchall()
        hits = {v for (v,) in values if v in secrets}
        if hits:
            leaks.append(f"{schema}.{table}.{column}: {len(hits)} ID numbers or names")
    assert not leaks, leaks


def test_every_staged_check_once_in_fct(warehouse: duckdb.DuckDBPyConnection) -> None:
    missing_or_double = _df(
        warehouse,
        """
        with staged as (
            select _sender || ':' || check_no as eye_check_key
            from staging.stg_eye_check__eye_checks
            where is_latest_version and is_usable
        ),
        facts as (
            select eye_check_key, count(*) as n from core.fct_eye_checks group by eye_check_key
        )
        select staged.eye_check_key, facts.n
        from staged full join facts using (eye_check_key)
        where facts.n is distinct from 1 or staged.eye_check_key is null
        """,
    )
    assert missing_or_double.empty, missing_or_double.head()
    links = warehouse.execute("select count(*) from identity.identity_eye_check_links").fetchall()[
        0
    ][0]
    facts = warehouse.execute("select count(*) from core.fct_eye_checks").fetchall()[0][0]
    assert links == facts


def test_linked_checks_belong_to_the_true_child(
    built: Built, warehouse: duckdb.DuckDBPyConnection
) -> None:
    facts = _df(
        warehouse,
        "select institution_code, check_no, person_key, link_method from core.fct_eye_checks",
    )
    truth = built.truth("eye_checks").merge(
        built.truth("persons")[["pid", "id_number"]], on="pid", how="left"
    )
    joined = facts.merge(
        truth,
        left_on=["institution_code", "check_no"],
        right_on=["institution", "record_no"],
        how="inner",
    )
    assert len(joined) == len(facts), "every check in the mart is a check of the truth"
    linked = joined[joined["person_key"].notna()]
    expected = linked["id_number"].map(person_key)
    wrong = linked[linked["person_key"] != expected]
    assert wrong.empty, wrong[["institution_code", "check_no", "link_method"]].head()
    # most checks link; infants without an ID are linked through birth records
    assert len(linked) / len(facts) > 0.97
    assert (linked["link_method"] == "birth_record").sum() > 0
    # a check whose row carries a valid child ID is never left unlinked
    reasons = _df(
        warehouse,
        "select unlinked_reason, count(*) as n from quality.dq_unlinked_eye_checks group by 1",
    )
    assert set(reasons["unlinked_reason"]) <= {
        "no_id",
        "invalid_mother_id",
        "no_birth_record",
        "ambiguous_birth_records",
        "birth_record_without_child_id",
    }
    assert reasons["n"].sum() == (facts["person_key"].isna()).sum()


def test_unlinked_list_holds_no_person_columns(warehouse: duckdb.DuckDBPyConnection) -> None:
    columns = {
        r[0]
        for r in warehouse.execute(
            "select column_name from information_schema.columns "
            "where table_schema = 'quality' and table_name = 'dq_unlinked_eye_checks'"
        ).fetchall()
    }
    assert columns == {
        "eye_check_key",
        "institution_code",
        "check_no",
        "check_date",
        "unlinked_reason",
    }


def test_residence_spells_are_plausible(warehouse: duckdb.DuckDBPyConnection) -> None:
    stats = _df(
        warehouse,
        """
        select count(*) as spells, count(distinct person_key) as persons,
               count(*) filter (where valid_to <= valid_from) as empty_spells
        from core.dim_resident_residences
        """,
    ).iloc[0]
    assert stats["empty_spells"] == 0
    assert 1.0 <= stats["spells"] / stats["persons"] <= 2.0
    overlaps = warehouse.execute(
        """
        select count(*) from core.dim_resident_residences as a
        join core.dim_resident_residences as b
          on a.person_key = b.person_key and a.valid_from < b.valid_from
         and (a.valid_to is null or a.valid_to > b.valid_from)
        """
    ).fetchall()[0][0]
    assert overlaps == 0
    residents = warehouse.execute("select count(*) from core.dim_residents").fetchall()[0][0]
    assert residents == stats["persons"]


def test_resident_population_matches_the_last_snapshot(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    """Residents at the last snapshot date = its usable rows with 常住标志 1, born, not dead."""
    from_spells, from_staging = warehouse.execute(
        """
        with d as (select max(snapshot_date) as d from staging.stg_population__persons)
        select
            (select count(*) from core.dim_resident_residences, d
             where valid_from <= d.d and (valid_to is null or valid_to > d.d) and is_resident
               and birth_date <= d.d and (death_date is null or death_date > d.d)),
            (select count(distinct id_number) from staging.stg_population__persons, d
             where snapshot_date = d.d and is_latest_version and is_usable and resident_flag = '1'
               and (death_date is null or death_date > d.d)
               and cast(strptime(substr(id_number, 7, 8), '%Y%m%d') as date) <= d.d)
        """
    ).fetchall()[0]
    assert from_spells == from_staging > 0


# indicators.md "Poor vision thresholds", written here from the page (not from the seed)
POOR_AT_OR_BELOW = {3: 46, 4: 48, 5: 49, 6: 49}  # age in completed years -> VA in tenths


def test_poor_vision_and_flags_follow_the_spec_table(
    warehouse: duckdb.DuckDBPyConnection,
) -> None:
    """Each check's poor-vision and flag, recomputed in Python from the spec's table (rules
    16, 18): either eye at or below the age's threshold, or eyes two lines apart, only when
    both eyes are measured; flagged when 处理意见 is 1/2 or poor vision; follow-up 0-30 days."""
    checks = warehouse.execute(
        "select age_years, va_right_tenths, va_left_tenths, action_code, shows_poor_vision,"
        " is_flagged, is_followed_up, followup_check_key, followup_date - check_date as days"
        " from core.fct_eye_checks"
    ).df()
    measured = checks["va_right_tenths"].notna() & checks["va_left_tenths"].notna()
    threshold = checks["age_years"].map(POOR_AT_OR_BELOW)
    worst = checks[["va_right_tenths", "va_left_tenths"]].min(axis=1)
    apart = (checks["va_right_tenths"] - checks["va_left_tenths"]).abs() >= 2
    poor = measured & threshold.notna() & ((worst <= threshold) | apart)
    assert (checks["shows_poor_vision"].fillna(False).astype(bool) == poor).all()
    assert poor.sum() > 0
    flagged = checks["action_code"].isin(["1", "2"]) | poor
    assert (checks["is_flagged"].astype(bool) == flagged).all()
    followed = checks[checks["is_followed_up"].astype(bool)]
    assert followed["followup_check_key"].notna().all()
    assert followed["days"].between(0, 30).all()
