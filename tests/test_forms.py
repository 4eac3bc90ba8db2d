"""#25.3: an item's form cannot give its key away. `telesales validate` refuses a scored item whose key is clearly
the longest option, the only one asking a question, or whose prompt says how many options are right; a drill
whose best reply is, at every turn, the only question; and it prints how far length and position predict the key."""

import pytest
from typer.testing import CliRunner

from telesales_training.course import content, forms
from telesales_training.web.cli import app

from . import test_content
from .conftest import EXERCISES
from .test_content import LESSON, _block

tree = test_content.tree  # a writable copy of exercises/ (the fixture)


def _refused(root, item_id: str) -> list[str]:
    return [p.message for p in content.validate_tree(root) if p.item == item_id]


def test_the_shipped_course_gives_no_key_away():
    for lesson_id in sorted(content.available_lessons()):
        for item in content.load_lesson(lesson_id).questions:
            assert forms.give_aways(item) == [], (lesson_id, item.id)


def test_a_key_clearly_longer_than_the_rest_is_refused_in_either_language(tree):
    def lengthen(raw):
        option = _block(raw, "recap_action_trigger")["options"][0]
        option["text"]["en"] = "The same problem keeps recurring, week after week, until nobody can bear it any longer"

    messages = _refused(tree(lengthen), "recap_action_trigger")
    assert any("clearly the longest option in en" in m for m in messages), messages
    assert not any("in zh-CN" in m for m in messages)


def test_a_key_just_a_little_longer_is_fair():
    assert not forms.clearly_longest(
        ["同一个问题反复出现，忍无可忍"], ["恰好接到一家供应商打来的推销电话", "第一次出现小毛病"]
    )
    assert forms.clearly_longest(["他们之前对现有产品或供应商的不满"], ["最近看到的广告", "永远只看最低价格"])


def test_only_the_key_asking_a_question_is_refused(tree):
    def ask(raw):
        for option in _block(raw, "recap_after_choice")["options"]:
            if option["id"] == "negotiate":
                option["text"] = {"zh-CN": "谈价格和付款条件，对吗？", "en": "They negotiate terms, right?"}

    messages = _refused(tree(ask), "recap_after_choice")
    assert "only the key asks a question in zh-CN" in messages and "only the key asks a question in en" in messages


@pytest.mark.parametrize(
    ("zh", "en"),
    [
        ("课程说的黄金时间是哪两段？（可多选）", "Which two stretches are golden hours?"),
        ("请选出三项。", "Choose three."),
    ],
)
def test_a_prompt_that_says_how_many_are_right_is_refused(tree, zh, en):
    root = tree(lambda raw: _block(raw, "recap_scope").update(prompt={"zh-CN": zh, "en": en}))
    messages = _refused(root, "recap_scope")
    assert any("says how many are right in zh-CN" in m for m in messages)
    assert any("says how many are right in en" in m for m in messages)


def test_a_drill_whose_best_reply_is_always_the_only_question_is_refused(tree):
    def questions_only_for_the_best(raw):
        drill = _block(raw, "drill_lighting")
        for node in drill["nodes"]:
            values = [choice["score"] for choice in node.get("choices", [])]
            for choice in node.get("choices", []):
                text = choice["text"]
                strip = {lang: t.replace("？", "。").replace("?", ".") for lang, t in text.items()}
                choice["text"] = strip
            if values:
                best = node["choices"][values.index(max(values))]
                best["text"] = {
                    lang: t + ("吗？" if lang == "zh-CN" else " Is that right?") for lang, t in best["text"].items()
                }

    root = tree(questions_only_for_the_best, lesson="lessons/03_sales_process.yaml")
    messages = _refused(root, "drill_lighting")
    assert any("the only one asking a question in zh-CN" in m for m in messages), messages


def test_validate_prints_how_far_form_predicts_the_key():
    result = CliRunner().invoke(app, ["validate", str(EXERCISES)])
    assert result.exit_code == 0, result.output
    assert "form check" in result.output
    line = next(line for line in result.output.splitlines() if line.strip().startswith("03_sales_process"))
    assert "longest is the key" in line and "written first" in line and "blind pick" in line


def test_a_refused_form_names_file_item_and_field(tree):
    root = tree(lambda raw: _block(raw, "recap_scope").update(prompt={"zh-CN": "哪三个？", "en": "Which three?"}))
    result = CliRunner().invoke(app, ["validate", str(root)])
    assert result.exit_code == 1
    assert f"{LESSON}: item recap_scope: field prompt: the prompt says how many are right in zh-CN" in result.output
