"""Make the sample township workbooks: 南峪乡 (舟曲县), years 2023 and 2024, fixed seed.

Shape: 8 villages, 18 grids, 54 joint-defense groups; 18 网格长 and 54 联户长. The village
names are plausible, not an official list. Run: ``.venv/bin/python sample_data/make_sample.py``
(writes nanyu_2023.xlsx and nanyu_2024.xlsx next to this script).

Deliberate cases (codes are stable across runs):
- NYW02, NYW09, NYW15 and NYL003, NYL012, NYL021, NYL030, NYL038, NYL050: clearly 优秀.
- NYL020: 基本称职 in both years (committee 65.5, mass under 60, self 70, platform 50%);
  the 2023 book records 称职 for 2022, the 2024 book records 基本称职 for 2023, so the
  two-year rule suggests an adjustment in 2024 only.
- 2023: NYL033 has too few ballots (2 valid marks), NYL025 has no self-report.
- 2024: NYL011 has too few ballots (3 valid marks and 1 弃权), NYL040 has a 一票否决,
  NYL047 a mass veto (more than 1/3 不称职), NYL016 no self-report; NYL029 left (离任)
  early in 2024 and NYL055 took over the group on 2024-07-01.
- 2023 has no platform counts (综治E通 came in 2024); 2024 has them for every month served.
"""

from __future__ import annotations

import random
import sys
from datetime import date
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))

from dashboard.data.workbook import (  # noqa: E402
    ADJUSTMENTS,
    BALLOTS,
    COMMITTEE,
    PLATFORM,
    PRIOR_GRADES,
    ROSTER,
    SELF_REPORT,
    build_workbook,
)
from dashboard.domain import DUTIES  # noqa: E402
from dashboard.scoring.scheme import Scheme  # noqa: E402

SEED = 20240601
TOWNSHIP = "南峪乡"
COUNTY = "舟曲县"
# (village, number of grids): 18 grids in all, three joint-defense groups per grid.
VILLAGES = [
    ("南峪村", 3), ("江车村", 3), ("草坪村", 2), ("杜坝村", 2),
    ("好地坪村", 2), ("寨子村", 2), ("东山村", 2), ("石门村", 2),
]
GRID_NAMES = ["第一网格", "第二网格", "第三网格"]
GROUP_NAMES = ["第一联防组", "第二联防组", "第三联防组"]

EXCELLENT = {"NYW02", "NYW09", "NYW15", "NYL003", "NYL012", "NYL021", "NYL030", "NYL038", "NYL050"}
BASIC_BOTH_YEARS = "NYL020"
RETIRED_2024 = "NYL029"
NEW_2024 = "NYL055"
ROLE_MAX = Scheme.default().role_max

HAN_SURNAMES = list("杨王张李刘赵陈何苏胡邓罗黄周吴")
HUI_SURNAMES = ["马", "丁", "尕", "沙", "韩", "妥", "喇"]
HAN_MALE = ["建国", "志强", "永福", "海军", "文斌", "国华", "德明", "红军", "振宇", "家兴", "春生", "满仓"]
HAN_FEMALE = ["秀英", "桂兰", "玉梅", "彩霞", "春梅", "小燕", "丽娟", "海霞"]
HUI_MALE = ["忠义", "学武", "文礼", "有福", "明德", "志仁", "国祥", "成福"]
HUI_FEMALE = ["海燕", "秀兰", "法图麦", "玉兰", "阿依舍", "凤英"]
TIBETAN_MALE = ["扎西", "才让", "多杰", "尼玛", "索南", "贡保", "仁青", "旦知", "桑吉", "东主", "洛桑", "才旦"]
TIBETAN_FEMALE = ["卓玛", "拉姆", "措毛", "拉毛", "央金", "才草", "卓嘎", "吉毛"]

ADDITIONS = [
    ("加分", 2, "协助调解重大矛盾纠纷，受到乡党委通报表扬"),
    ("加分", 3, "防汛抢险中转移群众表现突出"),
    ("加分", 1.5, "上报的安全隐患信息被县综治中心采纳"),
    ("减分", 2, "两次无故缺席网格例会"),
    ("减分", 1, "信息上报不及时"),
]
NARRATIVES = [
    "本年度走访群众{a}户，上报社情民意信息{b}条，参与调解矛盾纠纷{c}起，协助办理便民事项{d}件。",
    "认真履行网格职责，组织环境卫生整治{c}次，开展法治和政策宣传{b}场，带领联防组夜间巡逻{a}次。",
    "坚持每周入户走访，共收集群众诉求{b}条，化解邻里纠纷{c}起，帮助{d}户群众办理医保和低保手续。",
]


def _names(rng: random.Random, count: int) -> list[tuple[str, str, str]]:
    """Unique (name, gender, ethnicity) triples: Han, Tibetan and Hui names as in 舟曲."""
    out: list[tuple[str, str, str]] = []
    used: set[str] = set()
    while len(out) < count:
        kind = rng.random()
        gender = "女" if rng.random() < 0.3 else "男"
        if kind < 0.4:
            given = rng.choice(HAN_FEMALE if gender == "女" else HAN_MALE)
            name, ethnicity = rng.choice(HAN_SURNAMES) + given, "汉族"
        elif kind < 0.75:
            pool = TIBETAN_FEMALE if gender == "女" else TIBETAN_MALE
            if rng.random() < 0.5:  # in 舟曲 many Tibetans carry a Han surname
                name = rng.choice(HAN_SURNAMES) + rng.choice(pool)
            else:
                name = rng.choice(pool) + rng.choice(TIBETAN_MALE + TIBETAN_FEMALE)
            ethnicity = "藏族"
        else:
            given = rng.choice(HUI_FEMALE if gender == "女" else HUI_MALE)
            name, ethnicity = rng.choice(HUI_SURNAMES) + given, "回族"
        if name not in used:
            used.add(name)
            out.append((name, gender, ethnicity))
    return out


def build_township(rng: random.Random) -> tuple[list[dict], dict[str, float], dict[str, list[str]]]:
    """The roster (2024 state), each leader's latent quality, and committee raters per village."""
    leaders: list[dict] = []
    people = _names(rng, 18 + 55 + 8 * 7)
    raters_pool = people[73:]
    grid_no = household_no = 0
    for village, grids in VILLAGES:
        for gi in range(grids):
            grid_no += 1
            name, gender, ethnicity = people[grid_no - 1]
            leaders.append(_leader(rng, f"NYW{grid_no:02d}", name, gender, ethnicity, "网格长", village, GRID_NAMES[gi], None))
            for group in GROUP_NAMES:
                household_no += 1
                name, gender, ethnicity = people[18 + household_no - 1]
                leaders.append(_leader(rng, f"NYL{household_no:03d}", name, gender, ethnicity, "联户长", village, GRID_NAMES[gi], group))
    retired = next(p for p in leaders if p["编号"] == RETIRED_2024)
    name, gender, ethnicity = people[18 + 54]
    newcomer = dict(retired)
    newcomer.update({"编号": NEW_2024, "姓名": name, "性别": gender, "民族": ethnicity,
                     "任职日期": date(2024, 7, 1), "联系电话": f"139{rng.randrange(10**8):08d}"})
    leaders.append(newcomer)
    quality = {p["编号"]: rng.uniform(0.74, 0.93) for p in leaders}
    for code in EXCELLENT:
        quality[code] = rng.uniform(0.965, 0.985)
    raters: dict[str, list[str]] = {}
    for vi, (village, _grids) in enumerate(VILLAGES):
        size = 5 + vi % 3  # 5, 6 or 7 committee members
        raters[village] = [p[0] for p in rng.sample(raters_pool, size)]
    return leaders, quality, raters


def _leader(rng, code, name, gender, ethnicity, role, village, grid, group) -> dict:
    return {
        "编号": code, "姓名": name, "性别": gender, "民族": ethnicity, "职务": role,
        "乡镇": TOWNSHIP, "村": village, "网格": grid, "联防组": group,
        "联系电话": f"13{rng.choice('89')}{rng.randrange(10**8):08d}",
        "任职日期": date(rng.randint(2016, 2022), rng.randint(1, 12), 1),
        "状态": "在任", "县": COUNTY,
    }


def _clip(x: float, low: float, high: float) -> float:
    return max(low, min(high, x))


def _half_steps(x: float) -> float:
    return round(x * 2) / 2


def year_rows(year: int, leaders: list[dict], quality: dict[str, float], raters: dict[str, list[str]], rng: random.Random) -> dict[str, list[dict]]:
    """All sheets of one year's workbook."""
    if year == 2023:
        roster = [dict(p) for p in leaders if p["编号"] != NEW_2024]
    else:
        roster = [dict(p) for p in leaders]
        next(p for p in roster if p["编号"] == RETIRED_2024)["状态"] = "离任"
    active = [p for p in roster if p["状态"] == "在任"]
    by_village: dict[str, list[dict]] = {}
    for p in active:
        by_village.setdefault(p["村"], []).append(p)
    drift = {code: q + rng.gauss(0, 0.015) for code, q in quality.items()}  # a year's form

    # 个人述职
    no_self = "NYL025" if year == 2023 else "NYL016"
    selfs = []
    for p in active:
        code = p["编号"]
        if code == no_self:
            continue
        base = 70 if code == BASIC_BOTH_YEARS else 100 * drift[code] + 4
        row = {"编号": code, "姓名": p["姓名"]}
        for col in DUTIES.values():
            row[col] = int(_clip(round(base + rng.gauss(0, 3)), 50, 100)) if code != BASIC_BOTH_YEARS else 70
        row["述职摘要"] = rng.choice(NARRATIVES).format(
            a=rng.randint(40, 200), b=rng.randint(5, 40), c=rng.randint(2, 15), d=rng.randint(5, 30)
        )
        selfs.append(row)

    # 两委打分: every committee member scores every leader of the village each quarter served.
    committee = []
    for village, members in raters.items():
        for p in by_village.get(village, []):
            code = p["编号"]
            first_quarter = (p["任职日期"].month - 1) // 3 + 1 if p["任职日期"].year == year else 1
            for quarter in range(first_quarter, 5):
                for member in members:
                    if code not in EXCELLENT and code != BASIC_BOTH_YEARS and rng.random() < 0.04:
                        continue  # a member missed this leader this quarter
                    row = {"季度": quarter, "评分人": member, "编号": code, "姓名": p["姓名"]}
                    for key, col in DUTIES.items():
                        top = ROLE_MAX[key]
                        if code == BASIC_BOTH_YEARS:
                            value = _half_steps(top * 0.66)
                        else:
                            value = _clip(_half_steps(top * (drift[code] + rng.gauss(0, 0.04))), 0, top)
                        row[col] = value
                    committee.append(row)

    # 群众评议: each ballot sheet marks every leader of its village.
    rater_types = ["群众代表"] * 6 + ["联户长互评"] * 3 + ["党员代表"] * 2
    ballots = []
    few = {"NYL033": (2, 0)} if year == 2023 else {"NYL011": (3, 1)}
    for vi, (village, _grids) in enumerate(VILLAGES):
        sheets = rng.randint(10, 25)
        for n in range(1, sheets + 1):
            ballot_no = f"{year}-{vi + 1:02d}-{n:03d}"
            kind = rng.choice(rater_types)
            for p in by_village.get(village, []):
                code = p["编号"]
                mark = _mark(rng, drift[code])
                if code in few:
                    valid, abstain = few[code]
                    if n > valid + abstain:
                        continue
                    mark = "弃权" if n > valid else mark
                elif code == BASIC_BOTH_YEARS:
                    mark = "不称职" if n <= 3 else "称职" if n <= 5 else "基本称职"
                elif year == 2024 and code == "NYL047":
                    mark = "不称职" if n % 2 == 1 else rng.choice(["称职", "基本称职"])
                ballots.append({"票号": ballot_no, "评议人类别": kind, "编号": code, "姓名": p["姓名"], "评价": mark})

    # 平台上报 (2024 only)
    platform = []
    if year == 2024:
        for p in active:
            code = p["编号"]
            start = p["任职日期"].month if p["任职日期"].year == year else 1
            for month in range(start, 13):
                if code == BASIC_BOTH_YEARS:
                    count = 2
                else:
                    count = max(0, round(rng.gauss(5.2 * drift[code] - 0.2, 1.3)))
                    if code in EXCELLENT:
                        count = max(count, 5)
                if count or rng.random() < 0.5:
                    platform.append({"编号": code, "姓名": p["姓名"], "月份": month, "上报数": count})

    # 加减分
    adjustments = []
    names = {p["编号"]: p["姓名"] for p in roster}
    picks = ["NYW09", "NYL030", "NYL008", "NYL044", "NYL052"] if year == 2023 else ["NYL012", "NYW15", "NYL027", "NYL035", "NYL006"]
    for code, (kind, points, reason) in zip(picks, ADDITIONS, strict=True):
        adjustments.append({"编号": code, "姓名": names[code], "类型": kind, "分值": points, "事由": reason})
    if year == 2024:
        adjustments.append({"编号": "NYL040", "姓名": names["NYL040"], "类型": "一票否决", "分值": None,
                            "事由": "联防组内发生聚众赌博未制止、未上报，造成恶劣影响"})

    # 往年等次
    prior = []
    if year == 2023:
        for p in active:
            code = p["编号"]
            q = quality[code]
            grade = "称职" if code == BASIC_BOTH_YEARS else "优秀" if q >= 0.92 else "称职" if q >= 0.76 else "基本称职"
            prior.append({"编号": code, "姓名": p["姓名"], "年度": 2022, "等次": grade})
    else:
        prior.append({"编号": BASIC_BOTH_YEARS, "姓名": names[BASIC_BOTH_YEARS], "年度": 2023, "等次": "基本称职"})

    return {
        ROSTER: roster, SELF_REPORT: selfs, COMMITTEE: committee, BALLOTS: ballots,
        PLATFORM: platform, ADJUSTMENTS: adjustments, PRIOR_GRADES: prior,
    }


def _mark(rng: random.Random, quality: float) -> str:
    if rng.random() < 0.03:
        return "弃权"
    u = quality + rng.gauss(0, 0.08)
    return "优秀" if u >= 0.9 else "称职" if u >= 0.75 else "基本称职" if u >= 0.6 else "不称职"


def main() -> None:
    rng = random.Random(SEED)
    leaders, quality, raters = build_township(rng)
    for year in (2023, 2024):
        rows = year_rows(year, leaders, quality, raters, random.Random(SEED + year))
        book = build_workbook(rows)
        path = HERE / f"nanyu_{year}.xlsx"
        book.save(path)
        print(f"{path.name}: " + "，".join(f"{k} {len(v)} 行" for k, v in rows.items()))


if __name__ == "__main__":
    main()
