"""zh-TW wording: every string of the course, as a Taiwanese trainee reads it (issue 13, point 20).

zh-TW text is derived from zh-CN with OpenCC s2twp and then exercises/zh_tw_phrases.yaml. These tests walk
every localized string in exercises/ and fail on Mainland terms or on s2twp's computing vocabulary where the
course means the plain word."""

import re

import pytest
import yaml

from telesales_training.core.i18n import pick, taiwan_phrases, to_traditional
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
    "呼入": "inbound is 進線",
    "呼出": "outbound is 外撥",
    "訂單號": "訂單編號",
    "手機號碼碼": "手機號碼",
    "看板": "the trainer's dashboard is 儀表板",
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
WEEK_WITHOUT_週 = re.compile(
    r"(本|每|上|下|全|這|該|按|\d|兩|幾)\s?周|[二三四五六七八九十]周(?!圍|邊)|周(計|目標|報|一|二|三|四|五|六|日|末)"
)


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
    """(file.path, {locale: text}) for every localized text of the course and of the exam bank."""
    for path in sorted([*EXERCISES.rglob("*.yaml"), *(EXERCISES.parent / "exam").rglob("*.yaml")]):
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        yield from _localized(raw, path.relative_to(EXERCISES.parent).as_posix())


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


def test_no_zh_tw_text_keeps_what_the_phrase_table_replaces():
    """#28.13: the whole table against every string — no zh-TW text still holds the s2twp wording of any pair
    (where the Taiwan wording itself contains it, that occurrence is fine)."""
    left = []
    for where, texts in every_string():
        shown = pick(texts, "zh-TW")
        for written, wanted in taiwan_phrases():
            if written in shown.replace(wanted, ""):
                left.append(f"{where}: {written} (→ {wanted}) in {shown[:60]!r}")
    assert not left, "\n".join(left[:20])


@pytest.mark.parametrize(
    ("simplified", "taiwan"),
    [
        ("我们可以分区施工", "我們可以分區施工"),
        ("我把参数发给您", "我把參數發給您"),
        ("画成一个循环", "畫成一個循環"),
        ("医院检验设备", "醫院檢驗設備"),
        ("得到上级支持", "得到上級支持"),
        ("先问有没有采购计划", "先問有沒有採購計畫"),
        ("小林今天拨出 180 通", "小林今天撥出 180 通"),  # a plain dial stays a dial
        ("电话分呼入和呼出两条线", "電話分進線和外撥兩條線"),
        ("询问打印机硒鼓", "詢問印表機碳粉匣"),
        ("康宁大药房", "康寧藥局"),
        ("客户的前台", "客戶的櫃檯"),
        ("最近 8 周", "最近 8 週"),
    ],
)
def test_sales_dialogue_reads_as_taiwan_writes_it(simplified, taiwan):
    assert to_traditional(simplified) == taiwan


@pytest.mark.parametrize(
    ("simplified", "taiwan"),
    [
        ("请先挂断电话", "請先掛斷電話"),
        ("开场白的窗口很短", "開場白的窗口很短"),
        ("你没有权限", "你沒有權限"),
        ("三种类型", "三種類型"),
        ("把两件事联系起来", "把兩件事聯繫起來"),
        ("学员账号", "學員帳號"),
        ("呼入与呼出", "進線與外撥"),
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
