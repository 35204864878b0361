"""Where the shipped data lives: sample folders, policies and card templates.

In a checkout (or an editable install) they are the top-level ``sources/``, ``policies/`` and
``cards/`` folders; in a wheel hatch force-includes them under ``clojure_data/_data/``.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent


def resource_dir(kind: str) -> Path:
    """Return the folder holding shipped ``kind`` data (``sources``, ``policies`` or ``cards``)."""
    for candidate in (_PACKAGE / "_data" / kind, _PACKAGE.parent / kind):
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(
        f"shipped '{kind}' folder not found next to the package ({_PACKAGE}); is the install complete?"
    )
