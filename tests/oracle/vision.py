"""The child-vision indicators (VIS_*) recomputed from the synthetic city's ground truth.

"What the warehouse can know" is rebuilt from the truth tables alone:

- deliveries / delivered_rows say which file row carries which record version; only rows
  of files whose prescribed outcome is ``loaded`` count (edge rules 2-4), a higher
  accepted sequence supersedes the lower ones in full (rule 5), and the cut-off last line
  of a truncated file is not loaded (rule 2);
- row_defects say which delivered ID numbers are broken (``id_bad_check``,
  ``id_bad_check_batch``); every other deviation (15 digits, full width, blanks, lower-case
  x, text sex codes, date formats) normalizes to the true value (rules 8, 9, 11);
- population snapshots are rebuilt the way ``synthcity.snapshots.population_snapshot``
  writes them: on each snapshot day, everyone with a residence spell covering that day,
  with that spell's street and 常住 flag and the death date only once it has happened;
  row r of the file is the r-th such person by pid (truth/README.md), so a broken ID in
  row r removes that person from that snapshot (rule 14);
- eye-check versions (``synthcity.vision._eye_check_feed``): version 1 is the check as
  done, version 2 adds the child's ID (same row otherwise), version 3 corrects the right
  eye's VA (a copy of version 1 otherwise). Versions 2 and 3 are always updated on a later
  day than version 1 (``update_day + 1..20``), so the latest version (rules 11-13) is the
  highest delivered one as long as no key has both 2 and 3 (checked: ``ambiguous_versions``);
- birth certificates (``synthcity.vision.build_births``): version 1 without, version 2
  (10+ days later) with the child's ID and real name.

Where the truth lacks a value, the delivered cell is read through ``tests.delivery_reader``
(an independent reader of the contract, not the ingest code), and only for the few rows
that need it: the 母亲身份证号 on rows whose child ID is broken, and the names (儿童姓名,
新生儿姓名) when same-sex twins make two birth records fit (rule 17).
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from synthcity.vision import DECIMAL_CHART  # the decimal chart texts institutions write
from tests.delivery_reader import REQUIRED, normalize_id
from tests.delivery_reader import read as read_delivery

CITY = "320300"
WINDOW_DAYS = 30  # VIS_FOLLOWUP follow-up window (indicators.md, configurable)
POOR_MAX_TENTHS = {3: 46, 4: 48, 5: 49, 6: 49}  # poor when VA <= this, either eye
ANISOMETROPIA_TENTHS = 2  # ... or when the eyes differ by 2 lines or more
BROKEN_ID = ("id_bad_check", "id_bad_check_batch")
EPOCH = dt.date(1970, 1, 1)
NEVER = np.iinfo(np.int32).max
LONG_AGO = np.iinfo(np.int32).min
INDICATORS = ("VIS_COV", "VIS_POOR_6", "VIS_FOLLOWUP", "VIS_KG_COV", "VIS_SCHOOL_LINK")
RESULT_COLUMNS = [
    "indicator_code",
    "period_type",
    "period_label",
    "level",
    "unit_code",
    "district_code",
    "numerator",
    "denominator",
]


def day_of(date: dt.date) -> int:
    return (date - EPOCH).days


def date_of(day: int) -> dt.date:
    return EPOCH + dt.timedelta(days=int(day))


def days(column: pd.Series, missing: int) -> np.ndarray:
    """A truth date column as int days since 1970 (``missing`` where null)."""
    arr = pa.array(column.array).cast(pa.date32()).cast(pa.int32())
    return pc.fill_null(arr, missing).to_numpy().astype(np.int64)


def age_years(birth_day: np.ndarray, on_day: np.ndarray | int) -> np.ndarray:
    """Completed years (周岁); a 29 February birthday is reached on 1 March (rule 15)."""
    b = pd.DatetimeIndex(np.asarray(birth_day, dtype="int64").astype("datetime64[D]"))
    on = np.broadcast_to(np.asarray(on_day, dtype="int64"), np.shape(birth_day))
    d = pd.DatetimeIndex(on.astype("datetime64[D]"))
    before = (d.month < b.month) | ((d.month == b.month) & (d.day < b.day))
    return np.asarray(d.year - b.year, dtype=np.int64) - np.asarray(before, dtype=np.int64)


def five_point_tenths(decimal_text: str) -> int:
    """Decimal VA to 5-point tenths: round(5 + log10(v), 1), halves away from zero (rule 16)."""
    value = Decimal(repr(5 + math.log10(float(decimal_text))))
    return int(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP) * 10)


def as_delivered(tenths: np.ndarray, decimal: np.ndarray) -> np.ndarray:
    """The VA the warehouse reads back from what was written: institutions recording decimal
    notation write the chart value (synthcity.vision.va_text), converted by rule 16."""
    back = {t: five_point_tenths(text) for t, text in DECIMAL_CHART.items()}
    converted = np.array([back.get(int(t), -1) for t in tenths])
    return np.where(decimal & (tenths >= 0), converted, tenths)


def shows_poor_vision(age: np.ndarray, right: np.ndarray, left: np.ndarray) -> np.ndarray:
    """Poor vision by the age table (ages 3-6 only), both eyes measured (rule 16).

    VA values are integer tenths of the 5-point scale, so differences are exact.
    """
    measured = (right >= 0) & (left >= 0)
    limit = pd.Series(POOR_MAX_TENTHS).reindex(age).to_numpy()
    has_limit = ~np.isnan(limit)
    low = np.minimum(right, left) <= np.where(has_limit, limit, -1)
    uneven = np.abs(right - left) >= ANISOMETROPIA_TENTHS
    return measured & has_limit & (low | uneven)


# -- periods ----------------------------------------------------------------------------


def periods(year: int = 2026) -> pd.DataFrame:
    """Statistical year ``year`` (1 Oct year-1 .. 30 Sep year) and its year-to-date quarters
    (Q1 = Oct-Dec) and months, each evaluated at its last day."""
    start = dt.date(year - 1, 10, 1)
    rows = [("year", str(year), dt.date(year, 9, 30))]
    month_ends = []
    for i in range(12):
        y, m = (year - 1, 10 + i) if i < 3 else (year, i - 2)
        first_next = dt.date(y + (m == 12), m % 12 + 1, 1)
        month_ends.append((f"{y}-{m:02d}", first_next - dt.timedelta(days=1)))
    for q in range(4):
        rows.append(("quarter", f"{year}Q{q + 1}", month_ends[3 * q + 2][1]))
    rows += [("month", label, end) for label, end in month_ends]
    out = pd.DataFrame(rows, columns=["period_type", "period_label", "period_end"])
    out["period_start"] = start
    out["start_day"] = day_of(start)
    out["end_day"] = [day_of(d) for d in out["period_end"]]
    return out


# -- the truth ----------------------------------------------------------------------------


@dataclass
class VisionTruth:
    """The truth tables the vision oracle reads (``City.truth(name)``) and the inbox."""

    persons: pd.DataFrame
    residence: pd.DataFrame
    births: pd.DataFrame
    eye_checks: pd.DataFrame
    kindergartens: pd.DataFrame
    schools: pd.DataFrame
    streets: pd.DataFrame
    deliveries: pd.DataFrame
    delivered_rows: pd.DataFrame
    row_defects: pd.DataFrame
    inbox: Path
    _cache: dict[str, object] = field(default_factory=dict, repr=False)

    @classmethod
    def from_city(cls, city) -> VisionTruth:  # city: tests.conftest.City
        names = [
            "persons",
            "residence",
            "births",
            "eye_checks",
            "kindergartens",
            "schools",
            "streets",
            "deliveries",
            "delivered_rows",
            "row_defects",
        ]
        return cls(**{n: city.truth(n) for n in names}, inbox=city.inbox)

    # person attributes as arrays indexed by pid (pids are 0..n-1)
    @property
    def birth(self) -> np.ndarray:
        return self._memo("birth", lambda: days(self.persons["birth_day"], NEVER))

    @property
    def death(self) -> np.ndarray:
        return self._memo("death", lambda: days(self.persons["death_day"], NEVER))

    @property
    def sex(self) -> np.ndarray:
        return self.persons["sex"].to_numpy()

    def _memo(self, key: str, make):
        if key not in self._cache:
            self._cache[key] = make()
        return self._cache[key]


def accepted_rows(t: VisionTruth, feed: str) -> pd.DataFrame:
    """Rows of ``feed`` the warehouse holds: file_id, row, record, the record's parts,
    sender, business_day (int day), path."""
    d = t.deliveries
    files = d[(d["feed"] == feed) & (d["expected"] == "loaded")].copy()  # rules 1-4, 7
    files["business_day"] = days(files["business_day"], NEVER)
    # rule 5: the highest accepted sequence of (feed, sender, business date) stands alone
    top = files.groupby(["sender", "business_day"])["seq"].transform("max")
    files = files[files["seq"] == top]
    rows = t.delivered_rows.merge(
        files[["file_id", "sender", "business_day", "defect", "data_rows", "path"]],
        on="file_id",
    )
    # rule 2: the cut-off last line of a truncated file is malformed, not loaded
    cut = (rows["defect"] == "truncated") & (rows["row"] == rows["data_rows"])
    rows = rows[~cut].drop(columns=["defect", "data_rows"])
    parts = rows["record"].str.split(":", expand=True)
    for i in range(1, parts.shape[1]):
        rows[f"part{i}"] = parts[i].to_numpy()
    return rows.reset_index(drop=True)


def broken_ids(t: VisionTruth, column: str) -> pd.MultiIndex:
    """(file_id, row) of delivered rows whose ``column`` ID was written invalid."""
    rd = t.row_defects
    bad = rd[(rd["column"] == column) & rd["kind"].isin(BROKEN_ID)]
    return pd.MultiIndex.from_arrays([bad["file_id"].to_numpy(), bad["row"].to_numpy()])


def _is_in(rows: pd.DataFrame, index: pd.MultiIndex) -> np.ndarray:
    keys = pd.MultiIndex.from_arrays([rows["file_id"].to_numpy(), rows["row"].to_numpy()])
    return np.asarray(keys.isin(index))


def read_cells(t: VisionTruth, wanted: pd.DataFrame, column: str) -> pd.Series:
    """The delivered text of ``column`` in the given (file_id, row) rows, read from the
    inbox with tests.delivery_reader (used only where the truth does not hold the value)."""
    out = {}
    paths = t.deliveries.set_index("file_id")
    for file_id, group in wanted.groupby("file_id"):
        info = paths.loc[file_id]
        delivery = read_delivery(t.inbox / str(info["path"]), REQUIRED[str(info["feed"])])
        at = delivery.header.index(column)
        for row in group["row"]:
            out[(file_id, row)] = delivery.rows[int(row) - 1][at].strip(" \u3000\t")
    return pd.Series(out, dtype=object)


# -- population (rule 14) -----------------------------------------------------------------


def population_at(t: VisionTruth, day: int) -> pd.DataFrame:
    """The population snapshot in force at ``day``, as delivered and loaded.

    One row per person in it: pid, street_code, district_code, resident (常住标志),
    known_dead (a death on or before the snapshot day is shown in it).
    """
    key = f"population:{day}"
    if key in t._cache:
        return t._cache[key]  # type: ignore[return-value]
    d = t.deliveries
    files = d[(d["feed"] == "population") & (d["expected"] == "loaded")].copy()
    files["business_day"] = days(files["business_day"], NEVER)
    files = files[files["business_day"] <= day]
    # each sender's latest snapshot on or before D (there is one sender: the commission)
    latest = files.sort_values(["business_day", "seq"]).groupby("sender").tail(1)
    frames = []
    for file in latest.itertuples():
        snap_day = int(file.business_day)
        r = t.residence
        frm = days(r["from_day"], LONG_AGO)
        to = days(r["to_day"], NEVER)
        spell = r[(frm <= snap_day) & (to > snap_day)].sort_values("pid", kind="stable")
        assert len(spell) == file.data_rows, "snapshot rows are not the spells of that day"
        snap = pd.DataFrame(
            {
                "file_id": file.file_id,
                "row": np.arange(1, len(spell) + 1),
                "pid": spell["pid"].to_numpy(),
                "street_code": spell["street_code"].astype(str).to_numpy(),
                "resident": spell["resident"].to_numpy(),
            }
        )
        snap["known_dead"] = t.death[snap["pid"].to_numpy()] <= snap_day
        snap = snap[~_is_in(snap, broken_ids(t, "身份证号"))]  # a broken ID: not in it
        frames.append(snap)
    pop = pd.concat(frames, ignore_index=True).drop_duplicates("pid", keep="last")
    pop["district_code"] = pop["street_code"].str[:6]
    pop = pop[["pid", "street_code", "district_code", "resident", "known_dead"]]
    t._cache[key] = pop
    return pop


def residents_at(t: VisionTruth, day: int) -> pd.DataFrame:
    """Resident population at D: 常住 1, born on or before D, not (known) dead by D."""
    pop = population_at(t, day)
    born = t.birth[pop["pid"].to_numpy()] <= day
    return pop[(pop["resident"] == 1) & ~pop["known_dead"] & born]


# -- birth certificates and eye checks as the warehouse knows them ------------------------


def known_births(t: VisionTruth) -> pd.DataFrame:
    """Latest delivered version of every birth certificate (rule 13: latest overall)."""
    rows = accepted_rows(t, "birth").rename(columns={"part1": "certificate"})
    rows["version"] = rows["part2"].astype(int)
    rows = rows.sort_values("version").groupby("certificate").tail(1)
    b = rows.merge(t.births, on="certificate", validate="1:1")
    b["birth"] = days(b["birth_day"], NEVER)
    b["sex"] = t.sex[b["child_pid"].to_numpy()]
    b["mother_id_ok"] = ~_is_in(b, broken_ids(t, "母亲身份证号"))
    # version 2 carries 新生儿身份证号 (valid unless written broken) and the real name
    b["child_id_ok"] = (b["version"] == 2) & ~_is_in(b, broken_ids(t, "新生儿身份证号"))
    b["name"] = np.where(
        b["version"] == 2, t.persons["name"].to_numpy()[b["child_pid"].to_numpy()], None
    )
    return b.reset_index(drop=True)


@dataclass
class KnownChecks:
    checks: pd.DataFrame  # one row per eye_check key, latest version, with the linked person
    ambiguous_versions: int  # keys holding both version 2 and 3 (would need 更新时间)


def known_checks(t: VisionTruth) -> KnownChecks:
    """Latest version of every eye_check key (sender, 检查记录号) with its person (rule 17)."""
    if "checks" in t._cache:
        return t._cache["checks"]  # type: ignore[return-value]
    rows = accepted_rows(t, "eye_check").rename(columns={"part1": "institution", "part2": "no"})
    rows["version"] = rows["part3"].astype(int)
    versions = rows.groupby(["institution", "no"])["version"].agg(set)
    ambiguous = int(versions.map(lambda v: {2, 3} <= v).sum())
    rows = rows.sort_values("version").groupby(["institution", "no"]).tail(1)
    truth = t.eye_checks.rename(columns={"record_no": "no"})
    c = rows.merge(truth, on=["institution", "no"], validate="1:1")
    c["day"] = days(c["check_day"], NEVER)
    c["first_update"] = days(c["first_update_day"], NEVER)
    # VA in tenths (-1 = blank); version 3 carries the corrected right eye
    corrected = np.nan_to_num(c["corrected_va_right"].to_numpy(), nan=-1).astype(int)
    right = np.where(c["version"] == 3, corrected, c["va_right"])
    decimal = c["decimal_notation"].to_numpy()
    c["right"] = as_delivered(right, decimal)
    c["left"] = as_delivered(c["va_left"].to_numpy(), decimal)
    c["pointer"] = c["follow_up_of"].where(c["has_pointer"], None)
    c["age"] = age_years(t.birth[c["pid"].to_numpy()], c["day"].to_numpy())
    c["measures_va"] = (c["right"] >= 0) & (c["left"] >= 0)
    c["poor"] = shows_poor_vision(c["age"].to_numpy(), c["right"].to_numpy(), c["left"].to_numpy())
    c["flagged"] = c["advice"].isin([1, 2]) | c["poor"]  # rule 18
    _link(t, c)
    c = c.drop(
        columns=["check_day", "first_update_day", "va_right", "va_left", "corrected_va_right"]
    )
    known = KnownChecks(c.reset_index(drop=True), ambiguous)
    t._cache["checks"] = known
    return known


def _link(t: VisionTruth, c: pd.DataFrame) -> None:
    """Adds person (pid or -1), link_method, unlinked_reason (rule 17)."""
    n = len(c)
    pid = c["pid"].to_numpy()
    mother = t.persons["mother_pid"].to_numpy()[pid]
    child_on_row = (c["version"] == 2).to_numpy() | c["has_id_on_row"].to_numpy()
    child_ok = child_on_row & ~_is_in(c, broken_ids(t, "儿童身份证号"))
    person = np.where(child_ok, pid, -1)
    method = np.where(child_ok, "child_id", None).astype(object)
    reason = np.full(n, None, dtype=object)

    # 母亲身份证号: always written on a row without the child's ID (version 1 and 3 of an
    # infant check, and version 2, a copy of it); on 60% of the others, which only matter
    # when their child ID is broken: those few cells are read from the file
    mother_ok = ~child_on_row & (mother >= 0)
    unknown = np.flatnonzero(child_on_row & ~child_ok)
    if len(unknown):
        text = read_cells(t, c.iloc[unknown], "母亲身份证号")
        ids = t.persons["id_number"].astype(str).to_numpy()
        for i in unknown:
            value = text[(c["file_id"].iat[i], c["row"].iat[i])]
            mother_ok[i] = bool(value) and mother[i] >= 0 and normalize_id(value) == ids[mother[i]]
    has_mother = mother_ok.copy()
    mother_ok &= ~_is_in(c, broken_ids(t, "母亲身份证号"))
    need = ~child_ok
    reason[need & ~has_mother] = "no_id"
    reason[need & has_mother & ~mother_ok] = "invalid_mother_id"

    births = known_births(t)
    births = births[births["mother_id_ok"]].reset_index(drop=True)
    candidates = births.groupby(["mother_pid", "birth", "sex"])
    groups = candidates.indices
    birth, sex = t.birth[pid], t.sex[pid]
    names_needed = []
    for i in np.flatnonzero(need & mother_ok):
        found = groups.get((mother[i], birth[i], sex[i]))
        if found is None:
            reason[i] = "no_birth_record"
            continue
        if len(found) == 1:
            only = births.iloc[found[0]]
            if only["child_id_ok"]:
                person[i], method[i] = only["child_pid"], "birth_record"
            else:
                reason[i] = "birth_record_without_child_id"
            continue
        names_needed.append((i, found))
    if names_needed:
        # same-sex twins: the row's 儿童姓名 decides if it equals exactly one 新生儿姓名
        idx = [i for i, _ in names_needed]
        row_names = read_cells(t, c.iloc[idx], "儿童姓名")
        b = births.copy()
        unnamed = b["name"].isna()
        if unnamed.any():
            wanted = b[unnamed & b.index.isin(np.concatenate([f for _, f in names_needed]))]
            if len(wanted):
                text = read_cells(t, wanted, "新生儿姓名")
                for j in wanted.index:
                    b.at[j, "name"] = text[(b.at[j, "file_id"], b.at[j, "row"])]
        for i, found in names_needed:
            name = row_names[(c["file_id"].iat[i], c["row"].iat[i])]
            match = [j for j in found if name and b["name"].iat[j] == name]
            if len(match) != 1:
                reason[i] = "ambiguous_birth_records"
            elif b["child_id_ok"].iat[match[0]]:
                person[i], method[i] = b["child_pid"].iat[match[0]], "birth_record_by_name"
            else:
                reason[i] = "birth_record_without_child_id"
    c["person"] = person
    c["link_method"] = method
    c["unlinked_reason"] = reason


# -- the indicators -----------------------------------------------------------------------


def _rows(
    code: str, period, level: str, unit: pd.Series, district: pd.Series, num: pd.Series
) -> pd.DataFrame:
    """Result rows from one row per counted entity: its unit, district and numerator flag."""
    frame = pd.DataFrame({"unit_code": unit, "district_code": district, "num": num.astype(int)})
    out = (
        frame.groupby(["unit_code", "district_code"], dropna=False)["num"]
        .agg(numerator="sum", denominator="size")
        .reset_index()
    )
    return out.assign(
        indicator_code=code,
        period_type=period.period_type,
        period_label=period.period_label,
        level=level,
    )


def _city_and_districts(code: str, period, members: pd.DataFrame) -> list[pd.DataFrame]:
    """``members``: one row per person of the denominator (district_code, num)."""
    city = pd.Series(CITY, index=members.index)
    return [
        _rows(code, period, "city", city, city, members["num"]),
        _rows(
            code,
            period,
            "district",
            members["district_code"],
            members["district_code"],
            members["num"],
        ),
    ]


def _checked_in(checks: pd.DataFrame, period) -> np.ndarray:
    """Persons with at least one linked eye check dated inside the period."""
    inside = checks[
        (checks["person"] >= 0)
        & (checks["day"] >= period.start_day)
        & (checks["day"] <= period.end_day)
    ]
    return inside["person"].unique()


def vis_cov(t: VisionTruth, period) -> list[pd.DataFrame]:
    """Residents aged 0-6 (age < 7) at the period end, by district there; numerator: any
    eye check inside the period (any institution, any district)."""
    res = residents_at(t, period.end_day)
    young = res[age_years(t.birth[res["pid"].to_numpy()], period.end_day) < 7]
    checks = known_checks(t).checks
    members = young.assign(num=young["pid"].isin(_checked_in(checks, period)))
    return _city_and_districts("VIS_COV", period, members)


def _in_period(checks: pd.DataFrame, period) -> pd.DataFrame:
    return checks[
        (checks["person"] >= 0)
        & (checks["day"] >= period.start_day)
        & (checks["day"] <= period.end_day)
    ]


# Same-day ties are broken by 更新时间 first (rules 18, 20). The truth holds only the first
# version's update day, so it stands in for it; tied_same_day() shows that no tie reaches
# an indicator in the demo city.
TIE_ORDER = ["person", "day", "first_update", "institution", "no"]


def tied_same_day(t: VisionTruth) -> pd.DataFrame:
    """Linked checks sharing a person and a date where the tie would decide VIS_POOR_6 or
    VIS_FOLLOWUP (age-6 VA checks, flagged checks)."""
    c = known_checks(t).checks
    c = c[(c["person"] >= 0) & ((c["measures_va"] & (c["age"] == 6)) | c["flagged"])]
    return c[c.duplicated(["person", "day"], keep=False)]


def vis_poor_6(t: VisionTruth, period) -> list[pd.DataFrame]:
    """Residents at the period end with a VA-measuring check at age 6 in the period;
    numerator: their latest such check shows poor vision (ties: rule 20)."""
    c = _in_period(known_checks(t).checks, period)
    c = c[c["measures_va"] & (c["age"] == 6)]
    latest = c.sort_values(TIE_ORDER).groupby("person").tail(1)
    res = residents_at(t, period.end_day)
    members = res.merge(latest[["person", "poor"]], left_on="pid", right_on="person")
    return _city_and_districts("VIS_POOR_6", period, members.assign(num=members["poor"]))


def followed_up(checks: pd.DataFrame, flagged: pd.DataFrame) -> pd.Series:
    """Rule 19 for each flagged check (indexed like ``flagged``)."""
    f = flagged.reset_index()[["index", "person", "day", "institution", "no", "referral_to"]]
    # a check of the same person dated 1-30 days after
    same = f.merge(checks[["person", "day"]], on="person", suffixes=("", "_fu"))
    gap = same["day_fu"] - same["day"]
    by_person = same.loc[(gap >= 1) & (gap <= WINDOW_DAYS), "index"]
    # or any row pointing at the flagged 检查记录号, sent by its institution or its 转诊机构,
    # dated 0-30 days after (linked or not)
    pointing = checks[checks["pointer"].notna()][["pointer", "institution", "day"]]
    ptr = f.merge(pointing, left_on="no", right_on="pointer", suffixes=("", "_fu"))
    sender_ok = (ptr["institution_fu"] == ptr["institution"]) | (
        ptr["institution_fu"] == ptr["referral_to"]
    )
    gap = ptr["day_fu"] - ptr["day"]
    by_pointer = ptr.loc[sender_ok & (gap >= 0) & (gap <= WINDOW_DAYS), "index"]
    done = set(by_person) | set(by_pointer)
    return pd.Series([i in done for i in flagged.index], index=flagged.index)


def vis_followup(t: VisionTruth, period) -> list[pd.DataFrame]:
    """Residents at the period end whose first flagged check in the period (rule 18) has a
    window that ended by the period end; numerator: followed up (rule 19)."""
    checks = known_checks(t).checks
    c = _in_period(checks, period)
    first = c[c["flagged"]].sort_values(TIE_ORDER).groupby("person").head(1)
    first = first[first["day"] + WINDOW_DAYS <= period.end_day]
    first = first.assign(done=followed_up(checks, first))
    res = residents_at(t, period.end_day)
    members = res.merge(first[["person", "done"]], left_on="pid", right_on="person")
    return _city_and_districts("VIS_FOLLOWUP", period, members.assign(num=members["done"]))


def roster_rows(t: VisionTruth, feed: str, id_column: str) -> pd.DataFrame:
    """Accepted roster rows: unit (kindergarten or school code), pid, business_day, id_ok."""
    rows = accepted_rows(t, feed)  # record: <feed>:<unit>:<pid>:<business day>
    rows = rows.rename(columns={"part1": "unit"})
    rows["pid"] = rows["part2"].astype(int)
    rows["id_ok"] = ~_is_in(rows, broken_ids(t, id_column))
    return rows


def latest_roster(rows: pd.DataFrame, day: int) -> pd.DataFrame:
    """Per unit, the rows of its latest roster on or before ``day`` (all files of that
    business date count; a unit absent from a later file keeps its roster: rules 21, 22)."""
    rows = rows[rows["business_day"] <= day]
    last = rows.groupby("unit")["business_day"].transform("max")
    return rows[rows["business_day"] == last]


def vis_kg_cov(t: VisionTruth, period) -> list[pd.DataFrame]:
    """Children (valid ID) on each kindergarten's latest roster by the period end, resident
    or not; numerator: any eye check in the period. District = the kindergarten's street's
    county; district and city count distinct children (rule 21)."""
    roster = latest_roster(roster_rows(t, "kg_roster", "幼儿身份证号"), period.end_day)
    roster = roster[roster["id_ok"]].drop_duplicates(["unit", "pid"])
    kg_district = t.kindergartens.set_index("kg_code")["street_code"].astype(str).str[:6]
    roster = roster.assign(district_code=roster["unit"].map(kg_district).to_numpy())
    checked = _checked_in(known_checks(t).checks, period)
    roster = roster.assign(num=roster["pid"].isin(checked))
    code = "VIS_KG_COV"
    per_district = roster.drop_duplicates(["district_code", "pid"])
    per_city = roster.drop_duplicates("pid")
    city = pd.Series(CITY, index=per_city.index)
    return [
        _rows(code, period, "city", city, city, per_city["num"]),
        _rows(
            code,
            period,
            "district",
            per_district["district_code"],
            per_district["district_code"],
            per_district["num"],
        ),
        _rows(code, period, "kindergarten", roster["unit"], roster["district_code"], roster["num"]),
    ]


def vis_school_link(t: VisionTruth, period) -> list[pd.DataFrame]:
    """Children on each school's latest school_entry roster by the period end whose 入学日期
    is in the period; numerator: a VA-measuring check at age 4, 5 or 6 dated up to the
    period end. District: the child's in the population at the period end, whatever 常住
    flag or death, else ``unknown``; also one row per school (rule 22)."""
    roster = latest_roster(roster_rows(t, "school_entry", "学生身份证号"), period.end_day)
    # 入学日期 is not in the truth: synthcity.education writes 1 September of the entry year,
    # delivered from 15 September of that year
    entry_day = np.array([day_of(dt.date(date_of(d).year, 9, 1)) for d in roster["business_day"]])
    roster = roster[
        roster["id_ok"] & (entry_day >= period.start_day) & (entry_day <= period.end_day)
    ]
    roster = roster.drop_duplicates(["unit", "pid"])
    checks = known_checks(t).checks
    ok = checks[
        (checks["person"] >= 0)
        & checks["measures_va"]
        & checks["age"].isin([4, 5, 6])
        & (checks["day"] <= period.end_day)
    ]
    roster = roster.assign(num=roster["pid"].isin(ok["person"].unique()))
    pop = population_at(t, period.end_day).set_index("pid")["district_code"]
    district = roster["pid"].map(pop).fillna("unknown")
    street = t.streets["street_code"].astype(str)  # street_idx is the row position
    school_district = t.schools.set_index("school_code")["street_idx"].map(street).str[:6]
    code = "VIS_SCHOOL_LINK"
    children = roster.assign(district_code=district).drop_duplicates("pid")
    return [
        *_city_and_districts(code, period, children),
        _rows(
            code,
            period,
            "school",
            roster["unit"],
            roster["unit"].map(school_district),
            roster["num"],
        ),
    ]


INDICATOR_FUNCTIONS = {
    "VIS_COV": vis_cov,
    "VIS_POOR_6": vis_poor_6,
    "VIS_FOLLOWUP": vis_followup,
    "VIS_KG_COV": vis_kg_cov,
    "VIS_SCHOOL_LINK": vis_school_link,
}


def vision_results(t: VisionTruth, year: int = 2026) -> pd.DataFrame:
    """Every VIS_* result row for every period of the statistical year: city, district and
    (VIS_KG_COV) kindergarten and (VIS_SCHOOL_LINK) school levels."""
    frames = [
        frame
        for period in periods(year).itertuples()
        for fn in INDICATOR_FUNCTIONS.values()
        for frame in fn(t, period)
    ]
    out = pd.concat(frames, ignore_index=True)[RESULT_COLUMNS]
    out["numerator"] = out["numerator"].astype("int64")
    out["denominator"] = out["denominator"].astype("int64")
    return out.sort_values(
        ["indicator_code", "period_label", "level", "unit_code"], ignore_index=True
    )
