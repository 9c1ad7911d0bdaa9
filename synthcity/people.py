"""The people of the city: who they are, where they live, births, deaths and moves.

Everything is drawn with numpy over whole arrays (no per-person Python), so a
9-million-person city takes seconds.  The result is the ground truth that
every feed is rendered from.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from . import dates
from .codes import ID_CHECK_CHARS, ID_WEIGHTS
from .config import CityConfig
from .dates import LONG_AGO, NEVER
from .geography import Geography
from .reference import (
    BIRTHS_PER_1000,
    CITY_RESIDENTS_SCALE_1,
    DISTRICTS,
    GIVEN_CHARS_FEMALE,
    GIVEN_CHARS_MALE,
    MIGRANT_AREA_CODES,
    OLD_AREA_CODES,
    SHARE_AGE_0_6,
    SHARE_AGE_0_14,
    SHARE_AGE_60_PLUS,
    SHARE_MALE,
    SURNAMES,
)

ORIGIN_INITIAL, ORIGIN_NON_RESIDENT, ORIGIN_BORN, ORIGIN_MIGRANT = 0, 1, 2, 3
ORIGIN_NAMES = ("initial", "non_resident", "born", "migrant_in")
MOVES_PER_YEAR = 0.04
MOVE_BACK_SHARE = 0.08
OUT_MIGRATION_PER_YEAR = 0.006
IN_MIGRATION_PER_YEAR = 0.008
NON_RESIDENT_SHARE = 0.06
TWIN_SHARE = 0.012
RESIDENCE_QUALIFYING_DAYS = 183  # 常住: six months or more in the city


@dataclass
class People:
    """persons: one row per person; residence: one row per (person, spell)."""

    persons: pd.DataFrame
    residence: pd.DataFrame

    def at(self, day: int) -> pd.DataFrame:
        """The residence spell of every person known to the population database on ``day``."""
        r = self.residence
        spell = r[(r["from_day"] <= day) & (r["to_day"] > day)]
        return spell


def age_weights() -> np.ndarray:
    """Share of residents at each completed age 0..99 (census shape, births falling)."""
    w = np.zeros(100)
    young = np.array([0.85, 0.9, 0.95, 1.05, 1.15, 1.2, 1.3])
    w[:7] = young / young.sum() * SHARE_AGE_0_6
    w[7:15] = SHARE_AGE_0_14 - SHARE_AGE_0_6
    w[7:15] /= 8
    adults = np.arange(15, 60)
    shape = (
        1
        + 0.35 * np.exp(-(((adults - 55) / 6.0) ** 2))
        + 0.15 * np.exp(-(((adults - 35) / 6.0) ** 2))
    )
    w[15:60] = shape / shape.sum() * (1 - SHARE_AGE_0_14 - SHARE_AGE_60_PLUS)
    old = np.exp(-0.075 * (np.arange(60, 100) - 60))
    w[60:] = old / old.sum() * SHARE_AGE_60_PLUS
    return w / w.sum()


def annual_death_hazard(age: np.ndarray) -> np.ndarray:
    """Gompertz-shaped yearly death probability with an infant bump."""
    hazard = 0.000023 * np.exp(0.095 * age)
    return np.clip(np.where(age == 0, 0.003, hazard), 0, 0.6)


DISTRICT_CODES = np.array([d.code for d in DISTRICTS])
AREA_CODES = np.array([d.code for d in DISTRICTS] + list(OLD_AREA_CODES) + list(MIGRANT_AREA_CODES))
AREA_OLD_JIULI, AREA_OLD_TONGSHAN = len(DISTRICTS), len(DISTRICTS) + 1
AREA_FIRST_MIGRANT = len(DISTRICTS) + 2
TONGSHAN = int(np.flatnonzero(DISTRICT_CODES == "320312")[0])
JIULI_SUCCESSORS = np.flatnonzero(np.isin(DISTRICT_CODES, ["320302", "320311"]))


def street_district_index(geo: Geography) -> np.ndarray:
    """District index (position in DISTRICTS) of every street (position in geo.streets)."""
    return np.searchsorted(DISTRICT_CODES, geo.streets["district_code"].to_numpy()).astype(np.int64)


def draw_streets_in(rng: np.random.Generator, geo: Geography, district: np.ndarray) -> np.ndarray:
    """A street (index into geo.streets) inside each given district, by street weight."""
    street_district = street_district_index(geo)
    weight = geo.streets["weight"].to_numpy()
    street = np.empty(len(district), dtype=np.int64)
    for d in range(len(DISTRICTS)):
        mask = district == d
        streets = np.flatnonzero(street_district == d)
        w = weight[streets] / weight[streets].sum()
        street[mask] = streets[rng.choice(len(streets), size=int(mask.sum()), p=w)]
    return street


def _neighbour_street(geo: Geography, street: np.ndarray) -> np.ndarray:
    """The next street of the same district (a mover who drew their own street moves next door)."""
    street_district = street_district_index(geo)
    out = street.copy()
    for d in range(len(DISTRICTS)):
        streets = np.flatnonzero(street_district == d)
        mask = street_district[street] == d
        position = np.searchsorted(streets, street[mask])
        out[mask] = streets[(position + 1) % len(streets)]
    return out


def _draw_places(rng: np.random.Generator, geo: Geography, n: int) -> tuple[np.ndarray, np.ndarray]:
    """District and street indexes for ``n`` people, by resident weights."""
    weights = np.array([d.residents_10k for d in DISTRICTS], dtype=float)
    district = rng.choice(len(DISTRICTS), size=n, p=weights / weights.sum())
    return district, draw_streets_in(rng, geo, district)


def _pick_mothers(
    rng: np.random.Generator,
    child_birth: np.ndarray,
    child_district: np.ndarray,
    women_idx: np.ndarray,
    women_birth: np.ndarray,
    women_district: np.ndarray,
) -> np.ndarray:
    """For each child, a woman of the same district aged about 22-38 at the birth."""
    mothers = np.full(len(child_birth), -1, dtype=np.int64)
    for code in np.unique(child_district):
        kids = np.flatnonzero(child_district == code)
        pool = np.flatnonzero(women_district == code)
        if len(pool) == 0 or len(kids) == 0:
            continue
        order = np.argsort(women_birth[pool], kind="stable")
        pool, pool_birth = pool[order], women_birth[pool][order]
        target = child_birth[kids] - rng.uniform(22, 38, len(kids)) * 365.25
        pos = np.searchsorted(pool_birth, target)
        pos = np.clip(pos + rng.integers(-30, 31, len(kids)), 0, len(pool) - 1)
        mothers[kids] = women_idx[pool[pos]]
    return mothers


def _id_numbers(
    rng: np.random.Generator, area: np.ndarray, birth_day: np.ndarray, sex: np.ndarray
) -> pa.Array:
    """Unique, valid 18-digit ID numbers (sequence odd for men, even for women)."""
    n = len(area)
    areas, area_idx = AREA_CODES, area
    order = np.lexsort((sex, birth_day, area_idx))
    key = np.stack([area_idx[order], birth_day[order], sex[order]])
    new_group = np.ones(n, dtype=bool)
    new_group[1:] = (key[:, 1:] != key[:, :-1]).any(axis=0)
    group_id = np.cumsum(new_group) - 1
    group_start = np.flatnonzero(new_group)
    rank = np.arange(n) - group_start[group_id]
    if rank.max(initial=0) >= 450:
        raise ValueError("too many people share an area code, birth date and sex")
    offset = rng.integers(0, 50, len(group_start))[group_id]
    male = (sex[order] == 1).astype(np.int64)
    seq_sorted = (2 * (offset + rank) + male) % 1000
    seq = np.empty(n, dtype=np.int64)
    seq[order] = seq_sorted

    ymd = pc.cast(dates.compact(birth_day), pa.int64()).to_numpy()
    area_digits = np.array([[int(c) for c in a] for a in areas], dtype=np.int64)
    total = area_digits[area_idx] @ ID_WEIGHTS[:6]
    for i in range(8):
        total += (ymd // 10 ** (7 - i) % 10) * ID_WEIGHTS[6 + i]
    for i in range(3):
        total += (seq // 10 ** (2 - i) % 10) * ID_WEIGHTS[14 + i]
    check = pa.array(list(ID_CHECK_CHARS)).take(pa.array(total % 11))
    seq_text = pa.array([f"{i:03d}" for i in range(1000)]).take(pa.array(seq))
    area_text = pa.array(areas.astype(str)).take(pa.array(area_idx))
    return pc.binary_join_element_wise(area_text, dates.compact(birth_day), seq_text, check, "")


def _names(rng: np.random.Generator, sex: np.ndarray) -> pa.Array:
    n = len(sex)
    surnames = pa.array(list(SURNAMES))
    surname = surnames.take(pa.array(rng.zipf(1.3, n).clip(1, len(SURNAMES)) - 1))
    male_chars, female_chars = list(GIVEN_CHARS_MALE), list(GIVEN_CHARS_FEMALE)
    chars = pa.array(male_chars + female_chars)

    def pick() -> pa.Array:
        idx = np.where(
            sex == 1,
            rng.integers(0, len(male_chars), n),
            len(male_chars) + rng.integers(0, len(female_chars), n),
        )
        return chars.take(pa.array(idx))

    first, second = pick(), pick()
    single = pa.array(rng.random(n) < 0.3)
    given = pc.if_else(single, first, pc.binary_join_element_wise(first, second, ""))
    return pc.binary_join_element_wise(surname, given, "")


def build_people(config: CityConfig, geo: Geography) -> People:
    rng = config.rng("people")
    start, end, years = config.start_day, config.end_day, config.years
    n_res = round(CITY_RESIDENTS_SCALE_1 * config.scale)
    n_nonres = round(n_res * NON_RESIDENT_SHARE)

    # -- initial residents and non-residents -----------------------------------------
    ages = rng.choice(100, size=n_res, p=age_weights())
    nonres_ages = rng.integers(18, 56, n_nonres)
    age0 = np.concatenate([ages, nonres_ages])
    n0 = len(age0)
    birth = (start - age0 * 365.25 - rng.uniform(1, 365.25, n0)).astype(np.int64)
    sex = np.where(rng.random(n0) < SHARE_MALE, 1, 2)
    district, street = _draw_places(rng, geo, n0)
    origin = np.concatenate(
        [np.full(n_res, ORIGIN_INITIAL), np.full(n_nonres, ORIGIN_NON_RESIDENT)]
    )

    # twins among young children: a second child, same mother and birthday
    young = np.flatnonzero((age0 < 7) & (origin == ORIGIN_INITIAL))
    first_twin = young[rng.random(len(young)) < TWIN_SHARE / 2]
    twin_sex = np.where(rng.random(len(first_twin)) < 0.7, sex[first_twin], 3 - sex[first_twin])

    # births during the period (and their twins)
    n_births = rng.poisson(n_res * BIRTHS_PER_1000 / 1000 * years)
    b_birth = rng.integers(start, end + 1, n_births)
    b_sex = np.where(rng.random(n_births) < 0.52, 1, 2)
    b_district, b_street = _draw_places(rng, geo, n_births)
    b_twin = np.flatnonzero(rng.random(n_births) < TWIN_SHARE / 2)
    b_twin_sex = np.where(rng.random(len(b_twin)) < 0.7, b_sex[b_twin], 3 - b_sex[b_twin])

    # in-migrants: arrive during the period, resident after six months
    n_in = rng.poisson(n_res * IN_MIGRATION_PER_YEAR * years)
    m_age = rng.integers(18, 50, n_in)
    m_arrive = rng.integers(start, end + 1, n_in)
    m_birth = (m_arrive - m_age * 365.25 - rng.uniform(1, 365.25, n_in)).astype(np.int64)
    m_sex = np.where(rng.random(n_in) < 0.55, 1, 2)
    m_district, m_street = _draw_places(rng, geo, n_in)

    # -- one array per attribute, all persons ----------------------------------------
    birth_all = np.concatenate([birth, birth[first_twin], b_birth, b_birth[b_twin], m_birth])
    sex_all = np.concatenate([sex, twin_sex, b_sex, b_twin_sex, m_sex])
    district_all = np.concatenate(
        [district, district[first_twin], b_district, b_district[b_twin], m_district]
    )
    street_all = np.concatenate([street, street[first_twin], b_street, b_street[b_twin], m_street])
    origin_all = np.concatenate(
        [
            origin,
            np.full(len(first_twin), ORIGIN_INITIAL),
            np.full(n_births + len(b_twin), ORIGIN_BORN),
            np.full(n_in, ORIGIN_MIGRANT),
        ]
    )
    n = len(birth_all)
    twin_of = np.full(n, -1, dtype=np.int64)
    k = n0
    twin_of[k : k + len(first_twin)] = first_twin
    k += len(first_twin)
    b0 = k
    k += n_births
    twin_of[k : k + len(b_twin)] = b0 + b_twin
    k += len(b_twin)
    born = origin_all == ORIGIN_BORN

    # mothers: resident women 22-38 at the birth, same district; a twin shares its sibling's
    women = np.flatnonzero(
        (sex_all == 2) & (origin_all == ORIGIN_INITIAL) & (birth_all < start - 18 * 365)
    )
    needs_mother = (
        ((start - birth_all) < 7 * 366) & (twin_of < 0) & ((origin_all == ORIGIN_INITIAL) | born)
    )
    mother = np.full(n, -1, dtype=np.int64)
    kids = np.flatnonzero(needs_mother)
    mother[kids] = _pick_mothers(
        rng, birth_all[kids], district_all[kids], women, birth_all[women], district_all[women]
    )
    is_twin = twin_of >= 0
    mother[is_twin] = mother[twin_of[is_twin]]
    # a child lives where its mother lived at the start
    has_mother = (mother >= 0) & born
    street_all[has_mother] = street_all[mother[has_mother]]
    district_all[has_mother] = district_all[mother[has_mother]]

    # -- ID numbers: area of the household registration at birth ---------------------
    area = district_all.copy()
    migrant = origin_all == ORIGIN_MIGRANT
    settled_migrant = (
        (origin_all == ORIGIN_INITIAL) & (rng.random(n) < 0.064) & (birth_all < start - 18 * 365)
    )
    outside = migrant | settled_migrant
    area[outside] = AREA_FIRST_MIGRANT + rng.integers(
        0, len(MIGRANT_AREA_CODES), int(outside.sum())
    )
    born_before_2010 = birth_all < 14610
    old_tongshan = (district_all == TONGSHAN) & born_before_2010 & (rng.random(n) < 0.4) & ~outside
    old_jiuli = (
        np.isin(district_all, JIULI_SUCCESSORS)
        & born_before_2010
        & (rng.random(n) < 0.15)
        & ~outside
    )
    area[old_tongshan] = AREA_OLD_TONGSHAN
    area[old_jiuli] = AREA_OLD_JIULI
    hukou = AREA_CODES[np.where(outside, area, district_all)]
    id_number = _id_numbers(rng, area, birth_all, sex_all)
    name = _names(rng, sex_all)
    # a twin shares the family name of its sibling
    family = np.where(is_twin, twin_of, np.arange(n))
    surname = pc.utf8_slice_codeunits(name.take(pa.array(family)), 0, 1)
    name = pc.binary_join_element_wise(surname, pc.utf8_slice_codeunits(name, 1), "")

    # -- when each person enters the population database ------------------------------
    registered = np.full(n, LONG_AGO, dtype=np.int64)
    registered[born] = birth_all[born] + rng.integers(20, 76, int(born.sum()))
    registered[migrant] = m_arrive

    # the ID number is issued at household registration, 20-75 days after birth
    id_day = np.where(born, registered, birth_all + rng.integers(20, 76, n))

    # -- deaths ------------------------------------------------------------------------
    age_start = np.maximum(0, (start - birth_all) // 365)
    p_die = 1 - np.exp(-annual_death_hazard(age_start) * years)
    dies = rng.random(n) < p_die
    death = np.full(n, NEVER, dtype=np.int64)
    lo = np.maximum(start, birth_all)
    death[dies] = lo[dies] + (rng.random(int(dies.sum())) * (end + 1 - lo[dies])).astype(np.int64)

    # -- residence spells ---------------------------------------------------------------
    since = np.where(
        registered > LONG_AGO,
        registered,
        np.maximum(birth_all, start - rng.integers(30, 15 * 365, n)),
    )
    resident0 = np.where((origin_all == ORIGIN_NON_RESIDENT) | migrant, 0, 1)
    event = rng.random(n)
    p_move = MOVES_PER_YEAR * years
    p_out = OUT_MIGRATION_PER_YEAR * years
    eligible = (origin_all == ORIGIN_INITIAL) & (twin_of < 0)
    mover = eligible & (event < p_move)
    leaver = eligible & (event >= p_move) & (event < p_move + p_out)
    # children move with their mothers: a moving mother's young children follow
    move_day = rng.integers(start + 1, end + 1, n)

    spells: list[pd.DataFrame] = []

    def spell(
        idx: np.ndarray, frm: np.ndarray, to: np.ndarray, st: np.ndarray, res: np.ndarray
    ) -> None:
        spells.append(
            pd.DataFrame(
                {"pid": idx, "from_day": frm, "to_day": to, "street_idx": st, "resident": res}
            )
        )

    steady = ~mover & ~leaver & ~migrant
    idx = np.flatnonzero(steady)
    spell(idx, registered[idx], np.full(len(idx), NEVER), street_all[idx], resident0[idx])

    idx = np.flatnonzero(leaver)
    spell(idx, registered[idx], move_day[idx], street_all[idx], np.ones(len(idx), int))
    spell(idx, move_day[idx], np.full(len(idx), NEVER), street_all[idx], np.zeros(len(idx), int))

    idx = np.flatnonzero(migrant)
    settle = m_arrive + RESIDENCE_QUALIFYING_DAYS
    spell(idx, m_arrive, settle, street_all[idx], np.zeros(len(idx), int))
    spell(idx, settle, np.full(len(idx), NEVER), street_all[idx], np.ones(len(idx), int))

    idx = np.flatnonzero(mover)
    same_district = rng.random(len(idx)) < 0.6
    new_district = np.where(same_district, district_all[idx], _draw_places(rng, geo, len(idx))[0])
    new_street = draw_streets_in(rng, geo, new_district)
    stayed = new_street == street_all[idx]
    new_street[stayed] = _neighbour_street(geo, new_street[stayed])
    goes_back = rng.random(len(idx)) < MOVE_BACK_SHARE
    back_day = move_day[idx] + rng.integers(60, 181, len(idx))
    goes_back &= back_day <= end
    first_to = move_day[idx]
    second_to = np.where(goes_back, back_day, NEVER)
    ones = np.ones(len(idx), int)
    spell(idx, registered[idx], first_to, street_all[idx], ones)
    spell(idx, first_to, second_to, new_street, ones)
    gb = idx[goes_back]
    spell(gb, back_day[goes_back], np.full(len(gb), NEVER), street_all[gb], np.ones(len(gb), int))

    residence = pd.concat(spells, ignore_index=True)
    # young children follow a moving mother (same days, same streets)
    child = np.flatnonzero((mother >= 0) & (origin_all == ORIGIN_INITIAL) & steady)
    follow = child[(mover | leaver)[mother[child]]]
    if len(follow):
        mom_spells = residence[residence["pid"].isin(mother[follow])]
        merged = pd.DataFrame({"pid": follow, "mother": mother[follow]}).merge(
            mom_spells.rename(columns={"pid": "mother"}), on="mother"
        )
        residence = pd.concat(
            [residence[~residence["pid"].isin(follow)], merged.drop(columns="mother")],
            ignore_index=True,
        )
    residence = residence.sort_values(["pid", "from_day"], kind="stable").reset_index(drop=True)
    residence["district_idx"] = street_district_index(geo)[residence["street_idx"].to_numpy()]

    update_second = rng.integers(8 * 3600, 18 * 3600, n)
    persons = pd.DataFrame(
        {
            "pid": np.arange(n),
            "id_number": pd.Series(id_number, dtype=pd.ArrowDtype(pa.string())),
            "name": pd.Series(name, dtype=pd.ArrowDtype(pa.string())),
            "sex": sex_all,
            "birth_day": birth_all,
            "death_day": death,
            "hukou_code": pd.Series(hukou, dtype=pd.ArrowDtype(pa.string())),
            "origin": pd.Categorical(np.array(ORIGIN_NAMES)[origin_all], categories=ORIGIN_NAMES),
            "mother_pid": mother,
            "twin_of": twin_of,
            "registered_day": registered,
            "id_day": id_day,
            "since_day": since,
            "update_second": update_second,
            "base_update_day": np.minimum(since, start - 1) - rng.integers(0, 400, n),
        }
    )
    return People(persons=persons, residence=residence)


def street_at(people: People, pids: np.ndarray, days: np.ndarray) -> np.ndarray:
    """The street (index into geo.streets) of each person on each day.

    Before a person's first spell (a newborn not yet registered) the first
    spell's street is used: the child lives with the mother already.
    """
    left = pd.DataFrame(
        {
            "pid": np.asarray(pids, dtype=np.int64),
            "day": np.asarray(days, dtype=np.int64),
            "row": np.arange(len(pids)),
        }
    )
    left = left.sort_values("day", kind="stable")
    right = people.residence[["pid", "from_day", "street_idx"]].sort_values(
        "from_day", kind="stable"
    )
    back = pd.merge_asof(
        left, right, left_on="day", right_on="from_day", by="pid", direction="backward"
    )
    fwd = pd.merge_asof(
        left, right, left_on="day", right_on="from_day", by="pid", direction="forward"
    )
    street = back["street_idx"].fillna(fwd["street_idx"]).fillna(-1).to_numpy(np.int64)
    out = np.empty(len(pids), dtype=np.int64)
    out[back["row"].to_numpy()] = street
    return out
