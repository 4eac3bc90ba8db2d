"""#26: the exam page (widgets/exam.py) on a personal store — the practice exam, labelled so: start, answer each
question once (no right or wrong shown), a drill stepped through, hand in, the result and what was stored; two
sittings then the cool-down; a team server whose exam service cannot be reached says so, nothing breaks."""

from __future__ import annotations

from datetime import timedelta

import pytest

from telesales_training.core import paths
from telesales_training.course import content, exam
from telesales_training.course.items.call_drill import best_path
from telesales_training.widgets.exam import CertificationExam

L09 = "09_self_assessment"
BANK = exam.load_bank(paths.exam_dir())


@pytest.fixture
def block():
    return content.load_lesson(L09).block("certification_exam")


def _pick(question, right: bool) -> None:
    """Answer one question on the page as a trainee would: a radio choice, ticks, or the drill's replies."""
    item = BANK.item(question.form).question
    if question.kind.value == "call_drill":
        path = [c.id for c in best_path(item)]
        for choice_id in path:
            node = _node_of(item, question._path)
            if node.outcome is not None:
                return  # a wrong reply ended the call before the best path's length
            buttons = [b for b in question.choices.children if hasattr(b, "on_click")]
            node = _node_of(item, question._path)
            wanted = next(c for c in node.choices if c.id == choice_id) if right else node.choices[0]
            target = next(b for b in buttons if b.description in (wanted.text["zh-CN"], wanted.text["en"]))
            target.click()
        return
    picker = question.choices.children[0]
    if question.kind.value == "multiple_choice":
        for checkbox, option in zip(question.choices.children, question.view["options"]):
            checkbox.value = option["id"] in (item.answer or []) if right else checkbox is question.choices.children[0]
        return
    answer = item.answer if right else next(o["id"] for o in question.view["options"] if o["id"] != item.answer)
    picker.value = answer


def _node_of(item, path):
    node = item.node(item.start)
    for choice_id in path:
        node = item.node(next(c.next for c in node.choices if c.id == choice_id))
    return node


def test_the_practice_exam_is_labelled_answered_once_handed_in_and_stored_as_practice(block, ui, alice):
    page = CertificationExam(block, ui, alice, L09, "zh-CN")
    assert "练习考试" in page.label.value and "不颁发证书" in page.label.value
    assert "18" in page.rules.value and "80%" in page.rules.value
    page.start.click()
    questions = list(page._views.values())
    assert len(questions) == 18 and page.finish.layout.display is None
    for question in questions:
        _pick(question, right=True)
        question.send.click()
        assert "已提交" in question.state.value and question.send.disabled
    text = " ".join(q.state.value + q.prompt.value for q in questions)
    assert "正确" not in text and "错误" not in text  # no right or wrong during the sitting
    page.finish.click()
    sittings = alice.exams().sittings()
    assert len(sittings) == 1 and sittings[0].practice and sittings[0].passed
    assert "第 1 次考试" in page.results.value and "通过" in page.results.value
    assert page.value.sitting == 1 and page.value.practice  # the trainee's own note of it
    assert page._views == {} and page.start.layout.display is None
    from telesales_training.widgets.lean import shared_layout

    assert shared_layout().display is None  # hiding the page's buttons never hid every other widget


def test_a_wrong_first_answer_stays_and_the_sitting_fails(block, ui, alice):
    page = CertificationExam(block, ui, alice, L09, "en")
    page.start.click()
    for question in page._views.values():
        _pick(question, right=False)
        question.send.click()
    page.finish.click()
    done = alice.exams().sittings()[0]
    assert done.passed is False and "not passed" in page.results.value


def test_sending_without_an_answer_says_so_and_stores_nothing(block, ui, alice):
    page = CertificationExam(block, ui, alice, L09, "en")
    page.start.click()
    first = next(q for q in page._views.values() if q.kind.value == "single_choice")
    first.send.click()
    assert "Answer the question before sending" in page.message.value
    assert alice.exams().answers(alice.exams().sittings()[0].id) == {}


def test_a_reload_shows_the_open_sitting_with_what_was_sent(block, ui, alice):
    page = CertificationExam(block, ui, alice, L09, "en")
    page.start.click()
    first = next(q for q in page._views.values() if q.kind.value == "single_choice")
    _pick(first, right=True)
    first.send.click()
    again = CertificationExam(block, ui, alice, L09, "en")
    assert again._views[first.form].send.disabled and "Sent" in again._views[first.form].state.value
    assert sum(not q.send.disabled for q in again._views.values()) == 17


def test_two_sittings_then_the_cool_down_is_shown(block, ui, alice, clock_at_the_test_instant):
    for _ in range(2):
        page = CertificationExam(block, ui, alice, L09, "en")
        page.start.click()
        page.finish.click()
        clock_at_the_test_instant.shift(timedelta(hours=1))
    page = CertificationExam(block, ui, alice, L09, "en")
    assert page.start.disabled and "you may sit again after" in page.message.value
    page.start.click()
    assert len(alice.exams().sittings()) == 2


def test_a_team_server_whose_service_is_down_says_so(block, ui, alice, monkeypatch):
    monkeypatch.setenv("TELESALES_EXAM_URL", "http://127.0.0.1:9/services/telesales-exam")
    monkeypatch.setenv("JUPYTERHUB_API_TOKEN", "a-token")
    page = CertificationExam(block, ui, alice, L09, "en")
    assert "cannot be reached" in page.rules.value and page.start.layout.display == "none"
    assert "certification exam" in page.label.value.lower() and "Practice" not in page.label.value


def test_without_a_bank_the_page_says_the_exam_is_not_set_up(block, ui, alice, monkeypatch, tmp_path):
    monkeypatch.setattr(paths, "exam_dir", lambda: None)
    page = CertificationExam(block, ui, alice, L09, "zh-CN")
    assert "还没有安装结业考试" in page.rules.value


def test_a_certificate_is_offered_as_the_signed_credential_and_a_printable_page(block, ui, alice, tmp_path):
    import base64
    import re

    from telesales_training.course import credential as vc
    from tests.test_credential import AWARD, ISSUER

    token = vc.sign(vc.credential(ISSUER, AWARD), vc.generate_key(tmp_path / "k.pem"))
    page = CertificationExam(block, ui, alice, L09, "en")
    links = page._certificate_links(token)
    found = dict(re.findall(r'download="([^"]+)" href="data:[^;]+(?:;charset=utf-8)?;base64,([^"]+)"', links))
    assert base64.b64decode(found["certificate-alice.jwt"]).decode() == token
    assert "Telesales certification" in base64.b64decode(found["certificate-alice.html"]).decode()
    assert "Download the printable certificate" in links
