"""A spoken drill's widget without a browser (issue 29): takes arrive as the page sends them (acknowledged chunks),
are measured, kept and shown; the trainee scores herself and sees her trainer's review; she hears and deletes her
takes; bad or broken uploads are refused with the reason, nothing kept is lost."""

from __future__ import annotations

import pytest

from telesales_training.course import content
from telesales_training.render.views import escape
from telesales_training.storage.recordings import Comment
from telesales_training.widgets.spoken import SpokenDrill

from . import speech_samples as samples

L03 = "03_sales_process"


@pytest.fixture(scope="module")
def drill():
    return content.load_lesson(L03).block("spoken_opening")


@pytest.fixture(scope="module")
def take(tmp_path_factory):
    """An English opening said by espeak-ng with two pauses, sent as the browser sends it (Opus in WebM)."""
    return samples.as_opus(samples.wav_pcm(samples.opening(tmp_path_factory.mktemp("takes"))))


def said(ui, key, lang="en", **params) -> str:
    return escape(ui.text(key, lang, **params))


def send(widget: SpokenDrill, data: bytes, upload: str = "u1", chunk: int = 20_000, drop: int | None = None) -> list:
    """The page's upload: numbered chunks, each acknowledged; `drop` loses one on the way (the connection broke)."""
    sent: list = []
    widget.recorder.send = lambda message, buffers=None: sent.append(message)
    pieces = [data[n : n + chunk] for n in range(0, len(data), chunk)] or [b""]
    for seq, piece in enumerate(pieces):
        if seq == drop:
            continue
        widget.recorder.receive_chunk({"upload": upload, "seq": seq, "count": len(pieces), "mime": "audio/webm"}, piece)
    return sent


def test_a_take_is_measured_kept_and_shown(drill, ui, alice, take):
    widget = SpokenDrill(drill, ui, alice, L03, "en")
    assert widget.recorder.notice_needed  # the privacy notice before the first recording
    assert "ts-spoken-model" not in widget.brief.value  # the model answer only after her own try
    assert escape(drill.persona["en"][:20]) in widget.brief.value or "Ms Zhang" in widget.brief.value
    assert said(ui, "spoken_from_course", seconds=30) in widget.brief.value
    widget.recorder._message(widget.recorder, {"kind": "notice_accepted"}, [])
    assert alice.get_preference("recording_notice_seen") == "1"
    sent = send(widget, take)
    assert [m["kind"] for m in sent][-1] == "stored" and sent[-1]["text"] == ui.text(
        "spoken_stored_attempt", "en", attempt=1
    )
    kept = alice.recordings().list(L03, "spoken_opening")
    assert len(kept) == 1 and kept[0].attempt == 1 and alice.recordings().audio(kept[0].id) == take
    metrics = kept[0].metrics
    assert metrics["pauses"] == 2 and 3 < metrics["duration"] < 12 and metrics["transcript"]  # English: transcribed
    assert widget.value.recording == kept[0].id and widget.value.attempt == 1
    shown = widget.figures.value
    assert said(ui, "spoken_pauses") in shown and said(ui, "spoken_rule_of_thumb", goal="≤ 2s") not in shown
    assert "≤ 30 s" in shown and said(ui, "spoken_from_course_short", goal="≤ 30 s") in shown
    assert said(ui, "spoken_transcript_title") in widget.transcript.value
    assert "ts-spoken-model" in widget.brief.value and "Bright Office" in widget.brief.value
    assert "ts-take-audio" in widget.takes.children[0].children[1].value  # she can listen to it
    reopened = SpokenDrill(drill, ui, alice, L03, "zh-CN")
    assert not reopened.recorder.notice_needed and "ts-spoken-figures" in reopened.figures.value


def test_a_takes_time_is_shown_in_the_workbooks_zone_on_her_page_and_in_the_cockpit(drill, ui, alice, store, take):
    """TELESALES_TZ, not the machine's zone, says which hour a take was made (as every other time shown)."""
    from datetime import date
    from zoneinfo import ZoneInfo

    from telesales_training.course.curriculum import curriculum
    from telesales_training.widgets.cockpit import Cockpit, CockpitContext

    zone = "Pacific/Kiritimati"  # UTC+14: the machine's zone in no test run
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("TELESALES_TZ", zone)
        widget = SpokenDrill(drill, ui, alice, L03, "en")
        send(widget, take)
        made = alice.recordings().list(L03, "spoken_opening")[0].created_at
        there = made.astimezone(ZoneInfo(zone)).strftime("%Y-%m-%d %H:%M")
        assert there in widget.takes.children[0].children[0].value
        cockpit = Cockpit(
            CockpitContext(store, content.load_cockpit_ui(), curriculum(), "tina", date(2026, 3, 4)), "en"
        )
        assert there in cockpit.show("tab_spoken").pick.label


def test_she_scores_herself_and_sees_the_trainers_review(drill, ui, alice, store, take):
    widget = SpokenDrill(drill, ui, alice, L03, "en")
    send(widget, take)
    widget.save_self.click()
    assert said(ui, "spoken_self_incomplete") in widget.message.value
    for n, box in enumerate(widget.self_levels.values()):
        box.value = ("meets", "strong", "not_yet", "meets")[n]
    widget.save_self.click()
    assert said(ui, "spoken_self_saved") in widget.message.value
    kept = alice.recordings().list(L03, "spoken_opening")[0]
    assert kept.review("self").levels == {
        "who": "meets",
        "benefit": "strong",
        "permission": "not_yet",
        "question": "meets",
    }
    assert said(ui, "spoken_trainer_none") in widget.trainer.value
    store.recordings().review(
        kept.id,
        "tina",
        {"who": "strong", "benefit": "meets"},
        [Comment(2.5, "Slow down on the name.")],
        [c.id for c in drill.rubric],
    )
    again = SpokenDrill(drill, ui, alice, L03, "en")
    assert "0:02: Slow down on the name." in again.trainer.value
    assert again.self_levels["benefit"].value == "strong"  # her own scores are shown as she saved them


def test_she_deletes_a_take_and_the_next_is_not_a_first_try(drill, ui, alice, take):
    widget = SpokenDrill(drill, ui, alice, L03, "en")
    send(widget, take)
    first = alice.recordings().list(L03, "spoken_opening")[0]
    delete = widget.takes.children[0].children[2].children[-1]
    delete.click()
    assert alice.recordings().audio(first.id) is None and said(ui, "spoken_deleted_note") in widget.message.value
    assert widget.figures.value == ""
    send(widget, take, upload="u2")
    assert [r.attempt for r in alice.recordings().list(L03, "spoken_opening")] == [1, 2]


@pytest.mark.parametrize("kind, code", [("corrupt", "audio_unreadable"), ("silence", "audio_silent")])
def test_bad_takes_are_refused_with_the_reason_and_nothing_is_kept(drill, ui, alice, kind, code):
    import numpy as np

    data = b"not audio at all" * 100 if kind == "corrupt" else samples.as_opus(np.zeros(16_000 * 3, np.int16))
    widget = SpokenDrill(drill, ui, alice, L03, "en")
    sent = send(widget, data)
    assert sent[-1] == {"kind": "refused", "text": ui.text(code, "en")}
    assert alice.recordings().list() == [] and widget.value is None


def test_an_upload_that_breaks_off_keeps_nothing_half(drill, ui, alice, take):
    widget = SpokenDrill(drill, ui, alice, L03, "en")
    sent = send(widget, take, chunk=4000, drop=1)  # chunk 1 (of several) never arrived
    assert all(m["kind"] == "ack" for m in sent) and alice.recordings().list() == []
    sent = send(widget, take, upload="u1")  # the page sends the take again, under the take's one id
    assert sent[-1]["kind"] == "stored" and len(alice.recordings().list()) == 1


def test_a_take_sent_again_after_a_slow_first_upload_is_kept_once(drill, ui, alice, take):
    """The page gave up waiting for the kernel and the trainee pressed send again; then both uploads arrived."""
    widget = SpokenDrill(drill, ui, alice, L03, "en")
    first = send(widget, take, upload="take-7", chunk=8000)
    again = send(widget, take, upload="take-7", chunk=8000)
    assert first[-1] == again[-1] and again[-1]["kind"] == "stored"  # she is told it is saved, as the first time
    assert [m["seq"] for m in again if m["kind"] == "ack"] == list(range(len(again) - 1))  # every chunk acknowledged
    assert len(alice.recordings().list()) == 1 and widget.value.attempt == 1
    send(widget, take, upload="take-8")  # a new take (recorded again) is a new recording
    assert sorted(r.attempt for r in alice.recordings().list()) == [1, 2]


def test_without_a_trainee_record_the_take_is_measured_not_kept(drill, ui, take):
    widget = SpokenDrill(drill, ui, None, L03, "en")
    sent = send(widget, take)
    assert sent[-1] == {"kind": "stored", "text": ui.text("spoken_not_kept", "en")}
    assert "ts-spoken-figures" in widget.figures.value


def test_the_trainer_hears_scores_and_comments_in_the_cockpit_and_the_trainee_sees_it(drill, ui, alice, store, take):
    from datetime import date

    from telesales_training.course.curriculum import curriculum
    from telesales_training.widgets.cockpit import Cockpit, CockpitContext

    widget = SpokenDrill(drill, ui, alice, L03, "en")
    send(widget, take)
    cockpit = Cockpit(CockpitContext(store, content.load_cockpit_ui(), curriculum(), "tina", date(2026, 3, 4)), "en")
    panel = cockpit.show("tab_spoken")
    cockpit_ui = content.load_cockpit_ui()
    assert escape(cockpit_ui.text("spoken_waiting", "en", count=1)) in panel.summary.value
    assert (
        "alice" in panel.pick.label and "ts-take-audio" in panel.take.value and "ts-spoken-figures" in panel.take.value
    )
    panel.save.click()
    assert escape(cockpit_ui.text("spoken_incomplete", "en")) in panel.message.value
    for box in panel.levels.values():
        box.value = "meets"
    panel.levels["who"].value = "strong"
    panel.moments[0].value, panel.comments[0].value = "0:99", "out of the take"
    panel.save.click()
    assert "0:99" in panel.message.value  # a moment that is not in the recording: said, nothing stored
    panel.moments[0].value, panel.comments[0].value = "0:02", "Your name came through clearly."
    panel.save.click()
    assert escape(cockpit_ui.text("spoken_saved", "en", trainee="alice")) in panel.message.value
    assert escape(cockpit_ui.text("spoken_waiting", "en", count=0)) in panel.summary.value
    seen = SpokenDrill(drill, ui, alice, L03, "en")
    assert "0:02: Your name came through clearly." in seen.trainer.value and "Strong" in seen.trainer.value
    panel.days.value = 3
    panel.save_days.click()
    assert escape(cockpit_ui.text("retention_bad", "en", least=7, most=3650)) in panel.message.value
    panel.days.value = 30
    panel.save_days.click()
    assert store.get_setting("recording_days") == "30"
    assert (
        escape(ui.text("spoken_retention_note", "en", days=30))
        in SpokenDrill(drill, ui, alice, L03, "en").takes.children[-1].value
    )
