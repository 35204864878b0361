"""Person names with spaCy, batched, on the few prose lines that can hold one.

Why not presidio's ``AnalyzerEngine`` here: it runs the whole spaCy pipeline (tagger, parser,
lemmatizer) on every document, one document at a time, code included. On Clojure chat that costs
ten times what the names need. What this module does instead:

1. **Prose only.** Code segments are blanked to spaces (same length, newlines kept), so offsets
   map back 1:1 and NER never sees ``clojure.string/split`` or a stack trace.
2. **Candidate windows only.** Text goes to spaCy only around a *candidate*: a capitalised
   word (Latin script, any accents) that is not a stop word or a well-known technical word
   (``Clojure``, ``JVM``, ``Emacs``...), and only ``WINDOW`` characters each side of it, within
   its line. On the Clojurians logs about 1 message in 9 has a candidate; the PERSON entities
   spaCy finds in the skipped text (measured: 61 of 227 on 2,656 messages) are lower-case words,
   Slack ids and code fragments, not names.
3. **Batched.** Candidate lines of a whole batch of records go through one ``nlp.pipe`` call.
4. **Bounded.** A piece is at most ``CHUNK_CHARS`` long (cut at whitespace, hard cut when there
   is none), so spaCy's ``max_length`` is never reached and memory stays flat on a 1 MB line.

``person_spans`` then drops entities that are not names whatever spaCy says: ones holding
digits, ``/ @ _ < > = ( ) { } [ ]`` or backticks, all lower-case or all upper-case, longer than
four words, or made only of technical words.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from ..segments import Segment

__all__ = [
    "CHUNK_CHARS",
    "Piece",
    "mask_code",
    "candidate_pieces",
    "run_ner",
    "TECH_WORDS",
    "has_candidate",
    "not_names",
]

CHUNK_CHARS = 5_000
WINDOW = 120

TECH_WORDS = frozenset(
    [
        "Clojure",
        "ClojureScript",
        "Clojurians",
        "Clojars",
        "Java",
        "JavaScript",
        "Kotlin",
        "Scala",
        "Python",
        "Ruby",
        "Rust",
        "Haskell",
        "Elixir",
        "Erlang",
        "Lisp",
        "Scheme",
        "Racket",
        "Common",
        "Go",
        "Swift",
        "Julia",
        "Perl",
        "Lua",
        "Groovy",
        "Dart",
        "Elm",
        "PureScript",
        "TypeScript",
        "Node",
        "Deno",
        "React",
        "Reagent",
        "Rum",
        "Om",
        "Fulcro",
        "Hiccup",
        "Enlive",
        "Ring",
        "Compojure",
        "Reitit",
        "Pedestal",
        "Luminus",
        "Leiningen",
        "Lein",
        "Boot",
        "Deps",
        "Shadow",
        "Figwheel",
        "Datomic",
        "Datascript",
        "Datalog",
        "Cognitect",
        "Nubank",
        "Emacs",
        "Spacemacs",
        "Vim",
        "Neovim",
        "Cider",
        "CIDER",
        "Calva",
        "Cursive",
        "IntelliJ",
        "Atom",
        "Sublime",
        "Eclipse",
        "Slack",
        "Zulip",
        "Discord",
        "Reddit",
        "GitHub",
        "Github",
        "GitLab",
        "Gitlab",
        "Twitter",
        "Google",
        "Amazon",
        "Microsoft",
        "Apple",
        "Oracle",
        "Linux",
        "Ubuntu",
        "Debian",
        "Windows",
        "Mac",
        "MacOS",
        "Android",
        "Docker",
        "Kubernetes",
        "Heroku",
        "Postgres",
        "PostgreSQL",
        "MySQL",
        "SQLite",
        "Redis",
        "Kafka",
        "Elasticsearch",
        "Mongo",
        "MongoDB",
        "Maven",
        "Gradle",
        "Graal",
        "GraalVM",
        "Babashka",
        "Kondo",
        "Spec",
        "Schema",
        "Malli",
        "Specter",
        "Manifold",
        "Aleph",
        "Integrant",
        "Mount",
        "Component",
        "Duct",
        "Transit",
        "Netty",
        "Jetty",
        "Undertow",
        "Http",
        "Kit",
        "Onyx",
        "Storm",
        "Spark",
        "Hadoop",
        "Core",
        "Async",
        "Repl",
        "REPL",
        "Nrepl",
        "Lein",
        "JDK",
        "JRE",
        "Lambda",
        "Monday",
        "Tuesday",
        "Wednesday",
        "Thursday",
        "Friday",
        "Saturday",
        "Sunday",
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
        "English",
        "European",
        "American",
        "Christmas",
        "Thanks",
        "Thank",
        "Hi",
        "Hello",
        "Hey",
        "Yeah",
        "Yes",
        "Yep",
        "Nope",
        "No",
        "Ok",
        "Okay",
        "Sure",
        "Oh",
        "Ah",
        "Hmm",
        "Also",
        "Maybe",
        "Please",
        "Cool",
        "Nice",
        "Great",
        "Awesome",
        "Good",
        "Sorry",
        "Anyone",
        "Anybody",
        "Someone",
        "Somebody",
        "Everyone",
        "Question",
        "Edit",
        "Update",
        "Note",
        "Example",
        "Error",
        "Exception",
        "Warning",
        "Source",
        "Docs",
        "Documentation",
        "Readme",
        "README",
        "Wiki",
        "Issue",
        "Issues",
    ]
)
_STOP_CAPS: frozenset[str] = frozenset()
_CANDIDATE = re.compile(
    r"(?<![\w.@/:#\\`'’-])([A-ZÀ-ÖØ-ÞĀ-Ž][a-zß-öø-ÿā-ž]+(?:['’-][A-ZÀ-ÖØ-ÞĀ-Ža-zß-öø-ÿā-ž]+)?)(?![\w/@]|\.\w|[(])"
)
_BAD_ENTITY = re.compile(r"[\d/@_<>=(){}\[\]`*#|\\]|\s{2,}|\n")


def _stop_caps() -> frozenset[str]:
    global _STOP_CAPS
    if not _STOP_CAPS:
        from spacy.lang.en.stop_words import STOP_WORDS

        _STOP_CAPS = frozenset(w.capitalize() for w in STOP_WORDS) | TECH_WORDS
    return _STOP_CAPS


@dataclass(frozen=True)
class Piece:
    """A slice ``[start, start + len(text))`` of record ``doc`` to run NER on."""

    doc: int
    start: int
    text: str


def mask_code(text: str, segments: Sequence[Segment]) -> str:
    """``text`` with every code segment blanked to spaces (newlines kept): offsets are unchanged."""
    if not any(s.is_code for s in segments):
        return text
    return "".join(s.text if not s.is_code else re.sub(r"[^\n]", " ", s.text) for s in segments)


def not_names() -> frozenset[str]:
    """Capitalised words that are never part of a person's name here (stop and technical words)."""
    return _stop_caps()


_CONTRACTION = re.compile(r"['’](?:s|re|ll|ve|d|m|t)$|n['’]t$")


def _is_candidate(word: str, stop: frozenset[str]) -> bool:
    """A capitalised word that may start or be part of a name ("That's" is "That")."""
    return word not in stop and _CONTRACTION.sub("", word) not in stop


def has_candidate(text: str) -> bool:
    stop = _stop_caps()
    return any(_is_candidate(m.group(1), stop) for m in _CANDIDATE.finditer(text))


def candidate_pieces(doc: int, masked: str) -> list[Piece]:
    """Windows of ``masked`` around candidate words (within their line), merged when they touch.

    A window reaches ``WINDOW`` characters each side of the candidate, widened to whitespace,
    which is more context than the small models' NER looks at; lines are never crossed.
    """
    stop = _stop_caps()
    spans: list[tuple[int, int]] = []
    for m in _CANDIDATE.finditer(masked):
        if not _is_candidate(m.group(1), stop):
            continue
        line_start = masked.rfind("\n", 0, m.start()) + 1
        line_end = masked.find("\n", m.end())
        line_end = len(masked) if line_end < 0 else line_end
        start = _cut(masked, m.start() - WINDOW, line_start)
        end = _cut_forward(masked, m.end() + WINDOW, line_end)
        if spans and start <= spans[-1][1] and masked.rfind("\n", spans[-1][0], start) < 0:
            start = spans.pop()[0]
        spans.append((start, min(end, start + CHUNK_CHARS) if end - start > CHUNK_CHARS else end))
    return [Piece(doc, a, masked[a:b]) for a, b in spans if masked[a:b].strip()]


def _cut_forward(text: str, at: int, ceiling: int) -> int:
    if at >= ceiling:
        return ceiling
    space = text.find(" ", at, ceiling)
    return ceiling if space < 0 else space


def _cut(text: str, at: int, floor: int) -> int:
    """A position near ``at`` (not below ``floor``) on whitespace, so no word is split."""
    at = max(at, floor)
    space = text.rfind(" ", floor, at)
    return space + 1 if space > floor else at


def run_ner(nlp: Any, pieces: Sequence[Piece], batch_size: int = 256) -> list[tuple[int, int, int, str]]:
    """``(doc, start, end, text)`` of the PERSON entities in ``pieces`` that can be names."""
    found: list[tuple[int, int, int, str]] = []
    docs = nlp.pipe((p.text for p in pieces), batch_size=batch_size)
    for piece, parsed in zip(pieces, docs, strict=True):
        for ent in parsed.ents:
            if ent.label_ != "PERSON" and not (ent.label_ in _REREAD and _NAME_SHAPED.fullmatch(ent.text)):
                continue
            span = _clean(ent.text, ent.start_char)
            if span is not None:
                start, text = span
                found.append((piece.doc, piece.start + start, piece.start + start + len(text), text))
    return found


# small models often call a plain "First Last" an ORG or PRODUCT: two or three capitalised words
# with no company suffix and no technical or stop word are read as a person
_REREAD = frozenset({"ORG", "PRODUCT", "WORK_OF_ART"})
_NAME_SHAPED = re.compile(
    r"(?!.*\b(?:Inc|LLC|Ltd|GmbH|Corp|Co|AG|SA|PLC|Labs|Group|Foundation|University|Software|Systems|"
    r"Technologies|Studio|Studios|Conf|Conference|Meetup|Project|Team|Edition|Guide|Book|Press)\b)"
    r"[A-ZÀ-ÖØ-ÞĀ-Ž][a-zß-öø-ÿā-ž'’-]+(?: (?:da|de|di|van|von|der|la|le|del) )?(?: [A-ZÀ-ÖØ-ÞĀ-Ž][a-zß-öø-ÿā-ž'’-]+){1,2}"  # noqa: E501
)
_LEFT = " \"'“‘(,.:;!?-"
_RIGHT = " \"'”’),.:;!?-"


# chat openers spaCy often takes into the name ("Thanks Marcus Aurelius" as one PERSON): trimmed,
# so the replacement keeps them
_OPENERS_TEXT = """Thanks Thank Thx Ty Hi Hey Hello Howdy Dear Cc Ping Kudos Cheers Congrats
Congratulations Sorry Welcome Shoutout Ask Yes Ok Okay Sure Yeah Bye Regards Best Hth"""
_OPENERS = frozenset(_OPENERS_TEXT.split())
_FIRST_WORD = re.compile(r"([^\s,.:;!?]+)[\s,.:;!?]+")


def _clean(text: str, start: int) -> tuple[int, str] | None:
    """Trim quotes, punctuation, chat openers and a possessive ``'s``; None when it is not a name."""
    core = text.lstrip(_LEFT)
    while (m := _FIRST_WORD.match(core)) is not None and m.group(1) in _OPENERS:
        core = core[m.end() :].lstrip(_LEFT)
    lead = len(text) - len(core)
    core = core.rstrip(_RIGHT)
    if core.endswith(("'s", "’s")):
        core = core[:-2].rstrip(_RIGHT)
    if not core or _BAD_ENTITY.search(core) or len(core.split()) > 4:
        return None
    words = core.split()
    if core.islower() or core.isupper() or not any(w[:1].isupper() for w in words):
        return None
    if all(w.strip("'’") in TECH_WORDS or w.casefold() in _LOWER_TECH for w in words):
        return None
    return start + lead, core


_LOWER_TECH = frozenset(w.casefold() for w in TECH_WORDS)


def persons_by_doc(
    found: Iterable[tuple[int, int, int, str]], n_docs: int
) -> list[list[tuple[int, int, str]]]:
    out: list[list[tuple[int, int, str]]] = [[] for _ in range(n_docs)]
    for doc, start, end, text in found:
        out[doc].append((start, end, text))
    return out
