"""`dostyk app --port 0` under a crowd: the free port found may be taken before the server binds it
(several workbenches, or the browser tests on every core, starting at once)."""

from __future__ import annotations

import errno
import socket

import pytest

from sim.app import server


def _listen(port: int) -> socket.socket:
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    try:
        s.bind(("127.0.0.1", port))
        s.listen()
    except OSError:
        s.close()
        raise
    return s


def test_a_free_port_taken_before_the_bind_is_replaced_by_another(monkeypatch: pytest.MonkeyPatch) -> None:
    taken = _listen(0)  # another program got the port that free_port found
    try:
        found = iter([taken.getsockname()[1], 0])
        real = server.free_port
        monkeypatch.setattr(server, "free_port", lambda address: next(found) or real(address))
        port, bound = server.bind(0, "127.0.0.1", _listen)
        try:
            assert port != taken.getsockname()[1] and bound.getsockname()[1] == port
        finally:
            bound.close()
    finally:
        taken.close()


def test_a_chosen_port_in_use_is_said_not_replaced() -> None:
    taken = _listen(0)
    try:
        with pytest.raises(OSError, match="in use") as info:
            server.bind(taken.getsockname()[1], "127.0.0.1", _listen)
        assert info.value.errno == errno.EADDRINUSE
    finally:
        taken.close()


def test_only_so_many_ports_are_tried(monkeypatch: pytest.MonkeyPatch) -> None:
    tried: list[int] = []

    def busy(port: int) -> None:
        tried.append(port)
        raise OSError(errno.EADDRINUSE, "Address already in use")

    with pytest.raises(OSError, match="in use"):
        server.bind(0, "127.0.0.1", busy)
    assert len(tried) == server.PORT_ATTEMPTS
