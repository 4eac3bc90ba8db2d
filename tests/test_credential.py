"""#26: the certificate as an Open Badges 3.0 VC-JWT — signed with the organisation's key, verified offline with its
public key; a tampered, expired, revoked, foreign-signed or unsigned credential fails, each for its own reason."""

from __future__ import annotations

import base64
import json
from datetime import datetime, timedelta, timezone

import pytest
from joserfc.jwk import RSAKey

from telesales_training.course import credential as vc

ISSUER = vc.Issuer("https://training.example.com", "Example Call Centre")
ISSUED = datetime(2030, 3, 4, 2, 0, tzinfo=timezone.utc)
AWARD = vc.Award(
    trainee_id="alice",
    trainee_name="Alice 王",
    achievement={"zh-CN": "电话销售结业认证", "en": "Telesales certification"},
    description={"zh-CN": "通过结业考试和培训师审核", "en": "Passed the exam and the trainer's audit"},
    criteria={"zh-CN": "考试 ≥ 80 %，培训师签核", "en": "Exam ≥ 80 % and the trainer's sign-off"},
    evidence="exam 89 % (pass mark 80 %); call-quality audit 86 % over 3 calls; signed off by tina",
    issued_at=ISSUED,
    expires_at=ISSUED + timedelta(days=365),
)


@pytest.fixture(scope="module")
def key(tmp_path_factory):
    return vc.generate_key(tmp_path_factory.mktemp("keys") / "signing.pem")


@pytest.fixture(scope="module")
def public(key):
    return RSAKey.import_key(vc.public_jwk(key))


def _b64(data: dict) -> str:
    return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()


def _payload(token: str) -> dict:
    part = token.split(".")[1]
    return json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))


def test_a_signed_credential_is_an_open_badge_and_verifies_offline(key, public):
    document = vc.credential(ISSUER, AWARD)
    token = vc.sign(document, key)
    payload = _payload(token)
    assert payload["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert payload["@context"][0] == "https://www.w3.org/ns/credentials/v2"
    assert payload["iss"] == ISSUER.id and payload["jti"] == document["id"] and payload["sub"].startswith(ISSUER.id)
    assert payload["credentialSubject"]["achievement"]["criteria"]["narrative"]
    assert payload["credentialStatus"]["type"] == "1EdTechRevocationList"
    verified = vc.verify(token, public, ISSUED + timedelta(days=10))
    assert verified.holder == "Alice 王" and verified.id == document["id"]
    assert verified.expires == ISSUED + timedelta(days=365)


def test_a_tampered_credential_fails_on_its_signature(key, public):
    token = vc.sign(vc.credential(ISSUER, AWARD), key)
    header, _payload_part, signature = token.split(".")
    changed = _payload(token)
    changed["credentialSubject"]["name"] = "Mallory"
    with pytest.raises(vc.CredentialInvalid) as failed:
        vc.verify(".".join([header, _b64(changed), signature]), public, ISSUED + timedelta(days=1))
    assert failed.value.reason == "signature"


def test_a_credential_signed_with_another_key_or_none_fails(key, public, tmp_path):
    other = vc.generate_key(tmp_path / "other.pem")
    forged = vc.sign(vc.credential(ISSUER, AWARD), other)
    with pytest.raises(vc.CredentialInvalid) as failed:
        vc.verify(forged, public, ISSUED + timedelta(days=1))
    assert failed.value.reason == "signature"
    unsigned = ".".join([_b64({"alg": "none", "typ": "JWT"}), _b64(_payload(forged)), ""])
    with pytest.raises(vc.CredentialInvalid):
        vc.verify(unsigned, public, ISSUED + timedelta(days=1))
    # a token carrying its own key in the header is still checked against the organisation's key only
    from joserfc import jwt

    claims = _payload(forged)
    embedded = jwt.encode({"alg": "RS256", "typ": "JWT", "jwk": vc.public_jwk(other)}, claims, other)
    with pytest.raises(vc.CredentialInvalid):
        vc.verify(embedded, public, ISSUED + timedelta(days=1))
    for junk in ("", "abc", "a.b.c", "x" * 200_000):
        with pytest.raises(vc.CredentialInvalid) as failed:
            vc.verify(junk, public, ISSUED)
        assert failed.value.reason in ("malformed", "signature")


def test_an_expired_or_not_yet_valid_credential_fails(key, public):
    token = vc.sign(vc.credential(ISSUER, AWARD), key)
    with pytest.raises(vc.CredentialInvalid) as failed:
        vc.verify(token, public, ISSUED + timedelta(days=365))
    assert failed.value.reason == "expired"
    with pytest.raises(vc.CredentialInvalid) as failed:
        vc.verify(token, public, ISSUED - timedelta(days=1))
    assert failed.value.reason == "not_yet_valid"
    assert vc.verify(token, public, ISSUED + timedelta(days=364, hours=23)).id


def test_a_revoked_credential_fails_and_only_a_list_signed_by_the_organisation_counts(key, public, tmp_path):
    document = vc.credential(ISSUER, AWARD)
    token = vc.sign(document, key)
    listed = vc.revocation_list(ISSUER, [document["id"], "urn:uuid:other"], key, ISSUED + timedelta(days=2))
    revoked = vc.read_revocations(listed, public, ISSUER.id)
    with pytest.raises(vc.CredentialInvalid) as failed:
        vc.verify(token, public, ISSUED + timedelta(days=3), revoked)
    assert failed.value.reason == "revoked"
    forged_list = vc.revocation_list(ISSUER, [], vc.generate_key(tmp_path / "x.pem"), ISSUED)
    with pytest.raises(vc.CredentialInvalid) as failed:
        vc.read_revocations(forged_list, public, ISSUER.id)
    assert failed.value.reason == "list_invalid"
    with pytest.raises(vc.CredentialInvalid):  # a credential is not a revocation list
        vc.read_revocations(token, public, ISSUER.id)
    with pytest.raises(vc.CredentialInvalid):  # another issuer's list
        vc.read_revocations(listed, public, "https://elsewhere.example.com")


def test_claims_that_disagree_with_the_credential_fail(key, public):
    document = vc.credential(ISSUER, AWARD)
    from joserfc import jwt

    claims = {**document, "iss": "https://elsewhere", "sub": document["credentialSubject"]["id"], "jti": document["id"]}
    claims.update(nbf=int(ISSUED.timestamp()), exp=int(AWARD.expires_at.timestamp()))
    token = jwt.encode({"alg": "RS256", "typ": "JWT"}, claims, key)
    with pytest.raises(vc.CredentialInvalid) as failed:
        vc.verify(token, public, ISSUED + timedelta(days=1))
    assert failed.value.reason == "not_a_badge"


def test_a_signing_key_is_the_owners_alone(tmp_path):
    path = tmp_path / "signing.pem"
    first = vc.signing_key(path)
    assert path.stat().st_mode & 0o777 == 0o600
    assert vc.signing_key(path).thumbprint() == first.thumbprint()  # made once, then read
    path.chmod(0o644)
    with pytest.raises(PermissionError):
        vc.load_key(path)
    public_file = tmp_path / "org.jwk.json"
    public_file.write_text(json.dumps(vc.public_jwk(first)))
    assert not vc.load_key(public_file).is_private


def test_telesales_certificate_verify_says_valid_or_why_not(key, tmp_path, monkeypatch):
    from typer.testing import CliRunner

    from telesales_training.web.cli import app

    document = vc.credential(ISSUER, AWARD)
    good = tmp_path / "alice.jwt"
    good.write_text(vc.sign(document, key))
    public = tmp_path / "org.jwk.json"
    public.write_text(json.dumps(vc.public_jwk(key)))
    revoked = tmp_path / "revoked.jwt"
    revoked.write_text(vc.revocation_list(ISSUER, [document["id"]], key, ISSUED + timedelta(days=1)))
    header, _body, signature = good.read_text().split(".")
    changed = _payload(good.read_text())
    changed["credentialSubject"]["name"] = "Mallory"
    tampered = tmp_path / "tampered.jwt"
    tampered.write_text(".".join([header, _b64(changed), signature]))
    runner = CliRunner()

    def run(*args, at="2030-06-01T10:00"):
        monkeypatch.setenv("TELESALES_CLOCK", at)
        return runner.invoke(app, ["certificate", "verify", *map(str, args)])

    done = run(good, "--key", public)
    assert done.exit_code == 0 and "valid: Alice 王" in done.output and "revocation not checked" in done.output
    done = run(tampered, "--key", public)
    assert done.exit_code == 1 and "signature does not match" in done.output
    done = run(good, "--key", public, "--revocations", revoked)
    assert done.exit_code == 1 and "revoked" in done.output
    done = run(good, "--key", public, at="2031-06-01T10:00")
    assert done.exit_code == 1 and "expired" in done.output
    done = run(good, "--key", public, "--revocations", good)  # a credential given as the list
    assert done.exit_code == 1 and "revocation list is not the organisation's" in done.output
    monkeypatch.delenv("TELESALES_SIGNING_KEY", raising=False)
    done = run(good)
    assert done.exit_code == 2 and "--key" in done.output
    assert "Traceback" not in done.output


def test_the_printable_page_shows_the_credential_in_both_languages_and_escapes_the_holder(key):
    from telesales_training.course import content
    from telesales_training.render.certificate import certificate_page

    tool = content.load_lesson("09_self_assessment").block("certification_exam")
    hostile = vc.Award(**{**AWARD.__dict__, "trainee_name": "<script>x()</script>Alice"})
    token = vc.sign(vc.credential(ISSUER, hostile), key)
    for lang in ("zh-CN", "en"):
        page = certificate_page(token, tool, lang)
        assert page.startswith("<!DOCTYPE html>") and f'lang="{lang}"' in page
        assert "电话销售结业认证" in page and "Telesales certification" in page  # both names, either page
        assert "&lt;script&gt;x()&lt;/script&gt;Alice" in page and "<script>x()" not in page
        assert "signed off by tina" in page and token in page and "2031-03" in page
    zh = certificate_page(token, tool, "zh-CN")
    assert zh.index("电话销售结业认证") < zh.index("Telesales certification")  # the page's language first
    with pytest.raises(vc.CredentialInvalid):
        certificate_page("not-a-token", tool, "en")
