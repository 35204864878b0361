"""Planted-PII generator for the leak benchmark: realistic Clojure chat with known ground truth.

Every record is a few chat sentences and code blocks. Some sentences and code literals carry a
planted value made by Faker (seeded, so a seed gives the same set on every machine); the rest is
filler with no personal data (prose about Clojure and PII-free code blocks), which must come out
unchanged. Each record lists what was planted where, what must survive (allowlisted authors,
private IPs, project addresses, technical strings that look like PII) and which code blocks are
PII-free.

Planted types and sources (Faker providers; several locales so shapes vary):

* PERSON: ``first_name() + last_name()`` from 12 locales (no titles); EMAIL_ADDRESS: ``email()``;
* PHONE_NUMBER: ``phone_number()`` from 10 locales; CREDIT_CARD: ``credit_card_number()`` of each
  card type; IBAN_CODE: ``iban()``; IP_ADDRESS: ``ipv4_public()`` and global ``ipv6()``;
* NATIONAL_ID: locales whose Faker ids pass the official checks (US/CA SSN/SIN, IT codice
  fiscale, ES NIF/NIE, PL PESEL, FI HETU, SE personnummer, TR kimlik). Faker's en_GB, en_IN,
  ko_KR and th_TH ids fail their checksum/prefix rules (``ZZ`` NINOs), so they are not ids;
* STREET_ADDRESS: ``street_address()`` (+ city line) from 7 locales; SOCIAL_HANDLE: ``@user_name()``
  and GitHub/Twitter/Mastodon profile URLs; EMPLOYER: ``company()`` after "I work at"-style cues;
* SECRET: AWS access keys, GitHub tokens and ``:password`` values in EDN (for the secrets pass);
* DISGUISED_EMAIL: a Faker ``email()`` as list archives disguise it: ``john(at)smith(dot)com``,
  ``john [at] smith [dot] com``, ``john at smith dot com``, ``john @ smith . com``,
  ``john-AT-smith.com``, pipermail's ``john at smith.com`` (in ``From:``/``<...>``/``wrote:``
  context); in code only the bracketed and shouted forms;
* INLINE_SECRET: a password or token in the middle of a chat line (``password=...``,
  ``my password is ...``, ``pwd: ...``, ``token: <random>``), for the secrets pass.
"""

from __future__ import annotations

import ipaddress
import random
import string
from dataclasses import dataclass, field

from faker import Faker

NAME_LOCALES = [
    "en_US",
    "en_GB",
    "de_DE",
    "fr_FR",
    "es_ES",
    "it_IT",
    "pt_BR",
    "pl_PL",
    "nl_NL",
    "sv_SE",
    "tr_TR",
    "en_IN",
]
PHONE_LOCALES = ["en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "it_IT", "pt_BR", "pl_PL", "nl_NL", "en_AU"]
ADDRESS_LOCALES = ["en_US", "en_GB", "de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL"]
ID_SOURCES = [
    ("en_US", "ssn"),
    ("en_CA", "ssn"),
    ("it_IT", "ssn"),
    ("es_ES", "nif"),
    ("es_ES", "nie"),
    ("pl_PL", "pesel"),
    ("fi_FI", "ssn"),
    ("sv_SE", "ssn"),
    ("tr_TR", "ssn"),
]
CARD_TYPES = ["visa16", "visa13", "mastercard", "amex", "discover", "diners", "jcb16", "maestro"]

PROSE = {
    "PERSON": [
        "I asked {v} about this yesterday and they suggested transducers.",
        "{v} wrote a nice blog post on core.async pipelines.",
        "Thanks {v}, that fixed it!",
        "As {v} pointed out, `reduce` with `reduced` short-circuits.",
        "cc {v}",
        "{v} and I paired on this last week.",
        "Has {v} released the new version?",
        "I met {v} at the conj, great talk on specs.",
        "Not sure, maybe {v} knows?",
        "According to {v} the bug is in the reader.",
        "{v}: can you review my PR?",
    ],
    "EMAIL_ADDRESS": [
        "Feel free to email me at {v} if you want the repro.",
        "Send the logs to {v} please",
        "my address is {v}",
    ],
    "PHONE_NUMBER": [
        "You can reach me at {v} after 6pm.",
        "call me on {v} if the build is still red",
        "Phone: {v}",
        "my number is {v}",
    ],
    "CREDIT_CARD": ["the test charge with {v} went through in staging", "Card number {v} was declined, why?"],
    "IBAN_CODE": ["please wire the sponsorship to {v}", "IBAN {v} for the meetup fund"],
    "IP_ADDRESS": ["our nREPL server is at {v}, port 7888", "the box at {v} keeps timing out"],
    "NATIONAL_ID": [
        "my tax id is {v}, is that needed for the form?",
        "they asked for my id {v} at the conference desk",
    ],
    "STREET_ADDRESS": ["The meetup is at {v} this Thursday.", "ship the stickers to {v}"],
    "SOCIAL_HANDLE": ["ping {v} about the release", "follow {v} for updates", "{v} maintains that fork"],
    "DISGUISED_EMAIL": [
        "Feel free to write to {v} if you want the repro.",
        "contact: {v}",
        "(my address is {v}, spam-proofed)",
    ],
    "INLINE_SECRET": [
        "try logging in with password={v} on staging",
        "my password is {v} but it stopped working",
        "user admin, pwd: {v} (rotate it after the demo)",
        "the CI uses token: {v} for deploys",
    ],
    "EMPLOYER": [
        "I work at {v} and we use Clojure for everything.",
        "my employer is {v}, we run Datomic",
        "I'm a backend developer at {v}.",
    ],
}
CODE = {
    "EMAIL_ADDRESS": ['(def admin-email "{v}")', '{:smtp {:from "{v}" :port 587}}', ";; maintainer: {v}"],
    "PHONE_NUMBER": ['(def support-phone "{v}")', '{:contact {:phone "{v}"}}'],
    "CREDIT_CARD": ['(charge! {:card "{v}" :amount 100})', '(def test-card "{v}")'],
    "IBAN_CODE": ['{:payout {:iban "{v}"}}'],
    "IP_ADDRESS": ['(def db-host "{v}")', '(http/get "http://{v}:8080/health")', '{:host "{v}" :port 5432}'],
    "NATIONAL_ID": ['{:user {:national-id "{v}"}}', '(def ssn "{v}")'],
    "DISGUISED_EMAIL": ['(def maintainer "{v}")', ";; bugs to {v}"],
    "SECRET": [
        '{:aws {:access-key "{v}"}}',
        '(def github-token "{v}")',
        '{:db {:user "app" :password "{v}"}}',
    ],
}
FILLER = [
    "Has anyone tried the new `clojure.core/update-vals` yet?",
    "I think `mapcat` is what you want here.",
    "The REPL keeps hanging when I require the namespace.",
    "You need to wrap it in `doall` because `map` is lazy.",
    "Use `clojure.string/split` with a regex, not a string.",
    "Bump to version 1.11.1 and it should work.",
    "The server listens on localhost:8080 in dev.",
    "We read `:user/email` from the session map.",
    "Try `java.net.URI` instead of building the string by hand.",
    "Spec can generate that for you with `s/gen`.",
    "I usually reach for `group-by` and then `update-vals`.",
    "Is there a way to make deps.edn use a local jar?",
]
CLEAN_CODE = [
    "(defn rotate [n coll]\n  (take (count coll) (drop n (cycle coll))))",
    "(->> (range 10)\n     (filter even?)\n     (map #(* % %))\n     (reduce +))",
    '(require \'[clojure.string :as str])\n(str/split "a,b,c" #",")',
    '{:deps {org.clojure/clojure {:mvn/version "1.11.1"}\n        org.clojure/core.async {:mvn/version "1.6.681"}}}',  # noqa: E501
    "(def state (atom {:count 0}))\n(swap! state update :count inc)\n@state",
    '(defn handler [req]\n  {:status 200 :headers {"Content-Type" "text/plain"} :body (:uri req)})',
    "(let [{:user/keys [email name]} user]\n  (println name email))",
    '(import \'java.net.URI)\n(.getHost (URI. "http://localhost:8080/api"))',
    '(s/def :user/email (s/and string? #(re-matches #".+@.+" %)))',
    "(go-loop []\n  (when-let [v (<! ch)]\n    (println v)\n    (recur)))",
    "(defmacro unless [test & body]\n  `(if ~test nil (do ~@body)))",
    '(jdbc/execute! ds ["select * from users where id = ?" 42])',
]
ALLOWED = {
    "author": [
        "Rich Hickey explained this in his talk.",
        "Alex Miller said a fix is coming in 1.12.",
        "David Nolen has a post on that.",
    ],
    "private_ip": [
        "the docker host is 10.0.0.5",
        "connect to 192.168.1.20 on the LAN",
        "bind to 127.0.0.1",
        "the VPC range is 172.16.4.0/24",
    ],
    "project_email": ["Ask on clojure@googlegroups.com please.", "Report it to security@clojure.org"],
}
PLANTED_TYPES = list(PROSE) + ["SECRET"]
PIPERMAIL = ["From: {v} (a list member)", "On Monday, {v} wrote:", "Reply to <{v}> directly"]
PASSWORD_WORDS = ["hunter", "Summer", "dragon", "clojure", "Lisp", "monkey", "Tr0ub4dor", "sunshine"]


@dataclass
class Planted:
    entity: str
    value: str
    in_code: bool


@dataclass
class Case:
    text: str
    planted: list[Planted] = field(default_factory=list)
    kept: list[tuple[str, str]] = field(default_factory=list)  # (kind, value) that must survive
    clean_code: list[str] = field(default_factory=list)  # fenced PII-free blocks, as they appear
    clean_prose: list[str] = field(default_factory=list)


class Generator:
    def __init__(self, seed: int = 0) -> None:
        self.rng = random.Random(seed)
        # sorted, not a set: set order follows PYTHONHASHSEED, which would give each locale a
        # different Faker seed in every process and make "--seed 1" a different set each run
        locales = sorted({*NAME_LOCALES, *PHONE_LOCALES, *ADDRESS_LOCALES, "en_CA", "fi_FI"})
        self.fakers = {loc: Faker(loc) for loc in locales}
        for i, f in enumerate(self.fakers.values()):
            f.seed_instance(seed * 1000 + i)

    def _f(self, locales: list[str]) -> Faker:
        return self.fakers[self.rng.choice(locales)]

    def value(self, entity: str, in_code: bool = False) -> str:
        f = self.fakers["en_US"]
        if entity == "PERSON":
            g = self._f(NAME_LOCALES)
            return f"{g.first_name()} {g.last_name()}"
        if entity == "EMAIL_ADDRESS":
            return str(self._f(NAME_LOCALES[:4]).email())
        if entity == "PHONE_NUMBER":
            return str(self._f(PHONE_LOCALES).phone_number())
        if entity == "CREDIT_CARD":
            return str(f.credit_card_number(card_type=self.rng.choice(CARD_TYPES)))
        if entity == "IBAN_CODE":
            return str(self._f(["de_DE", "fr_FR", "es_ES", "it_IT", "nl_NL", "en_GB"]).iban())
        if entity == "IP_ADDRESS":
            return self._ip(f)
        if entity == "NATIONAL_ID":
            locale, method = self.rng.choice(ID_SOURCES)
            return str(getattr(self.fakers[locale], method)())
        if entity == "STREET_ADDRESS":
            g = self._f(ADDRESS_LOCALES)
            return (
                str(g.address()).replace("\n", ", ") if self.rng.random() < 0.5 else str(g.street_address())
            )
        if entity == "SOCIAL_HANDLE":
            return self._handle(f)
        if entity == "EMPLOYER":
            return str(self._f(["en_US", "de_DE", "fr_FR", "en_GB"]).company())
        if entity == "SECRET":
            return self._secret()
        if entity == "DISGUISED_EMAIL":
            return self._disguised(str(self._f(NAME_LOCALES[:4]).email()), in_code)
        if entity == "INLINE_SECRET":
            return self._inline_secret()
        raise ValueError(entity)

    def _disguised(self, address: str, in_code: bool) -> str:
        local, domain = address.split("@")
        styles = 2 if in_code else 6
        style = self.rng.randrange(styles)
        if style == 0:
            return f"{local}(at){domain.replace('.', '(dot)')}"
        if style == 1:
            return f"{local}-AT-{domain}"
        if style == 2:
            return f"{local} [at] {domain.replace('.', ' [dot] ')}"
        if style == 3:
            return f"{local.replace('.', ' dot ')} at {domain.replace('.', ' dot ')}"
        if style == 4:
            return f"{local} @ {domain.replace('.', ' . ')}"
        return f"{local} at {domain}"  # pipermail: planted only in an address context

    def _inline_secret(self) -> str:
        if self.rng.random() < 0.25:  # a token: high entropy
            return "".join(self.rng.choice(string.ascii_letters + string.digits) for _ in range(12)) + str(
                self.rng.randrange(1000, 9999)
            )
        word = self.rng.choice(PASSWORD_WORDS)
        return word + str(self.rng.randrange(10, 9999)) + self.rng.choice(["", "!", "#", "%", "&", "_x"])

    def _ip(self, f: Faker) -> str:
        if self.rng.random() < 0.7:
            return str(f.ipv4_public())
        while True:
            v6 = str(f.ipv6())
            if ipaddress.ip_address(v6).is_global and not ipaddress.ip_address(v6).is_multicast:
                return v6

    def _handle(self, f: Faker) -> str:
        user = str(f.user_name())
        style = self.rng.randrange(4)
        return [
            f"@{user}",
            f"https://github.com/{user}",
            f"https://twitter.com/{user}",
            f"https://mastodon.social/@{user}",
        ][style]

    def _secret(self) -> str:
        kind = self.rng.randrange(3)
        if kind == 0:
            return "AKIA" + "".join(self.rng.choice(string.ascii_uppercase + "234567") for _ in range(16))
        if kind == 1:
            return "ghp_" + "".join(self.rng.choice(string.ascii_letters + string.digits) for _ in range(36))
        return "".join(self.rng.choice(string.ascii_letters + string.digits) for _ in range(14)) + "!9"

    def case(self) -> Case:
        case = Case("")
        parts: list[str] = []
        for _ in range(self.rng.randint(2, 4)):
            parts.append(self._prose_part(case))
        for _ in range(self.rng.randint(1, 2)):
            parts.append(self._code_part(case))
        self.rng.shuffle(parts)
        case.text = "\n\n".join(parts)
        return case

    def _prose_part(self, case: Case) -> str:
        roll = self.rng.random()
        if roll < 0.55:
            entity = self.rng.choice(list(PROSE))
            value = self.value(entity)
            case.planted.append(Planted(entity, value, False))
            templates = PROSE[entity]
            if entity == "DISGUISED_EMAIL" and " at " in value and " dot " not in value:
                templates = PIPERMAIL
            elif entity == "INLINE_SECRET":  # a token goes after "token:", a password elsewhere
                token = not value.startswith(tuple(PASSWORD_WORDS))
                templates = [t for t in templates if ("token:" in t) == token]
            return self.rng.choice(templates).replace("{v}", value)
        if roll < 0.7:
            kind = self.rng.choice(list(ALLOWED))
            sentence = self.rng.choice(ALLOWED[kind])
            case.kept.append((kind, sentence))
            return sentence
        sentence = self.rng.choice(FILLER)
        case.clean_prose.append(sentence)
        return sentence

    def _code_part(self, case: Case) -> str:
        if self.rng.random() < 0.5:
            entity = self.rng.choice(list(CODE))
            value = self.value(entity, in_code=True)
            case.planted.append(Planted(entity, value, True))
            template = self.rng.choice(CODE[entity])
            if ":" in value and "http://" in template:  # an IPv6 host in a URL is bracketed
                template = template.replace("{v}", "[{v}]")
            return "```\n" + template.replace("{v}", value) + "\n```"
        block = "```\n" + self.rng.choice(CLEAN_CODE) + "\n```"
        case.clean_code.append(block)
        return block


def generate(n: int, seed: int = 0) -> list[Case]:
    gen = Generator(seed)
    return [gen.case() for _ in range(n)]
