"""The pseudonymous person key: HMAC-SHA256 of the normalized 18-character ID number.

Analytics tables (intermediate, core, indicators, worklists, quality) carry this key,
never the clear ID (docs/vision-chain.md, design.md "Identity and privacy"). The secret
comes from the environment variable ``XZH_PERSON_KEY_SECRET``; without it the
development secret below is used, and every build says so.

The SQL macro ``person_key(expr)`` (dbt_project/macros/identity/person_key.sql) computes
the same value from the HMAC pads that ``xzh.dbt_plugin`` puts on each connection.
"""

from __future__ import annotations

import hashlib
import hmac
import os

ENV_VAR = "XZH_PERSON_KEY_SECRET"
# XZH_ENV=production refuses to fall back to the development secret
ENVIRONMENT_VAR = "XZH_ENV"

# DEVELOPMENT ONLY. Not a secret: it is in version control. Production and any build
# that leaves this machine must set XZH_PERSON_KEY_SECRET.
DEVELOPMENT_SECRET = "xzh-development-person-key-secret-NOT-FOR-PRODUCTION"

BLOCK_SIZE = 64  # SHA-256 block size in bytes (RFC 2104)


class MissingSecretError(RuntimeError):
    """Production without a person-key secret: the keys would be reversible."""


def secret() -> bytes:
    """The HMAC key: ``XZH_PERSON_KEY_SECRET`` if set and not blank, else the development
    secret, except under ``XZH_ENV=production``, where a missing secret is an error (ID
    numbers have little entropy: keys made with a public secret can be reversed)."""
    value = os.environ.get(ENV_VAR, "")
    if not value.strip():
        if os.environ.get(ENVIRONMENT_VAR, "").strip().lower() == "production":
            raise MissingSecretError(
                f"{ENVIRONMENT_VAR}=production but {ENV_VAR} is not set: set the person-key "
                "secret (and keep it: a new secret gives every person a new key)"
            )
        value = DEVELOPMENT_SECRET
    return value.encode("utf-8")


def is_development_secret() -> bool:
    """True when no secret is configured and the development default is in use."""
    return secret() == DEVELOPMENT_SECRET.encode("utf-8")


def person_key(normalized_id: str, key: bytes | None = None) -> str:
    """HMAC-SHA256 of the normalized ID number, as 64 lower-case hex characters."""
    return hmac.new(
        secret() if key is None else key, normalized_id.encode("utf-8"), hashlib.sha256
    ).hexdigest()


def hmac_pads(key: bytes | None = None) -> tuple[bytes, bytes]:
    """The HMAC inner and outer padded keys (RFC 2104): (key' xor ipad, key' xor opad).

    key' is the key hashed with SHA-256 when it is longer than one block, then padded
    with zero bytes to 64 bytes. Then HMAC(k, m) = H(opad_key || H(ipad_key || m)).
    """
    key = secret() if key is None else key
    if len(key) > BLOCK_SIZE:
        key = hashlib.sha256(key).digest()
    key = key.ljust(BLOCK_SIZE, b"\x00")
    ipad = bytes(b ^ 0x36 for b in key)
    opad = bytes(b ^ 0x5C for b in key)
    return ipad, opad
