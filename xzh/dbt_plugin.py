"""dbt-duckdb plugin: the person-key secret reaches DuckDB as connection variables.

Registered in dbt_project/profiles.yml (``plugins: [{module: xzh.dbt_plugin}]``). Each
connection and each cursor gets ``SET VARIABLE xzh_hmac_ipad`` / ``xzh_hmac_opad``: the
HMAC padded keys as BLOBs, computed here from ``XZH_PERSON_KEY_SECRET``. The macro
``person_key(expr)`` reads them with ``getvariable``, so neither the secret nor the pads
appear in compiled SQL, ``target/`` or ``dbt.log``.
"""

from __future__ import annotations

import sys
from typing import Any

from dbt.adapters.duckdb.plugins import BasePlugin

from xzh.person_key import ENV_VAR, hmac_pads, is_development_secret

_warned = False


def set_person_key_variables(conn: Any) -> None:
    """Set the two HMAC pad variables on a DuckDB connection or cursor."""
    ipad, opad = hmac_pads()
    # parameters, not literals: the pads are never part of a statement's text
    conn.execute("set variable xzh_hmac_ipad = ?::blob", [ipad])
    conn.execute("set variable xzh_hmac_opad = ?::blob", [opad])


def _warn_once() -> None:
    global _warned
    if not _warned and is_development_secret():
        _warned = True
        print(
            f"WARNING: {ENV_VAR} is not set: person keys use the DEVELOPMENT secret "
            "(not for production data)",
            file=sys.stderr,
        )


class Plugin(BasePlugin):
    def initialize(self, plugin_config: dict[str, Any]) -> None:
        _warn_once()

    def configure_connection(self, conn: Any) -> None:
        set_person_key_variables(conn)

    def configure_cursor(self, cursor: Any) -> None:
        set_person_key_variables(cursor)
