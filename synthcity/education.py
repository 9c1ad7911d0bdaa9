"""Kindergartens, primary schools and the education bureau's rosters.

Rosters are snapshots per kindergarten (per school) delivered as XLSX by the
city education bureau, one file per district and term.  Children attend a
kindergarten near home (most on their own street) from the autumn after they
turn three until they enter primary school at six.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .config import CityConfig, from_day, to_day
from .dates import NEVER
from .geography import Geography
from .people import People, street_at
from .reference import STREET_SYLLABLES

CLASS_NAMES = {3: "小班", 4: "中班", 5: "大班"}


@dataclass
class Education:
    kindergartens: pd.DataFrame  # kg_code, kg_name, street_idx
    schools: pd.DataFrame  # school_code, school_name, street_idx
    kg_roster: pd.DataFrame  # feed frame
    school_entry: pd.DataFrame  # feed frame
    enrolment_truth: pd.DataFrame  # pid, kg_code, roster_day (one row per child per roster)


def _place_stem(street_name: str) -> str:
    """鼓楼街道 → 鼓楼, 大许镇 → 大许."""
    return street_name.removesuffix("街道").removesuffix("镇")


def _school_year_entry(birth_day: np.ndarray) -> np.ndarray:
    """Year a child born on ``birth_day`` starts kindergarten (3 years old by 31 August)."""
    b = np.asarray(birth_day).astype("datetime64[D]")
    year = b.astype("datetime64[Y]").astype(np.int64) + 1970
    after_august = (b.astype("datetime64[M]").astype(np.int64) % 12) >= 8
    return year + 3 + after_august.astype(np.int64)


def roster_days(config: CityConfig) -> list[int]:
    """Term rosters: 10 Sep and 10 Mar of each year, plus the current term at the start."""
    days = {config.start_day + 9}
    for year in range(config.start.year - 1, config.end.year + 1):
        for month in (3, 9):
            d = to_day(dt.date(year, month, 10))
            if config.start_day <= d <= config.end_day:
                days.add(d)
    return sorted(d for d in days if d <= config.end_day)


def build_education(config: CityConfig, geo: Geography, people: People) -> Education:
    rng = config.rng("education")
    p = people.persons
    streets = geo.streets
    # -- institutions: about one kindergarten per 250 children 3-6, one school per street
    kids_now = people.at(config.start_day)
    kid_birth = p["birth_day"].to_numpy()[kids_now["pid"].to_numpy()]
    young = (config.start_day - kid_birth) // 365
    counts = np.bincount(
        kids_now["street_idx"].to_numpy()[(young >= 3) & (young <= 6)], minlength=len(streets)
    )
    per_street = np.maximum(1, np.round(counts / 250).astype(int))
    kg_street = np.repeat(np.arange(len(streets)), per_street)
    district = streets["district_code"].to_numpy()
    kg_code = np.array([f"1{district[s][2:6]}{i:05d}" for i, s in enumerate(kg_street)])
    stems = ["".join(rng.choice(list(STREET_SYLLABLES), 2)) for _ in kg_street]
    kg_name = np.array(
        [
            f"{_place_stem(streets['street_name'].iloc[s])}{stem}幼儿园"
            for s, stem in zip(kg_street, stems, strict=True)
        ]
    )
    kindergartens = pd.DataFrame({"kg_code": kg_code, "kg_name": kg_name, "street_idx": kg_street})
    school_code = np.array([f"2{district[s][2:6]}{s:05d}" for s in range(len(streets))])
    school_name = np.array([f"{_place_stem(n)}中心小学" for n in streets["street_name"]])
    schools = pd.DataFrame(
        {
            "school_code": school_code,
            "school_name": school_name,
            "street_idx": np.arange(len(streets)),
        }
    )

    # -- each child's kindergarten: near home, chosen once
    entry_year = _school_year_entry(p["birth_day"].to_numpy())
    attends = rng.random(len(p)) < 0.9
    kg_by_street: dict[int, np.ndarray] = {
        int(str(k)): np.asarray(v) for k, v in kindergartens.groupby("street_idx").indices.items()
    }
    roster_rows = []
    for day in roster_days(config):
        year = from_day(day).year
        term_start_year = year if from_day(day).month >= 9 else year - 1
        grade = term_start_year - entry_year  # 0 小班, 1 中班, 2 大班
        alive = p["death_day"].to_numpy() > day
        on = np.flatnonzero(
            (grade >= 0) & (grade <= 2) & attends & alive & (p["origin"].to_numpy() != "migrant_in")
        )
        street = street_at(people, on, np.full(len(on), day))
        known = street >= 0
        on, street = on[known], street[known]
        # stable choice per child and street: hash of pid picks among the street's kindergartens
        choice = np.array(
            [
                kg_by_street[s][pid % len(kg_by_street[s])]
                for pid, s in zip(on.tolist(), street.tolist(), strict=True)
            ]
        )
        roster_rows.append(
            pd.DataFrame(
                {
                    "pid": on,
                    "kg": choice,
                    "roster_day": day,
                    "grade": grade[on],
                    "entry_year": entry_year[on],
                }
            )
        )
    roster = pd.concat(roster_rows, ignore_index=True)
    kg_roster = _kg_roster_feed(config, rng, geo, p, kindergartens, roster)

    # -- primary school entry: each September, the children who reach 6 by 31 August
    entries = []
    for year in range(config.start.year, config.end.year + 1):
        entry_day = to_day(dt.date(year, 9, 1))
        delivered = to_day(dt.date(year, 9, 15))
        if not (config.start_day <= entry_day and delivered <= config.end_day):
            continue
        pupils = np.flatnonzero(
            (entry_year + 3 == year)
            & (p["death_day"].to_numpy() > entry_day)
            & (p["origin"].to_numpy() != "migrant_in")
            & (rng.random(len(p)) < 0.99)
        )
        street = street_at(people, pupils, np.full(len(pupils), entry_day))
        ok = street >= 0
        pupils, street = pupils[ok], street[ok]
        last_kg = (
            roster.sort_values("roster_day")
            .drop_duplicates("pid", keep="last")
            .set_index("pid")["kg"]
        )
        kg_idx = last_kg.reindex(pupils).to_numpy()
        former = np.where(
            pd.notna(kg_idx) & (rng.random(len(pupils)) < 0.9),
            kindergartens["kg_code"].to_numpy()[np.nan_to_num(kg_idx).astype(int)],
            None,
        )
        entries.append(
            pd.DataFrame(
                {
                    "学校标识码": school_code[street],
                    "学校名称": school_name[street],
                    "学生身份证号": pupils,
                    "学生姓名": p["name"].to_numpy()[pupils],
                    "性别": p["sex"].to_numpy()[pupils].astype(str),
                    "出生日期": p["birth_day"].to_numpy()[pupils],
                    "入学日期": entry_day,
                    "原幼儿园标识码": former,
                    "_district": district[street],
                    "_base_day": delivered,
                }
            )
        )
    school_entry = _per_district_files(
        config,
        geo,
        pd.concat(entries, ignore_index=True) if entries else pd.DataFrame(),
        "school_entry",
        "学校标识码",
        "学生身份证号",
    )
    enrolment_truth = roster.assign(
        kg_code=kindergartens["kg_code"].to_numpy()[roster["kg"].to_numpy()]
    )
    return Education(
        kindergartens, schools, kg_roster, school_entry, enrolment_truth.drop(columns="kg")
    )


def _kg_roster_feed(
    config: CityConfig,
    rng: np.random.Generator,
    geo: Geography,
    p: pd.DataFrame,
    kindergartens: pd.DataFrame,
    roster: pd.DataFrame,
) -> pd.DataFrame:
    kg = roster["kg"].to_numpy()
    pid = roster["pid"].to_numpy()
    street = kindergartens["street_idx"].to_numpy()[kg]
    grade = roster["grade"].to_numpy()
    klass = np.array([CLASS_NAMES[g + 3] for g in grade], dtype=object)
    klass = klass + (1 + pid % 3).astype(str) + "班"
    frame = pd.DataFrame(
        {
            "幼儿园标识码": kindergartens["kg_code"].to_numpy()[kg],
            "幼儿园名称": kindergartens["kg_name"].to_numpy()[kg],
            "所在街道代码": geo.streets["street_code"].to_numpy()[street],
            "幼儿身份证号": pid,
            "幼儿姓名": p["name"].to_numpy()[pid],
            "性别": p["sex"].to_numpy()[pid].astype(str),
            "出生日期": p["birth_day"].to_numpy()[pid],
            "班级": klass,
            "入园日期": np.array([to_day(dt.date(int(y), 9, 1)) for y in roster["entry_year"]])
            if len(roster)
            else np.array([], dtype=np.int64),
            "_district": geo.streets["district_code"].to_numpy()[street],
            "_base_day": roster["roster_day"].to_numpy(),
        }
    )
    return _per_district_files(config, geo, frame, "kg_roster", "幼儿园标识码", "幼儿身份证号")


def _per_district_files(
    config: CityConfig,
    geo: Geography,
    frame: pd.DataFrame,
    feed: str,
    unit: str,
    person: str,
) -> pd.DataFrame:
    """One file per district and roster: business dates on consecutive days from the roster day."""
    if frame.empty:
        return frame
    districts = np.unique(frame["_district"].to_numpy())
    offset = dict(zip(districts, range(len(districts)), strict=True))
    frame["_business_day"] = frame["_base_day"] + frame["_district"].map(offset).to_numpy()
    frame = frame[frame["_business_day"] <= config.end_day].copy()
    frame["_sender"] = geo.education_bureau_code
    frame["_update_day"] = frame["_business_day"]
    frame["_update_second"] = 0
    frame["_record"] = (
        feed
        + ":"
        + frame[unit]
        + ":"
        + frame[person].astype(str)
        + ":"
        + frame["_business_day"].astype(str)
    )
    return (
        frame.drop(columns=["_district", "_base_day"])
        .sort_values(["_business_day", unit, person], kind="stable")
        .reset_index(drop=True)
    )


__all__ = ["Education", "build_education", "roster_days", "NEVER"]
