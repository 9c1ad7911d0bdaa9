"""Health-record indicators and worklists recomputed from the synthetic city's truth.

An independent oracle for the dbt models of docs/health-records-chain.md: everything
is derived from ``<city>/truth/*.parquet`` and the generator's documented behaviour
(synthcity/records.py, deliveries.py, snapshots.py, render.py), never from the
warehouse, the raw zone or the dbt SQL.  It reproduces what the warehouse can know:

- only rows of accepted files (``deliveries.expected == 'loaded'``); a higher accepted
  ``_<seq>`` supersedes lower ones of the same feed, sender and business date in full
  (rule 5); the broken last line of a truncated file is not loaded (rule 2);
- a row whose 身份证号 was delivered with a broken check character (row_defects
  ``id_bad_check*``) has an invalid ID: it breaks a row rule and is used nowhere (rules
  8, 9, 25, 27); every other ID deviation normalizes (rule 8);
- ``ehr_record`` / ``contract`` / ``transfer`` as of D: per key the latest delivered
  version whose 更新时间 date is ≤ D; it decides even when unusable (rule 13);
- the population at D: the latest accepted population snapshot on or before D; a
  snapshot is ``people.at(day)`` (synthcity/snapshots.py), i.e. the residence spells
  covering the snapshot day, row r = r-th person by pid (truth README), with 死亡日期
  shown when death ≤ snapshot day (rule 14).

Service rows (``ehr_service``) have no truth table: they are read from the delivered
files with tests/delivery_reader.py (the reader of the tests, not the ingest package).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path

import numpy as np
import pandas as pd

CITY_CODE = "320300"
BAD_ID = ("id_bad_check", "id_bad_check_batch")
TIMELY_DAYS = 7  # indicators.md EHR_XFER_TIMELY (configurable there; default 7)
ESCALATE_AFTER_DAYS = 15  # indicators.md: cross-district requests open more than 15 days
USE_WINDOW_DAYS = 365  # rule 25: D−364 … D


def person_key(normalized_id: str) -> str:
    """HMAC-SHA256 hex of the normalized ID with the build's secret (docs/vision-chain.md;
    tests/test_person_key.py holds xzh.person_key to Python's hmac)."""
    from xzh.person_key import secret

    return hmac.new(secret(), normalized_id.encode(), hashlib.sha256).hexdigest()


def _days(series: pd.Series) -> np.ndarray:
    """Dates as datetime64[D] (NaT for null)."""
    return pd.to_datetime(series.astype("datetime64[s]")).to_numpy().astype("datetime64[D]")


def _d(day: dt.date | str) -> np.datetime64:
    return np.datetime64(str(day), "D")


def month_end(day: dt.date) -> dt.date:
    nxt = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    return nxt - dt.timedelta(days=1)


def period_start(period_type: str, end: dt.date) -> dt.date:
    """Calendar periods ending on ``end`` (indicators.md: health records use calendar periods)."""
    if period_type == "month":
        return end.replace(day=1)
    if period_type == "quarter":
        return dt.date(end.year, (end.month - 1) // 3 * 3 + 1, 1)
    return dt.date(end.year, 1, 1)


def period_label(period_type: str, end: dt.date) -> str:
    if period_type == "month":
        return f"{end:%Y-%m}"
    if period_type == "quarter":
        return f"{end.year}Q{(end.month - 1) // 3 + 1}"
    return str(end.year)


@dataclass
class HealthRecordTruth:
    """The truth tables of one city, with the delivered-and-accepted view of each feed."""

    root: Path
    _cache: dict = field(default_factory=dict)

    def truth(self, name: str) -> pd.DataFrame:
        if name not in self._cache:
            self._cache[name] = pd.read_parquet(self.root / "truth" / f"{name}.parquet")
        return self._cache[name]

    # -- files ------------------------------------------------------------------------
    @cached_property
    def files(self) -> pd.DataFrame:
        """Accepted files that stand: loaded, and the highest accepted seq (rule 5)."""
        d = self.truth("deliveries")
        d = d[d["expected"] == "loaded"].copy()
        top = d.groupby(["feed", "sender", "business_day"])["seq"].transform("max")
        d = d[d["seq"] == top].copy()
        d["bday"] = _days(d["business_day"])
        return d.set_index("file_id")

    def rows(self, feed: str) -> pd.DataFrame:
        """Delivered rows of standing files: file_id, row, key, version, bad_id, file meta."""
        key = f"rows:{feed}"
        if key in self._cache:
            return self._cache[key]
        dr = self.truth("delivered_rows")
        dr = dr[dr["record"].str.startswith(feed + ":")]
        files = self.files[self.files["feed"] == feed]
        dr = dr[dr["file_id"].isin(files.index)].copy()
        # rule 2: a truncated file's last line is malformed and not loaded
        trunc = files[files["defect"] == "truncated"]["data_rows"]
        last = dr["file_id"].map(trunc)
        dr = dr[~(last.notna() & (dr["row"] == last))]
        parts = dr["record"].str.split(":")
        if feed == "eye_check":
            dr["sender_key"] = parts.str[1]
            dr["key"] = parts.str[2]
            dr["version"] = parts.str[3].astype(int)
        else:
            dr["key"] = parts.str[1]
            dr["version"] = parts.str[2].astype(int)
        dr["corrected"] = dr["record"].str.endswith(":correction")
        defects = self.truth("row_defects")
        bad = defects[defects["kind"].isin(BAD_ID)]
        for column, name in (
            ("身份证号", "bad_id"),
            ("儿童身份证号", "bad_child_id"),
            ("母亲身份证号", "bad_mother_id"),
            ("新生儿身份证号", "bad_newborn_id"),
        ):
            b = bad[bad["column"] == column]
            idx = pd.MultiIndex.from_frame(b[["file_id", "row"]].astype("int64"))
            dr[name] = pd.MultiIndex.from_frame(dr[["file_id", "row"]].astype("int64")).isin(idx)
        meta = files[["bday", "seq", "path", "defect"]]
        dr = dr.join(meta, on="file_id")
        self._cache[key] = dr.reset_index(drop=True)
        return self._cache[key]

    # -- people -----------------------------------------------------------------------
    @cached_property
    def persons(self) -> pd.DataFrame:
        p = self.truth("persons").set_index("pid")
        out = pd.DataFrame(
            {
                "id_number": p["id_number"].astype(str),
                "birth": _days(p["birth_day"]),
                "death": _days(p["death_day"]),
            },
            index=p.index,
        )
        out["person_key"] = [person_key(i) for i in out["id_number"]]
        return out

    @cached_property
    def population_days(self) -> np.ndarray:
        f = self.files[self.files["feed"] == "population"]
        return np.sort(f["bday"].to_numpy())

    def population(self, day: dt.date) -> pd.DataFrame:
        """The population snapshot in force at D (rule 14): pid, street, district, resident, dead.

        A snapshot is the residence spells covering its day, rows in pid order
        (synthcity/snapshots.py population_snapshot, truth README); rows whose ID was
        written with a broken check character are not persons (rule 8).
        """
        D = _d(day)
        key = f"pop:{D}"
        if key in self._cache:
            return self._cache[key]
        days = self.population_days
        usable = days[days <= D]
        snap = usable[-1] if len(usable) else days[0]
        r = self.truth("residence")
        fr, to = _days(r["from_day"]), _days(r["to_day"])
        cover = (np.isnat(fr) | (fr <= snap)) & (np.isnat(to) | (to > snap))
        s = r[cover].sort_values("pid").reset_index(drop=True)
        s["row"] = np.arange(1, len(s) + 1)
        f = self.files[(self.files["feed"] == "population") & (self.files["bday"] == snap)]
        assert len(f) == 1 and int(f["data_rows"].iloc[0]) == len(s), "population rows ≠ spells"
        fid = int(f.index[0])
        d = self.truth("row_defects")
        bad_rows = d[(d["file_id"] == fid) & d["kind"].isin(BAD_ID) & (d["column"] == "身份证号")]
        s = s[~s["row"].isin(bad_rows["row"])]
        p = self.persons.loc[s["pid"].to_numpy()]
        death = p["death"].to_numpy()
        shown = ~np.isnat(death) & (death <= snap)  # 死亡日期 shown once it happened
        out = pd.DataFrame(
            {
                "pid": s["pid"].to_numpy(),
                "person_key": p["person_key"].to_numpy(),
                "street": s["street_code"].astype(str).to_numpy(),
                "district": s["street_code"].astype(str).str[:6].to_numpy(),
                "resident_flag": s["resident"].to_numpy() == 1,
                "dead": shown & (death <= D),
                "born": p["birth"].to_numpy() <= D,
            }
        )
        # indicators.md "Resident population at a date D"
        out["resident"] = out["resident_flag"] & out["born"] & ~out["dead"]
        self._cache[key] = out.set_index("pid")
        return self._cache[key]

    # -- registry ---------------------------------------------------------------------
    @cached_property
    def institutions(self) -> pd.DataFrame:
        """The registry (static in the generator: snapshots.institution_snapshots)."""
        return self.truth("institutions").set_index("institution_code")

    def inst_district(self, codes: pd.Series) -> pd.Series:
        return codes.astype(object).map(self.institutions["district_code"])

    @cached_property
    def street_institution(self) -> dict[str, str]:
        """Rule 24: active B/C institutions by served street; two → the smaller code."""
        i = self.institutions.reset_index()
        i = i[i["category"].isin(["B", "C"]) & i["active"] & i["streets"].notna()]
        out: dict[str, str] = {}
        for code, streets in sorted(zip(i["institution_code"], i["streets"], strict=True)):
            for s in str(streets).split(";"):
                if s and s not in out:
                    out[s] = code
        return out

    @cached_property
    def team_institution(self) -> dict[str, str]:
        """Rule 23: a team's institution from the team feed (teams_truth); inactive count too."""
        t = self.truth("teams_truth")
        return dict(zip(t["team_code"], t["institution_code"], strict=True))

    # -- versions as of D ------------------------------------------------------------
    @cached_property
    def record_versions(self) -> pd.DataFrame:
        rt = self.truth("records_truth")
        rv = self.truth("record_versions_truth")
        rows = self.rows("ehr_record")
        rec_index = pd.Series(np.arange(len(rt)), index=rt["record_no"].astype(str))
        rows = rows.assign(record=rows["key"].map(rec_index).astype("int64"))
        v = rows.merge(
            rv[["record", "version", "pid", "update_day", "update_second", "status"]].assign(
                inst=rv["institution_code"].astype(object), team=rv["team_code"].astype(object)
            ),
            on=["record", "version"],
            how="left",
            validate="many_to_one",
        )
        v["uday"] = _days(v["update_day"])
        # a correction re-stamps its first row an hour later (deliveries.apply_plan)
        first_of_correction = v["corrected"] & (v["row"] == 1)
        v["usec"] = np.where(
            first_of_correction, np.minimum(v["update_second"] + 3600, 86399), v["update_second"]
        )
        # rule 11 tie-breaks after 更新时间: business date, sequence, path
        return v.sort_values(["key", "uday", "usec", "bday", "seq", "path"]).reset_index(drop=True)

    def records_at(self, day: dt.date) -> pd.DataFrame:
        """Per record its version as of D (rule 13); active = status 1 and a valid ID."""
        D = _d(day)
        v = self.record_versions
        v = v[v["uday"] <= D]
        last = v.drop_duplicates("key", keep="last").copy()
        last["active"] = (last["status"] == 1) & ~last["bad_id"]
        last["person_key"] = self.persons["person_key"].reindex(last["pid"]).to_numpy()
        last["district"] = self.inst_district(last["inst"]).to_numpy()
        return last.rename(columns={"key": "record_no"})[
            ["record_no", "pid", "person_key", "status", "active", "inst", "team", "district"]
        ].reset_index(drop=True)

    @cached_property
    def contract_versions(self) -> pd.DataFrame:
        """Contract versions: 1 signed (签约状态 1), 2 its end (2 解约 or 3 到期) (records.py)."""
        c = self.truth("contracts_truth")
        rows = self.rows("contract")
        v = rows.merge(
            c.assign(contract_no=c["contract_no"].astype(str)),
            left_on="key",
            right_on="contract_no",
            how="left",
            validate="many_to_one",
        )
        end_status = {
            "cancelled": 2,
            "team_dissolved": 2,
            "moved": 2,
            "death_cancelled": 2,
            "expired_recorded": 3,
        }
        v["status"] = np.where(
            v["version"] == 1, 1, v["end"].astype(str).map(end_status).fillna(1).astype(int)
        )
        v["uday"] = np.where(v["version"] == 1, _days(v["sign_day"]), _days(v["end_update_day"]))
        v["eff"] = _days(v["effective_day"])
        v["exp"] = _days(v["expiry_day"])
        v["sign"] = _days(v["sign_day"])
        v["team"] = v["team_code"].astype(object)
        # version 2 is later than version 1 even on the same day (records.py end_sec)
        return v.sort_values(["key", "uday", "version", "bday", "seq", "path"]).reset_index(
            drop=True
        )

    def contracts_at(self, day: dt.date) -> pd.DataFrame:
        """Rule 23: per person the valid contract at D (latest 生效日期, 签约日期, 签约编号)."""
        D = _d(day)
        v = self.contract_versions
        last = v[v["uday"] <= D].drop_duplicates("key", keep="last")
        ok = last[~last["bad_id"] & (last["status"] == 1) & (last["eff"] <= D) & (last["exp"] >= D)]
        ok = ok.sort_values(["pid", "eff", "sign", "key"]).drop_duplicates("pid", keep="last")
        inst = ok["team"].map(self.team_institution)
        ok = ok.assign(exp_inst=inst.fillna(ok["institution_code"].astype(object)))
        return ok.set_index("pid")[["key", "team", "exp_inst"]]

    @cached_property
    def transfer_versions(self) -> pd.DataFrame:
        """Transfer versions: 1 request, 2 escalated (协调转办), 3 answer (records.py)."""
        t = self.truth("transfers_truth")
        rows = self.rows("transfer")
        v = rows.merge(
            t.assign(request_no=t["request_no"].astype(str)),
            left_on="key",
            right_on="request_no",
            how="left",
            validate="many_to_one",
        )
        ver = v["version"].to_numpy()
        v["uday"] = np.select(
            [ver == 1, ver == 2],
            [_days(v["apply_day"]), _days(v["escalate_day"])],
            _days(v["reply_update_day"]),
        )
        v["status"] = np.where(ver == 3, v["outcome"], 0)
        reply = _days(v["reply_day"])
        v["reply"] = np.where(
            (ver == 3) & ~v["reply_without_date"].to_numpy(), reply, np.datetime64("NaT")
        )
        v["flag"] = (ver >= 2) & v["escalated"].to_numpy()
        v["apply"] = _days(v["apply_day"])
        v["out_inst"] = v["out_institution"].astype(object)
        v["in_inst"] = v["in_institution"].astype(object)
        return v.sort_values(["key", "uday", "version", "bday", "seq", "path"]).reset_index(
            drop=True
        )

    def transfers_at(self, day: dt.date) -> pd.DataFrame:
        """Requests known at D, each at its version as of D (rules 13, 27)."""
        D = _d(day)
        v = self.transfer_versions
        last = v[v["uday"] <= D].drop_duplicates("key", keep="last").copy()
        last["out_district"] = self.inst_district(last["out_inst"]).to_numpy()
        last["in_district"] = self.inst_district(last["in_inst"]).to_numpy()
        last["person_key"] = self.persons["person_key"].reindex(last["pid"]).to_numpy()
        last = last.drop(columns=["request_no"])  # = key (the truth's copy of it)
        return last.rename(columns={"key": "request_no"}).reset_index(drop=True)

    # -- dynamic entries (EHR_USE) ------------------------------------------------------
    @cached_property
    def services(self) -> pd.DataFrame:
        """Usable ehr_service rows, read from the delivered files (no truth table exists).

        Event feed: per 服务记录号 the latest version overall (a resend is version 2, a
        later 更新时间; delivered_rows gives each row's version), and it decides even when
        unusable (rule 13): a latest row with an invalid 身份证号 breaks a row rule and the
        key counts nowhere (rules 8, 9).
        """
        from tests.delivery_reader import REQUIRED, normalize_id, read

        files = self.files[self.files["feed"] == "ehr_service"]
        frames = []
        for file_id, path in zip(files.index, files["path"], strict=True):
            d = read(self.root / "inbox" / path, REQUIRED["ehr_service"])
            h = d.header
            idx = [h.index(c) for c in ("服务记录号", "档案编号", "身份证号", "服务日期")]
            good = [
                [file_id, n, *(r[i] for i in idx)]
                for n, r in enumerate(d.rows, start=1)
                if len(r) == len(h)  # rule 2: a malformed (truncated) line is not loaded
            ]
            frames.append(pd.DataFrame(good))
        s = pd.concat(frames, ignore_index=True)
        s.columns = ["file_id", "row", "service_no", "record_no", "id", "date"]
        rows = self.rows("ehr_service")[["file_id", "row", "version", "bday", "seq", "path"]]
        s = s.merge(rows, on=["file_id", "row"], how="inner", validate="one_to_one")
        s = s.sort_values(["service_no", "version", "bday", "seq", "path"])
        s = s.drop_duplicates("service_no", keep="last")
        ids = s["id"].map(normalize_id)
        s = s[ids.notna()].assign(id=ids[ids.notna()])
        s["date"] = pd.to_datetime(s["date"].str.replace("/", "-"), format="mixed").to_numpy()
        s["date"] = s["date"].to_numpy().astype("datetime64[D]")
        by_id = self.persons.reset_index().set_index("id_number")["person_key"]
        s["person_key"] = s["id"].map(by_id)
        s["record_no"] = s["record_no"].str.strip().replace("", np.nan)
        return s[["service_no", "record_no", "person_key", "date"]]

    @property
    def inbox(self) -> Path:
        return self.root / "inbox"

    @cached_property
    def eye_checks(self) -> pd.DataFrame:
        """Linked eye checks (latest version per sender and 检查记录号): person_key, date.

        The linkage (rule 17) is the vision oracle's (tests/oracle/vision.py, from the truth).
        """
        from tests.oracle.vision import VisionTruth, known_checks

        c = known_checks(VisionTruth.from_city(self)).checks
        c = c[c["person"] >= 0]
        dates = np.datetime64("1970-01-01", "D") + c["day"].to_numpy().astype("timedelta64[D]")
        pids = c["person"].to_numpy()
        return pd.DataFrame(
            {"person_key": self.persons["person_key"].reindex(pids).to_numpy(), "date": dates}
        )


# ---------------------------------------------------------------------------- helpers
def _rate_rows(
    frame: pd.DataFrame, code: str, num: str, den: str, levels: tuple[str, ...] = ("district",)
) -> pd.DataFrame:
    """The city row, then one row per unit of each level; ``frame`` has a column named like
    each level holding the item's unit there (district, institution or team code).

    Districts keep any code, null included (rule 29: codes outside the ten counties keep
    their own code); institutions and teams are the units seen, and an item without one
    (a record with no 责任团队) counts in no unit of that level.
    """
    rows = [
        {
            "indicator_code": code,
            "level": "city",
            "unit_code": CITY_CODE,
            "numerator": int(frame[num].sum()),
            "denominator": int(frame[den].sum()),
        }
    ]
    for level in levels:
        g = frame.groupby(level, dropna=level != "district")[[num, den]].sum()
        rows += [
            {
                "indicator_code": code,
                "level": level,
                "unit_code": str(u),
                "numerator": int(n),
                "denominator": int(d),
            }
            for u, (n, d) in g.iterrows()
        ]
    return pd.DataFrame(rows)


def _resident_active(t: HealthRecordTruth, day: dt.date) -> tuple[pd.DataFrame, pd.DataFrame]:
    pop = t.population(day)
    res = pop[pop["resident"]]
    recs = t.records_at(day)
    act = recs[recs["active"]]
    return res, act


# ----------------------------------------------------------------------- indicators
def ehr_cov(t: HealthRecordTruth, day: dt.date) -> pd.DataFrame:
    """EHR_COV: residents at D (by district at D) with ≥ 1 active record (rules 13, 14)."""
    res, act = _resident_active(t, day)
    f = pd.DataFrame(
        {"district": res["district"], "den": 1, "num": res.index.isin(act["pid"]).astype(int)}
    )
    return _rate_rows(f, "EHR_COV", "num", "den")


def ehr_unique(t: HealthRecordTruth, day: dt.date) -> pd.DataFrame:
    """EHR_UNIQUE: residents with ≥ 1 active record; numerator exactly one."""
    res, act = _resident_active(t, day)
    n = act.groupby("pid").size()
    n = n[n.index.isin(res.index)]
    f = pd.DataFrame(
        {
            "district": res.loc[n.index, "district"].to_numpy(),
            "den": 1,
            "num": (n == 1).astype(int).to_numpy(),
        }
    )
    return _rate_rows(f, "EHR_UNIQUE", "num", "den")


def expected_at(t: HealthRecordTruth, day: dt.date, pids: pd.Index) -> pd.DataFrame:
    """Expected institution and team at D (indicators.md; rules 23, 24)."""
    pop = t.population(day)
    con = t.contracts_at(day)
    street_inst = pop.loc[pids, "street"].map(t.street_institution)
    exp_inst = con["exp_inst"].reindex(pids).fillna(street_inst)
    exp_team = con["team"].reindex(pids)
    return pd.DataFrame({"exp_inst": exp_inst, "exp_team": exp_team}, index=pids)


def _placement(t: HealthRecordTruth, day: dt.date) -> pd.DataFrame:
    """Active records of residents with their expected institution/team and placement."""
    res, act = _resident_active(t, day)
    a = act[act["pid"].isin(res.index)].copy()
    exp = expected_at(t, day, pd.Index(a["pid"].unique()))
    a = a.join(exp, on="pid")
    a["res_district"] = res.loc[a["pid"], "district"].to_numpy()
    same_inst = a["exp_inst"].notna() & (a["inst"] == a["exp_inst"])
    team_ok = a["exp_team"].isna() | (a["team"] == a["exp_team"])  # rule 26
    a["placed"] = same_inst & team_ok
    a["exp_district"] = t.inst_district(a["exp_inst"]).to_numpy()
    return a


def ehr_placed(t: HealthRecordTruth, day: dt.date) -> pd.DataFrame:
    """EHR_PLACED: active records of residents, by the resident's district (rule 26), and by
    the institution and team that hold the record at D.

    indicators.md states no institution or team level for EHR_PLACED; the holder is the one
    docs/health-records-chain.md names ("per managing institution and team"): a record held
    in the wrong place counts against whoever holds it, not the expected institution.
    """
    a = _placement(t, day)
    f = pd.DataFrame(
        {
            "district": a["res_district"],
            "institution": a["inst"],  # 管理机构 of the version as of D, not the expected one
            "team": a["team"],  # 责任团队 of that version; none → in no team's row
            "den": 1,
            "num": a["placed"].astype(int),
        }
    )
    return _rate_rows(f, "EHR_PLACED", "num", "den", ("district", "institution", "team"))


def ehr_use(t: HealthRecordTruth, day: dt.date) -> pd.DataFrame:
    """EHR_USE: active records at D (dead and non-residents included, invalid IDs not) with
    an ehr_service row for the record or its person, or an eye_check of the person, dated
    D−364 … D; district = the managing institution's 所在区划代码 (rule 25); institution =
    the managing institution."""
    D = _d(day)
    lo = D - np.timedelta64(USE_WINDOW_DAYS - 1, "D")
    act = t.records_at(day)
    act = act[act["active"]]
    s = t.services
    s = s[(s["date"] >= lo) & (s["date"] <= D)]
    e = t.eye_checks
    e = e[(e["date"] >= lo) & (e["date"] <= D)]
    used = (
        act["record_no"].isin(s["record_no"])
        | act["person_key"].isin(s["person_key"].dropna())
        | act["person_key"].isin(e["person_key"])
    )
    # indicators.md: "by managing institution (and its district)": the 管理机构 of the
    # record's version as of D, whoever the person's expected institution is
    f = pd.DataFrame(
        {
            "district": act["district"],
            "institution": act["inst"],
            "den": 1,
            "num": used.astype(int),
        }
    )
    return _rate_rows(f, "EHR_USE", "num", "den", ("district", "institution"))


def ehr_xfer_timely(t: HealthRecordTruth, start: dt.date, end: dt.date) -> pd.DataFrame:
    """EHR_XFER_TIMELY: requests with 申请日期 + 7 in the period, known at its end, valid ID;
    timely when answered (1/2) with 处理日期 − 申请日期 ≤ 7 (rule 27); district and
    institution = the 迁出机构 (its district from the registry)."""
    r = t.transfers_at(end)
    due = r["apply"] + np.timedelta64(TIMELY_DAYS, "D")
    r = r[(due >= _d(start)) & (due <= _d(end)) & ~r["bad_id"]]
    answered = r["status"].isin([1, 2]) & r["reply"].notna()
    timely = answered & ((r["reply"] - r["apply"]) <= np.timedelta64(TIMELY_DAYS, "D"))
    # indicators.md "by 迁出机构" (rule 27): the institution asked to give the record up,
    # which is the one that has to answer in time
    f = pd.DataFrame(
        {
            "district": r["out_district"],
            "institution": r["out_inst"],
            "den": 1,
            "num": timely.astype(int),
        }
    )
    return _rate_rows(f, "EHR_XFER_TIMELY", "num", "den", ("district", "institution"))


def period_types(day: dt.date) -> list[str]:
    """The calendar periods evaluated at ``day`` (docs/health-records-chain.md)."""
    types = ["month"]
    if day.month % 3 == 0:
        types.append("quarter")
    if day.month == 12:
        types.append("year")
    return types


STOCK_INDICATORS = {
    "EHR_COV": ehr_cov,
    "EHR_USE": ehr_use,
    "EHR_UNIQUE": ehr_unique,
    "EHR_PLACED": ehr_placed,
}


def indicators(t: HealthRecordTruth, period_type: str, end: dt.date) -> pd.DataFrame:
    """All five indicators for the calendar period of ``period_type`` ending on ``end``, at
    every level they are published at (city, district; institution for EHR_USE,
    EHR_PLACED and EHR_XFER_TIMELY; team for EHR_PLACED)."""
    frames = [f(t, end) for f in STOCK_INDICATORS.values()]
    frames.append(ehr_xfer_timely(t, period_start(period_type, end), end))
    out = pd.concat(frames, ignore_index=True)
    return out.assign(period_type=period_type, period_label=period_label(period_type, end))


# ------------------------------------------------------------------------- worklists
def transfer_worklist(t: HealthRecordTruth, day: dt.date) -> pd.DataFrame:
    """迁档清单: active records of residents not placed, classed 机构内/区域内/跨区域 (rule 28)."""
    a = _placement(t, day)
    a = a[~a["placed"]].copy()
    a["transfer_class"] = np.where(
        a["inst"] == a["exp_inst"],
        "机构内",
        np.where(a["district"] == a["exp_district"], "区域内", "跨区域"),
    )
    return a[["record_no", "person_key", "transfer_class", "inst", "exp_inst"]].reset_index(
        drop=True
    )


def escalation_list(t: HealthRecordTruth, day: dt.date) -> pd.DataFrame:
    """Open cross-district requests at D, open more than 15 days or flagged 协调转办."""
    D = _d(day)
    r = t.transfers_at(day)
    r = r[~r["bad_id"] & (r["status"] == 0) & (r["out_district"] != r["in_district"])].copy()
    r["age_days"] = ((D - r["apply"].to_numpy()) / np.timedelta64(1, "D")).astype(int)
    r = r[(r["age_days"] > ESCALATE_AFTER_DAYS) | r["flag"]]
    return r[["request_no", "record_no", "person_key", "age_days", "flag"]].reset_index(drop=True)


def duplicate_list(t: HealthRecordTruth, day: dt.date) -> pd.DataFrame:
    """Persons with two or more active records, resident or not (rule 28)."""
    act = t.records_at(day)
    act = act[act["active"]]
    g = act.groupby("person_key")["record_no"].agg(["size", lambda s: ";".join(sorted(s))])
    g.columns = ["record_count", "record_nos"]
    return g[g["record_count"] >= 2].reset_index()


def stale_list(t: HealthRecordTruth, day: dt.date) -> pd.DataFrame:
    """Active records whose person is not in the resident population at D (rule 28).

    Reason: ``dead`` when a snapshot on or before D has shown the death (rule 14: a death
    is known from the first snapshot that shows it, and stays known), else
    ``not_resident`` when in the population at D, else ``not_in_population``.
    """
    D = _d(day)
    pop = t.population(day)
    known_dead: set[int] = set()
    for snap in t.population_days[t.population_days <= D]:
        p_s = t.population(pd.Timestamp(snap).date())
        known_dead |= set(p_s.index[p_s["dead"]])
    act = t.records_at(day)
    act = act[act["active"]].copy()
    p = pop.reindex(act["pid"])
    in_pop = p["resident"].notna().to_numpy()
    resident = p["resident"].fillna(False).to_numpy().astype(bool)
    reason = np.select(
        [act["pid"].isin(known_dead).to_numpy(), in_pop & ~resident, ~in_pop],
        ["dead", "not_resident", "not_in_population"],
        "",
    )
    act["stale_reason"] = reason
    act = act[act["stale_reason"] != ""]
    return act[["record_no", "person_key", "inst", "stale_reason"]].reset_index(drop=True)
