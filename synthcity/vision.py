"""Birth certificates and the 0-6 year eye-care and vision checks.

Checks follow the 13-visit schedule of the 2021 national norm (0～6岁儿童
眼保健及视力检查服务规范（试行）).  Participation varies by district and by
child, visual acuity (VA) is measured from age 3, abnormal children are asked
to recheck or are referred, and most (not all) are followed up.  Infants are
checked before they have an ID number; their rows carry the mother's.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .config import CityConfig
from .dates import NEVER, age_in_years
from .geography import Geography
from .people import People, street_at

# stage name, due age in days
SCHEDULE = (
    ("新生儿", 3),
    ("满月", 30),
    ("3月", 91),
    ("6月", 182),
    ("8月", 243),
    ("12月", 365),
    ("18月", 548),
    ("24月", 730),
    ("30月", 913),
    ("36月", 1095),
    ("4岁", 1461),
    ("5岁", 1826),
    ("6岁", 2191),
)
HISTORY_YEARS = 3  # checks before the period are delivered in the first day's history load
# mean 5-point VA by age (completed years); sd in lines (0.1) of the child and of each eye
VA_MEAN = {3: 4.85, 4: 4.95, 5: 5.05, 6: 5.1}
VA_CHILD_SD, VA_EYE_SD = 1.0, 0.6
POOR_THRESHOLD = {3: 46, 4: 48, 5: 49, 6: 49}  # tenths: poor when VA <= this, either eye
FOLLOWED_UP_IN_30_DAYS, FOLLOWED_UP_LATE = 0.80, 0.10


@dataclass
class Vision:
    birth: pd.DataFrame  # feed frame (contract headers + meta columns)
    eye_check: pd.DataFrame  # feed frame
    checks_truth: pd.DataFrame  # one row per check version, with the person and true VA
    births_truth: pd.DataFrame  # one row per birth certificate, with the child


def lookup(keys: np.ndarray, mapping: dict[str, str], default: str) -> np.ndarray:
    """``mapping[key]`` for every key, ``default`` where the key is not mapped."""
    return pd.Series(mapping).reindex(keys).fillna(default).to_numpy(dtype=object)


def names_of(persons: pd.DataFrame, pids: np.ndarray) -> np.ndarray:
    """The names of the given persons (object array; a take, not a full-table copy)."""
    return pa.array(persons["name"].array).take(pa.array(pids)).to_numpy(zero_copy_only=False)


def placeholder_names(persons: pd.DataFrame, mother: np.ndarray, sex: np.ndarray) -> np.ndarray:
    """张丽之子 / 张丽之女: how a child is named before it has a name of its own."""
    mothers = pa.array(persons["name"].array).take(pa.array(np.maximum(mother, 0)))
    suffix = pa.array(np.where(sex == 1, "之子", "之女"))
    named = pc.binary_join_element_wise(mothers, suffix, "").to_numpy(zero_copy_only=False)
    return np.where(mother >= 0, named, suffix.to_numpy(zero_copy_only=False))


def blank_unless(keep: np.ndarray, values: np.ndarray) -> np.ndarray:
    """``values`` as an object array, None (a blank cell) where ``keep`` is false."""
    out = np.asarray(values, dtype=object).copy()
    out[~np.asarray(keep, dtype=bool)] = None
    return out


def _record_numbers(institution: np.ndarray, day: np.ndarray) -> np.ndarray:
    """检查记录号: a per-institution sequence, so two institutions reuse numbers."""
    inst_code = pd.factorize(institution, sort=True)[0]
    order = np.lexsort((day, inst_code))
    inst_sorted = inst_code[order]
    start = np.ones(len(order), dtype=bool)
    start[1:] = inst_sorted[1:] != inst_sorted[:-1]
    group_start = np.flatnonzero(start)
    rank = np.arange(len(order)) - group_start[np.cumsum(start) - 1]
    seq = np.empty(len(order), dtype=np.int64)
    seq[order] = rank + 1
    digits = pc.utf8_lpad(pa.array(seq).cast(pa.string()), 8, "0")
    return pc.binary_join_element_wise("YJ", digits, "").to_numpy(zero_copy_only=False)


def build_births(
    config: CityConfig, geo: Geography, people: People
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """One certificate per child born since the eye-check history window opened."""
    rng = config.rng("births")
    p = people.persons
    window_start = config.start_day - HISTORY_YEARS * 366 - 90
    kids = p[
        (p["birth_day"] >= window_start)
        & (p["birth_day"] <= config.end_day)
        & (p["mother_pid"] >= 0)
    ].reset_index(drop=True)
    n = len(kids)
    district = kids["hukou_code"].to_numpy()
    hospitals = geo.institutions[(geo.institutions["category"] == "A") & geo.institutions["active"]]
    hosp_by_district = {
        str(k): str(v)
        for k, v in hospitals.groupby("district_code")["institution_code"].first().items()
    }
    at_mch = rng.random(n) < 0.4
    facility = np.where(
        at_mch,
        lookup(district, geo.mch_of_district(), geo.city_mch_code),
        lookup(district, hosp_by_district, geo.city_mch_code),
    )
    cert = pc.binary_join_element_wise(
        "Q", pa.array(rng.permutation(n) + 320_000_001).cast(pa.string()), ""
    ).to_numpy(zero_copy_only=False)
    sex = kids["sex"].to_numpy()
    placeholder = placeholder_names(p, kids["mother_pid"].to_numpy(), sex)
    real_name = names_of(p, kids["pid"].to_numpy())
    style = rng.random(n)
    first_name = blank_unless(style >= 0.3, np.where(style < 0.8, placeholder, real_name))
    birth_day = kids["birth_day"].to_numpy()
    first_day = birth_day + rng.integers(0, 4, n)
    registered = kids["id_day"].to_numpy()
    update_day = registered + rng.integers(0, 11, n)
    updated = rng.random(n) < 0.95

    def frame(
        version: int, mask: np.ndarray, day: np.ndarray, name: np.ndarray, child: np.ndarray
    ) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "出生证编号": cert[mask],
                "新生儿姓名": name[mask],
                "性别代码": sex[mask].astype(str),
                "出生日期": birth_day[mask],
                "母亲身份证号": kids["mother_pid"].to_numpy()[mask],
                "新生儿身份证号": child[mask],
                "助产机构代码": facility[mask],
                "_sender": geo.city_mch_code,
                "_business_day": np.maximum(day[mask], config.start_day),
                "_update_day": day[mask],
                "_update_second": rng.integers(8 * 3600, 20 * 3600, int(mask.sum())),
                "_record": np.char.add(np.char.add("birth:", cert[mask]), f":{version}"),
            }
        )

    first = frame(1, np.ones(n, bool), first_day, first_name.astype(object), np.full(n, -1))
    second = frame(2, updated, update_day, real_name.astype(object), kids["pid"].to_numpy())
    feed = pd.concat([first, second], ignore_index=True)
    feed = feed[feed["_update_day"] <= config.end_day]
    feed = feed.sort_values(
        ["_business_day", "_sender", "出生证编号", "_update_day"], kind="stable"
    ).reset_index(drop=True)
    truth = pd.DataFrame(
        {
            "certificate": cert,
            "child_pid": kids["pid"],
            "mother_pid": kids["mother_pid"],
            "birth_day": birth_day,
            "facility": facility,
            "child_id_filled_day": np.where(updated, update_day, NEVER),
        }
    )
    return feed, truth


def build_vision(config: CityConfig, geo: Geography, people: People) -> Vision:
    rng = config.rng("vision")
    start, end = config.start_day, config.end_day
    window_start = start - HISTORY_YEARS * 366
    p = people.persons
    kids = p[(p["birth_day"] > window_start - 7 * 366) & (p["origin"] != "migrant_in")]
    birth_feed, births_truth = build_births(config, geo, people)

    # -- scheduled visits inside the window -----------------------------------------
    pid = np.repeat(kids["pid"].to_numpy(), len(SCHEDULE))
    stage = np.tile(np.arange(len(SCHEDULE)), len(kids))
    due = np.array([d for _, d in SCHEDULE])[stage]
    birth = p["birth_day"].to_numpy()[pid]
    delay = np.where(
        stage == 0,
        rng.integers(0, 5, len(pid)),
        np.where(
            stage >= 10,
            rng.integers(0, 90, len(pid)),
            rng.gamma(1.5, 8, len(pid)).astype(np.int64) - 3,
        ),
    )
    day = birth + due + delay
    death = p["death_day"].to_numpy()[pid]
    keep = (day >= window_start) & (day <= end) & (day < death)
    pid, stage, day, birth = pid[keep], stage[keep], day[keep], birth[keep]

    street = street_at(people, pid, day)
    district = geo.streets["district_code"].to_numpy()[street]
    districts = np.unique(geo.streets["district_code"].to_numpy())
    # district participation (some under the 90% target) and each child's propensity
    district_rate = pd.Series(rng.uniform(0.84, 0.99, len(districts)), index=districts)
    child_effect = rng.normal(0, 1.0, len(p))
    hard_to_reach = rng.random(len(p)) < 0.02
    stage_rate = np.array([0.98, 0.95, 0.9, 0.9, 0.85, 0.9, 0.85, 0.85, 0.8, 0.85, 0.9, 0.9, 0.9])
    logit = np.log(stage_rate[stage] / (1 - stage_rate[stage]))
    base = district_rate.reindex(district).to_numpy()
    logit += np.log(base / (1 - base)) - np.log(0.9 / 0.1) + 0.8 * child_effect[pid]
    happens = (rng.random(len(pid)) < 1 / (1 + np.exp(-logit))) & ~hard_to_reach[pid]
    pid, stage, day, birth, street, district = (
        a[happens] for a in (pid, stage, day, birth, street, district)
    )
    n = len(pid)

    # -- who checks -------------------------------------------------------------------
    primary = geo.streets["institution_code"].to_numpy()[street]
    mch = lookup(district, geo.mch_of_district(), geo.city_mch_code)
    at_mch = np.where(stage >= 10, rng.random(n) < 0.6, rng.random(n) < 0.3)
    institution = np.where(at_mch, mch, primary).astype(object)
    newborn = stage == 0
    facility = births_truth.set_index("child_pid")["facility"].reindex(pid[newborn]).to_numpy()
    institution[newborn] = np.where(pd.isna(facility), institution[newborn], facility)
    institution = institution.astype(str)

    # -- visual acuity (tenths of the 5-point scale) from age 3 -----------------------
    age = age_in_years(birth, day)
    measures_va = np.where(stage == 9, rng.random(n) < 0.75, (stage >= 10) & (rng.random(n) < 0.97))
    measures_va &= age >= 3
    high_myopia = rng.random(len(p)) < 0.03
    effect = rng.normal(0, VA_CHILD_SD, len(p)) - 5 * high_myopia
    by_age = np.clip(age, 3, 6) - 3
    mean = np.array([VA_MEAN[a] * 10 for a in range(3, 7)])[by_age]
    va_right = np.clip(np.round(mean + effect[pid] + rng.normal(0, VA_EYE_SD, n)), 40, 53).astype(
        np.int64
    )
    va_left = np.clip(np.round(mean + effect[pid] + rng.normal(0, VA_EYE_SD, n)), 40, 53).astype(
        np.int64
    )
    va_right[~measures_va] = -1
    va_left[~measures_va] = -1
    threshold = np.array([POOR_THRESHOLD[a] for a in range(3, 7)])[by_age]
    poor = measures_va & (
        (np.minimum(va_right, va_left) <= threshold) | (np.abs(va_right - va_left) >= 2)
    )
    other_abnormal = rng.random(n) < np.where(age < 3, 0.02, 0.01)
    abnormal = poor | other_abnormal
    severe = abnormal & (~poor | (np.minimum(va_right, va_left) <= threshold - 2))
    advice = np.where(abnormal, np.where(severe, 2, 1), 0)
    result_only = ~abnormal & (rng.random(n) < 0.005)  # 检查结果 2 with no advice: does not flag
    result = np.where(abnormal | result_only, 2, 1)
    # the district MCH refers to the city's eye hospital; everyone else to the district MCH
    eye_hospital = str(
        geo.institutions.loc[geo.institutions["category"] == "A", "institution_code"].iloc[0]
    )
    referral_to = blank_unless(advice == 2, np.where(at_mch, eye_hospital, mch))

    checks = pd.DataFrame(
        {
            "pid": pid,
            "stage": np.array([s for s, _ in SCHEDULE])[stage],
            "check_day": day,
            "institution": institution,
            "va_right": va_right,
            "va_left": va_left,
            "result": result,
            "advice": advice,
            "referral_to": referral_to,
            "follow_up_of": None,
            "follow_up_institution": None,
        }
    )

    # -- follow-ups of flagged checks ------------------------------------------------
    flagged = np.flatnonzero(advice > 0)
    fate = rng.random(len(flagged))
    gap = np.where(
        fate < FOLLOWED_UP_IN_30_DAYS,
        rng.integers(3, 31, len(flagged)),
        rng.integers(31, 91, len(flagged)),
    )
    done = fate < FOLLOWED_UP_IN_30_DAYS + FOLLOWED_UP_LATE
    src = flagged[done]
    fu_day = day[src] + gap[done]
    ok = (fu_day <= end) & (fu_day < p["death_day"].to_numpy()[pid[src]])
    src, fu_day = src[ok], fu_day[ok]
    fu_inst = np.where(advice[src] == 2, referral_to[src], institution[src]).astype(str)
    improve = rng.integers(0, 3, len(src))
    fu_right = np.where(va_right[src] >= 0, np.minimum(va_right[src] + improve, 53), -1)
    fu_left = np.where(va_left[src] >= 0, np.minimum(va_left[src] + improve, 53), -1)
    follow = pd.DataFrame(
        {
            "pid": pid[src],
            "stage": None,
            "check_day": fu_day,
            "institution": fu_inst,
            "va_right": fu_right,
            "va_left": fu_left,
            "result": np.where(rng.random(len(src)) < 0.5, 2, 1),
            "advice": 0,
            "referral_to": None,
            "follow_up_of": src,
            "follow_up_institution": institution[src],
        }
    )
    # one in ten follow-ups does not carry the pointer (found by person and date instead)
    follow["has_pointer"] = rng.random(len(follow)) < 0.9
    checks["has_pointer"] = False
    checks["row_id"] = np.arange(len(checks))
    follow["row_id"] = len(checks) + np.arange(len(follow))
    checks = pd.concat([checks, follow], ignore_index=True)
    record_no = _record_numbers(checks["institution"].to_numpy(), checks["check_day"].to_numpy())
    checks["record_no"] = record_no
    pointer_row = checks["follow_up_of"].to_numpy()
    has_source = pd.notna(pointer_row)
    pointer = np.full(len(checks), None, dtype=object)
    pointer[has_source] = record_no[pointer_row[has_source].astype(np.int64)]
    checks["follow_up_of"] = pointer
    checks = checks.sort_values(["check_day", "institution", "record_no"], kind="stable")
    checks = checks.reset_index(drop=True).drop(columns="row_id")
    eye_check, checks_truth = _eye_check_feed(config, rng, people, checks)
    return Vision(
        birth=birth_feed, eye_check=eye_check, checks_truth=checks_truth, births_truth=births_truth
    )


DECIMAL_CHART = {
    40: "0.1",
    41: "0.12",
    42: "0.15",
    43: "0.2",
    44: "0.25",
    45: "0.3",
    46: "0.4",
    47: "0.5",
    48: "0.6",
    49: "0.8",
    50: "1.0",
    51: "1.2",
    52: "1.5",
    53: "2.0",
}


def va_text(tenths: np.ndarray, decimal: np.ndarray) -> np.ndarray:
    """A VA value as recorded: 5-point (``4.8``) or decimal chart (``0.6``); blank if unmeasured."""
    five = np.array([f"{t / 10:.1f}" for t in range(40, 54)], dtype=object)
    dec = np.array([DECIMAL_CHART[t] for t in range(40, 54)], dtype=object)
    idx = np.clip(tenths - 40, 0, 13)
    text = np.where(decimal, dec[idx], five[idx])
    return blank_unless(tenths >= 0, text)


def _eye_check_feed(
    config: CityConfig, rng: np.random.Generator, people: People, checks: pd.DataFrame
) -> tuple[pd.DataFrame, pd.DataFrame]:
    p = people.persons
    n = len(checks)
    pid = checks["pid"].to_numpy()
    day = checks["check_day"].to_numpy()
    has_id = day >= p["id_day"].to_numpy()[pid]
    mother = p["mother_pid"].to_numpy()[pid]
    sex = p["sex"].to_numpy()[pid]
    placeholder = placeholder_names(p, mother, sex)
    own_name = names_of(p, pid)
    style = rng.random(n)
    infant_name = np.where(style < 0.6, placeholder, blank_unless(style >= 0.8, own_name))
    child_name = np.where(has_id, own_name, infant_name)
    mother_on_row = np.where(~has_id | (rng.random(n) < 0.6), mother, -1)

    # institutions that record VA in decimal notation, and whether they send 视力记录方式
    inst = checks["institution"].to_numpy()
    inst_code, institutions = pd.factorize(inst, sort=True)
    inst_rng = config.rng("va-notation")
    decimal = (inst_rng.random(len(institutions)) < config.defects.decimal_va_institution)[
        inst_code
    ]
    omit = (inst_rng.random(len(institutions)) < config.defects.omit_va_method)[inst_code]
    measured = checks["va_right"].to_numpy() >= 0
    method = blank_unless(measured & ~omit, np.where(decimal, "2", "1"))
    stage = blank_unless(rng.random(n) >= 0.03, checks["stage"].to_numpy(dtype=object))

    lag = np.where(
        rng.random(n) < 0.7,
        0,
        np.where(rng.random(n) < 0.83, rng.integers(1, 4, n), rng.integers(4, 31, n)),
    )
    update_day = day + lag
    frame = pd.DataFrame(
        {
            "检查记录号": checks["record_no"].to_numpy(),
            "儿童身份证号": np.where(has_id, pid, -1),
            "儿童姓名": child_name,
            "性别代码": sex.astype(str),
            "出生日期": p["birth_day"].to_numpy()[pid],
            "母亲身份证号": mother_on_row,
            "检查日期": day,
            "检查阶段": stage,
            "右眼裸眼视力": va_text(checks["va_right"].to_numpy(), decimal),
            "左眼裸眼视力": va_text(checks["va_left"].to_numpy(), decimal),
            "视力记录方式": method,
            "检查结果": checks["result"].astype(str).to_numpy(),
            "处理意见": checks["advice"].astype(str).to_numpy(),
            "转诊机构代码": checks["referral_to"].to_numpy(),
            "复查原记录号": blank_unless(
                checks["has_pointer"].to_numpy(), checks["follow_up_of"].to_numpy()
            ),
            "_sender": inst,
            "_update_day": update_day,
            "_update_second": rng.integers(8 * 3600, 21 * 3600, n),
            "_version": 1,
        }
    )
    # later versions: the child's ID added after registration; a corrected VA
    gets_id = ~has_id & (rng.random(n) < 0.3)
    id_update = frame[gets_id].copy()
    id_update["儿童身份证号"] = pid[gets_id]
    id_update["儿童姓名"] = own_name[gets_id]
    id_update["_update_day"] = np.maximum(
        p["id_day"].to_numpy()[pid[gets_id]], update_day[gets_id]
    ) + rng.integers(1, 21, int(gets_id.sum()))
    fix = measured & (rng.random(n) < 0.01)
    va_fix = frame[fix].copy()
    corrected = np.clip(
        checks["va_right"].to_numpy()[fix] + rng.choice([-1, 1], int(fix.sum())), 40, 53
    )
    va_fix["右眼裸眼视力"] = va_text(corrected, decimal[fix])
    va_fix["_update_day"] = update_day[fix] + rng.integers(1, 21, int(fix.sum()))
    id_update["_version"], va_fix["_version"] = 2, 3
    feed = pd.concat([frame, id_update, va_fix], ignore_index=True)
    feed = feed[feed["_update_day"] <= config.end_day].copy()
    feed["_business_day"] = np.maximum(feed["_update_day"].to_numpy(), config.start_day)
    feed["_record"] = (
        "eye_check:"
        + feed["_sender"]
        + ":"
        + feed["检查记录号"]
        + ":"
        + feed["_version"].astype(str)
    )
    feed = (
        feed.drop(columns="_version")
        .sort_values(["_business_day", "_sender", "检查记录号", "_update_day"], kind="stable")
        .reset_index(drop=True)
    )

    truth = checks.assign(
        has_id_on_row=has_id,
        decimal_notation=decimal,
        first_update_day=update_day,
        corrected_va_right=np.nan,  # the right eye's VA after a later correction, in tenths
    )
    truth.loc[fix, "corrected_va_right"] = corrected
    return feed, truth
