"""The trainee's own numbers: funnel, call plan and call-log import (pure functions, hypothesis)."""

from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from telesales_training.tools import calllog, callplan, funnel
from telesales_training.tools.callplan import PlanInputError
from telesales_training.tools.funnel import FunnelInputError

counts5 = st.lists(st.integers(0, funnel.MAX_COUNT), min_size=5, max_size=5)


# ------------------------------------------------------------------ funnel


@given(counts5)
def test_conversions_and_diagnosis_are_consistent(counts):
    ratios = funnel.conversions(counts)
    reach = funnel.reached(counts)
    assert len(ratios) == 4 and reach[0] == sum(counts)  # each customer counted once: layer 1 reach = the list
    assert list(reach) == sorted(reach, reverse=True)
    for layer, ratio in enumerate(ratios):
        assert ratio is None if reach[layer] == 0 else ratio == reach[layer + 1] / reach[layer]
        assert ratio is None or 0 <= ratio <= 1  # a conversion never exceeds 100 %
    diagnosis = funnel.diagnose(counts)
    assert diagnosis.empty == (sum(counts) == 0)
    for layer in diagnosis.thin:
        assert counts[layer] < funnel.THIN_RATIO * counts[layer - 1]
    if diagnosis.thin:
        assert diagnosis.work_on == max(diagnosis.thin) - 1
    else:
        assert diagnosis.work_on is None


def test_the_course_example_layer4_thin_work_layer3():
    diagnosis = funnel.diagnose([400, 200, 80, 10, 5])
    assert diagnosis.thin == (3,)  # 0-based: layer 4 (ready to solve) is thin
    assert diagnosis.work_on == 2  # push layer-3 customers down
    assert not diagnosis.refill
    assert funnel.diagnose([50, 200, 80, 40, 20]).refill


@pytest.mark.parametrize(
    "raw, code, layer",
    [
        (["10", "-1", "0", "0", "0"], "funnel_negative", 2),
        (["10", "x", "0", "0", "0"], "funnel_not_whole", 2),
        (["10", "2.5", "0", "0", "0"], "funnel_not_whole", 2),
        (["10", "1", "0", "0", str(funnel.MAX_COUNT + 1)], "funnel_too_large", 5),
    ],
)
def test_bad_funnel_counts_name_the_layer(raw, code, layer):
    with pytest.raises(FunnelInputError) as problem:
        funnel.parse_counts(raw)
    assert problem.value.code == code and problem.value.params["layer"] == layer


def test_the_issue_list_counts_each_customer_once_and_converts_below_100_percent():
    """Issue 13, point 1: the pasted list gave "3→4: 200 %" and "all prospects = 1"."""
    names = {"准备解决问题": 4}
    customers = funnel.parse_customer_list("华星,3\n蓝海,4\n金桥,准备解决问题\n东方,2\n南方，1", names)
    counts = funnel.counts_from_stages(s for _n, s in customers)
    assert counts == (1, 1, 1, 2, 0)  # exclusive: each where they are now
    assert funnel.reached(counts) == (5, 4, 3, 2, 0)  # the whole list is 5
    assert [round(r, 2) for r in funnel.conversions(counts)] == [0.8, 0.75, 0.67, 0.0]
    diagnosis = funnel.diagnose(counts)
    assert diagnosis.thin == (4,) and diagnosis.work_on == 3 and not diagnosis.refill


def test_a_done_move_moves_the_named_customer_or_one_of_the_layer():
    listed = [("华星", 3), ("蓝海", 4), ("东方", 2)]
    counts = funnel.counts_from_stages(s for _n, s in listed)
    moved, after = funnel.move_customer(counts, listed, " 华星 ", 3, 4)
    assert moved == (0, 1, 0, 2, 0) and ("华星", 4) in after
    assert funnel.move_customer(counts, listed, "无名", 3, 4) is None  # not on the list
    assert funnel.move_customer(counts, listed, "蓝海", 3, 4) is None  # already that far
    assert funnel.move_customer((3, 2, 0, 0, 0), [], "anyone", 2, 3) == ((3, 1, 1, 0, 0), [])
    assert funnel.move_customer((3, 0, 0, 0, 0), [], "anyone", 2, 3) is None  # nobody in layer 2
    assert funnel.listed_customers([["a", 1], ["b", 9]], (1, 0, 0, 0, 0)) == []  # a bad layer
    assert funnel.listed_customers([["a", 1]], (2, 0, 0, 0, 0)) == []  # counts edited by hand since


def test_customer_list_paste():
    names = {"contacted": 2, "已接触": 2}
    customers = funnel.parse_customer_list("甲公司, 3\n\nB Ltd,contacted\n丙，已接触\n", names)
    assert customers == [("甲公司", 3), ("B Ltd", 2), ("丙", 2)]
    assert funnel.counts_from_stages(s for _n, s in customers) == (0, 2, 1, 0, 0)
    with pytest.raises(FunnelInputError) as problem:
        funnel.parse_customer_list("ok,1\nbroken line\n", names)
    assert problem.value.params == {"line": 2}
    with pytest.raises(FunnelInputError) as problem:
        funnel.parse_customer_list("x,9", names)
    assert problem.value.code == "funnel_list_stage"


def test_stage_moves_go_down_and_not_into_the_past():
    today = date(2026, 11, 28)
    assert funnel.parse_move(" 甲 ", 2, 3, today, today).customer == "甲"
    for args, code in [
        (("", 2, 3, today), "move_no_customer"),
        (("x", 3, 2, today), "move_not_down"),
        (("x", 2, 3, today - timedelta(days=1)), "move_due_past"),
    ]:
        with pytest.raises(FunnelInputError) as problem:
            funnel.parse_move(*args, today)
        assert problem.value.code == code


# ------------------------------------------------------------------ call plan


def test_the_course_numbers():
    plan = callplan.day_plan()
    assert plan.minutes == 360
    assert plan.calls_per_hour == pytest.approx(33.33, abs=0.01)
    assert plan.minutes_per_call == pytest.approx(1.8)


@given(st.integers(1, callplan.MAX_DAILY_CALLS), st.lists(st.text(min_size=1, max_size=5), max_size=300))
def test_schedule_stays_inside_the_windows_in_order(target, contacts):
    plan = callplan.day_plan(target)
    slots = callplan.schedule(plan, contacts)
    assert len(slots) == min(len(contacts), target)
    minutes = [callplan.parse_time(t) for t, _c in slots]
    assert minutes == sorted(minutes)
    for minute in minutes:
        assert any(start <= minute <= end for start, end in plan.windows)


@given(st.integers(0, 24 * 60), st.integers(0, 24 * 60), st.integers(0, 24 * 60), st.integers(0, 24 * 60))
def test_windows_are_accepted_only_when_ordered_and_apart(a, b, c, d):
    windows = [(a, b), (c, d)]
    try:
        checked = callplan.check_windows(windows)
    except PlanInputError as problem:
        assert problem.code in ("window_end_before_start", "windows_overlap")
        assert b <= a or d <= c or max(a, c) < min(b, d)
        return
    assert all(end > start for start, end in checked)
    assert checked[0][1] <= checked[1][0]


@pytest.mark.parametrize("text", ["9", "25:00", "9:60", "nine", "", "24:01"])
def test_wrong_times_are_refused(text):
    with pytest.raises(PlanInputError):
        callplan.parse_time(text)


def test_times_in_common_spellings():
    assert callplan.parse_time("9:00") == 540 and callplan.parse_time("14：30") == 870
    assert callplan.parse_time("17.30") == 1050


@pytest.mark.parametrize(
    "raw, code",
    [
        ("0", "target_out_of_range"),
        ("5000", "target_out_of_range"),
        ("-3", "target_out_of_range"),
        ("abc", "target_not_whole"),
    ],
)
def test_absurd_targets(raw, code):
    with pytest.raises(PlanInputError) as problem:
        callplan.parse_target(raw)
    assert problem.value.code == code


@given(st.integers(0, 5000), st.integers(1, 5000))
def test_pacing_bands(actual, target):
    band = callplan.pacing_band(actual, target)
    share = actual / target
    assert band == ("on_track" if share >= 0.99 else "behind" if share >= 0.81 else "at_risk")


def test_week_pacing_is_pro_rated():
    assert callplan.week_pacing([200, 190, 150, 0, 0], 200, 3) == (540, 600, "behind")
    assert callplan.week_pacing([200, 200, 200, 200, 200], 200, 5) == (1000, 1000, "on_track")
    assert callplan.week_pacing([100, 0, 0, 0, 0], 200, 1)[2] == "at_risk"


def test_day_counts():
    assert callplan.parse_day_count("", "mon") == 0
    for raw, code in [("-1", "count_negative"), ("5000", "count_absurd"), ("lots", "count_not_whole")]:
        with pytest.raises(PlanInputError) as problem:
            callplan.parse_day_count(raw, "tue")
        assert problem.value.code == code and problem.value.params["day"] == "tue"


def test_schedule_csv():
    slots = callplan.schedule(callplan.day_plan(2), ["甲", "乙", "丙"])
    # 2 calls over 360 golden minutes: one every 180 minutes, the second falls 30 minutes into the afternoon.
    assert callplan.schedule_csv(slots).splitlines() == ["time,contact", "9:00,甲", "14:30,乙"]


# ------------------------------------------------------------------ call-log import

NOW = datetime(2026, 11, 28, 12, 0)
ZONE = "Asia/Shanghai"


def read(*lines, encoding="utf-8", **options):
    """The calls of a file made of `lines`, and the report."""
    calls: list = []

    def add(times, keys, details=None):
        calls.extend((datetime.fromisoformat(t), k) for t, k in zip(times, keys))
        return len(keys)

    report = calllog.read_calls(
        "\n".join(lines).encode(encoding), add, now=NOW, zone=options.pop("zone", ZONE), **options
    )
    return calls, report


def test_columns_and_formats_are_recognised():
    calls, report = read(
        "Call ID,Start Time,Number",
        "a,2026-11-02 09:05:00,1",
        "b,2026/11/02 09:07,2",
        "c,2026年11月03日 10:00,3",
        "d,2026-11-04T08:00:00+08:00,4",
        "e,not a date,5",
        "f,,6",
        "g,2026-12-30 09:00,7",
        "h,2026-11-05 09:00",
        "i,2026-11-05 09:00,1,extra",
    )
    assert sorted(c[0] for c in calls) == [
        datetime(2026, 11, 2, 9, 5),
        datetime(2026, 11, 2, 9, 7),
        datetime(2026, 11, 3, 10, 0),
        datetime(2026, 11, 4, 8, 0),
        datetime(2026, 11, 5, 9, 0),
    ]  # h ends early but has its time
    assert report.rows == 9 and report.reasons() == {
        "row_bad_timestamp": 1,
        "row_no_timestamp": 1,
        "row_future": 1,
        "row_broken": 1,
    }
    assert report.examples["row_bad_timestamp"] == [(6, "not a date")] and report.examples["row_broken"][0][0] == 10


def test_chinese_headers_and_split_date_time():
    calls, _ = read("日期,时间,号码", "2026-11-02,09:05,1")
    assert calls[0][0] == datetime(2026, 11, 2, 9, 5)
    calls, _ = read("呼叫时间", "03/04/2026 10:00", day_first=True)
    assert calls[0][0] == datetime(2026, 4, 3, 10, 0)


def test_wrong_columns_are_named():
    with pytest.raises(calllog.CallLogError) as problem:
        read("name,number", "x,1")
    assert problem.value.code == "csv_no_timestamp" and "name, number" in problem.value.params["columns"]
    with pytest.raises(calllog.CallLogError):
        read("")


@given(
    st.lists(st.datetimes(min_value=datetime(2000, 1, 1), max_value=NOW), max_size=60),
    st.sampled_from(["%Y-%m-%d %H:%M:%S", "%Y/%m/%d %H:%M:%S", "%Y.%m.%d %H:%M:%S", "%Y年%m月%d日 %H:%M:%S"]),
)
def test_any_past_timestamp_round_trips_and_reimport_adds_nothing(moments, fmt):
    data = "\n".join(["timestamp,number"] + [f"{m.strftime(fmt)},{i}" for i, m in enumerate(moments)]).encode()
    stored: dict[str, datetime] = {}

    def add(times, keys, details=None):
        new = [(datetime.fromisoformat(t), k) for t, k in zip(times, keys) if k not in stored]
        stored.update({k: t for t, k in new})
        return len(new)

    first = calllog.read_calls(data, add, now=NOW, zone=ZONE, chunk_rows=7)
    assert first.taken == len(moments) and not first.rejected
    assert sorted(stored.values()) == sorted(m.replace(microsecond=0) for m in moments)
    again = calllog.read_calls(data, add, now=NOW, zone=ZONE)
    assert again.taken == 0 and again.duplicates == len(moments)


def test_encodings_are_found():
    for encoding in ("utf-8", "utf-8-sig", "gb18030", "utf-16"):
        calls, _report = read("呼叫时间,号码", "2026-11-02 09:05:00,1", encoding=encoding)
        assert [c[0] for c in calls] == [datetime(2026, 11, 2, 9, 5)], encoding
