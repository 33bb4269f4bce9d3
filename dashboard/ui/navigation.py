"""Which pages each role may use: the page table the frame hands to st.navigation.

Access control is the page list: a page a role may not use is never registered, so it
cannot be reached by URL either. Every service checks the user again. To add a page,
add a PageSpec to PAGES and its key to the roles in ROLE_PAGES.
"""

from __future__ import annotations

from dataclasses import dataclass

from dashboard.services.auth import ADMIN, ASSESSOR, LEADER, OFFICIAL, ROLES, VIEWER


@dataclass(frozen=True)
class PageSpec:
    """One page: its file under pages/, menu title, URL path, icon and menu section."""

    key: str
    path: str
    title: str
    url_path: str
    icon: str
    section: str


ENTRY = "数据录入"
OVERVIEW = "概览"
WORKFLOW = "公示与流程"
RESULTS = "考评结果"

PAGES: dict[str, PageSpec] = {
    spec.key: spec
    for spec in (
        PageSpec("completion", "pages/completion.py", "完成情况", "completion", ":material/checklist:", OVERVIEW),
        PageSpec("roster", "pages/roster.py", "人员名册", "roster", ":material/groups:", OVERVIEW),
        PageSpec("self_report", "pages/self_report.py", "个人述职", "self-report", ":material/person:", ENTRY),
        PageSpec("committee", "pages/committee.py", "两委打分", "committee", ":material/table_edit:", ENTRY),
        PageSpec("ballots", "pages/ballots.py", "群众评议", "ballots", ":material/how_to_vote:", ENTRY),
        PageSpec("platform", "pages/platform.py", "平台上报", "platform", ":material/phone_android:", ENTRY),
        PageSpec("adjustments", "pages/adjustments.py", "加减分", "adjustments", ":material/exposure:", ENTRY),
        PageSpec("data_import", "pages/data_import.py", "数据导入", "import", ":material/upload_file:", ENTRY),
        PageSpec("publicity", "pages/publicity.py", "公示", "publicity", ":material/campaign:", WORKFLOW),
        PageSpec("my_self_report", "pages/my_self_report.py", "本人述职", "my-report", ":material/edit_note:", ENTRY),
        PageSpec("my_record", "pages/my_record.py", "我的述职档案", "my-record", ":material/badge:", RESULTS),
        PageSpec("self_review", "pages/self_review.py", "述职确认", "self-review", ":material/fact_check:", ENTRY),
        PageSpec("leader_accounts", "pages/leader_accounts.py", "本人账号", "leader-accounts", ":material/key:",
                 WORKFLOW),
        PageSpec("notices", "pages/notices.py", "短信通知", "notices", ":material/sms:", WORKFLOW),
        PageSpec("online_vote", "pages/online_vote.py", "在线评议", "online-vote", ":material/qr_code_2:", WORKFLOW),
        PageSpec("workflow", "pages/workflow.py", "年度流程", "workflow", ":material/approval:", WORKFLOW),
        PageSpec("audit", "pages/audit.py", "操作日志", "audit", ":material/history:", WORKFLOW),
        PageSpec("rankings", "pages/rankings.py", "排名", "rankings", ":material/leaderboard:", RESULTS),
        PageSpec("leader_detail", "pages/leader_detail.py", "述职档案", "leader", ":material/badge:", RESULTS),
        PageSpec("overview", "pages/overview.py", "总览", "overview", ":material/insights:", RESULTS),
        PageSpec("quarter", "pages/quarter.py", "季度考评", "quarter", ":material/date_range:", RESULTS),
        PageSpec("platform_watch", "pages/platform_watch.py", "月度上报", "platform-watch",
                 ":material/monitoring:", RESULTS),
        PageSpec("awards", "pages/awards.py", "表彰", "awards", ":material/military_tech:", RESULTS),
        PageSpec("whatif", "pages/whatif.py", "方案对比", "what-if", ":material/compare_arrows:", RESULTS),
        PageSpec("accounts", "pages/accounts.py", "账户管理", "accounts", ":material/manage_accounts:", WORKFLOW),
        PageSpec("scheme_settings", "pages/scheme_settings.py", "方案设置", "scheme", ":material/tune:", WORKFLOW),
    )
}

# Score-entry pages (write inputs); never given to viewers or officials.
ENTRY_PAGES = ("self_report", "committee", "ballots", "platform", "adjustments")

# Result pages: everyone reads rankings, detail, overview, quarters and the monthly
# platform watch in their scope;
# awards, exports and what-if are for officials and admins; the scheme for admins only.
RESULT_PAGES = ("rankings", "leader_detail", "overview", "quarter", "platform_watch")
OFFICIAL_RESULT_PAGES = (*RESULT_PAGES, "awards", "whatif")

ROLE_PAGES: dict[str, tuple[str, ...]] = {
    ADMIN: ("completion", "roster", *OFFICIAL_RESULT_PAGES, *ENTRY_PAGES, "self_review", "data_import", "publicity",
            "online_vote", "notices", "leader_accounts", "workflow", "audit", "scheme_settings", "accounts"),
    ASSESSOR: ("completion", "roster", *RESULT_PAGES, *ENTRY_PAGES, "self_review", "data_import", "publicity"),
    VIEWER: (*RESULT_PAGES, "completion", "roster", "publicity"),
    OFFICIAL: ("completion", "roster", *OFFICIAL_RESULT_PAGES, "data_import", "publicity", "online_vote", "notices",
               "workflow", "audit"),
    # A leader's own account: his self-report while 录入中, his own 述职档案 from 公示 on.
    LEADER: ("my_self_report", "my_record"),
}


def pages_for_role(role: str) -> list[PageSpec]:
    """The pages a role may use, in menu order; the first is the default page."""
    if role not in ROLES:
        return []
    return [PAGES[key] for key in ROLE_PAGES[role]]


def sections_for_role(role: str) -> dict[str, list[PageSpec]]:
    """The role's pages grouped by menu section (概览 first, then 数据录入)."""
    grouped: dict[str, list[PageSpec]] = {}
    for spec in pages_for_role(role):
        grouped.setdefault(spec.section, []).append(spec)
    return grouped


def can_edit_roster(role: str) -> bool:
    """Admins and assessors (in their villages) edit the roster; others read it."""
    return role in (ADMIN, ASSESSOR)
