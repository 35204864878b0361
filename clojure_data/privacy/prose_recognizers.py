"""Presidio recognizers that only make sense on prose: handles, street addresses, employers.

presidio has none of these (its ``UrlRecognizer`` flags ``clojure.string`` and ``java.net`` as
URLs; it has no notion of a handle, a street or an employer), so they are written here, as
presidio ``EntityRecognizer``s built on ``recognizers.RegexRecognizer``.

``SocialHandleRecognizer`` (``SOCIAL_HANDLE``)
    ``@name`` mentions, fediverse ``@name@host.social`` and profile URLs of GitHub, GitLab,
    Twitter/X, Mastodon (``https://host/@name``), LinkedIn, Instagram, Facebook, Keybase,
    Reddit, Telegram, and the user part of their post URLs (``twitter.com/jdoe/status/1``,
    ``medium.com/@jdoe/a-post``). A GitHub/GitLab URL with a path after the owner
    (``github.com/clojure/core.async``) is a project reference, not a profile, and is kept.
    Not a handle: a Clojure deref (``@state``, ``@(subscribe ...)``, ``@*ns*``: after ``(``, ``[``,
    ``{``, ``#``, ``'``, ``~``, or a name that is a common reference name), a Java annotation or
    javadoc tag (``@Override``, ``@param``), a CSS at-rule, an npm scope (``@babel/core``), the
    domain part of an e-mail, a Slack mention id ``<@U024BE7LH>`` (the anonymize pass maps those).
``StreetAddressRecognizer`` (``STREET_ADDRESS``)
    number + street name + street type (USPS suffixes, English lower-case variants), German/Dutch
    compound street names + number, French/Spanish/Italian street types before the name, US
    military APO/FPO/DPO lines; a following ``City, ST 12345`` or ``12345 City`` line is taken too.
``PersonCueRecognizer`` (``PERSON``)
    a full name (2-3 capitalised words, particles such as "da", "van" allowed) after a chat cue
    ("thanks", "cc", "ping", "asked", "according to"...) or before one ("wrote", "said",
    "pointed out", "'s library"...): the names small NER models label ORG or miss.
``EmployerRecognizer`` (``EMPLOYER``)
    the capitalised name after "I work at/for", "I'm a <role> at", "my employer/company (is)",
    "we at", "I joined": only the name is the entity, the phrase stays.
"""

from __future__ import annotations

import re

from presidio_analyzer import RecognizerResult

from .recognizers import RegexRecognizer

__all__ = ["SocialHandleRecognizer", "StreetAddressRecognizer", "EmployerRecognizer", "PersonCueRecognizer"]

_AT_HANDLE = re.compile(
    r"(?<![\w@.+/:<`!&*-])@(?P<name>[A-Za-z0-9_](?:[A-Za-z0-9_.-]{0,38}[A-Za-z0-9_])?)"
    r"(?P<host>@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,})?(?![\w@/(]|\.\w)"
)
_PROFILE_HOSTS = (
    r"github\.com|gitlab\.com|twitter\.com|x\.com|linkedin\.com/in|instagram\.com|facebook\.com|"
    r"keybase\.io|reddit\.com/u(?:ser)?|t\.me|medium\.com/@?"
)
_PROFILE_URL = re.compile(
    r"(?<![\w.-])(?:https?://)?(?:www\.|mobile\.)?(?:"
    + _PROFILE_HOSTS
    + r")/@?(?P<ent>(?P<name>[A-Za-z0-9_][\w.-]{0,38}))/?"
    r"(?=[\s)>|\"'\],;!?]|\.(?:\s|$)|$)",
    re.IGNORECASE,
)
# a post of a person (``twitter.com/jdoe/status/1``, ``medium.com/@jdoe/a-post``) names them as
# much as their profile does; only code hosts' paths (``github.com/owner/repo``) are projects
_POST_URL = re.compile(
    r"(?<![\w.-])(?:(?:https?://)?(?:www\.|mobile\.)?(?:(?:twitter|x|instagram|facebook)\.com/|"
    r"linkedin\.com/in/|reddit\.com/u(?:ser)?/|medium\.com/@)|(?P<fedi>https?://[\w-]+(?:\.[\w-]+)+/@))"
    r"(?P<ent>(?P<name>[A-Za-z0-9_][\w.-]{0,38}))/(?(fedi)(?=\d+\b)|(?=[\w%-]))",  # fediverse: post ids
    re.IGNORECASE,
)
_MASTODON_URL = re.compile(
    r"(?<![\w.-])https?://[\w-]+(?:\.[\w-]+)+/@(?P<ent>(?P<name>\w{1,30}))(?=[\s)>|\"'\],;!?]|\.(?:\s|$)|$)"
)
_NOT_HANDLES = frozenset(
    [
        "state",
        "app-state",
        "db",
        "conn",
        "a",
        "b",
        "c",
        "x",
        "y",
        "v",
        "m",
        "s",
        "this",
        "self",
        "atom",
        "ref",
        "agent",
        "var",
        "value",
        "val",
        "result",
        "results",
        "data",
        "cache",
        "store",
        "system",
        "config",
        "counter",
        "count",
        "items",
        "item",
        "f",
        "g",
        "future",
        "promise",
        "p",
        "q",
        "ns",
        "out",
        "in",
        "override",
        "deprecated",
        "test",
        "param",
        "params",
        "return",
        "returns",
        "throws",
        "see",
        "since",
        "author",
        "version",
        "link",
        "code",
        "inheritdoc",
        "functionalinterface",
        "suppresswarnings",
        "nullable",
        "nonnull",
        "inject",
        "autowired",
        "media",
        "import",
        "font-face",
        "keyframes",
        "charset",
        "supports",
        "page",
        "namespace",
        "property",
        "staticmethod",
        "classmethod",
        "dataclass",
        "everyone",
        "channel",
        "here",
        "all",
    ]
)
_PROFILE_RESERVED = frozenset(
    [
        "about",
        "features",
        "pricing",
        "topics",
        "explore",
        "marketplace",
        "orgs",
        "organizations",
        "settings",
        "login",
        "join",
        "search",
        "trending",
        "collections",
        "sponsors",
        "apps",
        "notifications",
        "issues",
        "pulls",
        "home",
        "i",
        "intent",
        "share",
        "hashtag",
        "status",
        "groups",
        "pages",
        "watch",
        "events",
    ]
)


class SocialHandleRecognizer(RegexRecognizer):
    ENTITY = "SOCIAL_HANDLE"

    def __init__(self) -> None:
        super().__init__([_AT_HANDLE, _PROFILE_URL, _POST_URL, _MASTODON_URL])

    def check(self, text: str, match: re.Match[str]) -> bool:
        name = match.group("name")
        if match.re is _AT_HANDLE:
            if match.start() > 0 and text[match.start() - 1] in "([{#'~^":
                return False
            return name.casefold() not in _NOT_HANDLES and not (
                name.isdigit()
                or name[0].isupper()
                and name.isalpha()
                and text[match.end() : match.end() + 1] == "("
            )
        return name.casefold() not in _PROFILE_RESERVED


_SUFFIXES = (
    "Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Court|Ct|Courts|Way|Place|Pl|Square|Sq|"
    "Terrace|Ter|Parkway|Pkwy|Circle|Cir|Highway|Hwy|Trail|Trl|Mews|Union|Knolls?|Crossing|Xing|Alley|"
    "Ally|Row|Close|Crescent|Cres|Grove|Gardens|Green|Hill|Hills|Park|Plaza|Point|Ridge|Run|View|Walk|"
    "Loop|Pike|Path|Pass|Port|Ports|Harbor|Heights|Hollow|Island|Junction|Landing|Manor|Meadows?|Mill|"
    "Mills|Orchard|Oval|Pines|Plains|Prairie|Rapids|Rest|Shoals?|Shores?|Spring|Springs|Stream|Summit|"
    "Throughway|Tunnel|Turnpike|Valley|Villages?|Ville|Vista|Wells?|Extension|Ext|Estates?|Expressway|"
    "Freeway|Fields?|Falls|Ferry|Forest|Forge|Fork|Forks|Fort|Garden|Glen|Gateway|Lakes?|Lodge|Motorway|"
    "Neck|Overpass|Radial|Ramp|Ranch|Route|Skyway|Station|Stravenue|Underpass|Viaduct|Wall|Cove|Creek|"
    "Dale|Dam|Divide|Burgs?|Bypass|Camp|Canyon|Cape|Causeway|Center|Centers|Cliffs?|Club|Common|Corners?|"
    "Course|Curve|Brooks?|Bridge|Branch|Bottom|Bluffs?|Bend|Beach|Arcade|Annex|Flats?|Ford|Fords|Isle|"
    "Keys?|Knoll|Light|Lights|Loaf|Locks?|Mall|Mission|Mount|Mountain|Parks|Passage|Pine|Plain|Radial|Squares|"
    "Inlet|Harbors|Islands|Parkways|Pines|Rue|Tracks?|Trafficway|Unions|Vias?|Views|Ways|Fall|Flat|Gardens|Gateway"
)
# Street patterns are written with ``\s``; ``_one_paragraph`` makes it "whitespace with no blank
# line in it": an address may wrap onto the next line ("Flat 12\nSmith Road", as mail signatures
# write it) but never runs on into the next paragraph ("...Renault\n\nAsk on the list").
_SPACE = r"(?:[^\S\n]|\n(?![^\S\n]*\n))"


def _one_paragraph(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern.replace(r"\s", _SPACE))


_STREET_US = _one_paragraph(
    r"\b\d{1,6}[A-Za-z]?\s+(?:[NSEW]\.?\s+)?(?:[A-Z][\w'.-]*\s+){0,3}[A-Z][\w'.-]*\s+(?:"
    + _SUFFIXES
    + r")\b\.?"
    r"(?:,?\s+(?:Suite|Ste\.?|Apt\.?|Apartment|Unit|Flat|#)\s*[\w-]+)?"
)
_STREET_GB = _one_paragraph(
    r"\b(?:(?:Flat|Studio|Apartment)\s+\d+[A-Za-z]?,?\s+)?\d{1,4}[A-Za-z]?,?\s+(?:[A-Z][\w'-]*\s+){1,3}"
    r"(?:road|street|lane|avenue|drive|close|way|crescent|grove|gardens|place|square|terrace|hill|park|walk|mews|court)\b"
)
_STREET_DE_NL = _one_paragraph(
    r"\b[A-ZÄÖÜ][\w'äöüß-]*(?:straße|strasse|str\.|weg|gasse|allee|platz|ring|damm|ufer|chaussee|"
    r"straat|laan|plein|gracht|kade|dijk|singel|steeg|pad|dreef|baan|boulevard|hof|markt|park)\s+\d{1,4}"
    r"(?:[-/]\d{1,4})?(?: ?[a-zA-Z]\b)?"
    r"|\b(?:Am|An der|Im|In der|Zum|Zur|Auf dem)\s+[A-ZÄÖÜ][\wäöüß-]+\s+\d{1,4}(?: ?[a-z]\b)?"
)
_STREET_ROMANCE = _one_paragraph(
    r"(?:\b\d{1,4}(?:\s?(?:bis|ter))?,?\s+)?\b(?:[Rr]ue|[Aa]venue|[Bb]oulevard|[Bb]d|[Cc]hemin|[Ii]mpasse|[Aa]llée|"
    r"[Qq]uai|[Rr]oute|[Cc]ours|[Cc]alle|[Aa]venida|Av\.|[Pp]aseo|[Cc]amino|[Cc]arrera|[Rr]onda|[Pp]asaje|[Cc]allejón|"
    r"[Tt]ravesía|[Gg]lorieta|[Aa]lameda|[Cc]añada|[Pp]asadizo|[Rr]ambla|[Cc]uesta|[Ss]tretto|[Rr]otonda|[Pp]iazzale|[Vv]ia|[Vv]iale|[Pp]iazza|[Cc]orso|[Ll]argo|[Vv]icolo|[Ss]trada|[Cc]ontrada|[Bb]orgo|"
    r"[Rr]ua|[Tt]ravessa|[Ll]argo)\s+"
    r"(?:(?:de|del|della|delle|dei|degli|di|du|des|de la|la|le|les|l'|d')\s*)*"
    r"[A-ZÀ-Ý][\w'À-ÿ-]*(?:\s+(?:de\s+)?[A-ZÀ-Ý][\w'À-ÿ-]*){0,3}(?:,?\s*(?:n\.?|nº|no\.?|#)?\s*\d{1,4}[A-Za-z]?\b)?"
)
_MILITARY = re.compile(
    r"\b(?:(?:USNS|USNV|USS|USCGC)[^\S\n]+[A-Z]\w+|PSC[^\S\n]+\d{4},[^\S\n]+Box[^\S\n]+\d{4}|Unit[^\S\n]+\d{4}[^\S\n]+Box[^\S\n]+\d{4})"
    r"[^\S\n]*\n?[^\S\n]*(?:APO|FPO|DPO)[^\S\n]+A[AEP][^\S\n]+\d{5}\b"
)
# one line break at most between a street and its city line, and between a town and its postcode
_BREAK = r"(?:,[^\S\n]*\n?|[^\S\n]*\n)[^\S\n]*"
_CITY_LINES = (
    r"(?:[A-Z][\w'.-]*[^\S\n]?){1,4},?[^\S\n]+[A-Z]{2}[^\S\n]+\d{5}(?:-\d{4})?\b",  # City, ST 12345
    r"\d{4,5}[^\S\n]+[A-ZÀ-Ý][\w'À-ÿ-]+(?:[ -][A-ZÀ-Ý][\w'À-ÿ-]+){0,2}",  # 75001 Paris, 10115 Berlin
    r"(?:[A-Z][\w'-]*[^\S\n]?){1,3}\n?[^\S\n]*[A-Z]{1,2}\d[A-Z\d]?[^\S\n]?\d[A-Z]{2}\b",  # Town\nW1 2AB
)
_CITY_LINE = re.compile("|".join(_BREAK + line for line in _CITY_LINES))


class StreetAddressRecognizer(RegexRecognizer):
    ENTITY = "STREET_ADDRESS"
    SCORE = 0.7

    def __init__(self) -> None:
        super().__init__([_MILITARY, _STREET_US, _STREET_GB, _STREET_DE_NL, _STREET_ROMANCE])

    def analyze(
        self, text: str, entities: list[str] | None = None, nlp_artifacts: object = None
    ) -> list[RecognizerResult]:  # noqa: E501
        results = super().analyze(text, entities, nlp_artifacts)
        for result in results:  # take the city/postcode line that follows a street
            tail = _CITY_LINE.match(text, result.end)
            if tail is not None:
                result.end = tail.end()
        return results

    def check(self, text: str, match: re.Match[str]) -> bool:
        if match.re is _STREET_ROMANCE:  # a street type alone ("via Leiningen") needs a number
            return bool(re.search(r"\d", match.group()))
        return True


_EMPLOYER_CUE = re.compile(
    r"(?i:\bI(?:'m| am)?\s+(?:currently\s+|now\s+|still\s+)?(?:work(?:ing|ed)?|employed|intern(?:ing|ed)?)\s+(?:at|for|with|in)"  # noqa: E501
    r"|\bI(?:'m| am)\s+(?:a|an|the)\s+[\w -]{1,40}?\s+(?:at|for|with)"
    r"|\bmy\s+(?:current\s+|previous\s+|former\s+|new\s+|old\s+|day\s+)?(?:employer|company|workplace|job)(?:\s+is|\s*,|\s*:|\s*\()?"
    r"|\bwe\s+at|\bhere\s+at|\bI\s+(?:just\s+)?joined)"
    # the name may start on the next line (wrapped mail), never after a blank line, and never
    # continues onto another line: "I work at Acme\n\nThe build..." is "Acme"
    r"(?:[^\S\n]+|[^\S\n]*\n[^\S\n]*)(?P<ent>(?P<name>(?:the[^\S\n]+)?[A-Z][\w&'@-]*(?:\.[\w&'-]+)*"
    r"(?:(?:[^\S\n]+|[^\S\n]*&[^\S\n]*|,[^\S\n]+(?=[A-Z][\w'-]*(?:,|[^\S\n]+and\s)))"
    r"(?:[A-Z][\w&'-]*(?:\.[\w&'-]+)*|and|of|&))*))"
)
_EMPLOYER_NOT = frozenset(
    {"I", "The", "A", "An", "Clojure", "ClojureScript", "Java", "Emacs", "Home", "Night", "Work"}
)


class EmployerRecognizer(RegexRecognizer):
    ENTITY = "EMPLOYER"
    SCORE = 0.6

    def __init__(self) -> None:
        super().__init__([_EMPLOYER_CUE])

    def analyze(
        self, text: str, entities: list[str] | None = None, nlp_artifacts: object = None
    ) -> list[RecognizerResult]:  # noqa: E501
        kept = []
        for result in super().analyze(text, entities, nlp_artifacts):
            name = _TRAILING.sub("", text[result.start : result.end])
            result.end = result.start + len(name)
            if name and name not in _EMPLOYER_NOT:
                kept.append(result)
        return kept


_TRAILING = re.compile(r"(?:[\s,.]+(?:and|of|&)?)+$|[.,]$")


_NAME_WORD = r"[A-ZÀ-ÖØ-ÞĀ-Ž][a-zß-öø-ÿā-ž]+(?:['’-][A-ZÀ-ÖØ-ÞĀ-Ža-zß-öø-ÿā-ž]+)?"
_PARTICLE = r"(?:da|de|del|della|di|do|dos|das|du|van|von|der|den|ter|la|le|bin|al|el|ibn)"
_FULL_NAME = rf"{_NAME_WORD}(?:[ \t]+{_PARTICLE}){{0,2}}(?:[ \t]+{_NAME_WORD}){{1,2}}"  # never across lines
_PERSON_BEFORE = re.compile(
    r"(?:\b(?:[Tt]hanks|[Tt]hank you|[Tt]hx|cc|CC|[Pp]ing|[Hh]i|[Hh]ey|[Hh]ello|[Dd]ear|asked|ask|told|tell|by|from|"  # noqa: E501
    r"with|[Aa]s|[Pp]er|[Aa]ccording to|[Ss]houtout to|[Kk]udos to|met|[Mm]aybe)\s+)"
    rf"(?P<ent>{_FULL_NAME})(?=[\s,.!?:;)]|['’]s\b|$)"
    r"|(?:^|(?<=[.!?\n])\s*)(?:Has|Did|Does|Is|Was|Can|Could|Would|Will|Should)\s+"
    rf"(?P<ent_q>{_FULL_NAME})\s+(?=[a-z])"
    rf"|(?m:^)(?P<ent_addr>{_FULL_NAME}):\s"
)
_PERSON_AFTER = re.compile(
    rf"(?<![\w.@/-])(?P<ent>{_FULL_NAME})(?:['’]s)?\s+(?:wrote|writes|said|says|mentioned|pointed|suggested|replied|"
    r"posted|commented|explained|noted|thinks|thought|answered|tweeted|maintains|created|released|shared|and I|"  # noqa: E501
    r"gave|showed|fixed|opened|merged|library|talk|blog|post|fork|PR|patch)\b"
)


class PersonCueRecognizer(RegexRecognizer):
    """Two or three capitalised words that chat conventions mark as a person.

    "Thanks Esther Borges", "cc Inaya Dhar", "Jeremy Morris wrote", "Kavya Subramanian's
    library": cues around a full name that small NER models often label ORG or miss. Works
    without a spaCy model too. Words that are technical or stop words are not names.
    """

    ENTITY = "PERSON"
    SCORE = 0.6

    def __init__(self, not_names: frozenset[str]) -> None:
        super().__init__([_PERSON_BEFORE, _PERSON_AFTER])
        self.not_names = not_names

    def check(self, text: str, match: re.Match[str]) -> bool:
        name = next(g for g in match.groups() if g)
        words = [w for w in name.split() if w[:1].isupper()]
        return not any(w in self.not_names for w in words)
