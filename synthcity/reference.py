"""Public figures and name stock that keep the generated city realistic.

Sources: ../shared/reference/xuzhou-population.md (7th census and older
county figures) and the county list of extract-interface.md §2.
"""

from __future__ import annotations

from dataclasses import dataclass

CITY_CODE = "320300"
# The commission's own credit code: fixed, because the platform is configured with it
# (edge rule 7: the sender registry is the institution files plus the commission).
COMMISSION_CODE = "11320300014144830H"
CITY_RESIDENTS_SCALE_1 = 9_083_790  # 7th national census, 1 Nov 2020


@dataclass(frozen=True)
class District:
    code: str
    name: str
    residents_10k: float  # weight: resident population in 10,000 persons
    streets_scale_1: int  # township-level divisions at scale 1
    urban: bool  # urban districts have 街道 served by 社区卫生服务中心, counties 镇 by 乡镇卫生院


DISTRICTS: tuple[District, ...] = (
    District("320302", "鼓楼区", 70, 9, True),
    District("320303", "云龙区", 45, 9, True),
    District("320305", "贾汪区", 48, 9, False),
    District("320311", "泉山区", 62, 14, True),
    District("320312", "铜山区", 132, 24, False),
    District("320321", "丰县", 95, 15, False),
    District("320322", "沛县", 112, 16, False),
    District("320324", "睢宁县", 102, 18, False),
    District("320381", "新沂市", 92, 16, False),
    District("320382", "邳州市", 143, 25, False),
)

# Abolished county codes that older ID numbers still carry (not an error).
OLD_AREA_CODES = ("320304", "320323")  # 九里区, 铜山县
# Area codes of migrants' ID numbers (neighbouring provinces).
MIGRANT_AREA_CODES = (
    "340321",
    "341321",
    "341322",
    "341324",
    "370481",
    "371321",
    "371324",
    "411423",
    "320829",
    "320830",
    "321322",
    "320724",
    "320115",
    "310115",
)

# Shares of the resident population (census 2020, shifted a little older
# and with fewer young children, as births have fallen since).
SHARE_AGE_0_6 = 0.074
SHARE_AGE_0_14 = 0.205
SHARE_AGE_60_PLUS = 0.205
SHARE_MALE = 0.5041
BIRTHS_PER_1000 = 9.5
DEATHS_PER_1000 = 7.5

SURNAMES = (
    "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
    "苏卢蒋蔡贾丁魏薛叶阎余潘杜戴夏钟汪田任姜范方石姚谭廖邹熊金陆郝孔白崔康毛邱秦江史"
)
GIVEN_CHARS_MALE = "伟强磊军洋勇杰涛明超刚平辉鹏华飞鑫波斌宇浩凯健俊帆帅旭宁龙林欣博文轩睿哲"
GIVEN_CHARS_FEMALE = "芳娜敏静丽艳娟霞秀玲桂英华红梅琳雪颖倩婷慧莹晶洁佳琪欣怡萱涵悦雨彤诗梦"
STREET_SYLLABLES = "东西南北中新安和平兴华丰泰民康宁阳山河湖桥庄集店楼口湾屯营岭塘"
INSTITUTION_KIND_NAMES = {
    "A": "医院",
    "B": "社区卫生服务中心",
    "C": "卫生院",
    "D": "妇幼保健院",
    "E": "疾病预防控制中心",
    "J": "卫生健康委员会",
}
