"""The secrets pass: every secret type found and replaced, code still parsing, the rest untouched."""

from __future__ import annotations

import glob
import json
import time
import zipfile
from pathlib import Path

import pytest

from clojure_data.passes.secrets import SecretsPass, redact_secrets
from clojure_data.privacy.literals import Placeholders, clojure_parses
from clojure_data.privacy.secret_rules import find_secrets
from clojure_data.record import make_record, message

REALDATA = Path(__file__).resolve().parents[2].parent / "shared" / "realdata"

# (label, text, the secret value) -- every value here is fake, made up for the test
CASES = [
    ("aws_access_key", '{:access-key-id "AKIAZ3MSJV4WWNKWW5FG"}', "AKIAZ3MSJV4WWNKWW5FG"),
    (
        "aws_access_key",
        '(def creds {:aws-secret-access-key "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEKEY3v8Kq"})',
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEKEY3v8Kq",
    ),
    (
        "github_token",
        "my token is ghp_16C7e42F292c6912E7710c838347Ae178B4a oops",
        "ghp_16C7e42F292c6912E7710c838347Ae178B4a",
    ),
    (
        "slack_token",
        '(def bot "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx")',
        "xoxb-123456789012-1234567890123-AbCdEfGhIjKlMnOpQrStUvWx",
    ),
    ("stripe_access_key", "stripe key sk_live_4eC39HqLyjWDarjtT1zdp7dc", "sk_live_4eC39HqLyjWDarjtT1zdp7dc"),
    (
        "json_web_token",
        "Authorization: eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
        "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0In0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U",
    ),
    (
        "basic_auth_credentials",
        '(jdbc/get-connection "postgresql://admin:Sup3rS3cret9@db.internal:5432/app")',
        "Sup3rS3cret9",
    ),
    ("password", "jdbc:mysql://localhost/db?user=bob&password=Tr0ub4dor3", "Tr0ub4dor3"),
    ("password", '{:db {:dbtype "postgres" :password "hunter22"}}', "hunter22"),
    ("password", '(def db-password "correct-h0rse")', "correct-h0rse"),
    ("password", "DB_PASSWORD=pa55w0rdX", "pa55w0rdX"),
    ("secret_value", "export API_KEY=AbCd1234EfGh5678", "AbCd1234EfGh5678"),
    ("secret_value", '{:client-secret "q8ZtR2vLw9XkP3mN"}', "q8ZtR2vLw9XkP3mN"),
    ("secret_value", '{"api_key": "Zx81Kq02Lm93Nb74"}', "Zx81Kq02Lm93Nb74"),
    ("clojars_token", "CLOJARS_" + "0a1b2c3d4e5f" * 5, "CLOJARS_" + "0a1b2c3d4e5f" * 5),
    (
        "google_api_key",
        "key=AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q",
        "AIzaSyA1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q",
    ),
    (
        "high_entropy_string",
        '(def s "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z")',
        "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z",
    ),
    (
        "high_entropy_hex",
        '(def signing-key "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b")',
        "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b",
    ),
]

PEM_BODY = "MIIEowIBAAKCAQEA1234abcdEFGH\\nQWERTYzxcv5678ijklMNOP=="
PEM = f'(def k "-----BEGIN RSA PRIVATE KEY-----\\n{PEM_BODY}\\n-----END RSA PRIVATE KEY-----")'

NOT_SECRETS = [
    '(def token (System/getenv "API_TOKEN"))',
    '{:deps {io.github.foo/bar {:git/sha "a1b2c3d4e5f60718293a4b5c6d7e8f9012345678"}}}',
    '{:token "defn" :type :symbol}',
    '{:password-file "/etc/app/pw" :token-type "bearer"}',
    '{:password "" :secret "<your-secret>" :api-key "YOUR_API_KEY" :pass "changeme"}',
    '{:password "must be at least 8 characters"}',
    "Password: required\nToken: see the docs",
    '{:id "550e8400-e29b-41d4-a716-446655440000"}',
    '(def class-name "AbstractSingletonProxyFactoryBeanImplementation")',
    '{:aws/access-key-id "AKIAIOSFODNN7EXAMPLE"}',
    '(clojure.string/split s #",") ; localhost:8080 and java.net.URI',
    "The secret to good Clojure is small functions.",
]


@pytest.mark.parametrize(("label", "text", "value"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_each_secret_type_is_found_and_replaced(label: str, text: str, value: str) -> None:
    spans = find_secrets(text)
    assert any(text[s.start : s.end] == value for s in spans), [
        (s.label, text[s.start : s.end]) for s in spans
    ]
    out = redact_secrets(text)
    assert value not in out
    assert "REDACTED_" in out
    if label != "high_entropy_hex":  # more specific types win an overlap
        assert f"REDACTED_{label.upper()}_1" in out


def test_private_key_block_body_is_replaced_in_a_string_literal() -> None:
    out = redact_secrets(PEM)
    assert "MIIE" not in out and "QWERTY" not in out
    expected = "-----BEGIN RSA PRIVATE KEY-----\\nREDACTED_PRIVATE_KEY_1\\n-----END RSA PRIVATE KEY-----"
    assert out == f'(def k "{expected}")'
    assert clojure_parses(PEM) and clojure_parses(out)


def test_truncated_private_key_in_prose() -> None:
    text = (
        "my key:\n-----BEGIN OPENSSH PRIVATE KEY-----\n"
        "b3BlbnNzaC1rZXktdjEAAAAA\nAAAABG5vbmUAAAAEbm9uZQ\n\nthanks"
    )
    out = redact_secrets(text)
    assert "b3Blbn" not in out and "AAAABG5v" not in out and out.endswith("\n\nthanks")


@pytest.mark.parametrize("text", NOT_SECRETS)
def test_things_that_are_not_secrets_stay(text: str) -> None:
    assert find_secrets(text) == []
    assert redact_secrets(text) == text


def test_same_value_same_placeholder_within_a_record() -> None:
    holder = Placeholders()
    text = '{:password "hunter22"} {:password "hunter22"} {:password "other-pw1"}'
    out = redact_secrets(text, holder)
    assert out.count("REDACTED_PASSWORD_1") == 2 and out.count("REDACTED_PASSWORD_2") == 1
    assert redact_secrets('{:pwd "hunter22"}', holder) == '{:pwd "REDACTED_PASSWORD_1"}'


def thread(text: str, messages: list[str] | None = None) -> object:
    msgs = [message("A", t) for t in (messages or [])]
    return make_record("t1", text, source="test", kind="thread", title="question", messages=msgs)


def test_pass_replaces_in_text_and_messages_counts_types_never_values() -> None:
    body = (
        'Here is my config:\n\n```clojure\n(def config {:db {:password "hunter22"}\n'
        '  :token "ghp_16C7e42F292c6912E7710c838347Ae178B4a"})\n```\n'
    )
    doc = thread("From: A\n\n" + body, [body])
    p = SecretsPass()
    (out,) = list(p.apply([doc]))
    assert "hunter22" not in out.text and "ghp_16C7" not in out.text
    assert "hunter22" not in out.metadata["messages"][0]["text"]
    report = p.report()
    assert report["changed"] == 1
    assert report["counts"]["password"] == 1 and report["counts"]["github_token"] == 1
    assert report["counts"]["code_blocks_changed"] == 1 and "code_parse_broken" not in report["counts"]
    assert "hunter22" not in json.dumps(report)


CLOJURE_WITH_SECRETS = """(ns app.config
  (:require [clojure.string :as str]))

(def db {:dbtype "postgresql" :host "db.internal" :user "app"
         :password "hunter22" ; do not commit
         :jdbcUrl "jdbc:postgresql://app:Sup3rS3cret9@db.internal/app?password=Tr0ub4dor3"})

(defn client [] {:api-key "sk_live_4eC39HqLyjWDarjtT1zdp7dc"
                 :aws {:access-key "AKIAZ3MSJV4WWNKWW5FG"
                       :secret-key "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"}
                 :pem "-----BEGIN PRIVATE KEY-----
MIIEvQIBADANBgkqhkiG9w0BAQEFAASC
-----END PRIVATE KEY-----"})
"""


def test_code_still_parses_after_replacement() -> None:
    assert clojure_parses(CLOJURE_WITH_SECRETS)
    for kind, text in (
        ("code_file", CLOJURE_WITH_SECRETS),
        ("thread", f"see\n\n```\n{CLOJURE_WITH_SECRETS}```\n"),
    ):
        doc = make_record("f", text, source="test", kind=kind)
        p = SecretsPass()
        (out,) = list(p.apply([doc]))
        for value in (
            "hunter22",
            "Sup3rS3cret9",
            "Tr0ub4dor3",
            "sk_live_",
            "AKIAZ3MS",
            "wJalrXUt",
            "MIIEvQIB",
        ):
            assert value not in out.text, (kind, value)
        body = out.text if kind == "code_file" else out.text.split("```\n")[1]
        assert clojure_parses(body), out.text
        assert "code_parse_broken" not in p.report()["counts"]


def test_records_without_secrets_stay_byte_identical() -> None:
    code = '(defn f [x] {:token "defn" :sha "a1b2c3d4e5f60718293a4b5c"})'
    text = f"How do I\u00a0do this? 🙂 Привет\n\n```clojure\n{code}\n```\n"
    doc = thread(text, [text])
    p = SecretsPass()
    (out,) = list(p.apply([doc]))
    assert out.text == text and out.metadata["messages"][0]["text"] == text
    assert p.report()["kept"] == 1 and p.report()["counts"] == {}


def test_second_run_changes_nothing() -> None:
    once = redact_secrets(CLOJURE_WITH_SECRETS)
    assert redact_secrets(once) == once


def test_high_entropy_can_be_switched_off() -> None:
    text = '(def s "aB3dE5fG7hJ9kL1mN3pQ5rS7tU9vW1xY3z")'
    (out,) = list(SecretsPass(high_entropy=False).apply([thread(text)]))
    assert out.text == text


def test_hostile_inputs_are_fast_and_survive() -> None:
    line = ("lorem ipsum 🙂 αβγ password token key secret =:\"' " * 25_000)[:1_000_000]
    start = time.perf_counter()
    find_secrets(line)
    find_secrets("a" * 1_000_000)
    find_secrets('"' + "x" * 999_998 + '"')
    assert time.perf_counter() - start < 20
    doc = thread("🙂" * 10 + ' {:password "hunter22"} ' + "Ⅻ" * 10)
    (out,) = list(SecretsPass().apply([doc]))
    assert out.text == "🙂" * 10 + ' {:password "REDACTED_PASSWORD_1"} ' + "Ⅻ" * 10


def _real_clojure_sources() -> list[str]:
    texts = []
    for jar in sorted(glob.glob("/usr/share/java/*.jar")):
        with zipfile.ZipFile(jar) as z:
            texts += [
                z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith((".clj", ".cljc"))
            ]
    return list(dict.fromkeys(texts))


def test_no_false_positives_on_real_clojure_code() -> None:
    texts = _real_clojure_sources()
    if len(texts) < 20:
        pytest.skip("no Debian *-clojure packages installed (apt-get install libclojure-java ...)")
    hits = [(t[s.start : s.end], s.label) for t in texts for s in find_secrets(t)]
    assert hits == []


def test_no_false_positives_on_real_slack_messages() -> None:
    logs = sorted((REALDATA / "clojurians" / "logs").glob("*.txt"))
    if not logs:
        pytest.skip("../shared/realdata is absent")
    texts = []
    for path in logs:
        for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                continue
            if isinstance(event, dict) and isinstance(event.get("text"), str):
                texts.append(event["text"])
    assert len(texts) > 1000
    assert [s for t in texts for s in find_secrets(t)] == []


# -- secrets in the middle of a chat line --------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("so I log in with password=hunter22 then it fails", "hunter22"),
        ("my password is hunter22.", "hunter22"),
        ("the wifi password was: Lisp9101& sorry", "Lisp9101&"),
        ("user admin, pwd: S3cretSauce ok", "S3cretSauce"),
        ("run mysql -u root --password=Tr0ub4dor3 first", "Tr0ub4dor3"),
        ("my password is `clojure2500#` lol", "clojure2500#"),
        ("the CI uses token: 3hGMDpy4DE9u2762 for deploys", "3hGMDpy4DE9u2762"),
    ],
)
def test_inline_secrets_in_prose_are_replaced(text: str, value: str) -> None:
    out = redact_secrets(text)
    assert value not in out and "REDACTED_" in out
    assert out.replace("REDACTED_PASSWORD_1", "X").replace("REDACTED_SECRET_VALUE_1", "X") == text.replace(
        value, "X"
    )


@pytest.mark.parametrize(
    "text",
    [
        "so the password is stored hashed",
        "(password-hash x)",
        "(let [{password :user/password} m] password)",
        "(select-keys user [:password :email])",
        "so password: req.body.password here",
        "so password = getPassword() here",
        "so password: String, here",
        "the password is SHA-256 hashed",
        "the password is bcrypt-hashed",
        "so password is 8 characters",
        "so password=${DB_PASS} here",
        "so token: ClojureScript here",
        "the secret is ClojureScript2 macros",
        "the pass is 3xfaster",
        "so bypass: Abc123xyz here",
        "so password: process.env.DB_PASS here",
    ],
)
def test_inline_look_alikes_stay(text: str) -> None:
    assert redact_secrets(text) == text
