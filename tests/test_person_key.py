"""The person key: the SQL macro (through the dbt plugin's connection variables) equals
Python's hmac, and the key depends on the secret (docs/vision-chain.md, design.md)."""

from __future__ import annotations

import hashlib
import hmac
import re
from pathlib import Path

import duckdb
import pytest

from xzh import person_key as pk
from xzh.dbt_plugin import Plugin, set_person_key_variables

ROOT = Path(__file__).resolve().parents[1]
MACRO = ROOT / "dbt_project" / "macros" / "identity" / "person_key.sql"

IDS = [
    "320305197905150148",
    "32030219900101002X",
    "320302202002290128",
    "110105194912310011",
    "000000000000000000",
]


def _macro_sql(expr: str) -> str:
    """The duckdb__person_key macro body with `{{ expr }}` filled in (no dbt needed)."""
    text = MACRO.read_text()
    body = re.search(r"macro duckdb__person_key\(expr\) -%}(.*?){%- endmacro", text, re.S)
    assert body, "duckdb__person_key not found in the macro file"
    return body.group(1).replace("{{ expr }}", expr)


def _sql_keys(conn: duckdb.DuckDBPyConnection, ids: list[str]) -> list[str | None]:
    values = ", ".join(f"({i}, ?)" for i in range(len(ids)))
    sql = f"select {_macro_sql('id')} from (values {values}) as t(n, id) order by n"
    return [row[0] for row in conn.execute(sql, ids).fetchall()]


@pytest.fixture
def plugin_connection() -> duckdb.DuckDBPyConnection:
    conn = duckdb.connect()
    Plugin(name="dbt_plugin", plugin_config={}).configure_connection(conn)
    return conn


def test_python_key_is_hmac_sha256(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(pk.ENV_VAR, "s3cret")
    for id_number in IDS:
        expected = hmac.new(b"s3cret", id_number.encode(), hashlib.sha256).hexdigest()
        assert pk.person_key(id_number) == expected


def test_sql_macro_equals_hmac(plugin_connection: duckdb.DuckDBPyConnection) -> None:
    expected = [hmac.new(pk.secret(), i.encode(), hashlib.sha256).hexdigest() for i in IDS]
    assert _sql_keys(plugin_connection, IDS) == expected


def test_sql_macro_on_a_cursor(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(pk.ENV_VAR, "cursor-secret")
    conn = duckdb.connect()
    cursor = conn.cursor()
    Plugin(name="dbt_plugin", plugin_config={}).configure_cursor(cursor)
    assert _sql_keys(cursor, IDS[:2]) == [pk.person_key(i) for i in IDS[:2]]


def test_sql_macro_null_gives_null(plugin_connection: duckdb.DuckDBPyConnection) -> None:
    assert plugin_connection.execute(f"select {_macro_sql('null::varchar')}").fetchall() == [
        (None,)
    ]


@pytest.mark.parametrize(
    "secret", ["short", "x" * 64, "a much longer secret " * 10, "密钥-非ASCII"]
)
def test_sql_macro_equals_hmac_for_any_key_length(
    monkeypatch: pytest.MonkeyPatch, secret: str
) -> None:
    monkeypatch.setenv(pk.ENV_VAR, secret)
    conn = duckdb.connect()
    set_person_key_variables(conn)
    expected = [hmac.new(secret.encode(), i.encode(), hashlib.sha256).hexdigest() for i in IDS]
    assert _sql_keys(conn, IDS) == expected


def test_changing_the_secret_changes_the_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(pk.ENV_VAR, "one")
    conn_one = duckdb.connect()
    set_person_key_variables(conn_one)
    monkeypatch.setenv(pk.ENV_VAR, "two")
    conn_two = duckdb.connect()
    set_person_key_variables(conn_two)
    one, two = _sql_keys(conn_one, IDS), _sql_keys(conn_two, IDS)
    assert all(a != b for a, b in zip(one, two, strict=True))
    assert two == [pk.person_key(i) for i in IDS]


def test_development_secret_is_flagged(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(pk.ENV_VAR, raising=False)
    assert pk.is_development_secret()
    assert pk.secret() == pk.DEVELOPMENT_SECRET.encode()
    monkeypatch.setenv(pk.ENV_VAR, "production")
    assert not pk.is_development_secret()


def test_secret_never_in_statement_text(monkeypatch: pytest.MonkeyPatch) -> None:
    """The pads are bound as parameters: the statements the plugin runs hold no key bytes."""
    monkeypatch.setenv(pk.ENV_VAR, "visible-if-leaked")
    statements: list[str] = []

    class Recorder:
        def execute(self, sql: str, params: list[object] | None = None) -> None:
            statements.append(sql)

    set_person_key_variables(Recorder())
    assert len(statements) == 2
    ipad, opad = pk.hmac_pads()
    for sql in statements:
        assert "visible" not in sql and ipad.hex() not in sql and opad.hex() not in sql


def test_profiles_register_the_plugin() -> None:
    profiles = (ROOT / "dbt_project" / "profiles.yml").read_text()
    assert profiles.count("module: xzh.dbt_plugin") == 2
