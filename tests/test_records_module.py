"""Health records, teams, services, contracts and transfers of the generated city.

Builds a 1% city and checks the feed frames against the contract
(extract-interface.md §3.2, §3.8-§3.11), the shares the generator promises,
and that the edge cases of edge-rules.md 10-14 and 23-28 occur.  Indicators
are recomputed from the frames alone (the way the platform will), not from
the generator's internals.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from synthcity.config import CityConfig
from synthcity.contract import FEEDS, META_COLUMNS
from synthcity.dates import NEVER, add_years
from synthcity.geography import Geography, build_geography
from synthcity.people import People, build_people, street_at
from synthcity.records import HealthRecords, build_health_records

INCREMENTAL = {
    "ehr_record": "档案编号",
    "ehr_service": "服务记录号",
    "contract": "签约编号",
    "transfer": "申请编号",
}


@pytest.fixture(scope="module")
def config() -> CityConfig:
    return CityConfig(scale=0.01)


@pytest.fixture(scope="module")
def geo(config: CityConfig) -> Geography:
    return build_geography(config)


@pytest.fixture(scope="module")
def people(config: CityConfig, geo: Geography) -> People:
    return build_people(config, geo)


@pytest.fixture(scope="module")
def hr(config: CityConfig, geo: Geography, people: People) -> HealthRecords:
    return build_health_records(config, geo, people)


# -- helpers: the platform's view (edge rules 13, 14, 23, 24) ----------------------------


def as_of(frame: pd.DataFrame, key: str, day: int) -> pd.DataFrame:
    """Per key, the latest version whose 更新时间 date is on or before ``day``."""
    f = frame[frame["_update_day"] <= day]
    f = f.sort_values([key, "_update_day", "_update_second"], kind="stable")
    return f.drop_duplicates(key, keep="last")


def residents(people: People, day: int) -> pd.DataFrame:
    r = people.residence
    spell = r[(r["from_day"] <= day) & (r["to_day"] > day) & (r["resident"] == 1)]
    p = people.persons
    alive = (p["death_day"].to_numpy()[spell["pid"]] > day) & (
        p["birth_day"].to_numpy()[spell["pid"]] <= day
    )
    return spell[alive]


def active_records(hr: HealthRecords, day: int) -> pd.DataFrame:
    rec = as_of(hr.ehr_record, "档案编号", day)
    return rec[rec["档案状态"] == "1"]


def valid_contracts(hr: HealthRecords, day: int) -> pd.DataFrame:
    """Rule 23: status 1, effective on the day; two valid: latest 生效, 签约, 签约编号."""
    c = as_of(hr.contract, "签约编号", day)
    c = c[(c["签约状态"] == "1") & (c["生效日期"] <= day) & (c["到期日期"] >= day)]
    c = c.sort_values(["身份证号", "生效日期", "签约日期", "签约编号"])
    return c.drop_duplicates("身份证号", keep="last")


def expected_institution(
    hr: HealthRecords, geo: Geography, res: pd.DataFrame, day: int
) -> np.ndarray:
    contract = valid_contracts(hr, day).set_index("身份证号")["签约机构代码"].astype(object)
    by_contract = res["pid"].map(contract).to_numpy()
    by_street = geo.streets["institution_code"].to_numpy()[res["street_idx"].to_numpy()]
    return np.where(pd.isna(by_contract), by_street, by_contract)


def bc_codes(geo: Geography) -> set[str]:
    return set(
        geo.institutions.loc[geo.institutions["category"].isin(["B", "C"]), "institution_code"]
    )


# -- the frames ----------------------------------------------------------------------------


def test_frames_have_exactly_the_headers_and_meta_columns(hr: HealthRecords) -> None:
    for name, frame in hr.feeds().items():
        expected = [h for h in FEEDS[name].headers if h != "更新时间"] + list(META_COLUMNS)
        assert list(frame.columns) == expected, name
        assert len(frame) > 0, name


def test_column_kinds(hr: HealthRecords) -> None:
    for name, frame in hr.feeds().items():
        for column in FEEDS[name].columns:
            if column.header == "更新时间":
                continue
            values = frame[column.header]
            if column.kind == "id":
                assert values.dtype == np.int64, (name, column.header)
                assert (values >= -1).all()
            elif column.kind == "date":
                assert pd.api.types.is_integer_dtype(values), (name, column.header)
            else:
                present = values.dropna()
                assert present.map(type).eq(str).all(), (name, column.header)
            if column.required and column.kind == "text":
                assert values.notna().all(), (name, column.header)
            if column.required and column.kind == "date":
                assert (values != NEVER).all(), (name, column.header)
        for meta in ("_business_day", "_update_day", "_update_second"):
            assert pd.api.types.is_integer_dtype(frame[meta]), (name, meta)
        assert frame["_update_second"].between(0, 86399).all()
        assert frame["_record"].is_unique, name


def test_keys_unique_per_version(hr: HealthRecords) -> None:
    for name, key in INCREMENTAL.items():
        frame = hr.feeds()[name]
        assert not frame.duplicated([key, "_update_day", "_update_second"]).any(), name
    assert not hr.team.duplicated(["团队编码", "_business_day"]).any()


def test_business_dates_and_senders(config: CityConfig, geo: Geography, hr: HealthRecords) -> None:
    start, end = config.start_day, config.end_day
    for name in INCREMENTAL:
        f = hr.feeds()[name]
        assert (f["_update_day"] <= end).all(), name
        history = f["_update_day"] < start
        assert (f.loc[history, "_business_day"] == start).all(), name
        assert (f.loc[~history, "_business_day"] == f.loc[~history, "_update_day"]).all(), name
        assert set(f["_sender"].astype(str)) <= bc_codes(geo), name
    assert not (hr.transfer["_update_day"] < start).any()  # no transfer history load
    r, c, s, t = hr.ehr_record, hr.contract, hr.ehr_service, hr.transfer
    assert (r["_sender"].astype(str) == r["管理机构代码"].astype(str)).all()
    assert (c["_sender"].astype(str) == c["签约机构代码"].astype(str)).all()
    assert (s["_sender"].astype(str) == s["服务机构代码"].astype(str)).all()
    request = t["处理状态"] == "0"
    assert (
        t.loc[request, "_sender"].astype(str) == t.loc[request, "迁入机构代码"].astype(str)
    ).all()
    assert (
        t.loc[~request, "_sender"].astype(str) == t.loc[~request, "迁出机构代码"].astype(str)
    ).all()
    # the history load: one version per key (the latest before the start)
    for name, key in (("ehr_record", "档案编号"), ("contract", "签约编号")):
        f = hr.feeds()[name]
        assert not f.loc[f["_update_day"] < start, key].duplicated().any(), name
    # team list: the commission, on the start day and the first of every month
    team = hr.team
    assert (team["_sender"] == geo.commission_code).all()
    days = sorted(team["_business_day"].unique())
    assert days[0] == start and len(days) == 12
    assert all(pd.Timestamp(d, unit="D").day == 1 for d in days[1:])


def test_rows_sorted_by_business_day_and_sender(hr: HealthRecords) -> None:
    for name, frame in hr.feeds().items():
        keys = list(zip(frame["_business_day"], frame["_sender"].astype(str), strict=True))
        assert keys == sorted(keys), name


def test_same_seed_same_frames_other_seed_other_frames(
    config: CityConfig, geo: Geography, people: People, hr: HealthRecords
) -> None:
    again = build_health_records(config, geo, people)
    for name, frame in hr.feeds().items():
        pd.testing.assert_frame_equal(frame, again.feeds()[name], check_exact=True)
    pd.testing.assert_frame_equal(hr.records_truth, again.records_truth)
    pd.testing.assert_frame_equal(hr.transfers_truth, again.transfers_truth)
    other_config = CityConfig(scale=config.scale, seed=config.seed + 1)
    other = build_health_records(other_config, geo, people)
    for name in INCREMENTAL:
        assert not hr.feeds()[name].equals(other.feeds()[name]), name


# -- shares ---------------------------------------------------------------------------------


def test_records_of_residents_at_start(
    config: CityConfig, geo: Geography, people: People, hr: HealthRecords
) -> None:
    start = config.start_day
    res = residents(people, start)
    act = active_records(hr, start)
    count = res["pid"].map(act.groupby("身份证号").size()).fillna(0).to_numpy()
    expected = expected_institution(hr, geo, res, start)
    single = act[act["身份证号"].isin(res["pid"][count == 1])].set_index("身份证号")["管理机构代码"]
    single_inst = res["pid"].map(single.astype(object)).to_numpy()
    at_expected = (count == 1) & (single_inst == expected)
    elsewhere = (count == 1) & (single_inst != expected)
    assert 0.86 <= at_expected.mean() <= 0.91
    assert 0.045 <= (count == 0).mean() <= 0.075
    assert 0.015 <= (count >= 2).mean() <= 0.035
    assert 0.02 <= elsewhere.mean() <= 0.04
    # some non-residents have records too
    nonres = people.persons.loc[people.persons["origin"] == "non_resident", "pid"]
    assert 0.2 <= nonres.isin(act["身份证号"]).mean() <= 0.5
    # 建档日期 from 2009 to the start; one 档案编号 per record, 17 digits
    assert (act["建档日期"] >= 14245).all() and (act["建档日期"] <= start).all()
    assert act["档案编号"].str.fullmatch(r"\d{17}").all()


def test_records_of_people_dead_before_the_start(
    config: CityConfig, geo: Geography, people: People
) -> None:
    """The people module has no deaths before the start: give some people one."""
    p = people.persons.copy()
    rng = np.random.default_rng(7)
    candidates = np.flatnonzero(
        (p["origin"] == "initial").to_numpy()
        & (p["death_day"] == NEVER).to_numpy()
        & (p["birth_day"] < config.start_day - 20 * 365).to_numpy()
    )
    dead = rng.choice(candidates, 1000, replace=False)
    death = p["death_day"].to_numpy().copy()
    death[dead] = config.start_day - rng.integers(30, 2000, len(dead))
    p["death_day"] = death
    hr = build_health_records(config, geo, People(persons=p, residence=people.residence))
    rec = as_of(hr.ehr_record, "档案编号", config.start_day)
    rec = rec[rec["身份证号"].isin(dead)]
    assert 0.8 <= rec["身份证号"].nunique() / len(dead) <= 0.97
    assert 0.2 <= (rec["档案状态"] == "1").mean() <= 0.4  # about 30% still active
    closed = rec[rec["档案状态"] == "3"]
    assert (closed["状态变更日期"].to_numpy() > death[closed["身份证号"].to_numpy()]).all()
    # they get no contracts and no requests after their death
    assert not hr.transfer["身份证号"].isin(dead).any()
    signed = hr.contract[hr.contract["身份证号"].isin(dead)]
    assert (signed["签约日期"].to_numpy() < death[signed["身份证号"].to_numpy()]).all()


def test_newborns_get_records_where_their_mother_lives(
    config: CityConfig, geo: Geography, people: People, hr: HealthRecords
) -> None:
    p = people.persons
    born = p[(p["origin"] == "born") & (p["birth_day"] <= config.end_day - 100)]
    born = born[born["death_day"] > born["birth_day"] + 100]
    first = hr.ehr_record.sort_values(["_update_day", "_update_second"]).drop_duplicates("档案编号")
    kids = first[first["身份证号"].isin(born["pid"])].drop_duplicates("身份证号")
    assert 0.88 <= born["pid"].isin(kids["身份证号"]).mean() <= 0.99
    birth = p["birth_day"].to_numpy()[kids["身份证号"].to_numpy()]
    lag = kids["建档日期"].to_numpy() - birth
    assert (lag >= 30).all() and (lag <= 92).all()
    mother = p["mother_pid"].to_numpy()[kids["身份证号"].to_numpy()]
    street = street_at(people, mother, birth)
    serving = geo.streets["institution_code"].to_numpy()[street]
    assert (serving == kids["管理机构代码"].astype(str).to_numpy()).mean() > 0.95


def test_health_record_indicators_are_realistic(
    config: CityConfig, geo: Geography, people: People, hr: HealthRecords
) -> None:
    """EHR_COV, EHR_UNIQUE, EHR_PLACED and EHR_XFER_TIMELY for the year, from the frames."""
    start, end = config.start_day, config.end_day
    res = residents(people, end)
    act = active_records(hr, end)
    count = res["pid"].map(act.groupby("身份证号").size()).fillna(0).to_numpy()
    assert 0.91 <= (count >= 1).mean() <= 0.97  # EHR_COV (target 90%)
    assert 0.95 <= (count == 1).sum() / (count >= 1).sum() <= 0.99  # EHR_UNIQUE (target 100%)
    expected = pd.Series(expected_institution(hr, geo, res, end), index=res["pid"].to_numpy())
    team = valid_contracts(hr, end).set_index("身份证号")["签约团队编码"].astype(object)
    mine = act[act["身份证号"].isin(res["pid"])]
    right_inst = (
        mine["管理机构代码"].astype(str).to_numpy() == expected.loc[mine["身份证号"]].to_numpy()
    )
    want_team = mine["身份证号"].map(team).to_numpy()
    right_team = pd.isna(want_team) | (mine["责任团队编码"].astype(object).to_numpy() == want_team)
    assert 0.82 <= (right_inst & right_team).mean() <= 0.95  # EHR_PLACED (target 95%)
    t = as_of(hr.transfer, "申请编号", end)
    due = t[(t["申请日期"] + 7 >= start) & (t["申请日期"] + 7 <= end)]
    timely = (due["处理状态"] != "0") & (due["处理日期"] != NEVER)
    timely &= due["处理日期"] - due["申请日期"] <= 7
    assert 0.7 <= timely.mean() <= 0.88  # EHR_XFER_TIMELY (target 95%)


def test_contracts(config: CityConfig, people: People, hr: HealthRecords) -> None:
    start, end = config.start_day, config.end_day
    c = hr.contract
    assert (c["到期日期"].to_numpy() == add_years(c["生效日期"].to_numpy(), 1) - 1).all()
    assert (c["签约日期"] <= c["生效日期"]).all()
    assert ((c["生效日期"] - c["签约日期"]) <= 21).all()
    res = residents(people, start)
    valid = valid_contracts(hr, start)
    has = res["pid"].isin(valid["身份证号"]).to_numpy()
    assert 0.36 <= has.mean() <= 0.44
    age = (start - people.persons["birth_day"].to_numpy()[res["pid"]]) / 365.25
    assert has[age >= 65].mean() > has.mean() + 0.15
    assert has[age < 7].mean() > has.mean() + 0.05
    # still about as many at the end
    res_end = residents(people, end)
    assert 0.33 <= res_end["pid"].isin(valid_contracts(hr, end)["身份证号"]).mean() <= 0.44
    # during the period: renewals, expiries (recorded or left at status 1), cancellations
    truth = hr.contracts_truth
    ended = truth[(truth["expiry_day"] >= start) & (truth["expiry_day"] < end - 40)]
    ended = ended[ended["end"].isin(["expired_recorded", "expired_unrecorded"])]
    renewed = ended["contract_no"].isin(
        truth["contract_no"].to_numpy()[truth.loc[truth["predecessor"] >= 0, "predecessor"]]
    )
    assert 0.65 <= renewed.mean() <= 0.85
    stale = (ended["end"] == "expired_unrecorded").mean()
    assert 0.1 <= stale <= 0.3
    in_period = truth[(truth["effective_day"] <= end) & (truth["expiry_day"] >= start)]
    assert 0.01 <= (in_period["end"] == "cancelled").mean() <= 0.05
    final = as_of(c, "签约编号", end)
    cancelled = final[final["签约状态"] == "2"]
    assert (cancelled["解约日期"] != NEVER).all()
    assert (final.loc[final["签约状态"] != "2", "解约日期"] == NEVER).all()


def test_teams(config: CityConfig, geo: Geography, hr: HealthRecords) -> None:
    truth = hr.teams_truth
    bc = bc_codes(geo)
    first = truth[truth["replaces"].isna()]
    per_inst = first.groupby("institution_code").size()
    assert set(per_inst.index) == bc
    assert per_inst.between(2, 12).all()
    assert truth["team_code"].str.fullmatch(r"[0-9A-Z]{18}-T\d{2}").all()
    assert (truth["team_code"].str[:18] == truth["institution_code"]).all()
    dissolved = truth[truth["dissolved_day"] < NEVER]
    assert 1 <= len(dissolved) <= max(2, 0.1 * len(truth))
    # the snapshot shows a team closed from its closing day on
    team = hr.team
    for code, day in zip(dissolved["team_code"], dissolved["dissolved_day"], strict=True):
        rows = team[team["团队编码"] == code]
        assert (rows.loc[rows["_business_day"] >= day, "有效标志"] == "0").all()
        assert (rows.loc[rows["_business_day"] < day, "有效标志"] == "1").all()
    # every contract names a team of its own institution, from the team list
    listed = team.drop_duplicates("团队编码").set_index("团队编码")["所属机构代码"].astype(str)
    c = hr.contract
    assert c["签约团队编码"].isin(listed.index).all()
    assert (c["签约团队编码"].map(listed) == c["签约机构代码"].astype(str)).all()
    # members of a closed team signed again with another team of the same institution
    resigned = hr.contracts_truth[hr.contracts_truth["kind"] == "team_dissolved"]
    assert len(resigned) > 0
    assert not resigned["team_code"].isin(dissolved["team_code"]).any()
    # records name teams of the team list only
    assert hr.ehr_record["责任团队编码"].dropna().isin(listed.index).all()


def test_services(config: CityConfig, geo: Geography, people: People, hr: HealthRecords) -> None:
    start, end = config.start_day, config.end_day
    s = as_of(hr.ehr_service, "服务记录号", end)
    assert set(s["服务类型"].astype(str)) == {"01", "02", "03", "04", "05", "06", "99"}
    assert s["服务记录号"].is_unique
    in_period = s[(s["服务日期"] >= start) & (s["服务日期"] <= end)]
    per_resident_year = len(in_period) / len(residents(people, start)) / config.years
    assert 0.8 <= per_resident_year <= 1.05
    before = s[s["服务日期"] < start]
    assert len(before) > 0.7 * len(in_period)  # the 365 days before the start, history load
    assert (before["服务日期"] >= start - 365).all()
    blank = s["档案编号"].isna().mean()
    assert 0.02 <= blank <= 0.15
    assert s["档案编号"].dropna().isin(hr.ehr_record["档案编号"]).all()
    # EHR_USE at the end, per managing institution: varied, some under the 60% target
    act = active_records(hr, end)
    window = s[(s["服务日期"] >= end - 364) & (s["服务日期"] <= end)]
    used = act["档案编号"].isin(window["档案编号"].dropna()) | act["身份证号"].isin(
        window["身份证号"]
    )
    by_inst = used.groupby(act["管理机构代码"].astype(str)).mean()
    assert by_inst.min() < 0.55 and by_inst.max() > 0.72
    assert by_inst.between(0.3, 0.92).all()
    assert (by_inst < 0.6).sum() >= 2


def test_transfers(config: CityConfig, geo: Geography, hr: HealthRecords) -> None:
    start, end = config.start_day, config.end_day
    t = hr.transfer
    bc = bc_codes(geo)
    assert set(t["迁出机构代码"].astype(str)) <= bc and set(t["迁入机构代码"].astype(str)) <= bc
    assert (t["迁出机构代码"].astype(str) != t["迁入机构代码"].astype(str)).all()
    assert t["档案编号"].isin(hr.ehr_record["档案编号"]).all()
    assert set(t["申请原因"].astype(str)) == {"1", "2", "9"}
    # the request names the record's managing institution when it is filed (its 更新时间)
    request = t[t["处理状态"] == "0"].drop_duplicates("申请编号").head(400)
    versions = hr.ehr_record[hr.ehr_record["档案编号"].isin(request["档案编号"])]
    versions = versions.assign(t=versions["_update_day"] * 86400 + versions["_update_second"])
    versions = versions.sort_values("t")
    filed = request["_update_day"] * 86400 + request["_update_second"]
    managing = [
        versions.loc[(versions["档案编号"] == r) & (versions["t"] < f), "管理机构代码"].iloc[-1]
        for r, f in zip(request["档案编号"], filed, strict=True)
    ]
    named = request["迁出机构代码"].to_numpy(dtype=object)
    assert (np.array(managing, dtype=object) == named).mean() > 0.98
    # answers: reuse the key, later 更新时间, from the 迁出 institution
    final = as_of(t, "申请编号", end)
    assert set(final["处理状态"].astype(str)) == {"0", "1", "2"}
    old = final[final["申请日期"] + 60 <= end]
    assert 0.02 <= (old["处理状态"] == "0").mean() <= 0.09
    answered = final[final["处理状态"] != "0"]
    assert 0.92 <= (answered["处理状态"] == "1").mean() <= 0.97
    dated = answered[answered["处理日期"] != NEVER]
    delay = dated["处理日期"] - dated["申请日期"]
    assert (delay >= 0).all()
    assert 0.78 <= (delay <= 7).mean() <= 0.92
    assert (delay > 30).sum() == 0
    # an agreed request moves the record (same 档案编号) to the new institution
    agreed = answered[(answered["处理状态"] == "1") & (answered["_update_day"] <= end - 10)]
    moved = as_of(hr.ehr_record, "档案编号", end).set_index("档案编号")
    now = moved.loc[agreed["档案编号"], "管理机构代码"].astype(str).to_numpy()
    assert (now == agreed["迁入机构代码"].astype(str).to_numpy()).mean() > 0.8
    # truth agrees with the feed
    truth = hr.transfers_truth.set_index("request_no")
    d = dated.set_index("申请编号")
    assert (truth.loc[d.index, "reply_delay"].to_numpy() == delay.to_numpy()).all()
    assert start <= t["申请日期"].min()


def test_truth_covers_the_feeds(hr: HealthRecords) -> None:
    rt = hr.records_truth
    assert rt["record_no"].is_unique
    assert set(hr.ehr_record["档案编号"]) == set(rt["record_no"])
    assert set(hr.contract["签约编号"]) <= set(hr.contracts_truth["contract_no"])
    assert set(hr.transfer["申请编号"]) == set(hr.transfers_truth["request_no"])
    versions = hr.record_versions_truth
    assert len(versions) == len(hr.ehr_record)
    numbers = rt["record_no"].to_numpy()[versions["record"].to_numpy()]
    ids = "ehr_record:" + pd.Series(numbers) + ":" + versions["version"].astype(str)
    assert set(ids) == set(hr.ehr_record["_record"])


# -- the edge cases must occur --------------------------------------------------------------


def test_edge_cases_exist(
    config: CityConfig, geo: Geography, people: People, hr: HealthRecords
) -> None:
    start, end = config.start_day, config.end_day
    t, r = hr.transfer, hr.ehr_record
    # a resident who moved to another district mid-period and has a transfer request
    spells = people.residence.sort_values(["pid", "from_day"])
    nxt = spells.groupby("pid").shift(-1)
    cross = spells[
        (nxt["district_idx"].notna())
        & (nxt["district_idx"] != spells["district_idx"])
        & (nxt["from_day"] > start)
        & (nxt["from_day"] <= end)
    ]
    movers = set(cross["pid"]) & set(residents(people, end)["pid"])
    asked = set(t.loc[t["申请原因"] == "1", "身份证号"])
    assert len(movers & asked) > 0
    # a contract past its end: recorded as 到期, and one still at status 1 (rule 23: not valid)
    final = as_of(hr.contract, "签约编号", end)
    assert (final["签约状态"] == "3").sum() > 0
    assert ((final["签约状态"] == "1") & (final["到期日期"] < end)).sum() > 0
    # a person who died with an active record
    act = active_records(hr, end)
    died = people.persons.loc[people.persons["death_day"] <= end, "pid"]
    assert act["身份证号"].isin(died).sum() > 0
    # a record transferred and transferred back (A → B → A)
    inst = r.sort_values(["档案编号", "_update_day", "_update_second"])
    inst = inst[inst["档案状态"] == "1"][["档案编号", "管理机构代码"]].astype(str)
    changes = inst[inst["管理机构代码"] != inst.groupby("档案编号")["管理机构代码"].shift()]
    places = changes.groupby("档案编号")["管理机构代码"].agg(list)
    assert places.map(lambda p: len(p) >= 3 and p[0] == p[2] != p[1]).any()
    # transfers answered on day 7 and on day 8, one never answered, one escalated
    answers = t[(t["处理状态"] != "0") & (t["处理日期"] != NEVER)]
    delay = answers["处理日期"] - answers["申请日期"]
    assert (delay == 7).any() and (delay == 8).any()
    last = as_of(t, "申请编号", end)
    assert ((last["处理状态"] == "0") & (last["申请日期"] + 30 < end)).any()
    assert (t["协调转办标志"] == "1").any()
    escalated = t[t["协调转办标志"] == "1"]
    assert (
        escalated["迁出机构代码"].astype(str).str[2:8]
        != escalated["迁入机构代码"].astype(str).str[2:8]
    ).all()
    # a resident with two active records at the end
    res = residents(people, end)
    counts = act[act["身份证号"].isin(res["pid"])].groupby("身份证号").size()
    assert (counts >= 2).sum() > 0
    # stale records: a non-resident's active record
    assert (~act["身份证号"].isin(res["pid"])).sum() > 0
