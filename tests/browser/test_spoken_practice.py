"""Spoken practice in a real Chromium (issue 29): the browser records through a fake microphone that plays speech
made with espeak-ng, the take is sent, measured and stored, shown to the trainee; the trainer hears it in the
cockpit, scores it and comments at a moment; the trainee sees the review in her drill. Screenshots at phone and
desktop widths (fits_every_width: 360, 390, 1280 and 1920 px, axe-core, 44 px targets)."""

from __future__ import annotations

import os
import signal

import pytest
from playwright.sync_api import expect

from telesales_training.storage.store import Store

from .. import speech_samples as samples
from .support import ARTIFACTS, CHROMIUM_ARGS, LOAD_TIMEOUT, chromium_path, fits_every_width

L03 = "03_sales_process"


@pytest.fixture(scope="module")
def microphone(tmp_path_factory):
    """What the fake microphone plays (Chromium loops the file): an opening with two pauses."""
    return samples.opening(tmp_path_factory.mktemp("microphone"))


@pytest.fixture(scope="module")
def recording_browser(browser, microphone):
    """A Chromium whose microphone is the file above, allowed without asking (the permission prompt is the
    browser's, not the page's); one for the module's recording tests, each in a context of its own."""
    args = [
        *CHROMIUM_ARGS,
        "--use-fake-ui-for-media-stream",
        "--use-fake-device-for-media-stream",
        f"--use-file-for-fake-audio-capture={microphone}",
    ]
    # Another Chromium from the same Playwright as the session's (a second Playwright may not run beside it).
    own = browser.browser_type.launch(executable_path=chromium_path(), args=args)
    yield own
    own.close()


@pytest.fixture
def recording_page(recording_browser):
    context = recording_browser.new_context(viewport={"width": 1280, "height": 900}, locale="zh-CN")
    context.grant_permissions(["microphone"])
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.set_default_timeout(30_000)
    yield page
    context.close()
    assert not errors, f"JavaScript errors on the page: {errors}"


def test_a_take_recorded_in_the_browser_is_measured_reviewed_and_the_review_shown(
    server, cockpit_server, db_path, recording_page, trainee
):
    page = recording_page
    page.goto(server.page_url(L03, trainee))
    drill = page.locator(".ts-tool-spoken_opening")
    drill.wait_for(timeout=LOAD_TIMEOUT)
    drill.scroll_into_view_if_needed()
    expect(drill.locator(".ts-rec-notice")).to_contain_text("只有你和培训师能听到")  # the notice first
    drill.get_by_role("button", name="我知道了，开始练习").click()
    drill.get_by_role("button", name="开始录音").click()
    expect(drill.locator(".ts-rec-meter")).to_be_visible(timeout=10_000)  # recording, with its level meter
    page.wait_for_timeout(5_500)
    drill.get_by_role("button", name="停止").click()
    expect(drill.locator("audio.ts-rec-player")).to_be_visible()  # she can listen before sending
    drill.get_by_role("button", name="提交这段录音").click()
    expect(drill.locator(".ts-rec-status")).to_contain_text("已保存（第 1 次录音）", timeout=60_000)
    figures = drill.locator(".ts-spoken-figures")
    expect(figures).to_contain_text("停顿次数")
    expect(figures).to_contain_text("≤ 30 s（课程）")
    drill.screenshot(path=str(ARTIFACTS / "spoken_drill_take_1280.png"))
    with Store(f"sqlite:///{db_path}") as store:
        takes = store.ensure_trainee(trainee).recordings().list(L03, "spoken_opening")
        assert len(takes) == 1 and takes[0].attempt == 1 and takes[0].size > 1000
        assert takes[0].mime.startswith("audio/webm") and 3 < takes[0].metrics["duration"] < 8
    for n, label in enumerate(("做到了", "做得很好", "做到了", "还没做到")):
        drill.locator(".ts-spoken-self .widget-toggle-buttons").nth(n).get_by_role("button", name=label).click()
    drill.get_by_role("button", name="保存我的自评").click()
    expect(drill).to_contain_text("自评已保存")
    fits_every_width(page, "spoken_drill")

    page.goto(cockpit_server.entry)
    page.locator(".ts-filter-summary").wait_for(timeout=LOAD_TIMEOUT)
    page.get_by_role("tab", name="Spoken practice").click()
    panel = page.locator(".ts-spoken-review").locator("xpath=..")
    expect(page.locator(".ts-spoken-waiting")).to_contain_text("Waiting: 1")
    expect(page.locator("audio.ts-take-audio")).to_be_visible()
    for n in range(4):
        levels = page.locator(".ts-spoken-review .widget-toggle-buttons").nth(n)
        levels.get_by_role("button", name="Meets").click()
        expect(levels.locator("button.mod-active")).to_have_text("Meets")
    page.locator(".ts-spoken-review input[type=text]").nth(0).fill("0:02")
    page.locator(".ts-spoken-review input[type=text]").nth(1).fill("Clear name and company.")
    fits_every_width(page, "cockpit_spoken")
    panel.get_by_role("button", name="Save and go to the next take").click()
    expect(page.locator(".ts-spoken-waiting")).to_contain_text("Waiting: 0")

    page.goto(server.page_url(L03, trainee))
    drill = page.locator(".ts-tool-spoken_opening")
    drill.wait_for(timeout=LOAD_TIMEOUT)
    expect(drill.locator(".ts-spoken-comments")).to_contain_text("0:02：Clear name and company.")
    drill.scroll_into_view_if_needed()
    page.set_viewport_size({"width": 390, "height": 844})
    drill.screenshot(path=str(ARTIFACTS / "spoken_drill_reviewed_390.png"))


def try_to_record(page, server, trainee, message: str, shot: str) -> None:
    page.goto(server.page_url(L03, trainee))
    drill = page.locator(".ts-tool-spoken_opening")
    drill.wait_for(timeout=LOAD_TIMEOUT)
    drill.get_by_role("button", name="我知道了，开始练习").click()
    drill.get_by_role("button", name="开始录音").click()
    expect(drill.locator(".ts-rec-problem")).to_contain_text(message)
    expect(drill.get_by_role("button", name="开始录音")).to_be_visible()  # she can try again
    drill.screenshot(path=str(ARTIFACTS / f"spoken_drill_{shot}_390.png"))


def test_no_microphone_is_said_plainly(server, browser, trainee):
    """The shared Chromium has no audio device: with the permission given, there is no microphone to find."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    context.grant_permissions(["microphone"])
    try:
        try_to_record(context.new_page(), server, trainee, "没有找到麦克风", "no_mic")
    finally:
        context.close()


def test_a_refused_microphone_is_said_plainly(server, browser, trainee, microphone):
    """A microphone is there, but the trainee (the browser's prompt) refuses it: the page says how to allow it.
    The full chromium, as the prompt is part of it (the headless shell has none)."""
    args = [*CHROMIUM_ARGS, "--use-fake-device-for-media-stream", f"--use-file-for-fake-audio-capture={microphone}"]
    own = browser.browser_type.launch(executable_path=chromium_path(prompts=True), args=args)
    context = own.new_context(viewport={"width": 390, "height": 844}, locale="zh-CN")
    try:
        try_to_record(context.new_page(), server, trainee, "你没有允许使用麦克风", "refused")
    finally:
        context.close()
        own.close()


def test_a_take_whose_upload_stalls_is_sent_again_and_kept_once(server, db_path, recording_page):
    """The kernel stops answering mid-upload (SIGSTOP: the connection stays, nothing comes back): after the page's
    wait the trainee is told the upload failed and can send again; when the kernel comes back it finds the take twice
    and keeps it once."""
    trainee = "stalled-upload"
    page = recording_page
    page.add_init_script("window.telesalesUploadWaitMs = 5000")  # the page's wait for the stopped kernel (20 s)
    before = server.kernel_pids()
    page.goto(server.page_url(L03, trainee))
    drill = page.locator(".ts-tool-spoken_opening")
    drill.wait_for(timeout=LOAD_TIMEOUT)
    (kernel,) = server.kernel_pids() - before
    drill.get_by_role("button", name="我知道了，开始练习").click()
    drill.get_by_role("button", name="开始录音").click()
    expect(drill.locator(".ts-rec-meter")).to_be_visible(timeout=10_000)
    page.wait_for_timeout(3_000)
    drill.get_by_role("button", name="停止").click()
    os.kill(kernel, signal.SIGSTOP)
    try:
        drill.get_by_role("button", name="提交这段录音").click()
        expect(drill.locator(".ts-rec-problem")).to_contain_text("上传中断了", timeout=40_000)
        expect(drill.locator("audio.ts-rec-player")).to_be_visible()  # the take is still in the page
        drill.screenshot(path=str(ARTIFACTS / "spoken_drill_upload_failed_1280.png"))
        drill.get_by_role("button", name="提交这段录音").click()  # she sends it again while the kernel is still away
    finally:
        os.kill(kernel, signal.SIGCONT)
    expect(drill.locator(".ts-rec-status")).to_contain_text("已保存（第 1 次录音）", timeout=60_000)
    expect(drill.locator(".ts-rec-problem")).to_have_text("")
    with Store(f"sqlite:///{db_path}") as store:
        takes = store.ensure_trainee(trainee).recordings().list(L03, "spoken_opening")
    assert [take.attempt for take in takes] == [1]
