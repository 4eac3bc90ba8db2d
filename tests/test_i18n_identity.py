import pytest

from telesales_training import i18n, identity


def test_traditional_is_derived_from_simplified():
    assert i18n.to_traditional("以客户为中心的电话销售") == "以客戶為中心的電話銷售"
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


@pytest.mark.parametrize("raw, code", [("", "name_empty"), ("   ", "name_empty"),
                                       ("x" * 41, "name_too_long"), ("<script>", "name_bad_chars")])
def test_bad_names(raw, code):
    with pytest.raises(identity.InvalidName) as problem:
        identity.clean_name(raw)
    assert problem.value.code == code


def test_good_names():
    assert identity.clean_name("王小明") == "王小明"
    assert identity.clean_name("anna.lee@corp") == "anna.lee@corp"
