"""Whether a scored item's form gives its key away (issue 25): a test-wise trainee picks the clearly longest option,
the only one that asks a question, or ticks as many options as the prompt says are right. `give_aways` names each
such item (telesales validate refuses them); `predictors` says per lesson how often length and position alone pick
the key, beside chance."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from .items import ItemType

LANGS = ("zh-CN", "en")
# A key at least this much longer than every other option (or reply) is "clearly the longest".
CLEARLY_LONGER = 1.25
QUESTION = re.compile(r"[?？]")
# A prompt that says how many options are right: "哪三个方面", "选出两项", "which two", "choose three".
COUNT_ZH = re.compile(r"(哪|选出|选择|挑出)\s*(两|二|三|四|五|六|[2-6])\s*(个|项|段|条|种|点|方面|句)")
COUNT_EN = re.compile(r"\b(which|choose|pick|select|tick|name)\s+(two|three|four|five|six|[2-6])\b", re.IGNORECASE)


def _width(text: str) -> int:
    return len(re.sub(r"\s+", " ", text.strip()))


def clearly_longest(key: Sequence[str], others: Sequence[str]) -> bool:
    """Every text of `key` clearly longer than every other text."""
    return bool(key and others) and min(map(_width, key)) >= CLEARLY_LONGER * max(map(_width, others))


def only_asking(key: Sequence[str], others: Sequence[str]) -> bool:
    """The key asks a question and nothing else does."""
    return all(QUESTION.search(text) for text in key) and not any(QUESTION.search(text) for text in others)


@dataclass(frozen=True)
class GiveAway:
    item: str
    field: str
    message: str


def _options_give_away(item, key_ids: Sequence[str]) -> list[GiveAway]:
    found = []
    for lang in LANGS:
        key = [o.text[lang] for o in item.options if o.id in key_ids]
        others = [o.text[lang] for o in item.options if o.id not in key_ids]
        if clearly_longest(key, others):
            found.append(
                GiveAway(
                    item.id,
                    "options",
                    f"the key is clearly the longest option in {lang} ({min(map(_width, key))} characters against at "
                    f"most {max(map(_width, others))}): a test-wise trainee picks it unread — make a distractor as "
                    "long, or the key shorter",
                )
            )
        if only_asking(key, others):
            found.append(GiveAway(item.id, "options", f"only the key asks a question in {lang}"))
    return found


def _drill_gives_away(drill) -> list[GiveAway]:
    """A drill whose best reply is, at every turn with a choice, the clearly longest or the only question."""
    turns = [node for node in drill.nodes if len(node.choices) >= 2]
    if not turns:
        return []
    found = []
    for lang in LANGS:
        longest = asking = 0
        for node in turns:
            value = {choice.id: choice.score + drill.best_score(choice.next) for choice in node.choices}
            best = max(value.values())
            key = [choice.text[lang] for choice in node.choices if value[choice.id] == best]
            others = [choice.text[lang] for choice in node.choices if value[choice.id] < best]
            longest += clearly_longest(key, others)
            asking += only_asking(key, others)
        for count, what in ((longest, "is clearly the longest"), (asking, "is the only one asking a question")):
            if count == len(turns):
                found.append(
                    GiveAway(drill.id, "nodes", f"at every turn the best reply {what} in {lang}: a form, not a call")
                )
    return found


def give_aways(item) -> list[GiveAway]:
    """Every way the form of a scored item gives its key away (empty for an honest one)."""
    if not (item.keyed and item.points):
        return []
    kind = ItemType(item.type)
    if kind is ItemType.SINGLE_CHOICE:
        return _options_give_away(item, [item.answer])
    if kind is ItemType.MULTIPLE_CHOICE:
        found = _options_give_away(item, item.answer)
        for lang, pattern in (("zh-CN", COUNT_ZH), ("en", COUNT_EN)):
            said = pattern.search(item.prompt[lang])
            if said:
                found.append(
                    GiveAway(item.id, "prompt", f"the prompt says how many are right in {lang} ({said.group(0)!r})")
                )
        return found
    if kind is ItemType.CALL_DRILL:
        return _drill_gives_away(item)
    return []


@dataclass(frozen=True)
class Predictors:
    """How often form alone picks the key in a lesson's single-choice items and drill turns (variants included)."""

    lesson_id: str
    choices: int  # single-choice items and drill turns counted
    longest: int  # where the (or a) longest text is the key
    first_written: int  # where the key is written first in the file
    chance: float  # expected hits of a blind pick


def predictors(lesson, lang: str = "zh-CN") -> Predictors:
    choices = longest = first = 0
    chance = 0.0

    def count(texts: list[str], key: set[int]) -> None:
        nonlocal choices, longest, first, chance
        widths = [_width(text) for text in texts]
        choices += 1
        longest += any(widths[i] == max(widths) for i in key)
        first += 0 in key
        chance += len(key) / len(texts)

    asked = [v for item in lesson.questions if item.keyed and item.points for v in (item, *item.variants)]
    for item in asked:
        if ItemType(item.type) is ItemType.SINGLE_CHOICE:
            ids = [o.id for o in item.options]
            count([o.text[lang] for o in item.options], {ids.index(item.answer)})
        elif ItemType(item.type) is ItemType.CALL_DRILL:
            for node in item.nodes:
                if len(node.choices) < 2:
                    continue
                value = [choice.score + item.best_score(choice.next) for choice in node.choices]
                count(
                    [choice.text[lang] for choice in node.choices], {i for i, v in enumerate(value) if v == max(value)}
                )
    return Predictors(lesson.lesson, choices, longest, first, chance)
