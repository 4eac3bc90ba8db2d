"""What a page's kernel keeps between processes (core.paths): the curriculum's parsed YAML and drawn figures, in
the cache folder; read back only when this account wrote it, and never in place of a changed file."""

from __future__ import annotations

import os

import pytest

from telesales_training.core import paths
from telesales_training.course import content


@pytest.fixture
def cache(tmp_path, monkeypatch):
    monkeypatch.setenv("TELESALES_CACHE", str(tmp_path / "cache"))
    return tmp_path / "cache"


LESSON = b"""id: demo
title: {zh-CN: x}
items:
  - {id: a, points: 2, text: "first"}
"""


def kept_files(cache):
    return sorted((cache / "curriculum").glob("*.json"))


def test_a_parsed_file_is_kept_and_read_back_the_same(cache):
    first = content._parsed_yaml(LESSON)
    assert first == {"id": "demo", "title": {"zh-CN": "x"}, "items": [{"id": "a", "points": 2, "text": "first"}]}
    [kept] = kept_files(cache)
    kept.write_text('{"id": "from the cache"}', encoding="utf-8")  # what is read now comes from the cache
    assert content._parsed_yaml(LESSON) == {"id": "from the cache"}


def test_a_changed_file_is_parsed_again(cache):
    content._parsed_yaml(LESSON)
    changed = content._parsed_yaml(LESSON.replace(b"first", b"second"))
    assert changed["items"][0]["text"] == "second" and len(kept_files(cache)) == 2


def test_a_damaged_cache_file_is_parsed_again_and_replaced(cache):
    content._parsed_yaml(LESSON)
    [kept] = kept_files(cache)
    kept.write_bytes(b'{"id": "cut sh')
    assert content._parsed_yaml(LESSON)["id"] == "demo"
    assert content._parsed_yaml(LESSON)["id"] == "demo" and kept.read_text(encoding="utf-8").startswith('{"id": "demo"')


def test_a_file_another_account_wrote_is_not_trusted(cache, monkeypatch):
    """A cache folder shared by several accounts (TELESALES_CACHE on a team server): a file another user put there
    could change what this user's pages show (answer keys, texts), so it is not read."""
    content._parsed_yaml(LESSON)
    [kept] = kept_files(cache)
    kept.write_text('{"id": "planted"}', encoding="utf-8")
    assert paths.read_cached(kept) == b'{"id": "planted"}'
    monkeypatch.setattr(os, "getuid", lambda: os.stat(kept).st_uid + 1)  # the reader is another account
    assert paths.read_cached(kept) is None
    assert content._parsed_yaml(LESSON)["id"] == "demo"


def test_data_json_cannot_hold_is_not_kept(cache):
    """A date or a number as a key would come back changed from JSON: such a file is parsed every time."""
    assert content._parsed_yaml(b"day: 2026-11-02\n1: one\n") == {
        "day": __import__("datetime").date(2026, 11, 2),
        1: "one",
    }
    assert kept_files(cache) == []


def test_the_course_loads_the_same_from_the_cache(cache):
    """Every lesson parsed from the YAML and from the kept JSON gives the same validated lesson."""
    for lesson_id in sorted(content.available_lessons()):
        path = paths.exercises_dir() / "lessons" / f"{lesson_id}.yaml"
        parsed, problems = content._read_yaml(path)  # parsed and kept
        again, _ = content._read_yaml(path)  # read back
        assert not problems and again == parsed
        assert content.parse_lesson(path.name, again)[0] == content.parse_lesson(path.name, parsed)[0]
    # (01's value feedback and 09's levels have numbers as keys: those two are parsed every time)
    assert len(kept_files(cache)) >= len(content.available_lessons()) - 2


def test_an_unwritable_cache_folder_is_no_problem(tmp_path, monkeypatch):
    blocked = tmp_path / "file-not-folder"
    blocked.write_text("x")
    monkeypatch.setenv("TELESALES_CACHE", str(blocked))
    assert content._parsed_yaml(LESSON)["id"] == "demo"
