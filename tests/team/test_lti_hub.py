"""Launch from an LMS for real (issue 30): a test LTI 1.3 platform in this process (tests/lti_platform.py: RSA key,
key set, OIDC authorization endpoint posting signed id_tokens) against `telesales hub-demo`'s JupyterHub with the
LTI authenticator (web/lti.py). A learner's course link opens her lesson signed in; an instructor's opens the
cockpit; the same learner from a second course is one trainee. Refused, with no user made: a token signed with
another key, for another audience, expired, for another deployment, and a launch posted again."""

from __future__ import annotations

import re
import sqlite3

import pytest
import requests
from playwright.sync_api import expect

from ..browser.support import ARTIFACTS, LOAD_TIMEOUT
from ..lti_platform import INSTRUCTOR, LEARNER, Platform
from .conftest import demo_hub

pytestmark = pytest.mark.browser

LESSON = "hub/user-redirect/voila/render/03_sales_process.ipynb"
AMY, TED = "lms-amy", "lms-ted"  # the platform's user ids (OS accounts of the demo)


@pytest.fixture(scope="module")
def platform():
    running = Platform().start()
    yield running
    running.stop()


@pytest.fixture(scope="module")
def hub(platform):
    lti = {
        "issuer": platform.issuer,
        "client_id": platform.client_id,
        "authorize_url": platform.authorize_url,
        "jwks_url": platform.jwks_url,
        "deployment_ids": [platform.deployment],
        "token_url": platform.token_url,
    }
    # the grade sender's rounds every second (the demo's 5 s): the test waits out two of them
    with demo_hub([AMY], [TED], "lti-demo-password", lti=lti, exam=False, grades_every=1.0) as demo:
        from joserfc.jwk import RSAKey

        # the admin registers the tool's public key with the platform (Moodle: "RSA key")
        platform.tool_key = RSAKey.import_key(demo.lti_key.read_bytes()).as_pem(private=False)
        yield demo


def hub_users(hub) -> dict[str, list[str]]:
    """The hub's own record: user → groups."""
    with sqlite3.connect(hub.folder / "jupyterhub.sqlite") as db:
        users = {name: [] for (name,) in db.execute("SELECT name FROM users")}
        for user, group in db.execute(
            "SELECT u.name, g.name FROM users u JOIN user_group_map m ON m.user_id = u.id "
            "JOIN groups g ON g.id = m.group_id"
        ):
            users[user].append(group)
    return users


def test_a_learner_s_course_link_opens_her_lesson_signed_in(hub, platform, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(platform.launch_url(hub.url, AMY, [LEARNER], path=LESSON))
    drill = page.locator(".ts-tool-spoken_opening")
    drill.wait_for(timeout=LOAD_TIMEOUT)
    assert re.search(r"/user/lms-amy/voila/render/03_sales_process\.ipynb", page.url), page.url
    expect(page.locator("body")).to_contain_text(AMY)
    page.screenshot(path=str(ARTIFACTS / "lti_learner_lesson_1280.png"))
    assert hub_users(hub).get(AMY) == []  # a trainee: not in the trainers group
    # The same person from a second course: one user, one trainee.
    page.goto(platform.launch_url(hub.url, AMY, [LEARNER], context="course-b"))
    page.locator(".ts-progress-01_decision_psychology").wait_for(timeout=LOAD_TIMEOUT)  # her start page
    assert page.url.split("?")[0].endswith("/user/lms-amy/voila/render/00_start_here.ipynb"), page.url
    assert [name for name in hub_users(hub) if name.startswith("lms-amy")] == [AMY]
    context.close()


def test_an_instructor_s_course_link_opens_the_cockpit(hub, platform, browser):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(platform.launch_url(hub.url, TED, [INSTRUCTOR, LEARNER]))
    page.locator(".ts-filter-summary").wait_for(timeout=LOAD_TIMEOUT)
    assert "trainer_dashboard" in page.url
    assert hub_users(hub).get(TED) == ["trainers"]
    page.screenshot(path=str(ARTIFACTS / "lti_instructor_cockpit_1280.png"))
    context.close()


def launch_by_hand(hub, platform, sub: str, **spoil) -> tuple[requests.Session, requests.Response]:
    """A launch without a browser: the tool's login initiation, the platform's form, the form posted back."""
    session = requests.Session()
    deployment = spoil.pop("login_deployment", None)
    answer = session.get(platform.launch_url(hub.url, sub, [LEARNER], deployment=deployment, **spoil), timeout=30)
    assert answer.status_code == 200 and "document.forms[0].submit()" in answer.text, answer.text[:300]
    form = platform.posted[-1]
    back = session.post(
        form["action"], data={"id_token": form["id_token"], "state": form["state"]}, allow_redirects=False, timeout=30
    )
    return session, back


@pytest.mark.parametrize(
    "spoil",
    [
        pytest.param({"key": "other"}, id="signed-with-another-key"),
        pytest.param({"aud": "another-tool"}, id="another-audience"),
        pytest.param({"exp": -60, "iat": -400}, id="expired"),
        pytest.param({"iat": -3600, "exp": 300}, id="issued-an-hour-ago"),
        pytest.param({"token_deployment": "deployment-2"}, id="another-deployment-in-the-token"),
        pytest.param({"login_deployment": "deployment-2", "token_deployment": "deployment-2"}, id="another-deployment"),
    ],
)
def test_a_spoiled_launch_is_refused_and_makes_no_user(hub, platform, spoil):
    from cryptography.hazmat.primitives.asymmetric import rsa

    if spoil.get("key") == "other":
        spoil = {"key": rsa.generate_private_key(public_exponent=65537, key_size=2048)}
    sub = "lms-eve"
    _session, back = launch_by_hand(hub, platform, sub, **spoil)
    assert back.status_code in (400, 401, 403), (back.status_code, back.text[:300])
    assert "jupyterhub-session-id" not in back.cookies and sub not in hub_users(hub)


def test_a_launch_posted_again_is_refused(hub, platform):
    session, first = launch_by_hand(hub, platform, "lms-amy")
    assert first.status_code == 302  # signed in (and sent on)
    form = platform.posted[-1]
    again = session.post(form["action"], data=form | {}, allow_redirects=False, timeout=30)
    assert again.status_code == 400  # its state and nonce were used up
    stranger = requests.post(
        form["action"], data={"id_token": form["id_token"], "state": form["state"]}, allow_redirects=False, timeout=30
    )
    assert stranger.status_code == 400 and "jupyterhub-session-id" not in stranger.cookies


def test_grades_go_back_to_the_course_once(hub, platform):
    """#30: after a launch, the hub's grade sender posts the learner's first-try lesson score to her course's line
    item (made by the tool): a part of the lesson "InProgress" if the sender came by meanwhile, the whole lesson
    "Completed" last, each value once; the instructor's cockpit would show it sent (the report trainers read)."""
    import time

    from telesales_training.course.curriculum import curriculum
    from telesales_training.storage.store import Store

    _session, back = launch_by_hand(hub, platform, AMY)
    assert back.status_code == 302
    lesson = curriculum().lesson("04_funnel")
    with Store(hub.store_url) as store:
        for item in lesson.questions:
            store.ensure_trainee(AMY).save_answer("04_funnel", item.id, "x", item.points, item.points)

    def posted() -> list[dict]:
        items = {i["id"]: i for i in platform.line_items.get("course-a", [])}
        return [
            s
            for s in platform.scores
            if s["userId"] == AMY and items.get(s["line_item"], {}).get("resourceId") == "04_funnel"
        ]

    # The sender may run while the answers are being saved: a part of them goes back "InProgress" first (as it
    # would while she works through the lesson), then the whole lesson "Completed".
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline and not any(s["activityProgress"] == "Completed" for s in posted()):
        time.sleep(1)
    wanted = posted()
    assert wanted, f"no grade arrived; the platform refused: {platform.refused[-3:]}"
    assert (wanted[-1]["scoreGiven"], wanted[-1]["activityProgress"]) == (lesson.max_points, "Completed")
    assert all(s["activityProgress"] == "InProgress" and s["scoreGiven"] < lesson.max_points for s in wanted[:-1])
    time.sleep(3)  # two more rounds of the sender (one a second here): nothing is posted twice
    assert posted() == wanted
    assert len({s["line_item"] for s in wanted}) == 1
    with Store(hub.store_url) as store:
        sent = [row for row in store.grades().report() if row.subject == "04_funnel" and row.trainee_id == AMY]
    assert sent and all(row.state == "sent" for row in sent)


def test_a_platform_id_in_capitals_is_one_lower_case_trainee(hub, platform):
    """The hub spells names in lower case: the launch is kept under the same name the trainee's pages use."""
    from telesales_training.storage.store import Store

    _session, back = launch_by_hand(hub, platform, "LMS-Zoe")
    assert back.status_code == 302
    assert "lms-zoe" in hub_users(hub) and "LMS-Zoe" not in hub_users(hub)
    with Store(hub.store_url) as store:
        assert [launch.trainee_id for launch in store.grades().launches("lms-zoe")] == ["lms-zoe"]
        assert store.grades().launches("LMS-Zoe") == []
