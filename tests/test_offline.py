"""The suite's network guard (tests/conftest.py) refuses anything beyond loopback."""

from __future__ import annotations

import socket

import pytest


def test_non_loopback_connections_fail_the_test() -> None:
    with (
        socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s,
        pytest.raises(AssertionError, match="network"),
    ):
        s.connect(("203.0.113.7", 80))  # documentation range: refused before any packet leaves


def test_loopback_is_allowed() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        with socket.create_connection(server.getsockname(), timeout=2):
            pass
