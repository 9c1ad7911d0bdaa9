"""What deliveries that arrive after a period's first computation may change in it.

Issue 5: "Recomputing a past month after later deliveries arrive gives the same numbers
as the first computation, unless a delivery corrected that month (then the difference is
explained by the corrected rows)."  Edge rule 13 says when a late row reaches back:
``ehr_record``, ``contract`` and ``transfer`` are read as of D (per key the latest
version whose 更新时间 date is on or before D), so a late row counts at D only if its
更新时间 is on or before D; the event feeds (``eye_check``, ``birth``, ``ehr_service``)
use the latest version overall, so a late event inside a window ending at D counts.
Reference snapshots are read as of D (rule 14), except for a sender with no snapshot on
or before D (its earliest stands in).  A correction (``_<seq>``, rule 5) withdraws every
row of the file it supersedes: those rows are late changes too.

Everything here comes from the generator's truth, never from the warehouse or the dbt
SQL; the warehouse's staging rows are only matched by their keys and lineage:

- ``first_delivered`` / ``known_by``: the deliveries the first computation had (by
  business date, or by arrival time), and the truth as known from them; the figures of
  tests/oracle/health_records.py from it and from the full truth differ by exactly what
  the later deliveries must change;
- ``items_at``: every item (person, record, request) each EHR_* figure counts at D, with
  its units and whether it is in the numerator; ``changed_items`` compares two views;
- ``use_changes``: EHR_USE's records that changed, with the dynamic entries (services,
  eye checks) they gained or lost;
- ``relevant_rows`` and ``trace``: the late rows rule 13 lets reach back to D, and the
  ones behind each changed item.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd

from tests.oracle import health_records as hr

NOT_YET = "not_yet_delivered"  # any outcome but 'loaded' keeps a file out of every oracle
STOCK_FEEDS = ("ehr_record", "contract", "transfer")  # rule 13: as of D by 更新时间 date
REFERENCE_FEEDS = ("population", "institution", "team")  # rule 14: snapshots as of D
LEVELS = {  # the levels each indicator is published at (docs/health-records-chain.md)
    "EHR_COV": ("district",),
    "EHR_UNIQUE": ("district",),
    "EHR_PLACED": ("district", "institution", "team"),
    "EHR_USE": ("district", "institution"),
    "EHR_XFER_TIMELY": ("district", "institution"),
}
# the first computation of a month runs the morning after it: the usual uploads (00:30 to
# 09:00 the next day, synthcity/arrivals.py) are in, slow senders and corrections are not
FIRST_RUN = dt.time(9, 0)
SHANGHAI = "Asia/Shanghai"
ENTRY_COLUMNS = ("record_no", "feed", "key", "entry_date", "person_key")


# ------------------------------------------------------------------------ two views
def first_delivered(deliveries: pd.DataFrame, split: str, month_end: dt.date) -> pd.Series:
    """Per delivery (truth ``deliveries``) whether the first computation of the month
    ending on ``month_end`` has it.

    ``business_date``: the files of business dates up to the month end (a name without a
    date too: it is rejected whenever it comes).  ``arrival``: the files that reached the
    inbox by 09:00 (Shanghai) the day after, whatever their business date.
    """
    if split == "business_date":
        day = hr._days(deliveries["business_day"])
        return pd.Series(np.isnat(day) | (day <= np.datetime64(month_end, "D")), deliveries.index)
    if split == "arrival":
        run = pd.Timestamp.combine(month_end + dt.timedelta(days=1), FIRST_RUN)
        return deliveries["arrived_at"] <= run.tz_localize(SHANGHAI)
    raise ValueError(split)


def known_by(root: Path, first: set[str]) -> hr.HealthRecordTruth:
    """The city's truth as known from the deliveries whose paths are in ``first``.  Both
    oracles read deliveries through ``truth('deliveries')`` and use only files whose
    outcome is ``loaded``: every other file is marked not yet delivered."""
    deliveries = pd.read_parquet(root / "truth" / "deliveries.parquet")
    deliveries.loc[~deliveries["path"].isin(first), "expected"] = NOT_YET
    return hr.HealthRecordTruth(root, _cache={"deliveries": deliveries})


def figures_at(t: hr.HealthRecordTruth, day: dt.date) -> pd.DataFrame:
    """Every EHR_* figure of every calendar period ending on ``day``, every level."""
    frames = [hr.indicators(t, p, day) for p in hr.period_types(day)]
    return pd.concat(frames, ignore_index=True)


# ---------------------------------------------------------------------------- items
ITEM_COLUMNS = [
    "indicator_code",
    "period_type",
    "item",  # person_key, record_no or request_no
    "person_key",
    "record_no",
    "district",
    "institution",
    "team",
    "num",
]


def _items(code: str, frame: pd.DataFrame, types: list[str]) -> pd.DataFrame:
    out = frame.assign(indicator_code=code, num=frame["num"].astype(int))
    for column in ITEM_COLUMNS:
        if column not in out:
            out[column] = None
    out = out[[c for c in ITEM_COLUMNS if c != "period_type"]]
    return pd.concat([out.assign(period_type=p) for p in types], ignore_index=True)[ITEM_COLUMNS]


def items_at(t: hr.HealthRecordTruth, day: dt.date) -> pd.DataFrame:
    """Every item each EHR_* figure at D counts, with its units and numerator flag: the
    rules of tests/oracle/health_records.py kept per item (``aggregate`` gives back its
    figures, which the test checks)."""
    types = hr.period_types(day)
    res, act = hr._resident_active(t, day)
    person = res.assign(person_key=res["person_key"].astype(str))
    cov = pd.DataFrame(
        {
            "item": person["person_key"],
            "person_key": person["person_key"],
            "district": person["district"],
            "num": person.index.isin(act["pid"]),
        }
    )
    n = act.groupby("pid").size()
    n = n[n.index.isin(res.index)]
    unique = pd.DataFrame(
        {
            "item": person.loc[n.index, "person_key"].to_numpy(),
            "person_key": person.loc[n.index, "person_key"].to_numpy(),
            "district": person.loc[n.index, "district"].to_numpy(),
            "num": (n == 1).to_numpy(),
        }
    )
    a = hr._placement(t, day)
    placed = pd.DataFrame(
        {
            "item": a["record_no"],
            "person_key": a["person_key"],
            "record_no": a["record_no"],
            "district": a["res_district"],
            "institution": a["inst"],
            "team": a["team"],
            "num": a["placed"],
        }
    )
    records, entries = use_entries(t, day)
    use = records.assign(
        item=records["record_no"], num=records["record_no"].isin(entries["record_no"])
    )
    frames = [
        _items("EHR_COV", cov, types),
        _items("EHR_UNIQUE", unique, types),
        _items("EHR_PLACED", placed, types),
        _items("EHR_USE", use, types),
    ]
    # EHR_XFER_TIMELY depends on the period's start (hr.ehr_xfer_timely, per request)
    r = t.transfers_at(day)
    due = r["apply"] + np.timedelta64(hr.TIMELY_DAYS, "D")
    answered = r["status"].isin([1, 2]) & r["reply"].notna()
    timely = answered & ((r["reply"] - r["apply"]) <= np.timedelta64(hr.TIMELY_DAYS, "D"))
    for p in types:
        start = np.datetime64(hr.period_start(p, day), "D")
        keep = (due >= start) & (due <= np.datetime64(day, "D")) & ~r["bad_id"]
        xfer = pd.DataFrame(
            {
                "item": r.loc[keep, "request_no"],
                "person_key": r.loc[keep, "person_key"],
                "record_no": r.loc[keep, "record_no"],
                "district": r.loc[keep, "out_district"],
                "institution": r.loc[keep, "out_inst"],
                "num": timely[keep],
            }
        )
        frames.append(_items("EHR_XFER_TIMELY", xfer, [p]))
    items = pd.concat(frames, ignore_index=True)
    items["district"] = items["district"].fillna("unknown")  # the warehouse's label
    return items


def aggregate(items: pd.DataFrame) -> pd.DataFrame:
    """Numerator and denominator per indicator, period type, level and unit."""
    rows = []
    for code, levels in LEVELS.items():
        f = items[items["indicator_code"] == code]
        for level in ("city", *levels):
            unit = pd.Series(hr.CITY_CODE, index=f.index) if level == "city" else f[level]
            g = f.assign(unit_code=unit).dropna(subset=["unit_code"])
            g = g.groupby(["period_type", "unit_code"])["num"].agg(["sum", "size"])
            g.columns = ["numerator", "denominator"]
            rows.append(g.reset_index().assign(indicator_code=code, level=level))
    out = pd.concat(rows, ignore_index=True)
    out["unit_code"] = out["unit_code"].astype(str)
    return out


def changed_items(before: pd.DataFrame, after: pd.DataFrame) -> pd.DataFrame:
    """Items counted differently in two views: in or out of the denominator, in or out of
    the numerator, or in another unit (columns ``<name>_before`` / ``<name>_after``)."""
    key = ["indicator_code", "period_type", "item"]
    m = before.assign(den=1).merge(
        after.assign(den=1), on=key, how="outer", suffixes=("_before", "_after")
    )
    for side in ("_before", "_after"):
        m[["den" + side, "num" + side]] = m[["den" + side, "num" + side]].fillna(0).astype(int)
    same = np.ones(len(m), dtype=bool)
    for column in ("den", "num", "district", "institution", "team"):
        b, a = m[column + "_before"], m[column + "_after"]
        same &= ((b == a) | (b.isna() & a.isna())).to_numpy()
    m = m[~same].reset_index(drop=True)
    for column in ("person_key", "record_no"):
        m[column] = m[column + "_after"].fillna(m[column + "_before"])
    return m


def unit_deltas(changed: pd.DataFrame) -> pd.DataFrame:
    """The change the changed items make per unit: after minus before."""
    frames = []
    for side, sign in (("_before", -1), ("_after", 1)):
        f = changed[changed["den" + side] == 1]
        f = f[["indicator_code", "period_type", "item"]].assign(
            district=f["district" + side],
            institution=f["institution" + side],
            team=f["team" + side],
            num=f["num" + side],
        )
        a = aggregate(f)
        frames.append(
            a.assign(numerator=sign * a["numerator"], denominator=sign * a["denominator"])
        )
    key = ["indicator_code", "period_type", "level", "unit_code"]
    out = pd.concat(frames).groupby(key, as_index=False)[["numerator", "denominator"]].sum()
    return out.rename(columns={"numerator": "d_numerator", "denominator": "d_denominator"})


# ---------------------------------------------------------------------------- EHR_USE
def use_entries(t: hr.HealthRecordTruth, day: dt.date) -> tuple[pd.DataFrame, pd.DataFrame]:
    """EHR_USE at D in detail: the active records (its denominator: record_no, person_key,
    district, institution) and every dynamic entry of theirs dated D−364 … D (record_no,
    feed, key, entry_date, person_key): a service of the record or of its person, an
    eye check of its person (hr.ehr_use's rules, kept per entry)."""
    from tests.oracle.vision import VisionTruth, known_checks

    if f"use_entries:{day}" in t._cache:  # items_at and use_changes both ask
        return t._cache[f"use_entries:{day}"]
    D = np.datetime64(day, "D")
    lo = D - np.timedelta64(hr.USE_WINDOW_DAYS - 1, "D")
    act = t.records_at(day)
    act = act[act["active"]].rename(columns={"inst": "institution"})
    records = act[["record_no", "person_key", "district", "institution"]].reset_index(drop=True)

    s = t.services
    s = s[(s["date"] >= lo) & (s["date"] <= D)].rename(
        columns={"service_no": "key", "date": "entry_date"}
    )
    c = known_checks(VisionTruth.from_city(t)).checks
    c = c[c["person"] >= 0]
    checks = pd.DataFrame(
        {
            # rule 10: an eye check is keyed by its sender and 检查记录号
            "key": c["institution"].astype(str) + ":" + c["no"].astype(str),
            "person_key": t.persons["person_key"].reindex(c["person"]).to_numpy(),
            "entry_date": np.datetime64("1970-01-01", "D")
            + c["day"].to_numpy().astype("timedelta64[D]"),
        }
    )
    checks = checks[(checks["entry_date"] >= lo) & (checks["entry_date"] <= D)]
    by_record = records[["record_no"]].merge(s.drop(columns="person_key"), on="record_no")
    by_person = records[["record_no", "person_key"]].merge(
        s.drop(columns="record_no").dropna(subset=["person_key"]), on="person_key"
    )
    by_check = records[["record_no", "person_key"]].merge(checks, on="person_key")
    entries = pd.concat(
        [
            by_record.assign(feed="ehr_service"),
            by_person.drop(columns="person_key").assign(feed="ehr_service"),
            by_check.drop(columns="person_key").assign(feed="eye_check"),
        ],
        ignore_index=True,
    )
    # a service may count for a record twice (by 档案编号 and by person): once is enough
    entries = entries.drop_duplicates(["record_no", "feed", "key"])
    entries["person_key"] = entries["record_no"].map(records.set_index("record_no")["person_key"])
    t._cache[f"use_entries:{day}"] = (records, entries[[*ENTRY_COLUMNS]])
    return t._cache[f"use_entries:{day}"]


def use_changes(
    before: hr.HealthRecordTruth, after: hr.HealthRecordTruth, day: dt.date
) -> pd.DataFrame:
    """The dynamic entries that one view has and the other has not (``side``: ``gained``
    or ``lost``), of the active records of either view: the only way a late event moves
    EHR_USE.  An entry of both views cannot have changed anything."""
    key = ["record_no", "feed", "key"]
    e = use_entries(before, day)[1].merge(
        use_entries(after, day)[1], on=key, how="outer", indicator=True
    )
    e = e[e["_merge"] != "both"]
    e["side"] = np.where(e["_merge"] == "right_only", "gained", "lost")
    e["entry_date"] = e["entry_date_y"].fillna(e["entry_date_x"])
    e["person_key"] = e["person_key_y"].fillna(e["person_key_x"])
    return e[[*key, "side", "entry_date", "person_key"]].reset_index(drop=True)


# -------------------------------------------------------------------- the late rows
def relevant_rows(
    late: dict[str, pd.DataFrame],
    day: dt.date,
    early_senders: dict[str, set[str]],
    early_keys: dict[str, set[str]],
) -> pd.DataFrame:
    """The late rows (arrived, or withdrawn by a correction) that rule 13 (and 14) lets
    reach back to D, with why, their lineage and the keys they touch.

    ``late``: per feed the staging rows with lineage and a ``change`` column (``added``
    or ``withdrawn``).  Stock feeds: a version whose 更新时间 date is on or before D.
    Events: a service or eye check dated D−364 … D (EHR_USE's window), or a new version
    of one that was (``early_keys``: per event feed the keys the first computation had
    inside the window; the latest version decides, wherever it is dated), a birth
    certificate of a child born on or before D (it may link an infant's eye check,
    rule 17).  Reference snapshots: one dated on or before D, or of a sender the first
    computation had no snapshot of (``early_senders``: per feed the senders it had).
    """
    D = pd.Timestamp(day)
    lo = D - pd.Timedelta(days=hr.USE_WINDOW_DAYS - 1)
    out = []
    for feed, rows in late.items():
        if rows.empty:
            continue
        keys = pd.DataFrame(index=rows.index)
        if feed in STOCK_FEEDS:
            hit = rows["updated_at"].dt.normalize() <= D
            why = "更新时间 on or before D (rule 13)"
        elif feed == "ehr_service":
            keys["key"] = rows["service_no"]
            hit = rows["service_date"].between(lo, D) | keys["key"].isin(early_keys[feed])
            why = "a service inside EHR_USE's window"
        elif feed == "eye_check":
            keys["key"] = rows["_sender"] + ":" + rows["check_no"]  # rule 10
            hit = rows["check_date"].between(lo, D) | keys["key"].isin(early_keys[feed])
            why = "an eye check inside EHR_USE's window"
        elif feed == "birth":
            hit = rows["birth_date"] <= D
            why = "child born by D: may link an eye check (rule 17)"
        elif feed in REFERENCE_FEEDS:
            earliest = ~rows["_sender"].isin(early_senders.get(feed, set()))
            hit = (rows["snapshot_date"] <= D) | earliest
            why = "snapshot in force at D (rule 14)"
        else:
            continue
        hit = hit.fillna(False).to_numpy(bool)
        ids = rows["newborn_id_number"] if feed == "birth" else rows.get("id_number")
        if ids is not None:
            keys["person_key"] = ids.map(lambda i: hr.person_key(i) if isinstance(i, str) else None)
        for column in ("record_no", "request_no"):
            if column in rows:
                keys[column] = rows[column]
        lineage = rows[["change", "_file_path", "_row_number", "_business_date"]]
        out.append(pd.concat([lineage, keys], axis=1)[hit].assign(feed=feed, why=why))
    columns = ["feed", "why", "change", "_file_path", "_row_number", "_business_date"]
    if not out:
        return pd.DataFrame(columns=columns)
    return pd.concat(out, ignore_index=True)


# which late rows can move an item of each indicator, and by which key they touch it
TOUCHES = {
    "EHR_COV": [
        ("ehr_record", "person_key"),
        ("ehr_record", "record_no"),
        ("population", "person_key"),
    ],
    "EHR_UNIQUE": [
        ("ehr_record", "person_key"),
        ("ehr_record", "record_no"),
        ("population", "person_key"),
    ],
    "EHR_PLACED": [
        ("ehr_record", "record_no"),
        ("contract", "person_key"),
        ("population", "person_key"),
        ("team", None),
        ("institution", None),
    ],
    "EHR_USE": [("ehr_record", "record_no"), ("institution", None)],
    "EHR_XFER_TIMELY": [("transfer", "request_no"), ("institution", None)],
}


def trace(
    changed: pd.DataFrame,
    entries: pd.DataFrame,
    relevant: pd.DataFrame,
    person_records: pd.DataFrame,
) -> pd.DataFrame:
    """Each changed item with the relevant late rows behind it (one row per pair; an item
    nothing explains keeps one row with a null ``_file_path``).

    An item is touched by the late rows of its own keys (TOUCHES): a person by versions
    of any of their records (``person_records``: record_no, person_key of either view)
    or by their own rows, a record by its versions, a request by its versions; reference
    snapshots touch every item.  EHR_USE records also by their gained or lost entries
    (``entries``): a service or eye check by its key's late rows, an eye check with no
    late row of its own by a late birth certificate of its person (rule 17: version 2
    brings 新生儿身份证号, which links the infant).
    """
    lineage = ["feed", "why", "change", "_file_path", "_row_number", "_business_date"]
    item = ["indicator_code", "period_type", "item"]
    pairs = []
    person_rows = (
        changed[["item", "person_key"]].dropna().merge(person_records, on="person_key", how="left")
    )
    for code, touches in TOUCHES.items():
        c = changed[changed["indicator_code"] == code]
        for feed, key in touches:
            rows = relevant[relevant["feed"] == feed]
            if rows.empty or c.empty:
                continue
            if key is None:  # a snapshot in force at D touches every unit
                pairs.append(c[item].merge(rows[lineage], how="cross"))
                continue
            if key == "record_no" and code in ("EHR_COV", "EHR_UNIQUE"):
                via = c[item].merge(person_rows[["item", "record_no"]], on="item")
            elif key == "request_no":
                via = c[item].assign(request_no=c["item"])
            else:
                via = c[[*item, key]]
            rows = rows.dropna(subset=[key])  # pandas would match a null key to a null key
            pairs.append(via.dropna(subset=[key]).merge(rows[[key, *lineage]], on=key))
    use = changed[changed["indicator_code"] == "EHR_USE"][[*item, "record_no"]]
    e = use.merge(entries.rename(columns={"feed": "entry_feed"}), on="record_no")
    events = relevant[relevant["feed"].isin(["ehr_service", "eye_check"])]
    own = e.merge(events[["key", *lineage]], on="key")
    linked = e[(e["entry_feed"] == "eye_check") & ~e["key"].isin(own["key"])]
    births = relevant[relevant["feed"] == "birth"].dropna(subset=["person_key"])
    pairs += [own, linked.merge(births[["person_key", *lineage]], on="person_key")]
    traced = pd.concat(pairs, ignore_index=True)
    extra = [c for c in ("entry_feed", "key", "side", "entry_date") if c in traced]
    traced = traced[[*item, *lineage, *extra]].drop_duplicates()
    untraced = changed[item].merge(traced[item].drop_duplicates(), how="left", indicator=True)
    untraced = untraced[untraced["_merge"] == "left_only"].drop(columns="_merge")
    return pd.concat([traced, untraced], ignore_index=True)
