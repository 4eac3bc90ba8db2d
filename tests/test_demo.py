"""`telesales demo`: a realistic synthetic cohort, graded by the real scoring code; and the CLI around
the cockpit (demo, export) against a real SQLite file."""

from __future__ import annotations

import csv
import io
import zipfile
from datetime import date, datetime, timedelta

import pandas as pd
import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from telesales_training.course.curriculum import curriculum
from telesales_training.render import export
from telesales_training.storage.store import Store
from telesales_training.tools import callplan
from telesales_training.web import demo
from telesales_training.web.cli import app

pytestmark = pytest.mark.both_backends

TODAY = date(2026, 11, 27)


def test_demo_cohort_is_complete_and_graded(store):
    summary = demo.generate(store, 25, seed=2, today=TODAY)
    assert summary.trainees == 25 and len(store.trainee_ids()) == 25
    view = store.cohort()
    assert view.count() == 25 and set(view.cohorts()) <= set(demo.c.load_demo().cohorts)
    # calls on China's working days from the day each trainee joined (test_demo_keeps_the_calendar_and_the_join_date)
    worked = demo.working_days(TODAY - timedelta(days=364), TODAY)
    assert 25 * 30 < summary.call_days <= 25 * len(worked)
    assert 40 * 25 < summary.answers < 160 * 25
    course = curriculum()
    stats = view.item_stats(course.scored)
    assert stats and all(0 <= s.mean_share <= 1 for s in stats)
    assert any(s.missed for s in stats) and any(s.missed < s.answered for s in stats)
    count, sums, _thin = view.funnel_summary(course.funnel[0], course.funnel[1].id)
    assert count == 25 and sums[0] > sums[-1] > 0
    factors = view.factor_means(course.profile[0], course.profile[1].id, [f.id for f in course.profile[1].factors])
    assert factors[0] == 25 and all(1 <= m <= 5 for m in factors[1].values())
    monday = callplan.monday_of(TODAY)
    assert sum(view.pacing_bands(monday, TODAY).values()) == 25


def test_demo_keeps_the_calendar_and_the_join_date(tmp_path):
    """#23.18: no calls on public holidays (春节, 国庆) nor before a trainee joined; calls on the weekend days China
    works in exchange; a holiday carries no target in the cockpit's trends either. Runs on a SQLite file: what the
    demo makes does not depend on the backend."""
    store = Store(f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    demo.generate(store, 40, seed=5, today=TODAY)
    first = TODAY - timedelta(days=364)
    holidays_off = {date(2026, 2, 17), date(2026, 2, 18), date(2026, 10, 1), date(2026, 10, 2), date(2026, 10, 6)}
    swapped = {date(2026, 2, 14), date(2026, 2, 28), date(2026, 9, 20), date(2026, 10, 10)}  # 调休 weekend days
    worked = set(demo.working_days(first, TODAY))
    assert not holidays_off & worked and swapped <= worked
    assert all(day.weekday() < 5 or day in swapped for day in worked if day.month in (2, 9, 10))
    recent, weekend = 0, 0
    for trainee_id in store.trainee_ids():
        trainee = store.ensure_trainee(trainee_id)
        joined = trainee.joined().astimezone().date()
        days = set(trainee.logged_calls(first, TODAY))
        assert days and min(days) >= joined, trainee_id
        assert not days & holidays_off, (trainee_id, sorted(days & holidays_off))
        assert days <= worked, (trainee_id, sorted(days - worked))
        weekend += bool(days & swapped)
        recent += (TODAY - joined).days < 70
    assert weekend > 20 and 3 <= recent <= 20  # most worked a swapped weekend day; some joined in the last weeks
    national_day = date(2026, 9, 28)  # 国庆 week: Thursday 1 Oct to Wednesday 7 Oct off, Saturday 10 Oct worked
    assert callplan.week_work_days(national_day) == (0, 1, 2)
    assert callplan.week_work_days(date(2026, 10, 5)) == (3, 4, 5)
    store.close()


def test_demo_is_repeatable_and_adds_to_an_existing_store(store_url, empty_url):
    first, second = Store(store_url), Store(empty_url)
    demo.generate(first, 5, seed=9, today=TODAY)
    demo.generate(second, 5, seed=9, today=TODAY)
    assert first.trainee_ids() == second.trainee_ids()
    demo.generate(first, 5, seed=9, today=TODAY)  # same seed again: new ids, nothing overwritten
    assert len(first.trainee_ids()) == 10
    with pytest.raises(demo.DemoError):
        demo.generate(first, 0)
    first.close()
    second.close()


def test_cli_demo_then_export_xlsx_and_csv(store_url, tmp_path, monkeypatch):
    monkeypatch.setenv("TELESALES_DB", store_url)
    runner = CliRunner()
    made = runner.invoke(app, ["demo", "--trainees", "12"])
    assert made.exit_code == 0, made.output
    assert "added 12 trainees" in made.output
    book = tmp_path / "cohort.xlsx"
    result = runner.invoke(app, ["export", "--format", "xlsx", "--out", str(book), "--lang", "en"])
    assert result.exit_code == 0, result.output
    sheets = pd.read_excel(book, sheet_name=None, header=2)
    assert len(sheets["Trainees"]) == 12 and len(sheets) == 1 + len(export.SHEETS) and next(iter(sheets)) == "Summary"
    folder = tmp_path / "csv"
    result = runner.invoke(app, ["export", "--format", "csv", "--out", str(folder)])
    assert result.exit_code == 0, result.output
    trainees = pd.read_csv(folder / "trainees.csv", encoding="utf-8-sig")
    assert list(trainees.columns)[:2] == ["学员", "班级"] and len(trainees) == 12
    zipped = tmp_path / "cohort.zip"
    assert runner.invoke(app, ["export", "--format", "csv", "--out", str(zipped)]).exit_code == 0
    assert sorted(zipfile.ZipFile(zipped).namelist()) == sorted(f"{name}.csv" for name in export.SHEETS)


@pytest.mark.parametrize(
    "args, message",
    [
        (["export", "--format", "pdf", "--out", "x.pdf"], "--format must be csv or xlsx"),
        (["export", "--format", "xlsx", "--out", "x.csv"], "ending in .xlsx"),
        (["export", "--format", "csv", "--out", "/no/such/folder/x"], "folder not found"),
        (["export", "--format", "csv", "--out", "x", "--lang", "fr"], "--lang must be one of"),
    ],
)
def test_cli_export_names_what_is_wrong(tmp_path, monkeypatch, args, message):
    monkeypatch.setenv("TELESALES_DB", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(app, args)
    assert result.exit_code == 2
    assert message in result.output


def test_exported_trainee_text_never_becomes_a_formula(store):
    store.ensure_trainee("eve").save_answer(
        "01_decision_psychology", "xiamen_first_check", '=HYPERLINK("http://x","hi")', 1, 1
    )
    made = export.tables(store.cohort(), curriculum(), "en", callplan.monday_of(TODAY), TODAY)
    book = load_workbook(io.BytesIO(export.to_xlsx(made, "en")))
    cell = book["Open answers"]["D4"]
    assert cell.value == '=HYPERLINK("http://x","hi")' and cell.data_type == "s"
    opened = next(t for t in made if t.sheet == "open_answers")
    rows = list(csv.reader(io.StringIO(export.to_csv(opened).decode("utf-8-sig"))))
    assert rows[1][3] == "'" + '=HYPERLINK("http://x","hi")'
    assert rows[1][1] == "eve"


def test_demo_looks_like_a_cohort(tmp_path):
    """Varied six-factor profiles, lessons with tools completed by many, answers in the cohort's language and
    all three pacing bands well filled (issue 14). What the demo makes does not depend on the backend (the
    other demo tests load it into both), so this one runs on a SQLite file."""
    import statistics

    store = Store(f"sqlite:///{tmp_path / 'demo.sqlite3'}")
    demo.generate(store, 120, seed=4, today=TODAY)
    view, course = store.cohort(), curriculum()
    profiles = [
        value["ratings"]
        for _t, _c, value, _a in view.latest_values(course.profile[0], course.profile[1].id, limit=None)
    ]
    ratings = [r for profile in profiles for r in profile.values()]
    assert statistics.pstdev(ratings) > 0.8 and {1, 2, 3, 4, 5} <= set(ratings)
    assert sum(len(set(profile.values())) >= 3 for profile in profiles) > len(profiles) / 2  # strong and weak factors
    means = view.factor_means(course.profile[0], course.profile[1].id, [f.id for f in course.profile[1].factors])[1]
    assert max(means.values()) < 4.2
    # not a perfect hexagon: the group leans where exercises/demo.yaml says new reps stand (#23.18)
    assert max(means.values()) - min(means.values()) > 0.8
    assert min(means, key=means.get) == "product_expert" and max(means, key=means.get) == "enthusiasm"
    completion = view.lesson_completion(course.exercises)
    for lesson_id in ("04_funnel", "05_call_plan", "09_self_assessment"):
        assert completion[lesson_id].completed >= 120 // 5, (lesson_id, completion[lesson_id])
    english = {t for t in store.trainee_ids() if store.ensure_trainee(t).cohort() in demo.c.load_demo().english_cohorts}
    assert english
    for lesson_id, item_id in course.open_items:
        written = view.open_answers(lesson_id, item_id, limit=None)
        for answer in written:
            assert demo.is_english(str(answer.value)) == (answer.trainee_id in english), answer
        # trainees write their own answers: few say exactly what another said
        assert len({str(answer.value) for answer in written}) > 0.6 * len(written), (item_id, len(written))
    # trends that move: recent joiners ramp up, groups drift; the calls' share of target and the funnel change
    weeks = [callplan.monday_of(TODAY) - timedelta(weeks=n) for n in range(7, -1, -1)]
    trends = view.weekly_trends(weeks, course.exercises, (course.funnel[0], course.funnel[1].id), today=TODAY)
    shares = [calls / target for calls, target in zip(trends.calls, trends.targets) if target]
    firsts = [layers[0] for layers in trends.layers if layers]
    assert len(shares) == 8 and max(shares) - min(shares) > 0.05, shares
    assert max(firsts) - min(firsts) > 0.05 * max(firsts), firsts
    assert min(shares) > 0.6, shares  # a holiday week is no dip: it asks fewer days
    bands = view.pacing_bands(callplan.monday_of(TODAY), TODAY)
    assert all(bands[band] >= 120 // 8 for band in ("at_risk", "behind", "on_track")), bands
    assert 0 < bands["no_data"] < 120 // 8, bands  # a few have not logged a call this week
    store.close()


def test_the_export_summary_counts_every_band_by_its_key(store):
    """#24.2: the summary counted pacing bands by comparing translated labels and left "no data" out. In every
    language it now gives each band's count as the cockpit does, and the unreviewed answers by their state."""
    from telesales_training.tools.callplan import Band

    demo.generate(store, 30, seed=6, today=TODAY)
    view, monday = store.cohort(), callplan.monday_of(TODAY)
    bands = view.pacing_bands(monday, TODAY)
    assert bands[Band.NO_DATA] and bands[Band.AT_RISK]
    lesson_id, log = curriculum().call_log
    came_of = view.week_outcomes((lesson_id, log.id), monday - timedelta(weeks=1))  # #28.19: a full past week
    assert 0 < came_of.trainees < 30 and 5 < came_of.per_hundred_calls < 30, came_of
    assert 0.1 < came_of.next_step_share < 0.9 and came_of.appointments <= came_of.next_steps
    unreviewed = sum(
        not a.reviewed for lesson, item in curriculum().open_items for a in view.open_answers(lesson, item, limit=None)
    )
    ui = demo.c.load_cockpit_ui()
    for lang in ("zh-CN", "en", "zh-TW"):
        made = export.tables(view, curriculum(), lang, monday, TODAY)
        lines = dict(export.summary(made, lang, view.filters, datetime(2026, 11, 27, 9)))
        period = next(table.period for table in made if table.sheet == "pacing")
        for band in Band:
            assert lines[ui.text("summary_band", lang, band=ui.text(band, lang), period=period)] == bands[band], band
        assert lines[ui.text("summary_unreviewed", lang)] == unreviewed


def test_export_columns_are_found_by_key_in_every_language(store):
    """#24.6: each sheet's columns carry a key and a format of their own (formats were looked up by translated
    header text, the summary read rows by position): the same keys and formats in every language, unique per
    sheet, and the summary's figures read by key."""
    demo.generate(store, 12, seed=3, today=TODAY)
    view, monday = store.cohort(), callplan.monday_of(TODAY)
    shapes = {}
    for lang in ("zh-CN", "en", "zh-TW"):
        made = export.tables(view, curriculum(), lang, monday, TODAY)
        assert [table.sheet for table in made] == list(export.SHEETS)
        for table in made:
            keys = [column.key for column in table.columns]
            assert len(set(keys)) == len(keys), table.sheet
            assert all(column.format in ("", "percent", "datetime", "date", "decimal") for column in table.columns)
            assert all(len(row) == len(keys) for row in table.rows), table.sheet
        shapes[lang] = [[(c.key, c.format) for c in table.columns] for table in made]
        trainees = made[0]
        assert sorted(trainees.values("col_trainee")) == sorted(store.trainee_ids())
        with pytest.raises(KeyError, match="trainees has no column 'col_nothing'"):
            trainees.values("col_nothing")
    assert shapes["zh-CN"] == shapes["en"] == shapes["zh-TW"]
    joined = next(c for c in made[0].columns if c.key == "col_joined")
    assert joined.format == "datetime" and joined.header == demo.c.load_cockpit_ui().text("col_joined", "zh-TW")
