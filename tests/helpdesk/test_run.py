"""`make run`'s supervisor: one dead child stops the rest, and nothing outlives a stop."""

import os
import sys
import time
from pathlib import Path

import pytest

from helpdesk.run import Children

SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]


def _wait_for(path: Path, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.05)


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie still answers kill(0); its state in /proc tells.
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split(") ", 1)[1][0] != "Z"


@pytest.fixture
def children():
    supervised = Children()
    yield supervised
    supervised.stop(timeout=1)


def test_a_dead_child_is_reported_with_its_exit_code(children):
    # given
    children.start({"web": SLEEPER, "worker": [sys.executable, "-c", "exit(3)"]}, dict(os.environ))
    # when
    deadline = time.monotonic() + 30
    while (code := children.exit_code()) is None and time.monotonic() < deadline:
        time.sleep(0.05)
    children.stop()
    # then
    assert code == 3
    assert all(process.poll() is not None for process in children.running.values())


def test_stop_kills_a_child_that_ignores_sigterm_and_its_grandchildren(children, tmp_path):
    # given: a child that ignores SIGTERM and has started a grandchild of its own
    ready, grandchild_pid = tmp_path / "ready", tmp_path / "grandchild"
    stubborn = (
        "import signal, subprocess, sys, time, pathlib;"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN);"
        f"p = subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(120)']);"
        f"pathlib.Path({str(grandchild_pid)!r}).write_text(str(p.pid));"
        f"pathlib.Path({str(ready)!r}).touch();"
        "time.sleep(120)"
    )
    children.start({"beat": [sys.executable, "-c", stubborn]}, dict(os.environ))
    _wait_for(ready)
    grandchild = int(grandchild_pid.read_text())
    # when
    started = time.monotonic()
    children.stop(timeout=1)
    # then
    assert children.running["beat"].returncode is not None
    assert time.monotonic() - started < 10
    deadline = time.monotonic() + 5
    while _alive(grandchild) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(grandchild)


def test_children_ignore_the_terminals_ctrl_c(children):
    # Each child leads its own process group, so only the supervisor hears Ctrl-C.
    children.start({"web": SLEEPER}, dict(os.environ))
    pid = children.running["web"].pid
    assert os.getpgid(pid) == pid != os.getpgid(0)
