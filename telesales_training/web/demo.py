"""A realistic synthetic cohort for trying and measuring the trainer cockpit (`telesales demo`).

Each trainee gets a skill level and a diligence level. Skill decides how often questions are answered
right (graded by the real scoring code, so points match what the lessons would give); diligence decides
how far through the course they are and how many calls they make a day. Everyone gets daily call counts
from the day they joined (on China's working days: no calls over 春节 or 国庆, calls on the weekend days
worked in exchange; the calendar pacing uses), rising over their first weeks and following their group's
momentum; weekly call-log and funnel snapshots for the last weeks (the funnel fills as they settle in); a
six-factor profile leaning where new reps usually stand (exercises/demo.yaml) and the self-assessment; some
get the trainer's column and reviews of their open answers. Deterministic per seed.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from typing import Any

from ..core import clock
from ..course import content as c
from ..course import review as rv
from ..course.curriculum import curriculum
from ..course.items import rules_of
from ..course.items.common import Outcome
from ..course.scoring import AnswerRejected, grade, normalise
from ..storage.store import Store
from ..tools.assessment import SelfAssessment, TrainerAssessment
from ..tools.callplan import WeekLog, is_work_day, monday_of
from ..tools.factors import FactorProfile
from ..tools.funnel import LAYERS, FunnelSnapshot
from ..tools.registry import demo_value

MAX_TRAINEES = 20_000
MOST_REVIEWS = 6  # reviews simulated per idea at most
REVIEW_WEEKS = 4  # today's review came to the demo's floor this many weeks ago: reviews start then
YEAR_DAYS = 365
RECENT_WEEKS = 26
TRAINER = "demo-trainer"
NINE_AM = time(9)  # demo answers are stamped from 09:00 local time on their day
BATCH_TRAINEES = 100
RAMP_WEEKS = 6  # a new rep reaches her own call level over her first weeks
NEW_JOINERS = 0.25  # the share who joined in the last ten weeks (the trends then move)
MOMENTUM_WEEKS = 12  # a group's calls drift up or down over the last weeks


class DemoError(ValueError):
    pass


@dataclass(frozen=True)
class DemoSummary:
    trainees: int
    answers: int
    call_days: int
    reviews: int


class _Answers:
    """Plausible answers to each question type; right with probability `skill`."""

    def __init__(self, rng: random.Random, data: c.DemoData):
        self.rng = rng
        self.data = data
        self.english = False  # the trainee being made writes in English (their cohort's language)
        self._grades: dict[tuple[str, str], tuple[float, float]] = {}

    def sample(self, texts: list[str]) -> str:
        """A sample text in the trainee's language (any when the list has none in it)."""
        fitting = [text for text in texts if is_english(text) == self.english]
        return self.rng.choice(fitting or texts)

    def compose(self, texts: list[str], most: int = 3) -> str:
        """One to `most` different sample sentences in the trainee's language, in an order of her own: trainees
        write different answers, as real ones do."""
        fitting = [text for text in texts if is_english(text) == self.english] or texts
        parts = self.rng.sample(fitting, min(len(fitting), self.rng.choice((1, *[min(2, most)] * 2, *[most] * 3))))
        return (" " if self.english else "").join(parts)

    def raw(self, item: c.Question, skill: float) -> Any:
        """What a trainee of this skill (0–1) answers to `item`, before the store checks it."""
        return rules_of(item).demo_answer(item, self, self.rng.random() < skill, skill)

    def graded(self, item: c.Question, skill: float) -> tuple[Any, float, float] | None:
        try:
            answer = normalise(item, self.raw(item, skill))
        except AnswerRejected:
            return None
        key = (item.id, json.dumps(answer, ensure_ascii=False, sort_keys=True))
        if key not in self._grades:
            outcome = grade(item, answer)
            self._grades[key] = (outcome.score, outcome.max_points)
        return (answer, *self._grades[key])


def is_english(text: str) -> bool:
    return not any("\u4e00" <= ch <= "\u9fff" for ch in text)


def working_days(first: date, last: date) -> list[date]:
    """The days from `first` to `last` the floor works, by the calendar pacing uses (callplan.is_work_day:
    TELESALES_WORK_DAYS less TELESALES_HOLIDAYS' public holidays — by default China's: no calls over 春节 or 国庆,
    calls on the weekend days worked in exchange), so the demo's calls and the cockpit's targets agree."""
    days = (first + timedelta(days=n) for n in range((last - first).days + 1))
    return [day for day in days if is_work_day(day)]


def _funnel(rng: random.Random, diligence: float) -> list[int]:
    counts = [rng.randint(60, 300)]
    for _ in LAYERS[1:]:
        share = rng.uniform(0.15, 0.7) if rng.random() < 0.25 else rng.uniform(0.35, 0.8)
        counts.append(int(counts[-1] * share * (0.8 + diligence / 5)))
    return counts


def generate(
    store: Store, trainees: int, seed: int = 7, today: date | None = None, progress: Callable[[int], None] | None = None
) -> DemoSummary:
    """Add `trainees` synthetic trainees (ids never clash with existing ones) to the store."""
    if not 1 <= trainees <= MAX_TRAINEES:
        raise DemoError(f"the number of trainees must be between 1 and {MAX_TRAINEES}")
    course, data = curriculum(), c.load_demo()
    rng = random.Random(seed)
    answers_maker = _Answers(rng, data)
    today = today or clock.today()
    existing = set(store.trainee_ids())
    worked = working_days(today - timedelta(days=YEAR_DAYS - 1), today)
    lean = dict(data.factor_lean)
    unknown = set(lean) - {f.id for f in course.profile[1].factors}
    if unknown:
        raise DemoError(f"exercises/demo.yaml factor_lean names no success factor: {', '.join(sorted(unknown))}")
    # Each group's calls drift over the last weeks: one picks up, another tires.
    momentum = {cohort: rng.uniform(-0.015, 0.025) for cohort in data.cohorts}
    total = {"answers": 0, "call_days": 0, "reviews": 0}
    batch: dict[str, list[dict]] = {}
    made = 0
    serial = 0

    def stamp(day: date, minute: int) -> datetime:
        return clock.at_local(day, NINE_AM) + timedelta(minutes=minute)

    while made < trainees:
        serial += 1
        trainee_id = f"{rng.choice(data.family_names)}.{rng.choice(data.given_names)}.{serial:04d}"
        if trainee_id in existing:
            continue
        made += 1
        skill = min(0.97, max(0.2, rng.gauss(0.68, 0.16)))
        diligence = min(1.2, max(0.35, rng.gauss(0.97, 0.15)))
        recent = rng.random() < NEW_JOINERS
        joined = today - timedelta(days=rng.randint(10, 70) if recent else rng.randint(70, YEAR_DAYS))
        batch.setdefault("trainees", []).append({"id": trainee_id, "created_at": stamp(joined, 0)})
        cohort = rng.choice(data.cohorts)
        answers_maker.english = cohort in data.english_cohorts
        batch.setdefault("memberships", []).append({"trainee_id": trainee_id, "cohort": cohort})

        def answer(
            lesson_id: str,
            item_id: str,
            value: Any,
            score: float | None,
            top: float,
            at: datetime,
            batch: dict = batch,
            trainee_id: str = trainee_id,
        ) -> int:
            """Adds the answer to the batch; returns its position there (a review names its answer by it)."""
            rows = batch.setdefault("answers", [])
            rows.append(
                {
                    "trainee_id": trainee_id,
                    "lesson_id": lesson_id,
                    "item_id": item_id,
                    "value": value,
                    "score": score,
                    "max_points": top,
                    "created_at": at,
                }
            )
            return len(rows) - 1

        # Lessons in course order; the less diligent stop earlier.
        reach = max(
            1, min(len(course.lessons), round(len(course.lessons) * min(1.0, diligence + rng.uniform(-0.3, 0.2))))
        )
        span = max(1, (today - joined).days)
        # The lessons draw from a generator of their own: adding an item to a lesson changes her answers, never
        # her calls, funnels or ratings (the draws below stay the same whatever the course holds).
        answering = random.Random(f"{seed}/lessons/{trainee_id}")
        answers_maker.rng = answering
        firsts: list[
            tuple[str, c.Question, float, float, datetime]
        ] = []  # scored first attempts: today's review's cards
        for number, lesson in enumerate(course.lessons[:reach]):
            day = joined + timedelta(days=span * number // (len(course.lessons) + 1))
            for minute, item in enumerate(lesson.questions):
                if answering.random() > 0.9 + diligence / 20:
                    continue  # skipped
                for attempt in range(1 + (answering.random() < 0.3) + (answering.random() < 0.1)):
                    graded = answers_maker.graded(item, min(0.97, skill + 0.1 * attempt))
                    if graded is None:
                        continue
                    position = answer(
                        lesson.lesson, item.id, graded[0], graded[1], graded[2], stamp(day, minute * 3 + attempt)
                    )
                    if attempt == 0 and item.keyed and item.points:
                        firsts.append((lesson.lesson, item, graded[1] or 0.0, graded[2], stamp(day, minute * 3)))
                    if isinstance(item, c.FreeText) and attempt == 0 and answering.random() < 0.25:
                        batch.setdefault("reviews", []).append(
                            {
                                "trainee_id": trainee_id,
                                "lesson_id": lesson.lesson,
                                "item_id": item.id,
                                "answer": position,
                                "reviewer": TRAINER,
                                "comment": answers_maker.sample(data.trainer_comments)
                                if answering.random() < 0.7
                                else "",
                                "created_at": stamp(day + timedelta(days=1), 0),
                            }
                        )

            for minute, tool in enumerate(lesson.tools, start=len(lesson.questions)):
                value = demo_value(tool, rng, day, answers_maker)
                if value is not None and rng.random() < 0.85 + diligence / 10:
                    answer(lesson.lesson, tool.id, value, None, 0, stamp(day, minute * 3))
        answers_maker.rng = rng

        # A year of calls; the weekly log and funnel snapshots of the last weeks. Some trainees slip in the
        # last weeks, a few log nothing this week: the at-risk view then has someone to find.
        slipping = rng.random() < 0.15
        absent_now = rng.random() < 0.06
        target = 200
        level = 200 * diligence
        drift = momentum[cohort]
        days_by_week: dict[date, list[int]] = {}
        recent_weeks = monday_of(today) - timedelta(weeks=RECENT_WEEKS - 1)
        for day in worked:
            if day < joined:
                continue  # no calls before she joined
            weeks_ago = (monday_of(today) - monday_of(day)).days // 7
            if absent_now and weeks_ago == 0:
                continue
            drop = 0.45 * (1 - weeks_ago / 4) if slipping and weeks_ago < 4 else 0.0
            ramp = min(1.0, 0.45 + 0.55 * (day - joined).days / (7 * RAMP_WEEKS))
            trend = 1 + drift * (MOMENTUM_WEEKS - min(MOMENTUM_WEEKS, weeks_ago))
            calls = max(0, int(rng.gauss(level * ramp * trend * (1 - drop), 25)))
            batch.setdefault("call_days", []).append(
                {"trainee_id": trainee_id, "day": day, "calls": calls, "target": target}
            )
            if day >= recent_weeks and day.weekday() < 5:  # the week log holds Monday to Friday
                days_by_week.setdefault(monday_of(day), [0] * 5)[day.weekday()] = calls
        funnel = _funnel(rng, diligence)
        # What came of the calls (lesson 5's optional figures): most record them; the skilled agree more next steps.
        # A generator of its own, so that the rest of the demo draws the same numbers as before these existed.
        outcomes = random.Random(f"{seed}/outcomes/{trainee_id}")
        records_outcomes = outcomes.random() < 0.7
        for week, counts in sorted(days_by_week.items()):
            came_of = {}
            if records_outcomes:
                talked = round(sum(counts) * outcomes.uniform(0.1, 0.22))
                agreed = min(talked, round(talked * max(0.05, min(0.9, 0.1 + 0.6 * skill + outcomes.gauss(0, 0.06)))))
                came_of = {
                    "conversations": talked,
                    "next_steps": agreed,
                    "appointments": round(agreed * outcomes.uniform(0.2, 0.5)),
                }
            # The funnel fills over a new rep's first weeks, then moves with her work.
            settled = min(1.0, 0.3 + 0.7 * (week - monday_of(joined)).days / (7 * RAMP_WEEKS))
            saved_on = min(today, week + timedelta(days=4))
            answer(
                course.call_log[0],
                course.call_log[1].id,
                WeekLog(week=week, counts=tuple(counts), target=target, **came_of).stored(),
                None,
                0,
                stamp(saved_on, 500),
            )
            funnel = [max(0, int(n * rng.uniform(0.9, 1.12))) for n in funnel]
            shown = tuple(max(0, round(n * settled)) for n in funnel)
            answer(
                course.funnel[0],
                course.funnel[1].id,
                FunnelSnapshot(counts=shown, as_of=saved_on).stored(),
                None,
                0,
                stamp(saved_on, 510),
            )

        # Today's review: most keep reviewing what they met, the less diligent late or not at all, a few stop.
        # (A generator of its own: the rest of the demo draws the same numbers as before reviews existed.)
        reviewing = random.Random(f"{seed}/{trainee_id}")
        stops = today - timedelta(days=reviewing.randint(8, 60)) if reviewing.random() < 0.15 else today
        for row in _review_history(reviewing, trainee_id, firsts, skill, diligence, min(today, stops), stamp):
            batch.setdefault(row.pop("table"), []).append(row)

        profile_lesson, profile_tool = course.profile
        # Each trainee has strong and weak factors; ratings grow a little between self-ratings.
        strengths = {f.id: lean.get(f.id, 0.0) + rng.gauss(0, 0.8) for f in profile_tool.factors}
        for round_ in range(rng.randint(1, 3)):
            ratings = {
                f.id: max(1, min(5, round(1.2 + 2.6 * skill + strengths[f.id] + 0.4 * round_ + rng.gauss(0, 0.35))))
                for f in profile_tool.factors
            }
            notes = {
                f.id: answers_maker.compose(data.factor_notes, 2) for f in profile_tool.factors if rng.random() < 0.3
            }
            when = max(joined, today - timedelta(days=30 * (3 - round_)))
            answer(
                profile_lesson,
                profile_tool.id,
                FactorProfile(ratings=ratings, notes=notes, as_of=when).stored(),
                None,
                0,
                stamp(when, 600),
            )
        form_lesson, form_tool = course.assessment
        if reach == len(course.lessons):
            self_scores = {
                k.id: max(0, min(k.weight, round(k.weight * rng.gauss(skill + 0.1, 0.12)))) for k in form_tool.criteria
            }
            own = SelfAssessment(scores=self_scores).stored()
            answer(form_lesson, form_tool.id, own, None, 0, stamp(today - timedelta(days=7), 0))
            if rng.random() < 0.4:
                trainer = {
                    k.id: max(0, min(k.weight, round(k.weight * rng.gauss(skill, 0.1)))) for k in form_tool.criteria
                }
                theirs = TrainerAssessment(scores=trainer, by=TRAINER)
                batch.setdefault("trainer_scores", []).append(
                    {
                        "trainee_id": trainee_id,
                        "lesson_id": form_lesson,
                        "scores": theirs.scores,
                        "trainer": theirs.by,
                        "created_at": stamp(today - timedelta(days=3), 0),
                    }
                )

        if made % BATCH_TRAINEES == 0 or made == trainees:
            for key in total:
                total[key] += len(batch.get(key, []))
            store.load_batch(batch)
            batch = {}
            if progress:
                progress(made)
    return DemoSummary(trainees, total["answers"], total["call_days"], total["reviews"])


def _review_history(
    rng: random.Random,
    trainee_id: str,
    firsts: list[tuple[str, c.Question, float, float, datetime]],
    skill: float,
    diligence: float,
    last_day: date,
    stamp: Callable[[date, int], datetime],
) -> list[dict[str, Any]]:
    """The review cards and logs of a trainee's scored first attempts, reviewed on the days FSRS sets (a day or
    two late now and then) up to `last_day`, each recalled with the scheduler's odds nudged by her skill."""
    rows: list[dict[str, Any]] = []
    sched = rv.scheduler()
    launched = last_day - timedelta(weeks=REVIEW_WEEKS)
    for n, (lesson_id, item, score, top, at) in enumerate(firsts):
        status = "correct" if score >= top else "partial" if score > 0 else "incorrect"
        card, log = rv.first_card(lesson_id, item.id, item.id, rv.rating(Outcome(status, score, top)), at)
        logs = [(log, rv.first_key(lesson_id, item.id))]
        for turn in range(MOST_REVIEWS):
            day = max(clock.local(card.due).date(), launched)
            day += timedelta(days=int(rng.random() > diligence) * rng.randint(1, 3))
            if day > last_day:
                break
            moment = stamp(day, 480 + n % 60)
            odds = 0.45 + 0.5 * skill - (0.15 if card.state != rv.State.Review.value else 0.0)
            grade = rv.Rating.Good if rng.random() < odds else rv.Rating.Again
            form = rv.next_form(item, card.last_form)
            card, log = rv.review(card, form, grade, moment, rng.randint(8_000, 60_000), sched)
            logs.append((log, f"demo:{n}:{turn}"))
        rows.append({"table": "review_cards", "trainee_id": trainee_id, **card.as_dict()})
        rows.extend(
            {
                "table": "review_logs",
                "trainee_id": trainee_id,
                "lesson_id": done.lesson_id,
                "item_id": done.item_id,
                "form": done.form,
                "rating": done.rating,
                "reviewed_at": done.reviewed_at,
                "duration_ms": done.duration_ms,
                "review_key": key,
                "kind": done.kind,
                "answer": None,
            }
            for done, key in logs
        )
    return rows
