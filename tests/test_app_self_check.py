"""The 自查 page through AppTest: a 填报单位 uploads a seed text as a draft and sees its findings; its
drafts only; a broken file gives a Chinese message; the draft is not counted in the library."""

from __future__ import annotations

import pytest
from _app_support import SEED_004, app_test, library_at, open_address, sign_in, texts

from library.access import Account, Role, Scope
from library.drafts import draft_findings, get_draft, list_drafts, save_draft, shown_to
from parsing.vocabulary import finding_name

AGENCY = "某县教育局"
REGION = "某县"


def account(name: str = "edu", agency: str = AGENCY) -> Account:
    return Account(name, Role.AGENCY, Scope(regions=(REGION,), agency=agency), display_name="教育局填报员")


@pytest.fixture
def library(tmp_path):
    with library_at(tmp_path / "library.sqlite"):
        from library.store import Library

        yield Library()


def self_check_page(who: Account | None):
    at = app_test(role=None)
    if who is not None:
        sign_in(at, who)
    at.run()
    at.switch_page("app_pages/self_check.py").run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def upload(at, name: str, data: bytes):
    uploader = next(u for u in at.file_uploader if u.key.startswith("sc_file"))
    uploader.upload(name, data, "text/plain")
    at.run()
    at.button(key="sc_go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def test_agency_uploads_a_draft_and_sees_its_findings(library) -> None:
    at = self_check_page(account())
    assert "不计入任何统计分析" in texts(at)
    assert at.text_input[0].value == AGENCY and at.text_input[0].disabled  # fixed from the account
    at = upload(at, "草稿.txt", SEED_004.read_bytes())
    shown = texts(at)
    assert "草稿已保存" in shown
    mine = list_drafts(library, account())
    assert len(mine) == 1 and mine[0].agency == AGENCY and mine[0].region == REGION
    draft = get_draft(library, account(), mine[0].id)
    found = shown_to(account(), draft_findings(library, draft))  # type: ignore[arg-type]
    assert found, "the seed gives findings on its own"
    table = next(df.value for df in at.dataframe if "问题" in df.value.columns)
    assert sorted(table["问题"]) == sorted(finding_name(f.code) for f in found)
    for f in found:  # each finding's message and evidence card
        assert f.message.removeprefix(f"{finding_name(f.code)}：") in shown
    assert len(at.expander) >= len(found)
    assert "逾期发布只能在报告正式发布后" in shown
    assert any("勾稽" in s.value for s in at.subheader)
    # Not a report: the library is still empty.
    assert library.counts()["reports"] == 0


def test_agency_sees_only_its_own_drafts(library) -> None:
    other = account("health", "某县卫生健康局")
    save_draft(library, other, SEED_004.read_bytes(), "卫健草稿.txt")
    at = self_check_page(account())
    assert "还没有草稿" in texts(at)
    assert "卫健草稿" not in texts(at) and not at.selectbox
    at = upload(at, "教育草稿.txt", SEED_004.read_bytes())
    options = at.selectbox(key=next(s.key for s in at.selectbox if s.key.startswith("sc_pick"))).options
    assert len(options) == 1 and "教育草稿" in options[0]


def test_a_broken_file_shows_a_chinese_message_and_stores_nothing(library) -> None:
    at = self_check_page(account())
    at = upload(at, "报告.pdf", b"%PDF-1.7\n" + b"\x00garbage" * 100)
    assert any("草稿未能解析，未保存" in e.value for e in at.error)
    assert list_drafts(library, account()) == []


def test_without_an_account_the_page_asks_to_sign_in(library) -> None:
    at = open_address(app_test(role=None), "self-check").run()
    assert not at.exception, [e.value for e in at.exception]
    assert "登录" in texts(at) and not at.file_uploader


def test_a_reviewer_names_the_agency_of_the_draft(library) -> None:
    reviewer = Account("li", Role.REVIEWER, Scope(regions=(REGION,)))
    at = self_check_page(reviewer)
    at.text_input(key="sc_agency").input(AGENCY)
    at = upload(at, "审核员试查.txt", SEED_004.read_bytes())
    (draft,) = list_drafts(library, reviewer)
    assert (draft.agency, draft.region, draft.year) == (AGENCY, REGION, 2023)
    assert list_drafts(library, account()) == []  # the agency's own list is its own
    assert library.counts()["reports"] == 0
