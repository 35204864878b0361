"""Hand-kept word lists the privacy passes share (no library ships these two).

``DEFAULT_ALLOWLIST``: public figures of the Clojure world whose names are kept in prose because
people discuss their libraries and talks (data policy 4.5: "personal names (except library
authors)"). A policy overrides it with the pass's ``allowlist`` setting.

``COMMON_WORDS``: words that are also given names, display names or handles ("Will", "Rich",
"Map", "Clojure"). A participant's *single-word* name (a first name used alone, a bare handle,
a one-word display name) is never replaced when it is one of these, so a participant called
"Map" or "Clojure" does not destroy every sentence about maps. Full names (two or more words),
e-mail addresses and ``@handles`` are always replaced. Compared lower-cased.
"""

from __future__ import annotations

__all__ = ["DEFAULT_ALLOWLIST", "COMMON_WORDS"]

DEFAULT_ALLOWLIST: tuple[str, ...] = (
    "Rich Hickey",
    "Alex Miller",
    "Stuart Halloway",
    "Stuart Sierra",
    "David Nolen",
    "Michael Fogus",
    "Chris Houser",
    "Tim Baldridge",
    "Sean Corfield",
    "Bozhidar Batsov",
    "James Reeves",
    "Zach Tellman",
    "Nathan Marz",
    "Michiel Borkent",
    "Dmitri Sotnikov",
    "Thomas Heller",
    "Christophe Grand",
    "Bruce Hauman",
    "Mike Fikes",
    "Phil Hagelberg",
    "Chas Emerick",
    "Nikita Prokopov",
    "Tommi Reiman",
    "Ghadi Shayban",
)

# function words (a one-word display name like "The" or "You" must not hit every sentence), then
# names that are also ordinary words, often capitalised at the start of a sentence ("Hope this
# helps", "Will it work?", "Mark the var private"), then placeholder-ish display names
_ENGLISH = """
a an and are as at be but by for from has have he her his i in is it its me my no not of on or our
she so than that the their them then there they this to too up us was we were what when where
which who why will with you your all any can could did do does done each few get got how just
let like make may might more most must new now old one only other out over own same see should
some such take tell try two use very way well would yes yet about after again also back because
before being between both down even first good great here into know last long look many much
never next off once right said say still sure thing think through time under want while work
amber art august autumn april bill black brown buck bud bunny cash chance chase chip clay cliff
crystal dawn day destiny don dusty early faith field ford forest frank gale gene glen golden grace
grant gray green grey guy hall harmony hill holly honey hope hunter ivy jack jade jay jewel joy
judge june justice king lily mark max mercy merry miles mint misty moss nick noble norm olive
page park pat patience pearl penny pepper pierce prince queen rain ray reed rich river rob robin
rock rod rose ruby rush rusty sage sandy savage shade sky spring star sterling stone storm summer
sunny sue tiger true violet ward white will winter wolf wood young
admin administrator anonymous bot guest help info mail moderator none nobody null owner root
someone staff support system team test unknown user webmaster
"""

_CODE = """
clojure clojurescript clj cljs cljc edn java javascript script python ruby rust scala kotlin groovy
haskell elixir erlang lisp scheme racket go swift julia perl lua
map set list vector seq atom ref agent var vars delay future promise channel chan record type
protocol multimethod macro reducer transducer keyword symbol string number fn function core async
spec test data datomic datascript ring compojure reitit pedestal luminus leiningen lein boot deps
tools shadow figwheel reagent re-frame rum om fulcro hiccup enlive cider calva cursive emacs vim
neovim intellij vscode repl nrepl socket babashka bb kondo lsp component integrant mount
jdbc honey sql postgres mysql sqlite redis kafka docker kubernetes aws maven clojars github gitlab
git npm yarn node react graal graalvm jvm clr dart native ring http server client
"""

COMMON_WORDS: frozenset[str] = frozenset((_ENGLISH + _CODE).split())
