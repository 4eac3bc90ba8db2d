"""The curriculum schema: the real exercises/ pass, and each kind of mistake is named precisely."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from telesales_training.course import content
from telesales_training.storage import identity
from telesales_training.web.cli import app

from .conftest import EXERCISES

LESSON = "lessons/01_decision_psychology.yaml"


@pytest.fixture
def tree(tmp_path):
    """A writable copy of exercises/ and a helper to edit lesson 01's raw YAML."""
    root = tmp_path / "exercises"
    shutil.copytree(EXERCISES, root)

    def edit(change, lesson=LESSON):
        path = root / lesson
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
        change(raw)
        path.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
        return root

    return edit


def _block(raw, block_id):
    return next(b for b in raw["blocks"] if b["id"] == block_id)


def test_shipped_curriculum_is_valid():
    assert content.validate_tree(EXERCISES) == []


def test_a_lesson_or_string_file_edited_while_loaded_is_read_again(tree):
    """The kernel helper keeps the loaded curriculum for every page it forks (content.preload): a file an author
    edits while the server runs is read again by the next page, not served as it was."""
    root = tree(lambda raw: None)
    before = content.load_lesson("01_decision_psychology", root)
    assert content.load_lesson("01_decision_psychology", root) is before  # kept while the file is unchanged
    ui_before = content.load_ui(root)
    tree(lambda raw: raw["title"].update({"en": "Lesson 1 · Edited"}))
    assert content.load_lesson("01_decision_psychology", root).title["en"] == "Lesson 1 · Edited"
    ui = yaml.safe_load((root / "ui.yaml").read_text(encoding="utf-8"))
    key = next(iter(ui["strings"]))
    ui["strings"][key]["en"] = "Edited string"
    (root / "ui.yaml").write_text(yaml.safe_dump(ui, allow_unicode=True), encoding="utf-8")
    assert content.load_ui(root).text(key, "en") == "Edited string" != ui_before.text(key, "en")


def test_every_question_has_both_written_locales(lesson01):
    for question in lesson01.questions:
        assert question.prompt["zh-CN"].strip() and question.prompt["en"].strip()


def test_lesson01_has_every_required_exercise(lesson01):
    types = {q.id: q.type for q in lesson01.questions}
    assert types["order_stages"] == "ordering"
    assert types["xiamen_first_check"] == types["xiamen_next_check"] == "free_text"
    assert lesson01.block("order_stages").answer == [
        "satisfied",
        "notice",
        "clarify",
        "act",
        "evaluate",
        "negotiate",
        "implement",
    ]
    assert lesson01.max_points > 0


def _only(problems):
    assert len(problems) == 1, problems
    return problems[0]


MISTAKES = {
    "missing locale": (
        lambda raw: _block(raw, "recap_criteria_source")["prompt"].pop("en"),
        "recap_criteria_source",
        "prompt",
        "missing locale 'en'",
    ),
    "unknown type": (
        lambda raw: _block(raw, "recap_stage_count").update(type="essay"),
        "recap_stage_count",
        "type",
        "unknown type",
    ),
    "key not among options": (
        lambda raw: _block(raw, "recap_criteria_source").update(answer="no_such_option"),
        "recap_criteria_source",
        "answer",
        "not among the options",
    ),
    "multiple-choice key not among options": (
        lambda raw: _block(raw, "recap_scope").update(answer=["phone", "fax"]),
        "recap_scope",
        "answer",
        "fax",
    ),
    "duplicate id": (
        lambda raw: _block(raw, "recap_stage_count").update(id="recap_scope"),
        "recap_scope",
        "id",
        "duplicate",
    ),
    "number key outside its range": (
        lambda raw: _block(raw, "recap_stage_count").update(answer=99),
        "recap_stage_count",
        "answer",
        "outside min..max",
    ),
    "reflection on a missing item": (
        lambda raw: _block(raw, "xiamen_reflection").update(source_items=["nope"]),
        "xiamen_reflection",
        "source_items",
        "no item with id 'nope'",
    ),
    "id longer than the store keeps": (
        lambda raw: _block(raw, "recap_scope").update(id="q" * 65),
        "q" * 65,
        "id",
        "at most 64 characters",
    ),
}


L03 = "lessons/03_sales_process.yaml"
L02 = "lessons/02_selling_modes.yaml"


def _node(raw, drill_id, node_id):
    return next(n for n in _block(raw, drill_id)["nodes"] if n["id"] == node_id)


def _orphan(raw):
    _block(raw, "drill_pharmacy")["nodes"].append(
        {
            "id": "orphan",
            "customer": {"zh-CN": "孤立", "en": "orphan"},
            "outcome": "failure",
            "outcome_text": {"zh-CN": "无", "en": "none"},
        }
    )


def _loop(raw):
    _node(raw, "drill_inbound", "model")["choices"].append(
        {
            "id": "again",
            "text": {"zh-CN": "再说一遍", "en": "Say again"},
            "next": "enquiry",
            "feedback": {"zh-CN": "绕回去了", "en": "Back to the start"},
        }
    )


DRILL_MISTAKES = {
    "unreachable node": (_orphan, "drill_pharmacy", "nodes.orphan", "unreachable from the start node"),
    "dead end without outcome": (
        lambda raw: (
            _node(raw, "drill_lighting", "doubt").pop("outcome"),
            _node(raw, "drill_lighting", "doubt").pop("outcome_text"),
        ),
        "drill_lighting",
        "nodes.doubt",
        "dead end",
    ),
    "choice to a missing node": (
        lambda raw: _node(raw, "drill_lighting", "hello")["choices"][0].update(next="nowhere"),
        "drill_lighting",
        "nodes.hello.choices.pitch.next",
        "no node with id 'nowhere'",
    ),
    "missing locale in a customer line": (
        lambda raw: _node(raw, "drill_inbound", "model")["customer"].pop("en"),
        "drill_inbound",
        "nodes.1.customer",
        "missing locale 'en'",
    ),
    "a loop": (_loop, "drill_inbound", "nodes.enquiry", "loops back"),
    "unknown start": (
        lambda raw: _block(raw, "drill_inbound").update(start="nope"),
        "drill_inbound",
        "start",
        "no node with id 'nope'",
    ),
}


@pytest.mark.parametrize("mistake", DRILL_MISTAKES)
def test_each_drill_mistake_is_named(tree, mistake):
    change, item, field, message = DRILL_MISTAKES[mistake]
    problem = _only(content.validate_tree(tree(change, L03)))
    assert (problem.file, problem.item, problem.field) == (L03, item, field)
    assert message in problem.message


def test_classify_answer_outside_the_categories_is_named(tree):
    root = tree(lambda raw: _block(raw, "mode_classifier")["entries"][0].update(answer="maybe"), L02)
    problem = _only(content.validate_tree(root))
    assert (problem.item, problem.field) == ("mode_classifier", "entries")
    assert "erp → maybe" in problem.message


@pytest.mark.parametrize("mistake", MISTAKES)
def test_each_mistake_is_named_with_file_item_and_field(tree, mistake):
    change, item, field, message = MISTAKES[mistake]
    problem = _only(content.validate_tree(tree(change)))
    assert (problem.file, problem.item, problem.field) == (LESSON, item, field)
    assert message in problem.message


def test_ordering_listed_in_key_order_is_rejected(tree):
    def put_in_key_order(raw):
        block = _block(raw, "order_stages")
        by_id = {o["id"]: o for o in block["options"]}
        block["options"] = [by_id[i] for i in block["answer"]]

    problem = _only(content.validate_tree(tree(put_in_key_order)))
    assert (problem.item, problem.field) == ("order_stages", "answer")


def test_wrong_schema_version_and_broken_yaml(tree, tmp_path):
    root = tree(lambda raw: raw.update(schema_version=99))
    assert _only(content.validate_tree(root)).field == "schema_version"
    (root / LESSON).write_text("blocks: [unclosed", encoding="utf-8")
    problem = _only(content.validate_tree(root))
    assert problem.field.startswith("line") and "not valid YAML" in problem.message


def test_cli_validate_exit_codes(tree):
    runner = CliRunner()
    ok = runner.invoke(app, ["validate", str(EXERCISES)])
    assert ok.exit_code == 0, ok.output
    root = tree(
        lambda raw: (
            _block(raw, "recap_scope")["prompt"].pop("zh-CN"),
            _block(raw, "recap_stage_count").update(type="essay"),
        )
    )
    bad = runner.invoke(app, ["validate", str(root)])
    assert bad.exit_code == 1
    assert f"{LESSON}: item recap_scope: field prompt: missing locale 'zh-CN'" in bad.output
    assert f"{LESSON}: item recap_stage_count: field type: unknown type" in bad.output


def test_a_block_id_that_is_not_text_is_named_not_a_traceback(tree):
    """#22.10: `id: [a, b]` made validate raise TypeError."""
    problem = _only(content.validate_tree(tree(lambda raw: raw["blocks"][0].update(id=["a", "b"]))))
    assert (problem.file, problem.item, problem.field) == (LESSON, "['a', 'b']", "id")
    assert "valid string" in problem.message


def _linear_drill(raw, length=1000):
    drill = _block(raw, "drill_lighting")
    ending = next(n for n in drill["nodes"] if n.get("outcome"))
    step = {"zh-CN": "好", "en": "fine"}
    drill["nodes"] = [
        {
            "id": f"n{i}",
            "customer": step,
            "choices": [
                {
                    "id": "go",
                    "text": step,
                    "next": f"n{i + 1}" if i + 1 < length else ending["id"],
                    "score": 1,
                    "feedback": step,
                }
            ],
        }
        for i in range(length)
    ] + [ending]
    drill["start"] = "n0"


def test_a_long_drill_is_checked_without_running_out_of_stack(tree):
    """#22.10: a linear call drill of 1,000 nodes made validate raise RecursionError."""
    root = tree(_linear_drill, L03)
    assert content.validate_tree(root) == []
    drill = next(b for b in content.load_lesson("03_sales_process", root).blocks if b.id == "drill_lighting")
    assert drill.best_score() == 1000


def test_a_lesson_listed_without_a_file_is_named(tree):
    root = tree(
        lambda raw: raw["lessons"].append({"id": "10_products", "title": {"zh-CN": "产品", "en": "Products"}}),
        "course.yaml",
    )
    problem = _only(content.validate_tree(root))
    assert (problem.file, problem.item, problem.field) == ("course.yaml", "10_products", "id")
    assert "no lesson file lessons/10_products.yaml" in problem.message


@pytest.mark.parametrize("control", ["\x00", "\x07", "\x1b"])
def test_a_control_character_in_a_text_is_named(tree, control):
    problem = _only(content.validate_tree(tree(lambda raw: raw["title"].update(en=f"Lesson{control} 1"))))
    assert (problem.file, problem.field) == (LESSON, "title")
    assert f"control character U+{ord(control):04X}" in problem.message


def test_console_script_is_installed():
    """The one test that runs the real `telesales` command (the others call the Typer app in-process)."""
    script = Path(sys.executable).with_name("telesales")
    result = subprocess.run([str(script), "validate"], capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("ok:")


def test_every_answer_the_curriculum_allows_fits_the_store():
    from telesales_training.core import limits

    longest = max(
        block.max_chars
        for lesson_id in content.available_lessons()
        for block in content.load_lesson(lesson_id).questions
        if isinstance(block, content.FreeText)
    )
    assert longest <= limits.MAX_FREE_TEXT
    assert len(json.dumps("\U0001f600" * limits.MAX_FREE_TEXT, ensure_ascii=False).encode()) <= limits.MAX_ANSWER_BYTES
    assert identity.MAX_NAME <= limits.MAX_TRAINEE_ID
    assert max(len(cohort) for cohort in content.load_demo().cohorts) <= limits.MAX_COHORT


def test_variants_are_checked_like_items(tree):
    """#25.4: a variant is a whole item of the idea's type and points, with an id of its own."""

    def variants(raw):
        item = _block(raw, "recap_after_choice")
        base = {k: item[k] for k in ("prompt", "options", "answer")}
        item["variants"] = [{**base, "id": "recap_after_choice_b", "points": 5}]  # other points
        other = _block(raw, "recap_action_trigger")
        other["variants"] = [{**{k: other[k] for k in ("prompt", "options")}, "id": "v_c", "answer": "nowhere"}]
        stage = _block(raw, "recap_criteria_source")
        twice = {**{k: stage[k] for k in ("prompt", "options", "answer")}, "id": "recap_stage_count"}  # a block's id
        stage["variants"] = [twice]

    said = {(p.item, p.message) for p in content.validate_tree(tree(variants))}
    assert ("recap_after_choice", "variant 1 (recap_after_choice_b): points must be the item's own (2)") in said
    assert any(item == "recap_action_trigger" and "variant 1 (v_c): answer" in m for item, m in said), said
    assert ("recap_stage_count", "a variant's id must differ from every other id") in said


def test_a_variant_is_asked_under_its_ideas_id():
    lesson = content.load_lesson("04_funnel")
    item = lesson.block("recap_refill")
    variant = item.variant("recap_refill_b")
    assert variant.id == "recap_refill" and variant.answer == "gap" and variant.prompt != item.prompt
    assert item.variant("") is item
    with pytest.raises(KeyError):
        item.variant("no_such_variant")
