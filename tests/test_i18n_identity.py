import pytest

from telesales_training.core import i18n
from telesales_training.storage import identity


def test_traditional_is_derived_from_simplified():
    assert i18n.to_traditional("以客户为中心的电话销售") == "以客戶為中心的電話行銷"
    assert i18n.pick({"zh-CN": "评估", "en": "Evaluation"}, "zh-TW") == "評估"
    assert i18n.pick({"zh-CN": "评估", "en": "Evaluation"}, "en") == "Evaluation"
    assert i18n.pick({"zh-CN": "软件", "en": "x", "zh-TW": "手寫"}, "zh-TW") == "手寫"


def test_locale_spellings_and_default(monkeypatch):
    assert i18n.normalise_locale("zh_cn") == "zh-CN"
    assert i18n.normalise_locale("EN") == "en"
    with pytest.raises(i18n.UnknownLocale):
        i18n.normalise_locale("fr")
    monkeypatch.delenv("TELESALES_LANG", raising=False)
    assert i18n.default_locale() == "zh-CN"
    monkeypatch.setenv("TELESALES_LANG", "en")
    assert i18n.default_locale() == "en"
    monkeypatch.setenv("TELESALES_LANG", "klingon")
    assert i18n.default_locale() == "zh-CN"


def test_identity_order(store):
    identity.remember_local_trainee(store, "  Local  Name ")
    assert identity.resolve_trainee(store, env={}) == "Local Name"
    assert identity.resolve_trainee(store, env={"TELESALES_TRAINEE": "env-user"}) == "env-user"
    both = {"TELESALES_TRAINEE": "env-user", "JUPYTERHUB_USER": "hub-user"}
    assert identity.resolve_trainee(store, env=both) == "hub-user"
    assert identity.resolve_trainee(None, env={}) is None


def test_a_name_in_the_page_link_picks_the_trainee_except_on_the_hub(store):
    identity.remember_local_trainee(store, "Local Name")
    link = {"QUERY_STRING": "trainee=%E7%8E%8B%E5%B0%8F%E6%98%8E&lang=en", "TELESALES_TRAINEE": "env-user"}
    assert identity.resolve_trainee(store, env=link) == "王小明"
    assert identity.link_suffix(link) == "?trainee=%E7%8E%8B%E5%B0%8F%E6%98%8E"
    assert identity.resolve_trainee(store, env={"QUERY_STRING": "trainee=+Ann++Lee+"}) == "Ann Lee"  # cleaned
    assert identity.resolve_trainee(store, env={"QUERY_STRING": "lang=en"}) == "Local Name"
    on_hub = {**link, "JUPYTERHUB_USER": "hub-user"}
    assert identity.resolve_trainee(store, env=on_hub) == "hub-user"
    assert identity.link_suffix(on_hub) == ""
    bad = {"QUERY_STRING": "trainee=%3Cscript%3E"}
    with pytest.raises(identity.InvalidName) as problem:
        identity.resolve_trainee(store, env=bad)
    assert problem.value.code == "name_bad_chars"
    assert identity.link_suffix(bad) == ""


def test_a_page_opened_with_a_bad_name_in_its_link_asks_for_a_name(store, ui, monkeypatch):
    from telesales_training.web.app import WorkbookPage

    monkeypatch.setenv("QUERY_STRING", "trainee=" + "x" * 41)
    monkeypatch.delenv("TELESALES_TRAINEE", raising=False)
    page = WorkbookPage(store, ui, {"zh-CN": "标题", "en": "Title"}, lambda trainee, lang: None)
    assert page.trainee is None
    assert "名字太长" in page.name_form.message.value
    assert store.trainee_ids() == []  # nobody was created from the link


@pytest.mark.parametrize(
    "raw, code",
    [("", "name_empty"), ("   ", "name_empty"), ("x" * 41, "name_too_long"), ("<script>", "name_bad_chars")],
)
def test_bad_names(raw, code):
    with pytest.raises(identity.InvalidName) as problem:
        identity.clean_name(raw)
    assert problem.value.code == code


def test_good_names():
    assert identity.clean_name("王小明") == "王小明"
    assert identity.clean_name("anna.lee@corp") == "anna.lee@corp"
