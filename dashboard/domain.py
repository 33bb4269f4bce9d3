"""Fixed vocabulary of the assessment: roles, duties (七大员), marks, grades, statuses."""

from __future__ import annotations

GRID_LEADER = "网格长"
HOUSEHOLD_LEADER = "联户长"
LEADER_ROLES = (GRID_LEADER, HOUSEHOLD_LEADER)

ACTIVE = "在任"
RETIRED = "离任"
LEADER_STATUSES = (ACTIVE, RETIRED)

GENDERS = ("男", "女")

# The seven duties 七大员: key -> Chinese name, in the order of scoring.md section 2.
DUTIES: dict[str, str] = {
    "info": "社情民意信息员",
    "service": "便民事项办理员",
    "publicity": "法制政策宣传员",
    "mediation": "矛盾纠纷调解员",
    "sanitation": "环境卫生监督员",
    "patrol": "治安联防巡逻员",
    "unity": "民族团结示范员",
}
DUTY_KEYS: tuple[str, ...] = tuple(DUTIES)
DUTY_BY_NAME: dict[str, str] = {name: key for key, name in DUTIES.items()}

EXCELLENT = "优秀"
COMPETENT = "称职"
BASIC = "基本称职"
INCOMPETENT = "不称职"
ABSTAIN = "弃权"
GRADES = (EXCELLENT, COMPETENT, BASIC, INCOMPETENT)
# 两委成员 posts, in the order a member list shows them (another post may be typed).
COMMITTEE_POSTS = ("书记", "主任", "副书记", "副主任", "委员")
MARKS = (*GRADES, ABSTAIN)

BONUS = "加分"
DEDUCTION = "减分"
VETO = "一票否决"
ADJUSTMENT_KINDS = (BONUS, DEDUCTION, VETO)

COMPONENTS = ("self", "mass", "committee", "platform")
COMPONENT_NAMES = {"self": "个人述职", "mass": "群众评议", "committee": "村两委量化打分", "platform": "综治E通上报"}

# A self-report counts once confirmed; a leader's own one waits for the village's assessor.
SELF_CONFIRMED = "已确认"
SELF_PENDING = "待确认"
SELF_RETURNED = "已退回"
SELF_STATUSES = (SELF_CONFIRMED, SELF_PENDING, SELF_RETURNED)

# Year workflow: entry open -> publicity -> final.
YEAR_OPEN = "录入中"
YEAR_PUBLICITY = "公示中"
YEAR_FINAL = "已定稿"
YEAR_STATUSES = (YEAR_OPEN, YEAR_PUBLICITY, YEAR_FINAL)

AWARD_SCOPES = ("village", "township", "county")

FLAGS = (
    "no_self_report",
    "no_committee_score",
    "no_ballots",
    "too_few_ballots",
    "veto",
    "mass_veto",
    "tie_at_cutoff",
)
FLAG_NAMES = {
    "no_self_report": "缺个人述职",
    "no_committee_score": "缺两委打分",
    "no_ballots": "无群众评议票",
    "too_few_ballots": "评议票不足",
    "veto": "一票否决",
    "mass_veto": "群众评议否决",
    "tie_at_cutoff": "表彰名额末位并列",
}

DEFAULT_COUNTY = "舟曲县"


def flag_list(value: object) -> list[str]:
    """The flags of one result as a new list, whether held as a tuple, a list or `a;b` text
    (None or NaN: no flags)."""
    if value is None or (isinstance(value, float) and value != value):
        return []
    if isinstance(value, str):
        return [f for f in value.split(";") if f]
    return [str(f) for f in value]
