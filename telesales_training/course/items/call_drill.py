"""A call drill: a branching call, a tree of customer lines (nodes) and the rep's replies (edges) ending in an
outcome; the replies' points, at most half of them when the call is lost."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Literal

from pydantic import Field

from ...core import i18n
from ..models import Identifier, ItemBase, Localized, Strict, duplicates
from .common import AnswerRejected, DemoAnswers, Outcome, each_locale, overall, some


class DrillChoice(Strict):
    id: Identifier
    text: Localized
    next: str
    feedback: Localized
    score: int = Field(default=0, ge=-10, le=10)


class DrillNode(Strict):
    """What the customer says; then either the rep's choices or an outcome that ends the call."""

    id: Identifier
    customer: Localized
    choices: list[DrillChoice] = []
    outcome: Literal["success", "failure"] | None = None
    outcome_text: Localized | None = None


class CallDrill(ItemBase):
    """A branching call: a tree of customer lines (nodes) and rep choices (edges) ending in outcomes."""

    type: Literal["call_drill"]
    start: str
    nodes: list[DrillNode] = Field(min_length=2)

    @property
    def keyed(self) -> bool:
        return True  # every reply carries its score

    def _kept(self) -> tuple[dict[str, DrillNode], dict[str, int]]:
        """The nodes by id and the best scores found so far, kept with the drill (grading looks a node up at every
        step and asks the best score of every reply) for as long as its node list is this one: a copy with other
        nodes (`model_copy(update=...)` copies what is kept) starts again."""
        kept = self.__dict__.get("_drill_kept")
        if kept is None or kept[0] is not self.nodes:
            by_id = {n.id: n for n in reversed(self.nodes)}  # the first of duplicate ids, as a search finds it
            kept = (self.nodes, by_id, {})
            self.__dict__["_drill_kept"] = kept  # (a frozen model: as functools.cached_property writes)
        return kept[1], kept[2]

    def node(self, node_id: str) -> DrillNode:
        return self._kept()[0][node_id]

    def semantic_problems(self) -> list[tuple[str, str]]:
        """(field, message) for every structural problem of the tree."""
        problems: list[tuple[str, str]] = []
        ids = [n.id for n in self.nodes]
        for dupe in duplicates(ids):
            problems.append((f"nodes.{dupe}", "duplicate node id"))
        known = set(ids)
        if self.start not in known:
            return problems + [("start", f"no node with id {self.start!r}")]
        for node in self.nodes:
            where = f"nodes.{node.id}"
            if node.choices and node.outcome:
                problems.append((where, "a node has either choices or an outcome, not both"))
            if not node.choices and not node.outcome:
                problems.append((where, "dead end: no choices and no outcome"))
            if node.outcome and not node.outcome_text:
                problems.append((f"{where}.outcome_text", "an outcome needs an outcome_text"))
            for dupe in duplicates([c.id for c in node.choices]):
                problems.append((f"{where}.choices.{dupe}", "duplicate choice id"))
            for choice in node.choices:
                if choice.next not in known:
                    problems.append((f"{where}.choices.{choice.id}.next", f"no node with id {choice.next!r}"))
        if problems:
            return problems
        reachable, on_path = set(), set()
        # Depth first without recursion (a linear drill may be as long as an author likes): a node stays on the
        # path until all its choices were followed.
        stack: list[tuple[str, Iterator[DrillChoice]]] = [(self.start, iter(self.node(self.start).choices))]
        reachable.add(self.start)
        on_path.add(self.start)
        while stack:
            node_id, choices = stack[-1]
            choice = next(choices, None)
            if choice is None:
                stack.pop()
                on_path.discard(node_id)
            elif choice.next in on_path:
                problems.append((f"nodes.{choice.next}", "the dialogue loops back to this node"))
            elif choice.next not in reachable:
                reachable.add(choice.next)
                on_path.add(choice.next)
                stack.append((choice.next, iter(self.node(choice.next).choices)))
        problems += [(f"nodes.{n.id}", "unreachable from the start node") for n in self.nodes if n.id not in reachable]
        return problems

    def best_score(self, node_id: str | None = None) -> int:
        """The most points a call from `node_id` (the start) can earn: each node's best once, deepest first (kept:
        grading asks it of every reply of every step)."""
        best = self._kept()[1]
        stack = [node_id or self.start]
        while stack:
            if stack[-1] in best:
                stack.pop()
                continue
            current = self.node(stack[-1])
            waiting = [c.next for c in current.choices if c.next not in best]
            if waiting:
                stack.extend(waiting)
                continue
            best[current.id] = max((c.score + best[c.next] for c in current.choices), default=0)
            stack.pop()
        return best[node_id or self.start]


MODEL = CallDrill


def walk_drill(drill: CallDrill, path: list[str]) -> tuple[list[str], list[tuple[DrillNode, DrillChoice]], DrillNode]:
    """Follow `path` (choice ids) from the start. Returns the path, the (node, choice) steps and the node
    reached; AnswerRejected when a choice does not belong to its node or the call has not ended."""
    node = drill.node(drill.start)
    steps = []
    for choice_id in path:
        choice = next((ch for ch in node.choices if ch.id == choice_id), None)
        if choice is None:
            raise AnswerRejected("drill_unfinished")
        steps.append((node, choice))
        node = drill.node(choice.next)
    if node.outcome is None:
        raise AnswerRejected("drill_unfinished")
    return path, steps, node


def normalise(item: CallDrill, raw: Any) -> Any:
    return list(walk_drill(item, list(raw or ()))[0])


def _step_note(number: int, choice: DrillChoice) -> dict[str, str]:
    sign = f"{choice.score:+d}"
    return each_locale(
        lambda loc: f"{number}. {i18n.pick(choice.text, loc)} ({sign}) — {i18n.pick(choice.feedback, loc)}"
    )


def grade(item: CallDrill, value: Any) -> Outcome:
    points = float(item.points)
    _path, steps, end = walk_drill(item, value)
    earned = sum(choice.score for _node, choice in steps)
    fraction = max(0.0, min(1.0, earned / (item.best_score() or 1)))
    if end.outcome == "failure":
        fraction *= 0.5  # good moves still count, but a lost call keeps at most half of them
    notes = [_step_note(n, choice) for n, (_node, choice) in enumerate(steps, start=1)]
    notes.append(end.outcome_text)
    # The verdict follows the ending: a lost call is "not yet" whatever its replies earned (they still count, half),
    # and is closed with the drill's words for a lost call, never with those for a sale that could go better.
    status = (
        "correct"
        if end.outcome == "success" and fraction >= 1
        else "partial"
        if end.outcome == "success"
        else "incorrect"
    )
    closing = some(overall(item.feedback, status))
    # Before the key is shown: how the call ended and why the first reply that gave points away was weak —
    # not the points of each reply (they would point at the best one by elimination), not the best path.
    weak = next(
        (choice for node, choice in steps if choice.score + item.best_score(choice.next) < _best_reply(item, node)),
        None,
    )
    hints = [end.outcome_text, *([weak.feedback] if weak else []), *closing]
    best = best_path(item)
    key = each_locale(lambda loc: " → ".join(i18n.pick(choice.text, loc) for choice in best))
    return Outcome(status, round(points * fraction, 2), points, notes + closing, hints, [key])


def _best_reply(item: CallDrill, node: DrillNode) -> int:
    """The most a call can still earn from `node` with its best reply."""
    return max(choice.score + item.best_score(choice.next) for choice in node.choices)


def best_path(item: CallDrill) -> list[DrillChoice]:
    """The replies of a call that earns the most points and ends well (the key of the drill)."""
    node, path = item.node(item.start), []
    while node.outcome is None:
        choice = max(node.choices, key=lambda ch: ch.score + item.best_score(ch.next))
        path.append(choice)
        node = item.node(choice.next)
    return path


def answer_text(item: CallDrill, value: Any, lang: str) -> str:
    _path, steps, _end = walk_drill(item, list(value))
    return " → ".join(i18n.pick(choice.text, lang) for _node, choice in steps)


def demo_answer(item: CallDrill, answers: DemoAnswers, right: bool, skill: float) -> Any:
    node, path = item.node(item.start), []
    while node.outcome is None:
        best = max(node.choices, key=lambda choice: choice.score)
        choice = best if answers.rng.random() < skill else answers.rng.choice(node.choices)
        path.append(choice.id)
        node = item.node(choice.next)
    return path
