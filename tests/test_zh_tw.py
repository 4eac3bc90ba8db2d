"""zh-TW wording: every string of the course, as a Taiwanese trainee reads it (issue 13, point 20).

zh-TW text is derived from zh-CN with OpenCC s2twp and then exercises/zh_tw_phrases.yaml. These tests walk
every localized string in exercises/ and fail on Mainland terms or on s2twp's computing vocabulary where the
course means the plain word."""

import re

import pytest
import yaml

from telesales_training.core.i18n import pick, to_traditional
from telesales_training.course import content

from .conftest import EXERCISES

# What s2twp (or a hand-written zh-TW text) would wrongly show, and why.
NOT_TAIWAN = {
    "結束通話": "挂断 is 掛斷 (hang up), not the VoIP term",
    "視窗": "the opening's window is 窗口",
    "許可權": "权限 is 權限",
    "型別": "类型 is 類型",
    "聯絡起來": "联系起来 (connect ideas) is 聯繫起來",
    "賬號": "帳號",
    "撥出": "呼出, paired with 呼入",
    "渠道": "通路",
    "反饋": "回饋",
    "營銷": "行銷",
    "質保": "保固",
    "郵箱": "信箱",
    "墨盒": "墨水匣",
    "充值卡": "儲值卡",
    "釐米": "公分",
    "計劃": "計畫",
    "“": "「",
    "”": "」",
}
WEEK_WITHOUT_週 = re.compile(r"(本|每|上|下|全|這|該)周|周(計|目標|報|一|二|三|四|五|六|日|末)")


def _localized(node, where):
    if isinstance(node, dict):
        if isinstance(node.get("zh-CN"), str):
            yield where, node
        for key, value in node.items():
            yield from _localized(value, f"{where}.{key}")
    elif isinstance(node, list):
        for index, value in enumerate(node):
            yield from _localized(value, f"{where}[{index}]")


def every_string():
    """(file.path, {locale: text}) for every localized text of the course."""
    for path in sorted(EXERCISES.rglob("*.yaml")):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        yield from _localized(raw, path.relative_to(EXERCISES).as_posix())


def test_the_course_has_strings_to_check():
    assert sum(1 for _ in every_string()) > 800


def test_no_mainland_or_computing_terms_in_any_zh_tw_text():
    wrong = []
    for where, texts in every_string():
        shown = pick(texts, "zh-TW")
        wrong += [f"{where}: {term} ({why}) in {shown[:60]!r}" for term, why in NOT_TAIWAN.items() if term in shown]
        if WEEK_WITHOUT_週.search(shown):
            wrong.append(f"{where}: a week written 周 in {shown[:60]!r}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize(
    ("simplified", "taiwan"),
    [
        ("请先挂断电话", "請先掛斷電話"),
        ("开场白的窗口很短", "開場白的窗口很短"),
        ("你没有权限", "你沒有權限"),
        ("三种类型", "三種類型"),
        ("把两件事联系起来", "把兩件事聯繫起來"),
        ("学员账号", "學員帳號"),
        ("呼入与呼出", "呼入與呼出"),
        ("本周的周计划", "本週的週計畫"),
        ("销售渠道", "銷售通路"),
        ("客户的反馈", "客戶的回饋"),
        ("营销活动", "行銷活動"),
        ("两年质保", "兩年保固"),
        ("你的邮箱", "你的信箱"),
        ("换墨盒", "換墨水匣"),
        ("充值卡", "儲值卡"),
        ("离话筒 3 厘米", "離話筒 3 公分"),
        ("他说：“好的。”", "他說：「好的。」"),
    ],
)
def test_the_phrase_table_gives_taiwan_wording(simplified, taiwan):
    assert to_traditional(simplified) == taiwan


def test_english_says_how_long_the_opening_has_and_calls_midday_a_lunch_break():
    english = [texts.get("en", "") for _, texts in every_string()]
    assert not [t for t in english if "tens of seconds" in t or "midday rest" in t]
    assert any("first half-minute" in t for t in english)
    assert not [t for t in english if "20–30 seconds" in t]  # #28.9: not in the course; zh and en say one thing
    assert any("lunch break" in t for t in english)


def test_a_broken_phrase_table_is_named(tmp_path):
    import shutil

    root = tmp_path / "exercises"
    shutil.copytree(EXERCISES, root)
    (root / "zh_tw_phrases.yaml").write_text(
        "schema_version: 1\nphrases:\n  - [墨盒, 墨盒]\n  - [渠道]\n", encoding="utf-8"
    )
    problems = [str(p) for p in content.validate_tree(root)]
    assert any("zh_tw_phrases.yaml" in p and "phrases" in p for p in problems), problems
