"""Every markdown construct used in exercises/ renders (issue 14): no pipes, hashes or asterisks left over in
any language, and the etiquette rules come out as a real table."""

import re

import pytest

from telesales_training.core import i18n
from telesales_training.course import content
from telesales_training.render.views import markdown

LEFTOVERS = {
    "table pipe": re.compile(r"^\s*\|.*\|\s*$", re.M),
    "table rule": re.compile(r"\|\s*:?-{3,}"),
    "heading hash": re.compile(r"^\s*#{1,6}\s", re.M),
    "bold asterisks": re.compile(r"\*\*"),
    "link brackets": re.compile(r"\]\("),
}


def _text(html: str) -> str:
    return re.sub(r"<[^>]+>", "", html)


def markdown_blocks():
    for lesson_id in sorted(content.available_lessons()):
        for block in content.load_lesson(lesson_id).blocks:
            if isinstance(block, (content.TextBlock, content.Reflection)):
                yield lesson_id, block


@pytest.mark.parametrize("locale", i18n.LOCALES)
def test_no_markdown_syntax_survives_rendering(locale):
    blocks = list(markdown_blocks())
    assert len(blocks) > 20
    left = [
        f"{lesson_id}/{block.id}: {name}"
        for lesson_id, block in blocks
        for name, pattern in LEFTOVERS.items()
        if pattern.search(_text(markdown(i18n.pick(block.body, locale))))
    ]
    assert not left, left


def test_the_etiquette_rules_are_a_table_in_every_language():
    rules = content.load_lesson("08_phone_etiquette").block("rules")
    for locale in i18n.LOCALES:
        html = markdown(i18n.pick(rules.body, locale))
        assert html.count("<tr>") >= 10 and "<th>" in html and "|" not in _text(html)


def test_raw_html_in_the_curriculum_stays_text():
    assert "<script>" not in markdown("<script>alert(1)</script> **x**") and "<strong>x</strong>" in markdown("**x**")
