"""Reading Stack Exchange data dumps (Posts, Comments, Users XML, plain or in ``.7z`` archives).

``dump`` finds the tables and streams their rows safely (defusedxml, incremental), ``archive``
streams a ``.7z`` member, ``join`` selects questions by tag and collects their answers and
comments, ``store`` keeps what the selection needs on disk, ``html`` renders post bodies with
code intact and ``render`` assembles one ``thread`` record per question. The ``stackoverflow``
source (``clojure_data.sources.stackoverflow``) wires them together.
"""
