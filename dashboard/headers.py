"""The one table of Chinese column headers, used by the result pages and every export.

The words are the township's own, as in its award lists and summary sheets: 村两委量化打分
(not 两委打分), 最终得分 (not 总分), 行政村 (not 村). A page or an export that shows one of
these values takes its header from here, so the screen and the printed sheet always agree.
"""

from __future__ import annotations

from dashboard.domain import DUTIES

HEADERS: dict[str, str] = {
    "code": "编号",
    "name": "姓名",
    "role": "职务",
    "county": "县",
    "township": "乡镇",
    "village": "行政村",
    "grid": "网格",
    "group": "联防组",
    "self": "个人述职",
    "mass": "群众评议",
    "committee": "村两委量化打分",
    "platform": "综治E通上报",
    "ballots": "有效票数",
    "satisfaction": "满意率",
    "bonus": "加分",
    "deduction": "减分",
    "final": "最终得分",
    "grade": "等次",
    "complete": "数据完整",
    "village_rank": "村内排名",
    "township_rank": "乡镇排名",
    "county_rank": "县内排名",
    "award": "表彰",
    "adjustment": "建议调整",
    "pay": "报酬（元）",
    "flags": "提示",
    **{f"role_{k}": f"{name}（%）" for k, name in DUTIES.items()},
    # Columns of the award lists and their page.
    "no": "序号",
    "rank": "名次",
    "title": "称号",
    "scope": "评选范围",
    "position": "位次",
    "quota": "名额",
    "eligible": "符合条件",
    "tie": "并列",
    "reason": "调整原因",
    "note": "备注",
    "pay_base": "报酬基数（元）",
    "coefficient": "系数",
    "signature": "领取人签字",
}

