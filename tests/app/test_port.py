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


#: a tornado loop whose one callback collects a finalizer that receives SIGTERM (a closed tab's session
#: collected as the signal comes); the command line's handler (raise KeyboardInterrupt) is installed first
_STOPPED_IN_A_FINALIZER = """
import os, signal, sys, time
from tornado.ioloop import IOLoop
from sim.app.server import stop_on_signals
from sim.cli.app import _raise_interrupt

signal.signal(signal.SIGTERM, _raise_interrupt)
loop = IOLoop.current()
stopped = stop_on_signals(loop) if sys.argv[1] == "stop_on_signals" else []

class Session:
    def __del__(self):
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(0.2)  # the handler runs here, inside the finalizer

loop.add_callback(lambda: Session() and None)
loop.call_later(3, lambda: (print("still serving"), loop.stop()))
try:
    loop.start()
except KeyboardInterrupt:
    print("interrupted")
print("stopped by", [int(s) for s in stopped])
"""


@pytest.mark.parametrize("handler", ["stop_on_signals", "the command line's alone"])
def test_sigterm_stops_the_server_even_inside_a_finalizer(handler: str) -> None:
    """SIGTERM raised KeyboardInterrupt wherever Python was; inside a finalizer Python ignores it, and
    `dostyk app` went on serving (the browser tests' server outlived them on a busy machine). The
    server's loop now stops on the signal itself."""
    import signal
    import subprocess
    import sys
    from pathlib import Path

    pytest.importorskip("tornado")
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run([sys.executable, "-c", _STOPPED_IN_A_FINALIZER, handler], capture_output=True, text=True,
                          timeout=60, env={"PYTHONPATH": str(root), "PATH": "/usr/bin:/bin"})
    if handler == "stop_on_signals":
        assert done.stdout.splitlines() == [f"stopped by [{int(signal.SIGTERM)}]"], done
    else:  # the control: without it the finalizer swallows the KeyboardInterrupt (if Python stops doing so, this fails)
        assert "still serving" in done.stdout, done
