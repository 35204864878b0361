"""Test-wide settings: a fixed secret salt for the anonymize pass, and no network for hub libraries."""

from __future__ import annotations

import os

os.environ.setdefault("CLOJURE_DATA_SALT", "test-salt-0123456789abcdef")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("HF_DATASETS_OFFLINE", "1")
