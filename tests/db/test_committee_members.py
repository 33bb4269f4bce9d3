"""两委成员 as data and committee sheet drafts (草稿) that count in no result until saved complete."""

from __future__ import annotations

import pandas as pd
import pytest
from factories import YEAR, build_world
from sqlalchemy import func
from sqlmodel import select

from dashboard.data.db import read_session, transaction
from dashboard.data.queries import assess_year, committee_inputs
from dashboard.domain import DUTIES
from dashboard.services.auth import PermissionDenied
from dashboard.services.committee import (
    add_committee_member,
    committee_drafts,
    committee_members,
    remove_committee_member,
    save_committee_draft,
)
from dashboard.services.completion import committee_draft_overview, leader_completion
from dashboard.services.entry import EntryError
from dashboard.services.inputs import save_committee_sheet
from models import CommitteeDraft, CommitteeScore, User

NAMES = list(DUTIES.values())
FULL = dict(zip(NAMES, [20, 15, 10, 20, 10, 15, 10], strict=True))
NANYU = "南峪乡/南峪村"
JIANGPAN = "南峪乡/江盘村"


@pytest.fixture
def world(db_engine):
    return build_world(db_engine)


def _run(engine, username, service, **kwargs):
    with transaction(engine) as s:
        user = s.exec(select(User).where(User.username == username)).one()
        return service(session=s, user=user, **kwargs)


def _count(engine, table) -> int:
    with read_session(engine) as s:
        return s.exec(select(func.count()).select_from(table)).one()


def test_members_listed_with_spaces_removed_and_posts_first(world):
    """「  测试 委员 丙  」 is stored as 测试委员丙; the list puts 书记 before 委员; a duplicate is refused."""
    engine, village = world.engine, world.village_ids[NANYU]
    _run(engine, "assessor", add_committee_member, year=YEAR, village_id=village, name="  测试 委员 丙  ")
    _run(engine, "assessor", add_committee_member, year=YEAR, village_id=village, name="张书记", post="书记")
    with pytest.raises(EntryError) as err:
        _run(engine, "assessor", add_committee_member, year=YEAR, village_id=village, name="测试委员丙")
    assert "已有「测试委员丙」" in str(err.value)
    members = _run(engine, "assessor", committee_members, year=YEAR, village_id=village)
    assert members == [{"姓名": "张书记", "职务": "书记"}, {"姓名": "测试委员丙", "职务": "委员"}]
    _run(engine, "assessor", remove_committee_member, year=YEAR, village_id=village, name="测试 委员丙")
    assert _run(engine, "assessor", committee_members, year=YEAR, village_id=village) == [
        {"姓名": "张书记", "职务": "书记"}]


def test_member_of_other_village_refused_for_assessor(world):
    """The assessor of 南峪村 cannot add a member to 江盘村."""
    with pytest.raises(PermissionDenied):
        _run(world.engine, "assessor", add_committee_member, year=YEAR,
             village_id=world.village_ids[JIANGPAN], name="李主任")


def test_draft_counts_in_no_result_until_saved_complete(world):
    """Half a sheet saved as a draft leaves committee inputs and the assessment unchanged; the
    complete save counts and removes the draft."""
    engine = world.engine
    before = assess_year(engine, YEAR).results
    half = {"编号": "NY-H1", "姓名": "马小军", "社情民意信息员": "18", "便民事项办理员": "12.5"}
    result = _run(engine, "assessor", save_committee_draft, year=YEAR, quarter=1, rater="张 书记",
                  rows=[half, {"编号": "NY-H2"}])
    assert result.saved == 1 and "2 格" in result.message
    assert _count(engine, CommitteeScore) == 0
    assert committee_inputs(engine, YEAR).empty
    pd.testing.assert_frame_equal(assess_year(engine, YEAR).results, before)
    with read_session(engine) as s:
        [draft] = committee_drafts(s, year=YEAR, quarter=1, rater="张书记").values()
        assert (draft.info, draft.service, draft.unity) == (18.0, 12.5, None)

    overview = _run(engine, "assessor", committee_draft_overview, year=YEAR)
    assert overview.to_dict("records") == [
        {"乡镇": "南峪乡", "村": "南峪村", "季度": "一季度", "评分人": "张书记", "草稿人数": 1}]
    assert _run(engine, "assessor", leader_completion, year=YEAR).set_index("编号").loc["NY-H1", "一季度"] == 0

    _run(engine, "assessor", save_committee_sheet, year=YEAR, quarter=1, rater="张书记",
         rows=[{"编号": "NY-H1", **FULL}])
    assert _run(engine, "assessor", committee_draft_overview, year=YEAR).empty
    assert _count(engine, CommitteeScore) == 1
    assert _count(engine, CommitteeDraft) == 0
    assert len(committee_inputs(engine, YEAR)) == 1
    after = assess_year(engine, YEAR).results.set_index("code")
    assert after.loc["NY-H1", "committee"] == 100  # every duty at its maximum: 100 of 100


def test_draft_refuses_bad_typed_cell(world):
    """A draft may leave cells empty, but 105 under 信息员 ≤20 is refused and nothing is stored."""
    with pytest.raises(EntryError) as err:
        _run(world.engine, "assessor", save_committee_draft, year=YEAR, quarter=1, rater="张书记",
             rows=[{"编号": "NY-H1", "社情民意信息员": "105"}])
    [cell] = err.value.errors
    assert (cell.column, cell.reason, cell.who) == ("社情民意信息员", "分值 105 超过满分 20", "马小军（编号 NY-H1）")
    assert _count(world.engine, CommitteeDraft) == 0
