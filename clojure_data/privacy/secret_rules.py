"""Where the secrets are: spans of API keys, tokens, private keys, passwords and random strings.

What comes from ``detect-secrets`` (its plugin classes used as a library, no baseline, no
settings files, no network verification):

* every ``RegexBasedDetector`` plugin (AWS, GitHub, GitLab, Slack, Stripe, JWT, basic-auth URLs,
  npm, PyPI, OpenAI, SendGrid, Twilio, Azure, ...) found in ``detect_secrets.plugins``; we run
  their ``denylist`` patterns with ``finditer`` because the plugin API yields values, not
  positions, and a replacement needs positions. The public-IP plugin is left to the pii pass, the
  private-key plugin is replaced by a whole-block rule (it only matches the ``BEGIN`` line);
* ``Base64HighEntropyString`` / ``HexHighEntropyString``: their quoted-string regexes and Shannon
  entropy with the default limits (4.5 / 3.0);
* the heuristic filters ``is_sequential_string``, ``is_potential_uuid``, ``is_templated_secret``.

What is ours, because detect-secrets' keyword plugin knows Python/Go/YAML assignments but not
Clojure (``:api-key "..."``, ``{:db/password "..."}``, ``(def token "...")``) and its hex entropy
rule would redact every git SHA in a ``deps.edn``:

* ``KEYWORD``: a value in quotes right after a secret-sounding key (keyword, symbol, JSON/EDN key,
  ``key = "..."``). Password-like keys take any value; other keys (``token``, ``secret``,
  ``api-key``...) only values that look random (>= 8 characters, two of lower/upper/digit), so
  a parser's ``{:token "defn"}`` stays. Keys that name *about* a secret (``:password-file``,
  ``:token-type``, ``:api-key-header``) are skipped, as are values with spaces (messages such
  as ``"password must be 8 characters"``), env-var names (``"DB_PASSWORD"``), templates and
  well-known dummies (``changeme``, ``xxxx``, ``<your-token>``, anything with ``example``).
  ``(System/getenv "API_TOKEN")`` is not a literal, so it is never touched.
* ``CONFIG``: unquoted ``PASSWORD=...`` / ``api_key: ...`` at the start of a line (.env,
  properties, YAML, shell ``export``), same value rules.
* URL query passwords (``jdbc:...?user=x&password=y``), ``Authorization: Bearer <token>``, Clojars
  deploy tokens, Google API keys, Hugging Face tokens.
* ``INLINE``: an unquoted value after a key in the middle of a line, as chat and mail write them:
  ``password=hunter22``, ``--password=...``, ``pwd: ...``, ``my password is hunter22``,
  ``token: <random>``. A password needs 6+ characters with a digit, a symbol other than ``-``
  or an inner capital, and is never a dotted identifier chain or a call (``req.body.password``,
  ``getPassword()``), a hash name (``SHA-256``) or a value that names a secret itself; other
  keys need a high-entropy value (16+ characters, letters and digits, Shannon entropy >= 3.0).
  So ``:password`` keywords, ``(password-hash x)``, ``{password :password}`` and "the password
  is stored hashed" stay.
* hex high-entropy strings only on a line that names a secret (key, token, secret, password...)
  and no hash (sha, hash, digest, checksum, commit, rev...).

Every detector returns ``Span``s of the *value only*: quotes and keys stay, so replacing the span
with a placeholder keeps the code's syntax (see ``literals``).
"""

from __future__ import annotations

import importlib
import inspect
import pkgutil
import re
import string
from collections.abc import Iterator
from functools import lru_cache

from .literals import Span, is_placeholder

__all__ = ["find_secrets", "detect_secrets_version"]

_PASSWORD_KW = r"pass(?:word|wd|wort|phrase)?|pwd|contrase[ñn]a"
_SECRET_KW = (
    r"secret|api[-_]?key|apikey|access[-_]?key|private[-_]?key|secret[-_]?key|client[-_]?secret|"
    r"auth[-_]?token|access[-_]?token|refresh[-_]?token|bearer[-_]?token|token|credentials?|"
    r"auth[-_]?key|signing[-_]?key|encryption[-_]?key|master[-_]?key|session[-_]?key"
)
# a key that names something *about* the secret, not the secret itself
_ABOUT_SUFFIX = re.compile(
    r"[-_.](?:type|types|name|file|path|dir|url|uri|env|var|length|len|header|field|label|prompt|"
    r"message|msg|hint|policy|ttl|timeout|format|regex|pattern|endpoint|fn|count|size|min|max|"
    r"required|valid|validator|spec|schema|doc|help|text|placeholder|error|errors|id|ids|expiry|"
    r"expires|expires-at|expiration|created|updated|reset|confirm|confirmation|strength|hash|"
    r"hashed|digest|salt|rounds|algo|algorithm|key-id|store|provider|source)$",
    re.IGNORECASE,
)
_KEY = rf"[\w*+!?.-]*?(?:{_PASSWORD_KW}|{_SECRET_KW})[\w*+!?-]*"
_KEY_CORE = re.compile(rf"{_PASSWORD_KW}|{_SECRET_KW}")  # run on a lower-cased copy
_PLUGIN_CORE = re.compile(r"key|pw|pass|token|secret|credential")  # what keyed plugins need
_KEYWORD = re.compile(
    rf"""(?<![\w*+!?.\-/])(?P<kq>["']?)(?::{{1,2}})?(?:[\w.*+!?-]+/)?(?P<key>{_KEY})(?P=kq)
    [ \t]*(?:=>|:=|=|:|,)?[ \t]*
    (?P<q>["'])(?P<value>(?:(?!(?P=q))[^\\\n]|\\.){{1,200}})(?P=q)""",
    re.IGNORECASE | re.VERBOSE,
)
_CONFIG = re.compile(
    rf"^[ \t]*(?:export[ \t]+)?(?P<key>{_KEY})[ \t]*[=:][ \t]*(?P<value>[^\s'\"`#,;]{{3,200}})[ \t]*\r?$",
    re.IGNORECASE | re.MULTILINE,
)
_QUERY = re.compile(
    rf"[?&;](?P<key>{_PASSWORD_KW}|{_SECRET_KW})=(?P<value>[^&\s\"'#;<>)\]]{{3,200}})", re.IGNORECASE
)
# mid-line "key=value" / "key: value" (colon right after the key: "{pw :pw}" is Clojure) and
# "(my) password is value"; the value is unquoted (quoted values are _KEYWORD's)
_INLINE_VALUE = r"[`*]?(?P<value>[^\s'\"`*,;()\[\]{}<>]{3,200}?)[`*]?(?=[.,;:!?)]*(?:\s|$))"
_INLINE_KEYED = re.compile(
    rf"(?<![\w.$/:-])(?:--?)?(?P<key>{_KEY})(?:[ \t]*:?=[ \t]*|:[ \t]*){_INLINE_VALUE}", re.IGNORECASE
)
_INLINE_SAID = re.compile(
    r"\b(?P<key>password|passwd|passphrase|pwd|passcode)[ \t]+(?:is|was|will be)[ \t]*:?[ \t]+"
    + _INLINE_VALUE,
    re.IGNORECASE,
)
_NOT_A_PASSWORD = re.compile(
    r"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+|(?i:.*(?:passw|secret|token|sha-?\d|md5|bcrypt|scrypt|argon|pbkdf).*)"
)
_EXTRA: list[tuple[str, re.Pattern[str]]] = [
    ("bearer_token", re.compile(r"\bBearer[ \t]+([A-Za-z0-9\-._~+/]{20,}=*)")),
    ("clojars_token", re.compile(r"\bCLOJARS_[0-9a-f]{60}\b")),
    ("google_api_key", re.compile(r"\bAIza[0-9A-Za-z_\-]{35}\b")),
    ("huggingface_token", re.compile(r"\bhf_[A-Za-z0-9]{34,}\b")),
]
_PEM = re.compile(
    r"-----BEGIN (?P<kind>[A-Z0-9 ]*PRIVATE KEY(?: BLOCK)?)-----(?P<body>.*?)"
    r"(?:-----END (?P=kind)-----|(?=[\"'`]|\n[ \t]*\n|\Z))",
    re.DOTALL,
)
_PEM_LEAD = re.compile(r"(?:\s|\\[nr])*")
_PEM_TRAIL = re.compile(r"(?:\s|\\[nr])*\Z")
_PUTTY = re.compile(r"Private-Lines:[ \t]*\d+[ \t]*\r?\n(?P<body>(?:[A-Za-z0-9+/=]{8,}[ \t]*(?:\r?\n|\Z))+)")
_ENTROPY_LINE_SECRET = re.compile(r"key|token|secret|passw|pwd|auth|credential|signature", re.IGNORECASE)
_ENTROPY_LINE_HASH = re.compile(
    r"sha|hash|digest|checksum|commit|\brev|md5|git|uuid|fingerprint", re.IGNORECASE
)
_DUMMY = re.compile(
    r"(?:x+|\*+|\.+|-+|_+|#+|0+|1234\w*|changeme|change[-_]?it|change[-_]?me|secret|password|passwd|pass|"
    r"token|test|testing|dummy|foo|bar|baz|qux|none|null|nil|true|false|undefined|redacted|hidden|"
    r"mypassword|mysecret|s3cr3t|sekrit|abc|abc123|qwerty|letmein|admin|root|guest|user|username)",
    re.IGNORECASE,
)
_ENV_NAME = re.compile(r"[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+|\$\w+|\$\{[^}]*\}|%\w+%|#\{[^}]*\}")
_SKIP_PLUGINS = {"IPPublicDetector", "PrivateKeyDetector"}
_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)


@lru_cache(maxsize=1)
def _plugins() -> list[tuple[str, re.Pattern[str]]]:
    """(label, pattern) for every regex plugin detect-secrets ships, in a stable order."""
    import detect_secrets.plugins as pkg
    from detect_secrets.plugins.base import RegexBasedDetector

    found: list[tuple[str, re.Pattern[str]]] = []
    for info in sorted(pkgutil.iter_modules(pkg.__path__), key=lambda i: i.name):
        module = importlib.import_module(f"{pkg.__name__}.{info.name}")
        for name, cls in sorted(vars(module).items()):
            if (
                inspect.isclass(cls)
                and issubclass(cls, RegexBasedDetector)
                and cls is not RegexBasedDetector
                and cls.__module__ == module.__name__
                and name not in _SKIP_PLUGINS
            ):
                label = re.sub(r"[^a-z0-9]+", "_", str(cls.secret_type).lower()).strip("_")
                found.extend((label, pattern) for pattern in cls.denylist)  # type: ignore[attr-defined]
    return found


@lru_cache(maxsize=1)
def _entropy_plugins() -> tuple[object, object]:
    from detect_secrets.plugins.high_entropy_strings import Base64HighEntropyString, HexHighEntropyString

    return Base64HighEntropyString(), HexHighEntropyString()


def detect_secrets_version() -> str:
    from detect_secrets.__version__ import VERSION

    return str(VERSION)


def is_dummy(value: str) -> bool:
    """Values that are obviously not real secrets: templates, placeholders, documentation dummies."""
    from detect_secrets.filters.heuristic import is_sequential_string, is_templated_secret

    v = value.strip()
    return (
        len(v) < 3
        or is_placeholder(v)
        or _DUMMY.fullmatch(v) is not None
        or "example" in v.lower()
        or "your" in v.lower()
        or _ENV_NAME.fullmatch(v) is not None
        or is_templated_secret(v)
        or is_sequential_string(v)
        or len(set(v)) <= 2
    )


def looks_random(value: str) -> bool:
    """At least 8 characters mixing two of lower case, upper case and digits."""
    classes = sum(
        (any(c.islower() for c in value), any(c.isupper() for c in value), any(c.isdigit() for c in value))
    )
    return len(value) >= 8 and classes >= 2


def _keyed_value_ok(key: str, value: str, unquoted: bool) -> bool:
    if _ABOUT_SUFFIX.search(key) or is_dummy(value) or any(c.isspace() for c in value):
        return False
    if re.search(_PASSWORD_KW, key, re.IGNORECASE) and not unquoted:
        return True
    if unquoted and re.search(_PASSWORD_KW, key, re.IGNORECASE):  # prose "Password: required" stays
        return len(value) >= 6 and any(not c.islower() for c in value[1:])
    return looks_random(value)


def _keyed(text: str, lines: list[tuple[int, int]]) -> Iterator[Span]:
    """Keyed values, looked for on the candidate ``lines`` only (a key and its value are always on
    one line): case-insensitive patterns are slow in ``re``, so they see a fraction of the text."""
    for start, end in lines:
        for pattern, unquoted in ((_KEYWORD, False), (_CONFIG, True), (_QUERY, True)):
            for m in pattern.finditer(text, start, end):
                key, value = m.group("key"), m.group("value")
                if _keyed_value_ok(key, value, unquoted):
                    label = "password" if re.search(_PASSWORD_KW, key, re.IGNORECASE) else "secret_value"
                    yield Span(m.start("value"), m.end("value"), label)


def _inline(text: str, lines: list[tuple[int, int]]) -> Iterator[Span]:
    """``_INLINE_*`` values on the candidate ``lines``."""
    for start, end in lines:
        for pattern in (_INLINE_KEYED, _INLINE_SAID):
            for m in pattern.finditer(text, start, end):
                key, value = m.group("key"), m.group("value")
                if _inline_value_ok(key, value, text[m.end("value") : m.end("value") + 2]):
                    label = "password" if re.search(_PASSWORD_KW, key, re.IGNORECASE) else "secret_value"
                    yield Span(m.start("value"), m.end("value"), label)


def _inline_value_ok(key: str, value: str, after: str) -> bool:
    core = _KEY_CORE.search(key.lower())
    if core and core.start() and key[core.start() - 1].isalpha() and key[core.start()].islower():
        return False  # "bypass", "compass": the key word is part of another word
    if _ABOUT_SUFFIX.search(key) or is_dummy(value) or re.match(r"[(\[]|\.\w", after):
        return False  # a call or a field access: getPassword(), config.pw.value
    if re.search(_PASSWORD_KW, key, re.IGNORECASE):
        mixed = any(c.isdigit() or c.isupper() or not (c.isalnum() or c in "-'") for c in value[1:])
        return len(value) >= 6 and mixed and _NOT_A_PASSWORD.fullmatch(value) is None
    plugin = _entropy_plugins()[0]
    return (
        len(value) >= 16
        and re.fullmatch(r"[A-Za-z0-9_\-+/=]+", value) is not None
        and any(c.isdigit() for c in value)
        and any(c.isalpha() for c in value)
        and plugin.calculate_shannon_entropy(value) >= 3.0  # type: ignore[attr-defined]
    )


def _candidate_lines(text: str, lowered: str, core: re.Pattern[str]) -> list[tuple[int, int]]:
    """The lines of ``text`` where ``core`` (lower-case, case-sensitive: fast) matches ``lowered``."""
    lines: list[tuple[int, int]] = []
    for m in core.finditer(lowered):
        if lines and m.start() < lines[-1][1]:
            continue
        start = text.rfind("\n", 0, m.start()) + 1
        end = text.find("\n", m.end())
        lines.append((start, len(text) if end < 0 else end))
    return lines


def _plugin_matches(text: str, lines: list[tuple[int, int]]) -> Iterator[Span]:
    """Plugin patterns; the slow case-insensitive ones that need a key word (``aws...key = "..."``,
    cloudant, IBM, SoftLayer assignments) only on the candidate ``lines``."""
    whole = [(0, len(text))]
    for label, pattern in [*_plugins(), *_EXTRA]:
        keyed = pattern.flags & re.IGNORECASE and _PLUGIN_CORE.search(pattern.pattern.lower())
        for start, end in lines if keyed else whole:
            yield from _plugin_spans(text, label, pattern, start, end)


def _plugin_spans(text: str, label: str, pattern: re.Pattern[str], pos: int, endpos: int) -> Iterator[Span]:
    for m in pattern.finditer(text, pos, endpos):
        start, end = _value_span(m)
        if label == "json_web_token":  # its lazy pattern stops before the signature
            while end < len(text) and (text[end].isalnum() or text[end] in "-_.+/="):
                end += 1
        while start < end and text[start] in " \t\r\n=:\"'":
            start += 1
        while end > start and text[end - 1] in " \t\r\n=:\"'":
            end -= 1
        value = text[start:end]
        if end - start < 4 or is_dummy(value):
            continue
        if label == "artifactory_credentials" and not any(c.isdigit() for c in value):
            continue  # its "AP[0-9A-F]..." pattern also matches shouted words (APEXLEGENDS)
        yield Span(start, end, label)


def _value_span(m: re.Match[str]) -> tuple[int, int]:
    """The value a plugin pattern found: its first capture group when that group is the value
    (basic auth's password, AWS's secret key), the whole match when the group is only a prefix
    alternation (GitHub's ``(ghp|gho|...)_...``)."""
    groups = [i for i in range(1, (m.re.groups or 0) + 1) if m.group(i)]
    if not groups or m.start(groups[0]) == m.start() and m.end(groups[0]) < m.end():
        return m.span()
    return m.start(groups[0]), m.end(groups[0])


def _private_keys(text: str) -> Iterator[Span]:
    """The body of a PEM block (header and footer stay, so the text still says what it was)."""
    for m in _PEM.finditer(text):
        start, end = m.span("body")
        body = m.group("body")
        lead = _PEM_LEAD.match(body)
        trail = _PEM_TRAIL.search(body)
        core_start = start + (lead.end() if lead else 0)
        core_end = start + (trail.start() if trail else len(body))
        if core_start < core_end:
            yield Span(core_start, core_end, "private_key")
    for m in _PUTTY.finditer(text):
        body = m.group("body").rstrip()
        yield Span(m.start("body"), m.start("body") + len(body), "private_key")


def _high_entropy(text: str) -> Iterator[Span]:
    from detect_secrets.filters.heuristic import is_potential_uuid

    b64, hexa = _entropy_plugins()
    for plugin, label in ((b64, "high_entropy_string"), (hexa, "high_entropy_hex")):
        for m in plugin.regex.finditer(text):  # type: ignore[attr-defined]
            value = m.group(2)
            if len(value) < 20 or is_dummy(value) or is_potential_uuid(value):
                continue
            if plugin.calculate_shannon_entropy(value) <= plugin.entropy_limit:  # type: ignore[attr-defined]
                continue
            if label == "high_entropy_string" and not (any(c.isdigit() for c in value) and value[:1] != "/"):
                continue  # long CamelCase names and paths are not keys; random base64 has digits
            if label == "high_entropy_hex" and not _secret_line(text, m.start()):
                continue
            yield Span(m.start(2), m.end(2), label)


def _secret_line(text: str, pos: int) -> bool:
    line = text[text.rfind("\n", 0, pos) + 1 : (text.find("\n", pos) + 1 or len(text) + 1) - 1]
    return _ENTROPY_LINE_SECRET.search(line) is not None and _ENTROPY_LINE_HASH.search(line) is None


def _merge(spans: list[Span]) -> list[Span]:
    """Overlapping detections become one span covering them all, labelled by the detector that
    comes first in ``find_secrets`` (specific plugins before keys before entropy)."""
    ranked = sorted(enumerate(spans), key=lambda r: (r[1].start, r[1].end))
    merged: list[tuple[int, Span]] = []
    for rank, span in ranked:
        if merged and span.start < merged[-1][1].end:
            best, last = merged[-1]
            label = last.label if best <= rank else span.label
            merged[-1] = (min(best, rank), Span(last.start, max(last.end, span.end), label))
        else:
            merged.append((rank, span))
    return [span for _, span in merged]


def find_secrets(text: str) -> list[Span]:
    """Secret spans in ``text``, in order, not overlapping."""
    lowered = text.lower()
    if len(lowered) != len(text):  # a character that lower-cases to two ("İ"): keep offsets
        lowered = text.translate(_ASCII_LOWER)
    spans = [
        *_private_keys(text),
        *_plugin_matches(text, _candidate_lines(text, lowered, _PLUGIN_CORE)),
        *_keyed(text, _candidate_lines(text, lowered, _KEY_CORE)),
        *_inline(text, _candidate_lines(text, lowered, _KEY_CORE)),
        *_high_entropy(text),
    ]
    return _merge([s for s in spans if not is_placeholder(text[s.start : s.end])])
