"""Team mode for real: `telesales hub-demo`'s JupyterHub (its proxy, OS accounts per user) over a PostgreSQL
store that wants passwords, driven in Chromium; then code run in alice's own kernel, through the Jupyter
server API with alice's own token, tries everything it can against the others' data."""

from __future__ import annotations

import json
import os
import pwd
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
import requests
import websocket
from playwright.sync_api import BrowserContext, Page, expect

from telesales_training.web import hubdemo

from ..browser.support import ARTIFACTS, LOAD_TIMEOUT, front_end_files, leave, reusable_tab
from .conftest import demo_hub

pytestmark = pytest.mark.browser

PASSWORD = "team-demo-pw"
L01 = "01_decision_psychology"
ALICE_ANSWER = "I would first ask which room gets the most light."
BOB_ANSWER = "The price per square metre decided it for me."


@pytest.fixture(scope="module")
def lrs(tmp_path_factory):
    """#30: a real LRS the hub's sender posts to (tests/lrs_support.py)."""
    from ..lrs_support import started

    running = started(tmp_path_factory.mktemp("lrs"))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def hub(lrs):
    from ..lrs_support import PASSWORD as LRS_PASSWORD
    from ..lrs_support import USER as LRS_USER

    lrs_settings = {
        "TELESALES_LRS_URL": lrs.url,
        "TELESALES_LRS_USER": LRS_USER,
        "TELESALES_LRS_PASSWORD": LRS_PASSWORD,
    }
    with demo_hub(["alice", "bob"], ["tina"], PASSWORD, lrs_settings) as demo:
        yield demo


# Each user's browser in this module, signed in once: a later `log_in` opens a new tab in it, as a trainee's own
# browser keeps its hub cookie (and its cache: a new browser context per sign-in cost twice the browser's work).
_SIGNED_IN: dict[str, BrowserContext] = {}


@pytest.fixture(scope="module", autouse=True)
def _browsers_of_this_module():
    yield
    for context in _SIGNED_IN.values():
        context.close()
    _SIGNED_IN.clear()


def log_in(browser, hub, name: str, keep: bool = True) -> Page:
    """A tab at `name`'s landing page: the hub's login form the first time (or with keep=False, in a browser of the
    test's own), that user's signed-in browser after, in the tab `done` left there. Close it with `done`."""
    if keep and name in _SIGNED_IN:
        page = reusable_tab(_SIGNED_IN[name])
        page.set_default_timeout(60_000)
        page.goto(f"{hub.url}user/{name}/")
        page.locator(".ts-page").first.wait_for(timeout=LOAD_TIMEOUT)
        return page
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{hub.url}hub/login")
    page.fill("#username_input", name)
    page.fill("#password_input", PASSWORD)
    page.click("#login_submit")
    page.locator(".ts-page").first.wait_for(timeout=120_000)  # the server spawned, its landing page shown
    if keep:
        _SIGNED_IN[name] = context
    return page


def done(page: Page) -> None:
    """The page left, as a trainee closes its tab (its kernel ends at once); the user stays signed in. A signed-in
    browser keeps the tab, blank, for the user's next page."""
    if page.context in _SIGNED_IN.values():
        leave(page, {"width": 1280, "height": 900})
    else:
        page.close(run_before_unload=True)


def lesson(page: Page, hub, name: str) -> None:
    page.goto(f"{hub.url}user/{name}/voila/render/{L01}.ipynb")
    page.locator(".ts-item-xiamen_first_check textarea").wait_for(timeout=LOAD_TIMEOUT)


def answer(page: Page, text: str) -> None:
    card = page.locator(".ts-item-xiamen_first_check")
    card.locator("textarea").fill(text)
    card.locator("button.mod-primary").click()
    expect(card.locator(".ts-feedback")).to_be_visible()


def test_each_trainee_lands_on_the_start_page_and_keeps_only_their_own_answers(hub, browser):
    alice, bob = log_in(browser, hub, "alice"), log_in(browser, hub, "bob")
    for page, name in ((alice, "alice"), (bob, "bob")):
        assert page.url.endswith(f"/user/{name}/voila/render/00_start_here.ipynb")
        expect(page.locator(".ts-who")).to_contain_text(name)
    alice.set_viewport_size({"width": 390, "height": 844})
    alice.screenshot(path=str(ARTIFACTS / "team_alice_start_phone_en.png"), full_page=True)
    alice.set_viewport_size({"width": 1280, "height": 900})
    page_of = {"alice": alice, "bob": bob}
    for name, text in (("alice", ALICE_ANSWER), ("bob", BOB_ANSWER)):
        lesson(page_of[name], hub, name)
        answer(page_of[name], text)
    for name, text in (("alice", ALICE_ANSWER), ("bob", BOB_ANSWER)):
        lesson(page_of[name], hub, name)  # a reload: restored from the store
        expect(page_of[name].locator(".ts-item-xiamen_first_check textarea")).to_have_value(text)
    alice.screenshot(path=str(ARTIFACTS / "team_alice_lesson01_en.png"))
    done(alice)
    done(bob)


def test_a_trainees_server_lets_her_browser_keep_the_widget_scripts(hub, browser):
    """As `telesales serve` does (tests/test_page_connection.py), through the hub's proxy: the front ends' files
    named by their content are kept by the browser, the others asked again."""
    alice = log_in(browser, hub, "alice")
    for entry, unhashed in front_end_files(alice.content()):
        files = f"{hub.url}user/alice/voila/labextensions/"
        assert alice.request.get(files + entry).headers["cache-control"] == "public, max-age=31536000, immutable"
        assert alice.request.get(files + unhashed).headers["cache-control"] == "no-cache"
    done(alice)


def test_the_trainer_reviews_alice_and_alice_sees_it_but_not_the_cockpit(hub, browser):
    tina = log_in(browser, hub, "tina")
    assert tina.url.endswith("/user/tina/voila/render/trainer_dashboard.ipynb")
    tina.locator(".ts-filter-summary").wait_for(timeout=LOAD_TIMEOUT)
    expect(tina.locator(".ts-filter-summary")).to_contain_text("Current filter: 2 trainees")
    tina.get_by_role("tab", name="Free-text review").click()
    card = tina.locator(".ts-review-card", has_text="alice")
    expect(card.locator(".ts-answer-text")).to_have_text(ALICE_ANSWER)
    expect(tina.locator(".ts-review-card", has_text="bob").locator(".ts-answer-text")).to_have_text(BOB_ANSWER)
    card.locator("textarea").fill("Good question to open with - now ask about the budget.")
    card.get_by_role("button", name="Mark reviewed").click()
    expect(card).to_contain_text("Review of alice saved.")
    tina.screenshot(path=str(ARTIFACTS / "team_tina_review_en.png"), full_page=True)
    done(tina)

    alice = log_in(browser, hub, "alice")
    lesson(alice, hub, "alice")
    expect(alice.locator(".ts-item-xiamen_first_check")).to_contain_text("now ask about the budget")
    alice.goto(f"{hub.url}user/alice/voila/render/trainer_dashboard.ipynb")
    expect(alice.locator(".ts-error")).to_be_visible(timeout=LOAD_TIMEOUT)
    assert alice.locator(".ts-filter-summary").count() == 0 and "bob" not in alice.locator("body").inner_text()
    done(alice)


ATTACK = r"""
import glob, json, os
import requests, sqlalchemy as sa
from telesales_training.storage import identity
from telesales_training.tools.assessment import TrainerAssessment
from telesales_training.storage.store import Store, TraineeStore
found = {}
def attempt(name, action):
    try:
        found[name] = ["done", action()]
    except Exception as problem:
        found[name] = ["refused", type(problem).__name__]
store = Store()
attempt("own_save", lambda: store.ensure_trainee("alice").save_answer("02_selling_modes", "x_probe", "mine", 0, 0)
        and "saved")
attempt("read_bob", lambda: len(TraineeStore(store, "bob").latest_answers("01_decision_psychology")))
attempt("write_bob", lambda: TraineeStore(store, "bob").save_answer("01_decision_psychology",
        "xiamen_first_check", "hacked", 1, 1))
attempt("list_trainees", lambda: store.trainee_ids())
attempt("forge_review", lambda: TraineeStore(store, "alice").add_review("01_decision_psychology", "xiamen_first_check",
        1, "tina", "self-praise"))
attempt("trainer_scores", lambda: store.ensure_trainee("alice").save_trainer_scores("09_self_assessment",
        TrainerAssessment(scores={"volume": 20}, by="tina")))
attempt("own_trainer_scores", lambda: store.ensure_trainee("alice").save_trainer_scores("09_self_assessment",
        TrainerAssessment(scores={"volume": 20}, by="alice")))
url = sa.engine.make_url(os.environ["TELESALES_DB"])
for role in ("postgres", "telesales_team"):
    attempt(f"connect_{role}", lambda role=role: sa.create_engine(url.set(username=role)).connect().close())
attempt("raw_sql_all_answers", lambda: sa.create_engine(url).connect().exec_driver_sql(
        "SELECT DISTINCT trainee_id FROM answers").scalars().all())
def sql(*statements):
    with sa.create_engine(url, poolclass=sa.pool.NullPool).begin() as conn:
        return [list(conn.exec_driver_sql(statement).first() or []) for statement in statements][-1]
# Issue 22: become tina with a temporary accounts table; take the floor's next ids; store 1 MB in her own row.
attempt("temp_identity", lambda: sql(
        "create temp table accounts (role text, trainee_id text, trainer boolean)",
        "insert into accounts values (session_user, 'tina', true)",
        "select telesales_trainee(), telesales_is_trainer()"))
attempt("who_after_temp", lambda: sql("select telesales_trainee(), telesales_is_trainer()"))
attempt("take_next_id", lambda: sql("select nextval(pg_get_serial_sequence('answers', 'id'))"))
attempt("insert_chosen_id", lambda: sql(
        "insert into answers (id, trainee_id, lesson_id, item_id, value, max_points, created_at) "
        "values ((select max(id) + 1 from answers), 'alice', 'L', 'i', '1', 0, now())"))
attempt("huge_answer", lambda: sql(
        "insert into answers (trainee_id, lesson_id, item_id, value, max_points, created_at) "
        "values ('alice', 'L', 'i', to_jsonb(repeat('x', 1000000)), 0, now())"))
attempt("statement_timeout", lambda: sql("show statement_timeout"))
for database in ("postgres", "template1"):
    attempt(f"connect_{database}_db", lambda database=database: sa.create_engine(
            url.set(database=database)).connect().close())
secrets = {k: v for k, v in os.environ.items() if any(w in k for w in ("TOKEN", "SECRET", "PASSWORD", "DB", "KEY"))}
found["secrets_seen"] = sorted(secrets)
hub_api = os.environ["JUPYTERHUB_API_URL"]
token = {"Authorization": f"token {os.environ['JUPYTERHUB_API_TOKEN']}"}
attempt("hub_users", lambda: requests.get(f"{hub_api}/users", headers=token, timeout=10).status_code)
attempt("hub_bob_token", lambda: requests.post(f"{hub_api}/users/bob/tokens", headers=token, json={},
        timeout=10).status_code)
def other_environments():
    read = []
    for path in glob.glob("/proc/[0-9]*/environ"):
        try:
            text = open(path, "rb").read()
        except OSError:
            continue
        if b"TELESALES_DB" in text and b"alice" not in open(path.replace("environ", "status"), "rb").read() \
                and os.stat(path).st_uid != os.getuid():
            read.append(path)
    return read
attempt("other_environments", other_environments)
attempt("hub_config", lambda: [open(p).read()[:10] for p in glob.glob("/tmp/telesales-hub-*/jupyterhub_config.py")])
os.environ["JUPYTERHUB_USER"] = "tina"
os.environ["TELESALES_TRAINERS"] = "alice,tina"
attempt("identity_after_env", lambda: identity.who(Store()).trainee)
attempt("cockpit_after_env", lambda: identity.trainer_access(Store()))
print("RESULT " + json.dumps(found))
"""


def _server_running(hub, name: str, headers: dict) -> None:
    """Start the user's server when it is not running yet (a test run alone, without the browser tests)."""
    import time

    requests.post(f"{hub.url}hub/api/users/{name}/server", headers=headers, timeout=60)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        model = requests.get(f"{hub.url}hub/api/users/{name}", headers=headers, timeout=30).json()
        server = (model.get("servers") or {}).get("", {})
        if server.get("ready"):
            return
        time.sleep(0.5)
    raise AssertionError(f"{name}'s server did not start")


def run_in_kernel(hub, name: str, code: str) -> dict:
    """Alice's way in: her token (from the hub, with her login), a kernel on her server, code over its websocket."""
    session = requests.Session()
    login = session.get(f"{hub.url}hub/login", timeout=30)
    xsrf = session.cookies.get("_xsrf") or login.cookies.get("_xsrf")
    session.post(f"{hub.url}hub/login", data={"username": name, "password": PASSWORD, "_xsrf": xsrf}, timeout=60)
    token = session.post(
        f"{hub.url}hub/api/users/{name}/tokens",
        json={"note": "attack test"},
        headers={"X-XSRFToken": session.cookies.get("_xsrf", path="/hub/")},
        timeout=30,
    ).json()["token"]
    headers = {"Authorization": f"token {token}"}
    _server_running(hub, name, headers)
    kernel = requests.post(f"{hub.url}user/{name}/api/kernels", headers=headers, json={}, timeout=60).json()["id"]
    socket = websocket.create_connection(
        f"{hub.url.replace('http', 'ws')}user/{name}/api/kernels/{kernel}/channels",
        header=[f"Authorization: token {token}"],
        timeout=120,
    )
    msg_id = uuid.uuid4().hex
    socket.send(
        json.dumps(
            {
                "header": {
                    "msg_id": msg_id,
                    "msg_type": "execute_request",
                    "username": name,
                    "session": uuid.uuid4().hex,
                    "version": "5.3",
                },
                "parent_header": {},
                "metadata": {},
                "channel": "shell",
                "buffers": [],
                "content": {
                    "code": code,
                    "silent": False,
                    "store_history": False,
                    "user_expressions": {},
                    "allow_stdin": False,
                },
            }
        )
    )
    output = []
    while True:
        message = json.loads(socket.recv())
        if message.get("parent_header", {}).get("msg_id") != msg_id:
            continue
        if message["msg_type"] == "stream":
            output.append(message["content"]["text"])
        if message["msg_type"] == "error":
            output.append("\n".join(message["content"]["traceback"]))
        if message["msg_type"] == "status" and message["content"]["execution_state"] == "idle":
            break
    socket.close()
    requests.delete(f"{hub.url}user/{name}/api/kernels/{kernel}", headers=headers, timeout=30)
    text = "".join(output)
    assert "RESULT " in text, text
    return json.loads(text.split("RESULT ", 1)[1])


def store_holders_of(user: str) -> list[int]:
    """(As root) the processes of `user` whose environment holds a store URL: what alice must not read."""
    import pwd

    uid = pwd.getpwnam(user).pw_uid
    found = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if (
                    os.stat(f"/proc/{entry}").st_uid == uid
                    and b"TELESALES_DB=" in Path(f"/proc/{entry}/environ").read_bytes()
                ):
                    found.append(int(entry))
            except OSError:
                continue
    return found


def test_code_in_alices_kernel_reaches_nothing_of_the_others(hub):
    assert store_holders_of("bob") and store_holders_of("tina")  # their servers run, credentials inside
    found = run_in_kernel(hub, "alice", ATTACK)
    assert found["own_save"][0] == "done"
    assert found["read_bob"] == ["done", 0]  # bob's answers exist (first test) but are invisible
    assert found["write_bob"] == ["refused", "AccessDenied"]
    assert found["list_trainees"] == ["done", ["alice"]]
    assert found["forge_review"][0] == "refused"
    assert found["trainer_scores"] == found["own_trainer_scores"] == ["refused", "AccessDenied"]
    assert found["connect_postgres"][0] == "refused" and found["connect_telesales_team"][0] == "refused"
    assert found["raw_sql_all_answers"] == ["done", ["alice"]]
    assert found["temp_identity"] == ["refused", "ProgrammingError"]  # no temporary objects for a trainee
    assert found["who_after_temp"] == ["done", ["alice", False]]
    assert found["take_next_id"] == found["insert_chosen_id"] == ["refused", "ProgrammingError"]
    assert found["huge_answer"] == ["refused", "IntegrityError"]  # the database's own size check
    assert found["statement_timeout"] == ["done", ["1min"]]
    assert found["connect_postgres_db"] == found["connect_template1_db"] == ["refused", "OperationalError"]
    # her own hub token (under its two names) and her own store URL, nothing else
    assert found["secrets_seen"] == ["JPY_API_TOKEN", "JUPYTERHUB_API_TOKEN", "TELESALES_DB"]
    assert found["hub_users"] == ["done", 403] and found["hub_bob_token"] == ["done", 403]
    assert found["other_environments"] == ["done", []]
    assert found["hub_config"] in (["done", []], ["refused", "PermissionError"])
    assert found["identity_after_env"] == ["done", "alice"]
    assert found["cockpit_after_env"] == ["done", [False, "alice"]]


def another_demo(trainees: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [
            str(Path(sys.executable).with_name("telesales")),
            "hub-demo",
            "--port",
            str(hubdemo.free_port()),
            "--trainees",
            trainees,
        ],
        env={**os.environ, "TELESALES_DEMO_PASSWORD": PASSWORD},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def test_a_second_demo_does_not_take_over_or_remove_accounts_it_did_not_create(hub):
    """#22.7: a second demo with the same names removed the first one's accounts (pkill -KILL, userdel) on exit;
    a person's own account is not the demo's either."""
    before = store_holders_of("bob")
    assert before
    refused = another_demo("bob")
    assert refused.returncode == 1 and "belongs to another hub-demo that is running" in refused.stderr
    assert store_holders_of("bob") == before and pwd.getpwnam("bob")  # his server and account are untouched
    subprocess.run(["useradd", "--no-create-home", "carolperson"], check=True)
    try:
        refused = another_demo("carolperson")
        assert refused.returncode == 1 and "exists that hub-demo did not create" in refused.stderr
        assert pwd.getpwnam("carolperson").pw_gecos == ""
    finally:
        subprocess.run(["userdel", "carolperson"], check=False)


EXAM_ATTACK = r"""
import glob, json, os
from pathlib import Path
import requests, sqlalchemy as sa
import telesales_training
from joserfc.jwk import RSAKey
from datetime import timedelta
from telesales_training.core import clock
from telesales_training.course import credential as vc
found = {}
def attempt(name, action):
    try:
        found[name] = ["done", action()]
    except Exception as problem:
        found[name] = ["refused", type(problem).__name__]
service = os.environ["TELESALES_EXAM_URL"]
token = {"Authorization": f"token {os.environ['JUPYTERHUB_API_TOKEN']}"}
def call(method, path, body=None, headers=token):
    reply = requests.request(method, f"{service}/{path}", json=body, headers=headers, timeout=60)
    return [reply.status_code, reply.json() if reply.headers.get("Content-Type", "").startswith("application/json")
            else reply.text[:40]]
ANSWERS = json.loads(os.environ.get("EXAM_ANSWERS", "{}"))
attempt("no_token", lambda: call("GET", "api/exam", headers={})[0])
attempt("forged_token", lambda: call("GET", "api/exam", headers={"Authorization": "token forged"})[0])
started = call("POST", "api/exam/start")
found["started"] = started
status, sitting = started[1], started[1].get("sitting")
found["shown_text"] = json.dumps(status.get("shown"), ensure_ascii=False)
forms = [view["form"] for view in status.get("shown", [])]
def blind(view):
    if "options" in view:
        return view["options"][0]["id"] if view["type"] != "multiple_choice" else [view["options"][0]["id"]]
    node, path = view["nodes"][view["start"]], []
    while not node["ends"]:
        path.append(node["choices"][0]["id"])
        node = view["nodes"][node["choices"][0]["next"]]
    return path
kept = [call("POST", "api/exam/answer", {"sitting": sitting, "form": view["form"], "value": blind(view)})
        for view in status.get("shown", [])]
found["malformed"] = call("POST", "api/exam/answer", {"sitting": sitting, "form": forms[1], "value": {"x": 1}})
found["kept"] = kept
found["again"] = call("POST", "api/exam/answer", {"sitting": sitting, "form": forms[0], "value": "a"})
found["foreign_sitting"] = call("POST", "api/exam/answer", {"sitting": sitting + 1000, "form": forms[0], "value": "a"})
found["junk_body"] = requests.post(f"{service}/api/exam/answer", data=b"\xff\x00", headers=token,
                                   timeout=30).status_code
found["finished"] = call("POST", "api/exam/finish", {"sitting": sitting})
found["certify_self"] = call("POST", "api/certify", {"trainee": "alice", "name": "alice"})
found["revoke"] = call("POST", "api/revoke", {"id": "urn:uuid:x", "reason": "mine"})
found["public_key"] = call("GET", "public-key.json", headers={})[0]
repo_bank = Path(telesales_training.__file__).resolve().parents[1] / "exam"
attempt("repo_bank", lambda: (repo_bank / "04_funnel.yaml").read_text()[:20])
attempt("service_files", lambda: glob.glob("/tmp/telesales-exam-*/**/*", recursive=True))
attempt("signing_key", lambda: [open(p).read()[:10] for p in glob.glob("/tmp/telesales-exam-*/signing-key.pem")])
def service_environment():
    read = []
    for path in glob.glob("/proc/[0-9]*/environ"):
        try:
            if b"TELESALES_EXAM_BANK" in open(path, "rb").read():
                read.append(path)
        except OSError:
            continue
    return read
attempt("service_environment", service_environment)
url = sa.engine.make_url(os.environ["TELESALES_DB"])
def sql(statement):
    with sa.create_engine(url, poolclass=sa.pool.NullPool).begin() as conn:
        return conn.exec_driver_sql(statement).rowcount
attempt("sql_pass_herself", lambda: sql("UPDATE exam_sittings SET passed = true, points = max_points"))
attempt("sql_certificate", lambda: sql("INSERT INTO certificates (id, trainee_id, sitting_id, signoff_id, issued_at, "
        "expires_at, credential) VALUES ('urn:uuid:f', 'alice', 1, 1, now(), now(), 'a.b.c')"))
attempt("sql_read_bob", lambda: sql("SELECT * FROM exam_sittings WHERE trainee_id = 'bob'"))
attempt("sql_own_scores", lambda: sql("SELECT score FROM exam_answers"))
def forge():
    own = RSAKey.generate_key(2048, private=True)
    award = vc.Award("alice", "alice", {"en": "Certified"}, {"en": "x"}, {"en": "x"}, "forged",
                     clock.now(), clock.now() + timedelta(days=365))
    token = vc.sign(vc.credential(vc.Issuer("urn:telesales:organisation:local", "x"), award), own)
    public = RSAKey.import_key(requests.get(f"{service}/public-key.json", timeout=30).json())
    vc.verify(token, public, clock.now())
attempt("forged_certificate", forge)
print("RESULT " + json.dumps(found, ensure_ascii=False))
"""


def verify_offline(credential: Path, key: Path) -> subprocess.CompletedProcess[str]:
    """`telesales certificate verify` as anyone holding the credential and the organisation's public key runs it."""
    return subprocess.run(
        [str(Path(sys.executable).with_name("telesales")), "certificate", "verify", str(credential), "--key", str(key)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def _exam_answers(right: bool) -> dict:
    """(As root, from the bank) an answer for every form: right ones, or none (the attack answers blindly)."""
    from telesales_training.core import paths
    from telesales_training.course import exam
    from telesales_training.course.items.call_drill import best_path

    bank = exam.load_bank(paths.exam_dir())
    if not right:
        return {}
    return {
        form: [c.id for c in best_path(item.question)] if item.question.type == "call_drill" else item.question.answer
        for form, item in bank.items.items()
    }


def test_the_exam_is_graded_by_the_service_and_alices_code_reaches_no_key_result_or_certificate(hub):
    """#26: from alice's kernel — the service's API with her own token, the files, the database, a forged
    credential: she sits her exam, but reads no key, writes no result, certifies nobody, reads nobody else's."""
    found = run_in_kernel(hub, "alice", EXAM_ATTACK)
    assert found["no_token"] == ["done", 403] and found["forged_token"] == ["done", 403]
    assert found["started"][0] == 200
    for leak in ('"answer"', '"score"', '"feedback"', "outcome_text"):
        assert leak not in found["shown_text"]
    assert all(reply == [200, {"kept": True}] for reply in found["kept"])
    assert found["again"] == [200, {"kept": False}]  # the first answer counts
    assert found["malformed"][0] in (200, 400)  # answered already (kept: False) or refused; never a server error
    assert found["foreign_sitting"][0] == 409 and found["junk_body"] == 400
    assert found["finished"][0] == 200 and found["finished"][1]["passed"] is False  # blind answers fail
    assert found["certify_self"][0] == 403 and found["revoke"][0] == 403
    assert found["public_key"] == 200
    assert found["repo_bank"] == ["refused", "PermissionError"]
    assert found["service_files"] in (["done", []], ["refused", "PermissionError"])
    assert found["signing_key"] in (["done", []], ["refused", "PermissionError"])
    assert found["service_environment"] == ["done", []]
    assert found["sql_pass_herself"] in (["done", 0], ["refused", "ProgrammingError"])
    assert found["sql_certificate"] == ["refused", "ProgrammingError"]
    assert found["sql_read_bob"] == ["done", 0]
    assert found["sql_own_scores"] == ["refused", "ProgrammingError"]  # which of her answers were right: hidden
    assert found["forged_certificate"] == ["refused", "CredentialInvalid"]


SIT = r"""
import json, os, requests
service, token = os.environ["TELESALES_EXAM_URL"], {"Authorization": f"token {os.environ['JUPYTERHUB_API_TOKEN']}"}
ANSWERS = json.loads(%r)
status = requests.post(f"{service}/api/exam/start", headers=token, timeout=60).json()
for view in status["shown"]:
    requests.post(f"{service}/api/exam/answer", headers=token, timeout=60,
                  json={"sitting": status["sitting"], "form": view["form"], "value": ANSWERS[view["form"]]})
done = requests.post(f"{service}/api/exam/finish", headers=token, json={"sitting": status["sitting"]}, timeout=60)
print("RESULT " + json.dumps(done.json()))
"""

CERTIFY = r"""
import json, os, requests
from telesales_training.core import clock
from telesales_training.storage.store import Store, TraineeStore
service, token = os.environ["TELESALES_EXAM_URL"], {"Authorization": f"token {os.environ['JUPYTERHUB_API_TOKEN']}"}
found = {}
ask = lambda: requests.post(f"{service}/api/certify", headers=token, json={"trainee": "alice", "name": "Alice"},
                            timeout=60)
found["before_signoff"] = ask().json()
calls = [{"call": f"call-{n}", "percent": 90} for n in range(3)]
TraineeStore(Store(), "alice").exams().sign_off("tina", {"calls": calls}, 90.0, True, "Ready to dial.",
                                                 clock.now())
issued = ask()
found["issued"] = [issued.status_code, issued.json()]
found["key"] = requests.get(f"{service}/public-key.json", timeout=30).json()
print("RESULT " + json.dumps(found))
"""


def test_alice_passes_tina_signs_off_and_the_service_issues_a_credential_that_verifies(hub, tmp_path):
    """#26 end to end on the real hub: alice's second sitting (answered right) passes; the service refuses to
    certify before tina's sign-off, then issues an Open Badges credential that `telesales certificate verify`
    accepts with the organisation's public key."""
    import json as json_module

    result = run_in_kernel(hub, "alice", SIT % json_module.dumps(_exam_answers(right=True)))
    assert result["passed"] is True and result["number"] >= 1
    found = run_in_kernel(hub, "tina", CERTIFY)
    assert found["before_signoff"]["error"] == "not_signed_off"
    status, issued = found["issued"]
    assert status == 200 and issued["id"].startswith("urn:uuid:")
    (tmp_path / "alice.jwt").write_text(issued["credential"])
    (tmp_path / "org.jwk.json").write_text(json_module.dumps(found["key"]))
    checked = verify_offline(tmp_path / "alice.jwt", tmp_path / "org.jwk.json")
    assert checked.returncode == 0 and "valid: Alice" in checked.stdout, checked.stderr


def test_bob_sits_the_exam_in_the_browser_tina_signs_off_and_his_certificate_verifies(hub, browser, tmp_path):
    """#26 end to end in Chromium on the real hub: bob's exam page says the service grades it; he answers the 18
    questions and passes; tina audits his calls and signs off in the cockpit's Certification tab, then issues the
    certificate; bob's page offers the credential and the printable page, and the credential verifies offline.
    Screenshots (tests/artifacts/team_exam_*, team_certification_*) in English and Chinese at 390 and 1280 px."""
    from ..browser.test_exam_page import answer_right, shots

    bob = log_in(browser, hub, "bob")
    exam_page = f"{hub.url}user/bob/voila/render/09_self_assessment.ipynb"
    bob.goto(exam_page)
    tool = bob.locator(".ts-tool-certification_exam")
    tool.get_by_role("button", name="Start the exam").wait_for(timeout=LOAD_TIMEOUT)
    expect(tool).to_contain_text("graded by the exam service")
    tool.get_by_role("button", name="Start the exam").click()
    expect(tool.locator(".ts-exam-question")).to_have_count(18)
    assert answer_right(bob, "en") == 18
    tool.get_by_role("button", name="Hand in (18 of 18 answered)").click()
    expect(tool.locator(".ts-exam-results")).to_contain_text("passed")
    shots(bob, tool, "team_exam_bob_en")

    tina = log_in(browser, hub, "tina")
    tina.get_by_role("tab", name="Certification").click()
    shown = tina.locator(".ts-panel:visible")
    expect(shown.locator(".ts-trainee-picker .widget-label")).not_to_have_text("")
    picker = shown.locator(".ts-trainee-picker input")
    picker.fill("bob")
    picker.press("Enter")
    expect(shown).to_contain_text("Exam")
    cells = shown.locator(".ts-audit-sheet input[type=number]")
    expect(cells).to_have_count(7 * 3)
    for index in range(21):
        cells.nth(index).fill("20")  # capped at each line's points by the box itself
        cells.nth(index).press("Tab")
    shown.get_by_role("checkbox", name="I audited these calls and approve the certification").check()
    shown.get_by_role("button", name="Save the audit and sign off").click()
    expect(shown).to_contain_text("Audit saved (average 100 %)")
    shown.get_by_role("button", name="Issue the certificate").click()
    expect(shown).to_contain_text("Certificate issued")
    for width, height in ((390, 844), (1280, 900)):
        tina.set_viewport_size({"width": width, "height": height})
        tina.screenshot(path=str(ARTIFACTS / f"team_certification_tina_en_{width}.png"), full_page=True)
    done(tina)

    bob.set_viewport_size({"width": 1280, "height": 900})
    bob.goto(exam_page)
    tool.locator(".ts-exam-results").wait_for(timeout=LOAD_TIMEOUT)
    expect(tool.locator(".ts-exam-results")).to_contain_text("Certificate valid until")
    expect(tool.get_by_role("button", name="Start the exam")).to_be_hidden()  # certified: nothing to sit
    with bob.expect_download() as download:
        tool.get_by_role("link", name="Download the digital credential (Open Badges 3.0)").click()
    credential = Path(download.value.path()).read_text()
    bob.get_by_role("button", name="简体中文").click()
    expect(tool).to_contain_text("由考试服务评分")
    shots(bob, tool, "team_exam_bob_zh")
    done(bob)
    key = requests.get(f"{hub.url}services/telesales-exam/public-key.json", timeout=30)
    (tmp_path / "bob.jwt").write_text(credential)
    (tmp_path / "org.jwk.json").write_text(key.text)
    checked = verify_offline(tmp_path / "bob.jwt", tmp_path / "org.jwk.json")
    assert checked.returncode == 0 and "valid: bob" in checked.stdout, checked.stderr


BOB_RECORDS = r"""
import json
from telesales_training.storage.store import Store
take = Store().ensure_trainee("bob").recordings().add("03_sales_process", "spoken_opening", "zh-CN", "audio/webm",
                                                      b"\x1aE\xdf\xa3" + bytes(5000), {"duration": 4.0})
print("RESULT " + json.dumps({"id": take.id, "attempt": take.attempt}))
"""

RECORDING_ATTACK = r"""
import json, os
import sqlalchemy as sa
from telesales_training.storage.recordings import Comment
from telesales_training.storage.store import Store, TraineeStore
BOB = %d
found = {}
def attempt(name, action):
    try:
        found[name] = ["done", action()]
    except Exception as problem:
        found[name] = ["refused", type(problem).__name__]
store = Store()
bob = TraineeStore(store, "bob").recordings()
attempt("list_bob", lambda: len(bob.list()))
attempt("hear_bob", lambda: bob.audio(BOB))
attempt("delete_bob", lambda: bob.delete(BOB))
attempt("cohort_queue", lambda: len(store.recordings().awaiting()))
attempt("cohort_hear", lambda: store.recordings().audio(BOB))
attempt("expire_all", lambda: store.recordings().expire(0))
attempt("review_as_trainer", lambda: store.recordings().review(BOB, "alice", {"who": "strong"}, [], ["who"]))
attempt("record_as_bob", lambda: bob.add("03_sales_process", "spoken_opening", "en", "audio/webm", b"forged", None))
url = sa.engine.make_url(os.environ["TELESALES_DB"])
def sql(statement):
    with sa.create_engine(url, poolclass=sa.pool.NullPool).begin() as conn:
        result = conn.exec_driver_sql(statement)
        return result.rowcount if result.returns_rows is False else len(result.all())
attempt("sql_read", lambda: sql(f"SELECT audio FROM recordings WHERE id = {BOB}"))
attempt("sql_empty", lambda: sql("UPDATE recordings SET audio = NULL, metrics = NULL, deleted_at = now() "
                                 f"WHERE id = {BOB}"))
attempt("sql_delete", lambda: sql(f"DELETE FROM recordings WHERE id = {BOB}"))
attempt("sql_reviews", lambda: sql("SELECT * FROM recording_reviews WHERE trainee_id = 'bob'"))
mine = store.ensure_trainee("alice").recordings()
own = mine.add("03_sales_process", "spoken_opening", "en", "audio/webm", b"\x1aE\xdf\xa3" + bytes(3000), None)
attempt("delete_own", lambda: mine.delete(own.id))
print("RESULT " + json.dumps(found))
"""


def test_alices_kernel_cannot_hear_delete_or_review_bobs_recordings(hub):
    """#29 on the real hub: bob keeps a take; code in alice's kernel — the package with her store URL, raw SQL with
    it — neither lists, hears, empties, deletes nor reviews it, nor records in his name; her own she deletes."""
    bob = run_in_kernel(hub, "bob", BOB_RECORDS)
    found = run_in_kernel(hub, "alice", RECORDING_ATTACK % bob["id"])
    assert found["list_bob"] == ["done", 0] and found["hear_bob"] == ["done", None]
    assert found["delete_bob"] == ["done", False] and found["expire_all"] == ["done", 0]
    assert found["cohort_queue"] == ["done", 0] and found["cohort_hear"] == ["done", None]
    assert found["review_as_trainer"][0] == "refused" and found["record_as_bob"] == ["refused", "AccessDenied"]
    assert found["sql_read"] == ["done", 0] and found["sql_reviews"] == ["done", 0]
    assert found["sql_empty"] == ["done", 0]
    assert found["sql_delete"] in (["done", 0], ["refused", "ProgrammingError"])  # no DELETE right at all
    assert found["delete_own"] == ["done", True]
    from telesales_training.storage.store import Store

    with Store(hub.store_url) as store:  # as the owner: bob's take is whole
        assert store.recordings().audio(bob["id"]) == b"\x1aE\xdf\xa3" + bytes(5000)


def test_bob_records_in_the_hub_tina_reviews_it_and_bob_sees_the_review(hub, browser, tmp_path):
    """#29 end to end on the hub: bob records lesson 08's spoken drill through a fake microphone, his take goes to
    the team store; tina hears it in her cockpit, scores it and comments at a moment; bob sees it in his drill."""
    from .. import speech_samples as samples
    from ..browser.support import CHROMIUM_ARGS, chromium_path

    microphone = samples.opening(tmp_path)
    fake = ["--use-fake-ui-for-media-stream", "--use-fake-device-for-media-stream"]
    own = browser.browser_type.launch(
        executable_path=chromium_path(), args=[*CHROMIUM_ARGS, *fake, f"--use-file-for-fake-audio-capture={microphone}"]
    )
    try:
        bob = log_in(own, hub, "bob", keep=False)
        bob.context.grant_permissions(["microphone"])
        bob.goto(f"{hub.url}user/bob/voila/render/08_phone_etiquette.ipynb")
        drill = bob.locator(".ts-tool-spoken_answering")
        drill.wait_for(timeout=LOAD_TIMEOUT)
        bob.get_by_role("button", name="English").first.click()  # whatever language bob chose in an earlier test
        expect(drill.locator(".ts-rec-start, .ts-rec-accept").first).to_be_visible()
        if drill.locator(".ts-rec-accept").is_visible():  # the notice, unless an earlier test accepted it
            drill.get_by_role("button", name="I understand, let me practise").click()
        drill.get_by_role("button", name="Start recording").click()
        expect(drill.locator(".ts-rec-meter")).to_be_visible(timeout=10_000)
        bob.wait_for_timeout(4_500)
        drill.get_by_role("button", name="Stop").click()
        drill.get_by_role("button", name="Send this take").click()
        expect(drill.locator(".ts-rec-status")).to_contain_text("Saved (take 1).", timeout=60_000)
        expect(drill.locator(".ts-spoken-figures")).to_contain_text("≤ 10 s (the course)")
    finally:
        own.close()

    tina = log_in(browser, hub, "tina")
    tina.locator(".ts-filter-summary").wait_for(timeout=LOAD_TIMEOUT)
    tina.get_by_role("tab", name="Spoken practice").click()
    choices = tina.locator(".ts-panel select").last
    expect(choices).to_contain_text("answer an inbound call")
    # (the page writes option labels with no-break spaces)
    labels = [text.replace("\xa0", " ") for text in choices.evaluate("s => [...s.options].map(o => o.text)")]
    index = next((n for n, text in enumerate(labels) if "inbound call" in text), None)
    assert index is not None and labels[index].startswith("bob · "), labels
    redrawn = choices.evaluate("(s, i) => s.selectedIndex !== i", index)
    shown_toggles = tina.locator(".ts-spoken-review .widget-toggle-buttons").first.element_handle()
    choices.select_option(index=index)
    # wait for the review of *this* take: the first take's review is on screen until the panel redraws, and its
    # new rubric buttons (new widgets) appear a moment after its new heading (a click in between went to the old)
    expect(tina.get_by_role("heading", level=4)).to_contain_text("answer an inbound call")
    expect(tina.locator("audio.ts-take-audio")).to_be_visible()
    if redrawn:
        tina.wait_for_function("old => !old.isConnected", arg=shown_toggles, timeout=LOAD_TIMEOUT)
    for n in range(4):
        levels = tina.locator(".ts-spoken-review .widget-toggle-buttons").nth(n)
        levels.get_by_role("button", name="Meets").click()
        expect(levels.locator("button.mod-active")).to_have_text("Meets")
    tina.locator(".ts-spoken-review input[type=text]").nth(0).fill("0:01")
    tina.locator(".ts-spoken-review input[type=text]").nth(1).fill("Smile on the greeting.")
    tina.get_by_role("button", name="Save and go to the next take").click()
    expect(tina.locator(".ts-panel .ts-saved")).to_contain_text("Your scores for bob are saved")
    tina.screenshot(path=str(ARTIFACTS / "team_tina_spoken_en.png"), full_page=True)
    done(tina)

    bob = log_in(browser, hub, "bob")
    bob.goto(f"{hub.url}user/bob/voila/render/08_phone_etiquette.ipynb")
    drill = bob.locator(".ts-tool-spoken_answering")
    drill.wait_for(timeout=LOAD_TIMEOUT)
    expect(drill.locator(".ts-spoken-comments")).to_contain_text("Smile on the greeting.")
    expect(drill.locator(".ts-spoken-comments")).to_contain_text("0:01")
    done(bob)


def test_the_hub_sends_learning_records_to_the_lrs(hub, lrs):
    """#30: with an LRS set up, hub-demo runs the sender as a hub service with a database role of its own; an
    answer saved in the team store arrives in the LRS as an xAPI statement, once, about its trainee and item."""
    import time

    from telesales_training.storage.store import Store

    with Store(hub.store_url) as store:
        store.ensure_trainee("alice").save_answer(L01, "recap_criteria_source", "lrs-check", 0, 1)
    wanted = f"/course/lessons/{L01}/items/recap_criteria_source"
    deadline = time.monotonic() + 90
    found: list = []
    while time.monotonic() < deadline and not found:
        found = [
            s
            for s in lrs.statements()
            if s["object"]["id"].endswith(wanted) and s["actor"]["account"]["name"] == "alice"
        ]
        if not found:
            time.sleep(2)
    assert found, f"no statement arrived; the hub log says: {hub.log.read_text()[-2000:]}"
    statement = found[0]
    assert statement["actor"]["account"]["homePage"] == hub.url.rstrip("/")
    assert statement["verb"]["id"] == "http://adlnet.gov/expapi/verbs/answered"
    ids = [s["id"] for s in lrs.statements()]
    assert len(ids) == len(set(ids))


def _git(*args: str, cwd: Path | None = None) -> None:
    subprocess.run(
        ["git", "-c", "user.name=Tina Trainer", "-c", "user.email=tina@example.com", *args],
        cwd=cwd,
        check=True,
        capture_output=True,
    )


def test_a_company_lesson_pulled_with_nbgitpuller_keeps_its_answers_through_an_update(hub, browser, tmp_path_factory):
    """#30: the trainer's own lessons in a git repository of hers; bob's link (nbgitpuller) pulls them into his home,
    his start page lists the lesson after the course's, he answers it; the trainer changes the lesson upstream, the
    same link pulls again: the new text is shown and his answer is kept."""
    import shutil
    import tempfile

    source = Path(__file__).parents[1] / "data" / "company" / "lessons"
    base = Path(tempfile.mkdtemp(prefix="telesales-company-"))
    work, bare = base / "work", base / "company-lessons.git"
    shutil.copytree(source, work / "lessons")
    _git("init", "-q", "-b", "main", str(work))
    _git("add", ".", cwd=work)
    _git("commit", "-q", "-m", "Our printing service", cwd=work)
    _git("clone", "-q", "--bare", str(work), str(bare))
    subprocess.run(["chown", "-R", "bob", str(base)], check=True)  # bob's clone reads a repository he owns
    base.chmod(0o755)
    link = (
        f"{hub.url}hub/user-redirect/git-pull?repo=file://{bare}&branch=main&targetpath=company-lessons"
        "&urlpath=voila/render/00_start_here.ipynb"
    )
    try:
        bob = log_in(browser, hub, "bob")
        bob.goto(link)
        row = bob.locator(".ts-progress-co_01_our_printers")
        row.wait_for(timeout=LOAD_TIMEOUT)
        bob.get_by_role("button", name="English").first.click()
        expect(row).to_contain_text("Our printing service")
        row.get_by_role("link").first.click()
        question = bob.locator(".ts-item-first_question")
        question.wait_for(timeout=LOAD_TIMEOUT)
        question.get_by_text("About how many pages they print a month").click()
        question.get_by_role("button", name="Submit answer").click()
        expect(question).to_contain_text("Right — the volume first.")

        lesson_file = work / "lessons" / "co_01_our_printers.yaml"
        lesson_file.write_text(lesson_file.read_text().replace("What do you ask first", "What do you ask before all"))
        subprocess.run(["chown", "-R", "root", str(base)], check=True)  # the trainer's side again
        _git("commit", "-q", "-am", "Clearer question", cwd=work)
        _git("push", "-q", str(bare), "main", cwd=work)
        subprocess.run(["chown", "-R", "bob", str(base)], check=True)

        bob.goto(link)  # the same link pulls the update
        bob.locator(".ts-progress-co_01_our_printers").wait_for(timeout=LOAD_TIMEOUT)
        bob.goto(f"{hub.url}user/bob/voila/render/company_lesson.ipynb?lesson=co_01_our_printers")
        question = bob.locator(".ts-item-first_question")
        question.wait_for(timeout=LOAD_TIMEOUT)
        expect(question).to_contain_text("What do you ask before all on the phone?")
        expect(question.locator("input[type=radio]:checked")).to_have_count(1)  # his answer, kept
        bob.screenshot(path=str(ARTIFACTS / "team_company_lesson_1280.png"), full_page=True)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    from telesales_training.storage.store import Store

    with Store(hub.store_url) as store:
        record = store.ensure_trainee("bob").latest_answers("co_01_our_printers")["first_question"]
    assert (record.value, record.score) == ("pages", 1)
