"""Delivery file names (extract-interface.md §1, edge rule 1).

``<inbox>/<feed>/[sub/folders/]<feed>_<institution code>_<YYYYMMDD>[_<seq>].<csv|xlsx>``
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from .contract import FEEDS

NAME = re.compile(
    r"^(?P<feed>[a-z_]+)_(?P<sender>[0-9A-Z]{18})_(?P<date>\d{8})(?:_(?P<seq>[1-9]\d*))?"
    r"\.(?P<ext>csv|xlsx)$"
)


@dataclass(frozen=True)
class DeliveryName:
    feed: str
    sender: str
    business_date: dt.date
    seq: int
    ext: str


class BadDeliveryName(ValueError):
    """The path is not a delivery; the message says why (for the ledger and the steward)."""


def parse_delivery_path(relative_path: str) -> DeliveryName:
    """Read a path relative to the inbox root, or raise BadDeliveryName with the reason."""
    parts = relative_path.split("/")
    folder, name = parts[0], parts[-1]
    if len(parts) < 2:
        raise BadDeliveryName("not inside a feed folder")
    if folder not in FEEDS:
        raise BadDeliveryName(f"unknown feed folder {folder!r}")
    m = NAME.match(name)
    if not m:
        raise BadDeliveryName(
            "name does not follow <feed>_<institution code>_<YYYYMMDD>[_<seq>].csv|xlsx"
        )
    if m["feed"] != folder:
        raise BadDeliveryName(f"feed {m['feed']!r} in the name does not match folder {folder!r}")
    try:
        day = dt.datetime.strptime(m["date"], "%Y%m%d").date()
    except ValueError:
        raise BadDeliveryName(f"business date {m['date']} is not a calendar date") from None
    return DeliveryName(m["feed"], m["sender"], day, int(m["seq"] or 1), m["ext"])
