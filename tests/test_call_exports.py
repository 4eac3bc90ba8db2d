"""Call-log exports shaped like those of common dialers, PBXs, CRMs and Chinese contact-centre platforms
(built here from their public column descriptions; invented numbers): each imports with no option at all —
the time column is found by its content, the right one of several time columns by its name, offsets are
converted to the trainee's zone — and the CLI's --time-column takes over where nothing fits."""

from __future__ import annotations

from datetime import datetime

import pytest

from telesales_training.tools import calllog

NOW = datetime(2026, 11, 28, 12, 0)
ZONE = "Asia/Shanghai"  # UTC+8, no daylight saving

# name → (text, encoding, column the time comes from, the first call's local time, calls taken)
EXPORTS = {
    "cloud dialer, UTC with Z, three time columns (Aircall-like)": (
        "id,direction,started_at,answered_at,ended_at,duration,user_name,raw_digits,tags\n"
        "9001,outbound,2026-11-02T01:05:12Z,2026-11-02T01:05:20Z,2026-11-02T01:09:02Z,230,Lin Wei,+8613800000001,\n"
        "9002,outbound,2026-11-02T01:15:00Z,,2026-11-02T01:15:31Z,31,Lin Wei,+8613800000002,no answer\n"
        "9003,inbound,2026-11-02T02:00:00Z,2026-11-02T02:00:05Z,2026-11-02T02:04:00Z,240,Lin Wei,+8613800000003,\n",
        "utf-8",
        "started_at",
        datetime(2026, 11, 2, 9, 5, 12),
        3,
    ),
    "contact-centre report, date and time apart, capitals (Five9-like)": (
        "CALL ID,DATE,TIME,CAMPAIGN,CALL TYPE,AGENT,DISPOSITION,ANI,DNIS,HANDLE TIME\n"
        "A1,2026/11/02,09:05:12,Spring,Outbound,lin.wei,Contacted,02150000001,13800000001,00:03:50\n"
        "A2,2026/11/02,09:11:40,Spring,Outbound,lin.wei,No Answer,02150000001,13800000002,00:00:31\n",
        "utf-8",
        "DATE",
        datetime(2026, 11, 2, 9, 5, 12),
        2,
    ),
    "CRM activity report, US dates with AM/PM (Salesforce-like)": (
        '"Subject","Date","Assigned","Call Result","Call Duration (seconds)"\n'
        '"Call: Harbour Hotel","11/2/2026 9:05 AM","Lin Wei","Left voicemail","35"\n'
        '"Call: Lakeside Clinic","11/2/2026 2:30 PM","Lin Wei","Meeting booked","410"\n',
        "utf-8-sig",
        "Date",
        datetime(2026, 11, 2, 9, 5),
        2,
    ),
    "Chinese cloud contact centre, GBK, 开始/接通/结束 (天润/七陌-like)": (
        "通话ID,主叫号码,被叫号码,呼叫类型,开始时间,接通时间,结束时间,通话时长(秒),通话状态\n"
        "c-01,02150000001,13800000001,外呼,2026-11-02 09:05:12,2026-11-02 09:05:20,2026-11-02 09:09:02,222,已接通\n"
        "c-02,02150000001,13800000002,外呼,2026-11-02 09:15:00,,2026-11-02 09:15:31,0,未接通\n",
        "gbk",
        "开始时间",
        datetime(2026, 11, 2, 9, 5, 12),
        2,
    ),
    "PBX call detail records (Asterisk CDR-like)": (
        "accountcode,src,dst,dcontext,clid,channel,dstchannel,lastapp,lastdata,start,answer,end,duration,billsec,"
        "disposition,amaflags,uniqueid\n"
        ',8001,13800000001,from-internal,"Lin" <8001>,SIP/8001-0001,SIP/trunk-0002,Dial,SIP/trunk/138,'
        "2026-11-02 09:05:12,2026-11-02 09:05:20,2026-11-02 09:09:02,230,222,ANSWERED,3,1762045512.1\n"
        ',8001,13800000002,from-internal,"Lin" <8001>,SIP/8001-0003,,Dial,SIP/trunk/138,'
        "2026-11-02 09:15:00,,2026-11-02 09:15:31,31,0,NO ANSWER,3,1762046100.3\n",
        "utf-8",
        "start",
        datetime(2026, 11, 2, 9, 5, 12),
        2,
    ),
    "softswitch CDR in epoch seconds (FreeSWITCH-like)": (
        "uuid,caller_id_number,destination_number,start_epoch,answer_epoch,end_epoch,duration,billsec,hangup_cause\n"
        "5f1c,8001,13800000001,1793581512,1793581520,1793581742,230,222,NORMAL_CLEARING\n"
        "5f1d,8001,13800000002,1793582100,0,1793582131,31,0,NO_ANSWER\n",
        "utf-8",
        "start_epoch",
        datetime(2026, 11, 2, 9, 5, 12),
        2,
    ),
    "spreadsheet saved as Unicode text: UTF-16, tabs, 拨打时间 (Excel)": (
        "客户\t拨打时间\t结果\n华星物流\t2026/11/2 9:05\t约了面谈\n远东贸易\t2026/11/2 9:12\t无人接听\n",
        "utf-16",
        "拨打时间",
        datetime(2026, 11, 2, 9, 5),
        2,
    ),
    "European call list, semicolons, day.month.year (PBX web export)": (
        "Datum;Uhrzeit;Rufnummer;Richtung;Dauer\n02.11.2026;09:05:12;+4930123456;ausgehend;00:03:50\n"
        "02.11.2026;09:11:40;+4930123457;ausgehend;00:00:31\n",
        "utf-8",
        "Datum",
        datetime(2026, 11, 2, 9, 5, 12),
        2,
    ),
    "CRM export in milliseconds with an offset-free creation date (HubSpot-like)": (
        "Record ID,Call Title,Activity date (ms),Call outcome,Last modified date\n"
        "301,Intro call,1793581512000,Connected,2026-11-20 10:00\n"
        "302,Follow-up,1793582100000,No answer,2026-11-20 10:00\n",
        "utf-8",
        "Activity date (ms)",
        datetime(2026, 11, 2, 9, 5, 12),
        2,
    ),
}


def import_text(text: str, encoding: str, **options):
    """The calls of the text: (local time, key, direction, duration, outcome, connected), sorted, and the report."""
    calls: list[tuple] = []

    def add(times, keys, details=None):
        columns = [
            (details or {}).get(name) or [None] * len(keys)
            for name in ("direction", "duration_s", "outcome", "connected")
        ]
        calls.extend((datetime.fromisoformat(t), k, *extra) for t, k, *extra in zip(times, keys, *columns))
        return len(keys)

    report = calllog.read_calls(text.encode(encoding), add, now=NOW, zone=ZONE, **options)
    return sorted(calls), report


@pytest.mark.parametrize("name", list(EXPORTS))
def test_each_export_shape_imports_without_options(name):
    text, encoding, column, first, taken = EXPORTS[name]
    calls, report = import_text(text, encoding)
    assert report.mapping.time == column or report.mapping.date == column, report.mapping
    assert report.taken == taken and not report.rejected, report
    assert calls[0][0] == first


def test_the_same_file_twice_adds_nothing():
    text, encoding, *_ = EXPORTS["PBX call detail records (Asterisk CDR-like)"]
    seen: set[str] = set()

    def add(times, keys, details=None):
        new = [key for key in keys if key not in seen]
        seen.update(new)
        return len(new)

    first = calllog.read_calls(text.encode(encoding), add, now=NOW, zone=ZONE)
    again = calllog.read_calls(text.encode(encoding), add, now=NOW, zone=ZONE)
    assert (first.taken, again.taken, again.duplicates) == (2, 0, 2)


def test_two_equally_likely_time_columns_are_named_and_the_user_chooses():
    text = "Opened,Closed,Number\n2026-11-02 09:05,2026-11-02 09:09,1\n2026-11-02 09:15,2026-11-02 09:16,2\n"
    with pytest.raises(calllog.CallLogError) as problem:
        import_text(text, "utf-8")
    assert problem.value.code == "csv_time_ambiguous" and problem.value.params["columns"] == "Opened, Closed"
    calls, report = import_text(text, "utf-8", mapping=calllog.Mapping(time="Closed"))
    assert calls[0][0] == datetime(2026, 11, 2, 9, 9) and report.taken == 2
    with pytest.raises(calllog.CallLogError) as problem:
        import_text(text, "utf-8", mapping=calllog.Mapping(time="Finished"))
    assert problem.value.code == "csv_no_such_column" and "Opened, Closed, Number" in problem.value.params["columns"]


def test_offsets_are_converted_and_plain_times_are_local():
    text = "when\n2026-11-02T01:05:00Z\n2026-11-02T09:05:00+08:00\n2026-11-01T20:05:00-05:00\n2026-11-02 09:05:00\n"
    calls, _ = import_text(text, "utf-8")
    assert [c[0] for c in calls] == [datetime(2026, 11, 2, 9, 5)] * 4


def test_a_file_that_is_not_a_call_log_is_refused_with_a_reason():
    with pytest.raises(calllog.CallLogError) as wide:
        import_text(",".join(f"c{n}" for n in range(1000)) + "\n", "utf-8")
    assert wide.value.code == "csv_too_many_columns" and wide.value.params["count"] == 1000
    with pytest.raises(calllog.CallLogError) as long_line:
        import_text("x" * (calllog.MAX_HEADER_BYTES * 2 + 10), "utf-8")
    assert long_line.value.code == "csv_header_too_long"
    with pytest.raises(calllog.CallLogError) as binary:
        calllog.read_calls(bytes(range(256)) * 10, lambda *call: 0, now=NOW, zone=ZONE)
    assert binary.value.code == "csv_not_text"
    with pytest.raises(calllog.CallLogError) as zone:
        calllog.read_calls(b"when\n2026-11-02 09:05\n", lambda *call: 0, now=NOW, zone="Mars/Olympus")
    assert zone.value.code == "csv_bad_zone"


def test_overlong_cells_and_extra_fields_are_counted_not_kept():
    rows = ["start,note"] + [f"2026-11-02 09:{n:02d},ok" for n in range(10)]
    rows += ["2026-11-02 10:00," + "x" * (calllog.MAX_FIELD + 1), "2026-11-02 10:01,a,b", "soon,c"]
    calls, report = import_text("\n".join(rows) + "\n", "utf-8")
    assert len(calls) == 10
    assert report.reasons() == {"row_broken": 2, "row_bad_timestamp": 1}
    assert report.examples["row_bad_timestamp"] == [(14, "soon")]


def test_the_cli_takes_the_columns_to_use_and_remembers_them(tmp_path, monkeypatch):
    import time_machine
    from typer.testing import CliRunner

    from telesales_training.storage.store import Store
    from telesales_training.web.cli import app

    monkeypatch.setenv("TELESALES_DB", f"sqlite:///{tmp_path / 'cli.sqlite3'}")
    log = tmp_path / "crm.csv"
    log.write_text("Opened,Closed,Day,Clock\n2026-11-02 09:05,2026-11-02 09:09,2026-11-02,09:05\n", encoding="utf-8")
    runner = CliRunner()
    with time_machine.travel(datetime(2026, 11, 30, 8).astimezone()):
        asked = runner.invoke(app, ["import-calls", str(log), "--trainee", "ann"])
        assert asked.exit_code == 1 and "Several columns look like the call time" in asked.stderr
        both = runner.invoke(
            app, ["import-calls", str(log), "--trainee", "ann", "--time-column", "Opened", "--date-column", "Day"]
        )
        assert both.exit_code == 2 and "not both" in both.stderr
        missing = runner.invoke(app, ["import-calls", str(log), "--trainee", "ann", "--time-column", "Finished"])
        assert missing.exit_code == 1 and "The file has no column “Finished”" in missing.stderr
        split = runner.invoke(
            app,
            [
                "import-calls",
                str(log),
                "--trainee",
                "ann",
                "--date-column",
                "Day",
                "--clock-column",
                "Clock",
                "--tz",
                "Asia/Shanghai",
            ],
        )
        assert split.exit_code == 0, split.output
        assert "calls taken: 1" in split.stdout and "date from “Day”, time of day from “Clock”" in split.stdout
        log.write_text(
            "Opened,Closed,Day,Clock\n2026-11-03 10:00,2026-11-03 10:05,2026-11-03,10:00\n", encoding="utf-8"
        )
        again = runner.invoke(app, ["import-calls", str(log), "--trainee", "ann"])  # same header: remembered
        assert again.exit_code == 0 and "calls taken: 1" in again.stdout, again.output
        zone = runner.invoke(app, ["import-calls", str(log), "--trainee", "ann", "--tz", "Nowhere/Land"])
        assert zone.exit_code == 1 and "Unknown time zone" in zone.stderr
    with Store() as store:
        days = store.ensure_trainee("ann").daily_calls(datetime(2026, 11, 1).date(), datetime(2026, 11, 5).date())
    assert days == {datetime(2026, 11, 2).date(): 1, datetime(2026, 11, 3).date(): 1}


@pytest.mark.parametrize(
    "name, first, second",
    [
        (
            "contact-centre report, date and time apart, capitals (Five9-like)",
            ("out", 230, "Contacted", True),
            ("out", 31, "No Answer", False),
        ),
        (
            "Chinese cloud contact centre, GBK, 开始/接通/结束 (天润/七陌-like)",
            ("out", 222, "已接通", True),
            ("out", 0, "未接通", False),
        ),
        ("PBX call detail records (Asterisk CDR-like)", (None, 222, "ANSWERED", True), (None, 0, "NO ANSWER", False)),
        (
            "softswitch CDR in epoch seconds (FreeSWITCH-like)",
            (None, 222, "NORMAL_CLEARING", True),
            (None, 0, "NO_ANSWER", False),
        ),
        (
            "cloud dialer, UTC with Z, three time columns (Aircall-like)",
            ("out", 230, None, True),
            ("out", 31, None, True),
        ),
    ],
)
def test_direction_duration_and_outcome_are_kept_when_the_export_has_them(name, first, second):
    text, encoding, *_ = EXPORTS[name]
    calls, _report = import_text(text, encoding)
    assert [tuple(call[2:]) for call in calls[:2]] == [first, second]


@pytest.mark.both_backends
def test_details_reach_the_store_and_the_week_counts_connected_calls(store):
    from datetime import date

    text, encoding, *_ = EXPORTS["Chinese cloud contact centre, GBK, 开始/接通/结束 (天润/七陌-like)"]
    ann = store.ensure_trainee("ann")
    report = calllog.read_calls(text.encode(encoding), ann.add_call_texts, now=NOW, zone=ZONE)
    assert report.taken == 2
    day = date(2026, 11, 2)
    assert ann.daily_calls(day, day) == {day: 2} and ann.daily_connected(day, day) == {day: 1}
    again = calllog.read_calls(text.encode(encoding), ann.add_call_texts, now=NOW, zone=ZONE)
    assert (again.taken, again.duplicates) == (0, 2)


def test_excel_serial_dates_and_a_date_column_alone():
    """A sheet saved with its dates as Excel serial numbers (46328.378 = 2026-11-02 09:04:19); a report with
    only a date per call still counts calls per day."""
    calls, report = import_text("Called,Minutes\n46328.3780,3\n46328.4000,1\n", "utf-8")
    assert report.mapping.how == "excel" and [c[0].date() for c in calls] == [datetime(2026, 11, 2).date()] * 2
    assert calls[0][0] == datetime(2026, 11, 2, 9, 4, 19)  # to the second, as Excel shows it
    calls, report = import_text("日期,客户\n2026-11-02,华星\n2026-11-03,远东\n", "utf-8")
    assert report.mapping.date == "日期" and [c[0] for c in calls] == [datetime(2026, 11, 2), datetime(2026, 11, 3)]
