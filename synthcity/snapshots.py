"""Reference snapshots sent by the commission: institutions and the population database."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pyarrow as pa

from .config import CityConfig, from_day, to_day
from .dates import LONG_AGO, NEVER
from .geography import Geography
from .people import People


def month_ends(config: CityConfig) -> list[int]:
    """Population snapshot days: the day before the period, then every month end in it."""
    days = [config.start_day - 1]
    d = config.start.replace(day=1)
    while True:
        nxt = (d.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        last = to_day(nxt) - 1
        if last > config.end_day:
            break
        days.append(last)
        d = nxt
    return days


def month_starts(config: CityConfig) -> list[int]:
    """Registry snapshot days: the first day of the period and of every later month."""
    days = [config.start_day]
    d = config.start
    while True:
        d = (d.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        if to_day(d) > config.end_day:
            return days
        days.append(to_day(d))


def institution_snapshots(config: CityConfig, geo: Geography) -> pd.DataFrame:
    inst = geo.institutions
    frames = []
    for day in month_starts(config):
        frames.append(
            pd.DataFrame(
                {
                    "机构代码": inst["institution_code"],
                    "机构名称": inst["name"],
                    "机构类别": inst["category"],
                    "所在区划代码": inst["district_code"],
                    "服务街道代码": inst["streets"].where(inst["streets"] != "", None),
                    "有效标志": np.where(inst["active"], "1", "0"),
                    "_sender": geo.commission_code,
                    "_business_day": day,
                    "_update_day": day,
                    "_update_second": 3600,
                    "_record": "institution:" + inst["institution_code"] + ":" + str(day),
                }
            )
        )
    return pd.concat(frames, ignore_index=True)


def population_snapshot(people: People, geo: Geography, day: int) -> pd.DataFrame:
    """The population database on ``day``: everyone registered, with the spell of that day."""
    spell = people.at(day)
    p = people.persons
    pid = spell["pid"].to_numpy()
    death = p["death_day"].to_numpy()[pid]
    dead = death <= day
    from_ = spell["from_day"].to_numpy()
    since = np.where(from_ > LONG_AGO, from_, p["since_day"].to_numpy()[pid])
    last_event = np.maximum(
        np.where(from_ > LONG_AGO, from_, p["base_update_day"].to_numpy()[pid]),
        np.where(dead, death, LONG_AGO),
    )
    digits = pa.array([str(i) for i in range(10)])
    streets = pa.array(geo.streets["street_code"].to_numpy().astype(str))

    def text(array: pa.Array) -> pd.Series:
        return pd.Series(array, dtype=pd.ArrowDtype(pa.string()))

    return pd.DataFrame(
        {
            "身份证号": pid,
            "姓名": text(pa.array(p["name"].array).take(pa.array(pid))),
            "性别代码": text(digits.take(pa.array(p["sex"].to_numpy()[pid]))),
            "出生日期": p["birth_day"].to_numpy()[pid],
            "户籍地区划代码": text(pa.array(p["hukou_code"].array).take(pa.array(pid))),
            "现住址街道代码": text(streets.take(pa.array(spell["street_idx"].to_numpy()))),
            "现住址起始日期": since,
            "常住标志": text(digits.take(pa.array(spell["resident"].to_numpy()))),
            "死亡日期": np.where(dead, death, NEVER),
            "_sender": geo.commission_code,
            "_business_day": day,
            "_update_day": last_event,
            "_update_second": p["update_second"].to_numpy()[pid],
            "_record": pid,  # rows of population files are not logged one by one (see truth.py)
        }
    )


__all__ = ["from_day", "institution_snapshots", "month_ends", "month_starts", "population_snapshot"]
