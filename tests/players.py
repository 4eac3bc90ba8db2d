"""Test-wise trainees (issue 25): players that answer every scored item of a lesson on the first try by its form —
the longest or shortest option, the first one shown, one at random — each seeing the lesson in her own order, as
the widgets show it (scoring.shown_order seeded by trainee, lesson and item). `pass_rates` says for how many of
them a lesson's first tries reach its pass mark. Resubmitting until right earns nothing here: a lesson is passed on
first tries, so that player's first try is the random one.

Run `python -m tests.players` for the table of pass rates the issue's note quotes."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from typing import Any

from telesales_training.course import content as c
from telesales_training.course.items import ItemType
from telesales_training.course.scoring import grade, retake_possible, shown_order, starting_order, variant_for

LANG = "zh-CN"
TRAINEES = 200


def _width(text: dict[str, str], lang: str) -> int:
    return len(text[lang].strip())


class Player:
    """Answers by form. `pick(texts, rng)` chooses one of the texts shown (in the order shown) by its index."""

    name = "player"

    def __init__(self, lang: str = LANG):
        self.lang = lang

    def pick(self, texts: Sequence[str], rng: random.Random) -> int:
        raise NotImplementedError

    def ticks(self, texts: Sequence[str], rng: random.Random) -> list[int]:
        """Multiple choice: which of the options shown to tick."""
        raise NotImplementedError


class Longest(Player):
    name = "longest"

    def pick(self, texts, rng):
        return max(range(len(texts)), key=lambda i: (len(texts[i]), -i))

    def ticks(self, texts, rng):
        mean = sum(map(len, texts)) / len(texts)
        return [i for i, text in enumerate(texts) if len(text) >= mean]


class Shortest(Player):
    name = "shortest"

    def pick(self, texts, rng):
        return min(range(len(texts)), key=lambda i: (len(texts[i]), i))

    def ticks(self, texts, rng):
        mean = sum(map(len, texts)) / len(texts)
        return [i for i, text in enumerate(texts) if len(text) <= mean]


class FirstShown(Player):
    name = "first shown"

    def pick(self, texts, rng):
        return 0

    def ticks(self, texts, rng):
        return list(range((len(texts) + 1) // 2))


class Random(Player):
    name = "random"

    def pick(self, texts, rng):
        return rng.randrange(len(texts))

    def ticks(self, texts, rng):
        chosen = [i for i in range(len(texts)) if rng.random() < 0.5]
        return chosen or [rng.randrange(len(texts))]


class QuestionMark(Player):
    """The reply that asks a question (a consultative rep asks!), else the longest."""

    name = "question mark"

    def pick(self, texts, rng):
        asking = [i for i, text in enumerate(texts) if "？" in text or "?" in text]
        return asking[0] if len(asking) == 1 else Longest.pick(self, texts, rng)

    def ticks(self, texts, rng):
        return Longest.ticks(self, texts, rng)


PLAYERS: tuple[type[Player], ...] = (Longest, Shortest, FirstShown, Random, QuestionMark)


def answer(
    item: c.Question, player: Player, trainee: str, lesson_id: str, rng: random.Random, file_order: bool = False
) -> Any | None:
    """What `player` answers to `item` on her first try, seeing it as trainee `trainee` would (`file_order`: classify
    rows and buttons in the file's order, as the widget showed them before issue 25)."""
    seed = (trainee, lesson_id, item.id)
    kind, lang = ItemType(item.type), player.lang
    if kind is ItemType.SINGLE_CHOICE:
        ids = shown_order([o.id for o in item.options], *seed)
        texts = {o.id: o.text[lang] for o in item.options}
        return ids[player.pick([texts[i] for i in ids], rng)]
    if kind is ItemType.MULTIPLE_CHOICE:
        ids = shown_order([o.id for o in item.options], *seed)
        texts = {o.id: o.text[lang] for o in item.options}
        return [ids[i] for i in player.ticks([texts[i] for i in ids], rng)]
    if kind is ItemType.ORDERING:
        return starting_order(item, *seed)  # no form to read: the list as it starts
    if kind is ItemType.NUMBER:
        return round((item.min + item.max) / 2) if not isinstance(player, Random) else rng.uniform(item.min, item.max)
    if kind is ItemType.CLASSIFY:
        categories = [category.id for category in item.categories]
        rows = [entry.id for entry in item.entries]
        if not file_order:  # as the widget shows them since issue 25: each trainee's own order
            categories = shown_order(categories, *seed, "categories")
            rows = shown_order(rows, *seed)
        if isinstance(player, Random):
            return {entry: rng.choice(categories) for entry in rows}
        if isinstance(player, FirstShown):  # the first button of every row
            return dict.fromkeys(rows, categories[0])
        # The display-order pattern: alternate the categories down the rows as shown (the shortest player starts
        # with the second one).
        start = 1 if isinstance(player, Shortest) else 0
        return {entry: categories[(n + start) % len(categories)] for n, entry in enumerate(rows)}
    if kind is ItemType.CALL_DRILL:
        node, path = item.node(item.start), []
        while node.outcome is None:
            ids = shown_order([choice.id for choice in node.choices], *seed, node.id)
            by_id = {choice.id: choice for choice in node.choices}
            chosen = by_id[ids[player.pick([by_id[i].text[lang] for i in ids], rng)]]
            path.append(chosen.id)
            node = item.node(chosen.next)
        return path
    return None  # free text, ratings: no key, no points


def first_try_score(
    lesson: c.Lesson, player: Player, trainee: str, rng: random.Random, file_order: bool = False, sitting: int = 1
) -> float:
    """The points of a player's first tries in a sitting (2, 3…: a retake, each item as the variant she draws)."""
    total = 0.0
    for written in lesson.questions:
        if not (written.keyed and written.points):
            continue
        item = written.variant(variant_for(written, trainee, lesson.lesson, sitting) or "")
        given = answer(item, player, trainee, lesson.lesson, rng, file_order)
        if given is not None:
            total += grade(item, given).score
    return total


def pass_rates(
    lessons: Sequence[c.Lesson],
    players: Sequence[Callable[[], Player]] = PLAYERS,
    trainees: int = TRAINEES,
    file_order: bool = False,
    sitting: int = 1,
) -> dict[str, dict[str, float]]:
    """player name → lesson id → share of `trainees` simulated trainees whose first tries pass the lesson (in
    `sitting`: 2 = the first retake, for lessons that have one)."""
    if sitting > 1:
        lessons = [lesson for lesson in lessons if retake_possible(lesson, "trainee-0000", sitting - 1)]
    rates: dict[str, dict[str, float]] = {}
    for make in players:
        player = make()
        for lesson in lessons:
            rng = random.Random(f"{player.name}/{lesson.lesson}")
            passed = sum(
                lesson.passed(first_try_score(lesson, player, f"trainee-{n:04d}", rng, file_order, sitting))
                for n in range(trainees)
            )
            rates.setdefault(player.name, {})[lesson.lesson] = passed / trainees
    return rates


def exam_answer(view: dict, player: Player, rng: random.Random) -> Any:
    """What `player` answers to one exam item from what the trainee is shown of it (course.exam.shown): no key,
    options and drill replies already in her own order."""
    lang, kind = player.lang, ItemType(view["type"])
    if kind is ItemType.SINGLE_CHOICE:
        return view["options"][player.pick([o["text"][lang] for o in view["options"]], rng)]["id"]
    if kind is ItemType.MULTIPLE_CHOICE:
        return [view["options"][i]["id"] for i in player.ticks([o["text"][lang] for o in view["options"]], rng)]
    if kind is ItemType.ORDERING:
        return [o["id"] for o in view["options"]]
    if kind is ItemType.CALL_DRILL:
        node, path = view["nodes"][view["start"]], []
        while not node["ends"]:
            choice = node["choices"][player.pick([ch["text"][lang] for ch in node["choices"]], rng)]
            path.append(choice["id"])
            node = view["nodes"][choice["next"]]
        return path
    raise ValueError(f"no exam player for {kind}")


def exam_pass_rates(
    bank, players: Sequence[Callable[[], Player]] = PLAYERS, trainees: int = TRAINEES, sitting: int = 1
):
    """player name → share of `trainees` simulated trainees who pass their `sitting` of the exam (each drawn for
    her, each answered once, by form)."""
    from telesales_training.course import exam

    rates: dict[str, float] = {}
    for make in players:
        player = make()
        rng = random.Random(f"exam/{player.name}/{sitting}")
        passed = 0
        for n in range(trainees):
            trainee = f"trainee-{n:04d}"
            seen = [form for earlier in range(1, sitting) for form in exam.draw(bank, trainee, earlier)]
            drawn = exam.draw(bank, trainee, sitting, seen)
            scores = {}
            for form in drawn:
                _value, outcome = exam.grade_answer(
                    bank, form, exam_answer(exam.shown(bank, form, trainee), player, rng)
                )
                scores[form] = outcome.score
            passed += exam.result(bank, drawn, scores).passed
        rates[player.name] = passed / trainees
    return rates


def main() -> None:
    lessons = [c.load_lesson(lesson_id) for lesson_id in sorted(c.available_lessons())]
    for lang, file_order, sitting in (("zh-CN", True, 1), ("zh-CN", False, 1), ("en", False, 1), ("zh-CN", False, 2)):
        makers = [lambda make=make, lang=lang: make(lang) for make in PLAYERS]
        rates = pass_rates(lessons, makers, 1000, file_order, sitting)
        shown = "classify rows and buttons in file order, as before" if file_order else "each trainee's own order"
        shown += "; the first retake, lessons that have one" if sitting > 1 else ""
        print(f"\nShare of 1,000 simulated trainees whose first tries pass each lesson ({lang}; {shown}):")
        shown_lessons = list(next(iter(rates.values())))
        print(f"{'player':>14} " + " ".join(f"{lesson[:2]:>5}" for lesson in shown_lessons))
        for name, by_lesson in rates.items():
            print(f"{name:>14} " + " ".join(f"{by_lesson[lesson]:5.0%}" for lesson in shown_lessons))
    from telesales_training.core import paths
    from telesales_training.course import exam

    bank = exam.load_bank(paths.exam_dir())
    for lang, sitting in (("zh-CN", 1), ("en", 1), ("zh-CN", 2)):
        rates = exam_pass_rates(bank, [lambda make=make, lang=lang: make(lang) for make in PLAYERS], 1000, sitting)
        print(
            f"\nShare of 1,000 simulated trainees passing sitting {sitting} of the exam ({lang}): "
            + ", ".join(f"{name} {rate:.1%}" for name, rate in rates.items())
        )


if __name__ == "__main__":
    main()
