"""RSS/Atom feeds and blog pages for the ``clojure-blogs`` source (Planet Clojure).

* ``parse``: one feed file -> normalised entries (feedparser), bad files -> ``InputError``.
* ``html``: entry HTML and article pages -> plain text with fenced code, nothing hidden.
* ``feedlist``: Planet ``config.ini`` or a text file of URLs -> feeds (with Planet's filters).
* ``download``: fetch feeds and article pages politely with ``clojure_data.crawl``.

Kept apart from the builder so other feed-based sources can reuse them.
"""
