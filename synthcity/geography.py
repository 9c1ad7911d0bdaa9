"""Districts, streets and the institution registry of the generated city.

The number of streets (and so of community and township health centres)
shrinks with the square root of the scale, so a 1% city still has every
district and a realistic number of institutions per district, and the
number of delivered files grows with the city instead of staying fixed.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .codes import USCC_CHARSET, make_uscc
from .config import CityConfig
from .reference import (
    CITY_CODE,
    COMMISSION_CODE,
    DISTRICTS,
    INSTITUTION_KIND_NAMES,
    STREET_SYLLABLES,
)

COMMISSION_NAME = "徐州市卫生健康委员会"
EDUCATION_BUREAU_NAME = "徐州市教育局"
CITY_MCH_NAME = "徐州市妇幼保健院"


@dataclass
class Geography:
    streets: pd.DataFrame  # street_code, district_code, street_name, weight, institution_code
    institutions: pd.DataFrame  # institution_code, name, category, district_code, streets, active
    commission_code: str
    education_bureau_code: str
    city_mch_code: str
    unregistered_code: str  # a well-formed credit code no registry holds (for defects)

    def institutions_of(self, category: str) -> pd.DataFrame:
        return self.institutions[self.institutions["category"] == category]

    def mch_of_district(self) -> dict[str, str]:
        """The district MCH institution of each district."""
        mch = self.institutions_of("D")
        mch = mch[mch["name"] != CITY_MCH_NAME]
        return dict(zip(mch["district_code"], mch["institution_code"], strict=True))


class _CodeMint:
    """Mints unique, well-formed credit codes from one random stream."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.seen: set[str] = set()

    def __call__(self, prefix: str, area: str) -> str:
        while True:
            body = "".join(self.rng.choice(list(USCC_CHARSET), size=8))
            code = make_uscc(prefix, area, body)
            if code not in self.seen:
                self.seen.add(code)
                return code


def _street_name(rng: np.random.Generator, urban: bool, used: set[str]) -> str:
    while True:
        name = "".join(rng.choice(list(STREET_SYLLABLES), size=2)) + ("街道" if urban else "镇")
        if name not in used:
            used.add(name)
            return name


def build_geography(config: CityConfig) -> Geography:
    rng = config.rng("geography")
    mint = _CodeMint(rng)
    street_rows = []
    inst_rows: list[dict[str, object]] = []

    def add_institution(
        category: str,
        name: str,
        district: str,
        prefix: str = "12",
        streets: str = "",
        active: bool = True,
    ) -> str:
        code = mint(prefix, district)
        if name == COMMISSION_NAME:
            code = COMMISSION_CODE  # the platform's configuration names it (edge rule 7)
        inst_rows.append(
            {
                "institution_code": code,
                "name": name,
                "category": category,
                "district_code": district,
                "streets": streets,
                "active": active,
            }
        )
        return code

    commission = add_institution("J", COMMISSION_NAME, CITY_CODE, prefix="11")
    education = add_institution("J", EDUCATION_BUREAU_NAME, CITY_CODE, prefix="11")
    city_mch = add_institution("D", CITY_MCH_NAME, "320302")
    add_institution("A", "徐州医科大学附属医院", "320302")
    add_institution("A", "徐州市中心医院", "320302")
    add_institution("A", "徐州市第一人民医院", "320303")

    shrink = np.sqrt(config.scale)
    used_names: set[str] = set()
    for district in DISTRICTS:
        short = district.name[:-1] if len(district.name) > 2 else district.name
        add_institution("J", f"{district.name}卫生健康局", district.code, prefix="11")
        add_institution("D", f"{district.name}妇幼保健院", district.code)
        add_institution("E", f"{district.name}疾病预防控制中心", district.code)
        n_hospitals = max(1, round(3 * shrink))
        for i in range(n_hospitals):
            add_institution(
                "A", f"{short}{'人民' if i == 0 else '第' + str(i + 1) + '人民'}医院", district.code
            )
        n_streets = min(district.streets_scale_1, max(2, round(district.streets_scale_1 * shrink)))
        weights = rng.dirichlet(np.full(n_streets, 4.0))
        suffix_base = 1 if district.urban else 101
        codes = [f"{district.code}{suffix_base + i:03d}" for i in range(n_streets)]
        names = [_street_name(rng, district.urban, used_names) for _ in range(n_streets)]
        # A few centres serve two neighbouring streets (only where streets are many).
        groups: list[list[int]] = []
        i = 0
        while i < n_streets:
            if n_streets >= 4 and i + 1 < n_streets and rng.random() < 0.12:
                groups.append([i, i + 1])
                i += 2
            else:
                groups.append([i])
                i += 1
        category = "B" if district.urban else "C"
        for group in groups:
            lead = names[group[0]]
            stem = lead[:-2] if district.urban else lead[:-1]
            code = add_institution(
                category,
                f"{district.name}{stem}{INSTITUTION_KIND_NAMES[category]}",
                district.code,
                streets=";".join(codes[j] for j in group),
            )
            for j in group:
                street_rows.append(
                    {
                        "street_code": codes[j],
                        "district_code": district.code,
                        "street_name": names[j],
                        "weight": weights[j],
                        "institution_code": code,
                    }
                )

    institutions = pd.DataFrame(inst_rows)
    # One hospital closed before the period; it stays in the registry and may deliver late.
    hospitals = institutions.index[institutions["category"] == "A"]
    institutions.loc[hospitals[-1], "active"] = False
    return Geography(
        streets=pd.DataFrame(street_rows),
        institutions=institutions,
        commission_code=commission,
        education_bureau_code=education,
        city_mch_code=city_mch,
        unregistered_code=mint("12", "320312"),
    )
