"""Slack archives (clojurians-log and Slack workspace exports) to thread records.

``directory`` (user and channel tables), ``events`` (what each input unit is), ``fold`` (edits
and deletions into their messages), ``assemble`` (threads and windows to records), ``markup``
(Slack markup to text), ``logs`` and ``export`` (the two on-disk layouts and their shards).
The builder that uses them is ``clojure_data.sources.clojurians_chat``.
"""
