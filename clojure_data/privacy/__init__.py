"""Privacy building blocks shared by the privacy passes (secrets, anonymize, pii, likeness).

* ``pseudonyms``: the keyed pseudonym function (HMAC of a secret salt and an identity);
  ``name_tables`` builds the tables it draws from out of the pinned Faker release.
* ``identities``: the ``_participants`` schema builders fill, identity keys, and the per-thread
  matcher that replaces known names, handles and addresses.
* ``literals``: placeholders and replacement that keeps code parsing (tree-sitter Clojure).
* ``secret_rules``: where secrets are (detect-secrets plugins plus Clojure-aware rules).
* ``wordlists``: the default allowlist of library authors and the common-word list.

Nothing is imported here, so ``import clojure_data.privacy.literals`` stays cheap.
"""
