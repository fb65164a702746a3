"""
Bring the whole product up on this machine: `make run`.

Prepare the database (migrate, collect static files, seed the demo desk), then run gunicorn,
a Celery worker and Celery beat as child processes until Ctrl-C or SIGTERM, or until one of
them dies. Expects DATABASE_URL and REDIS_URL, which `helpdesk.embedded exec` sets.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType

from helpdesk.embedded import DATA_DIR

BASE_DIR = Path(__file__).resolve().parent.parent
KEY_FILE = DATA_DIR / "demo-intake-key"
READY_TIMEOUT = 90.0
STOP_TIMEOUT = 20.0
POLL = 0.5


def say(text: str = "") -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


class Stop(Exception):
    """Ctrl-C or SIGTERM asked everything to stop."""


def _raise_stop(signum: int, frame: FrameType | None) -> None:
    raise Stop(signal.Signals(signum).name)


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("DJANGO_SETTINGS_MODULE", "helpdesk.settings.local")
    env.setdefault("PORT", "8000")
    env.setdefault("SITE_URL", f"http://127.0.0.1:{env['PORT']}")
    env["PYTHONUNBUFFERED"] = "1"  # interleave the children's logs as they happen
    return env


def manage(*args: str) -> list[str]:
    return [sys.executable, str(BASE_DIR / "manage.py"), *args]


def prepare(env: dict[str, str]) -> None:
    """Migrate, collect static files and seed the demo desk; any failure stops `make run`."""
    say("Migrating the database...")
    subprocess.run(manage("migrate", "--noinput", "-v", "1"), env=env, cwd=BASE_DIR, check=True)
    subprocess.run(manage("collectstatic", "--noinput", "-v", "0"), env=env, cwd=BASE_DIR,
                   check=True)
    say("Seeding the demo desk (the first run takes up to a minute)...")
    subprocess.run(manage("seed_demo", "--key-file", str(KEY_FILE)), env=env, cwd=BASE_DIR,
                   check=True)


def services(env: dict[str, str]) -> dict[str, list[str]]:
    python = sys.executable
    return {
        "web": [python, "-m", "gunicorn", "helpdesk.wsgi",
                "--bind", f"127.0.0.1:{env['PORT']}", "--workers", "3",
                "--timeout", "60", "--graceful-timeout", "15",
                "--access-logfile", "-", "--error-logfile", "-"],
        # On one machine, background work yields the CPU to agents' requests.
        "worker": ["nice", "-n", "10", python, "-m", "celery", "-A", "helpdesk", "worker",
                   "--loglevel", "INFO",
                   "--concurrency", "2", "--without-gossip", "--without-mingle"],
        "beat": [python, "-m", "celery", "-A", "helpdesk", "beat", "--loglevel", "INFO",
                 "--scheduler", "django_celery_beat.schedulers:DatabaseScheduler"],
    }


@dataclass
class Children:
    """The long-running processes; each leads its own process group, so the terminal's
    Ctrl-C reaches only this supervisor, which stops them in order."""

    running: dict[str, subprocess.Popen] = field(default_factory=dict)
    hurry: bool = False

    def start(self, commands: dict[str, list[str]], env: dict[str, str]) -> None:
        for name, command in commands.items():
            self.running[name] = subprocess.Popen(command, env=env, cwd=BASE_DIR,
                                                  process_group=0)

    def exit_code(self) -> int | None:
        """Return the code to exit with if a child has died, else None."""
        for name, process in self.running.items():
            if process.poll() is not None:
                say(f"{name} exited with code {process.returncode}; stopping the rest.")
                return process.returncode if process.returncode > 0 else 1
        return None

    def stop(self, timeout: float = STOP_TIMEOUT) -> None:
        """Terminate every child, wait, and kill what is still there after the timeout."""
        for process in self.running.values():
            if process.poll() is None:
                process.terminate()
        deadline = time.monotonic() + timeout
        for name, process in self.running.items():
            while process.poll() is None and time.monotonic() < deadline and not self.hurry:
                time.sleep(0.1)
            if process.poll() is None:
                say(f"{name} did not stop in time; killing it.")
            _kill_group(process)
            process.wait()


def _kill_group(process: subprocess.Popen) -> None:
    # Also sweeps grandchildren (gunicorn and Celery pool workers) that outlived their parent.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signal.SIGKILL)


def _status(url: str, headers: dict[str, str] | None = None) -> int:
    request = urllib.request.Request(url, headers=headers or {})
    try:
        # Generous: a first request on a busy two-core machine can take seconds.
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status
    except urllib.error.HTTPError as error:
        return error.code
    except (urllib.error.URLError, OSError):
        return 0


def serve(env: dict[str, str], children: Children) -> int:
    """Start the children, announce the URLs once ready; return when one of them dies."""
    children.start(services(env), env)
    base = f"http://127.0.0.1:{env['PORT']}"
    deadline = time.monotonic() + READY_TIMEOUT
    while _status(f"{base}/health/ready") != 200:
        if (code := children.exit_code()) is not None:
            return code
        if time.monotonic() > deadline:
            say(f"{base}/health/ready did not answer 200 within {READY_TIMEOUT:.0f} s.")
            return 1
        time.sleep(POLL)
    announce(base)
    while (code := children.exit_code()) is None:
        time.sleep(POLL)
    return code


def announce(base: str) -> None:
    """Print where everything is, in one block so the children's logs do not split it."""
    from tickets.demo.cast import DEMO_PASSWORD, PEOPLE

    pages = [("agent desk", "/agent/"), ("request form", "/support/new/"), ("admin", "/admin/"),
             ("API docs", "/api/v1/docs/"), ("health", "/health/ready")]
    lines = ["", "=" * 72, f"The help desk is up at {base}/"]
    lines += [f"  {label:<13} {base}{path}" for label, path in pages
              if 0 < _status(base + path) < 400]
    lines += ["", f"Demo logins (password {DEMO_PASSWORD}):"]
    shown: set[str] = set()
    for person in PEOPLE:
        if person.role not in shown:
            shown.add(person.role)
            lines.append(f"  {person.role.value:<10} {person.username:<8} "
                         f"{person.first_name} {person.last_name}")
    lines.append(f"  ...and {len(PEOPLE) - len(shown)} more agents and team leads.")
    lines += ["", *key_lines(base), "", "Ctrl-C stops everything.", "=" * 72, ""]
    say("\n".join(lines))


def key_lines(base: str) -> list[str]:
    key = KEY_FILE.read_text().strip() if KEY_FILE.exists() else ""
    # The file may belong to another database; hide a key the API does not know.
    if not key or _status(f"{base}/api/v1/tickets/", {"Authorization": f"Token {key}"}) == 401:
        return ["Demo intake API key: shown when it was created. Make another with",
                '  make manage ARGS="create_api_key my-form --scopes intake"']
    body = json.dumps({"subject": "Printer on fire", "description": "It smells of toner.",
                       "requester": {"email": "you@customer.example"}})
    return [f"Demo intake API key (demo-web-form): {key}",
            f"  curl -X POST {base}/api/v1/tickets/ -H 'Authorization: Token {key}' \\",
            f"       -H 'Content-Type: application/json' -d '{body}'"]


def main() -> int:
    env = child_env()
    children = Children()
    signal.signal(signal.SIGINT, _raise_stop)
    signal.signal(signal.SIGTERM, _raise_stop)
    try:
        prepare(env)
        return serve(env, children)
    except Stop as stop:
        say(f"\n{stop} received; stopping.")
        return 0
    except subprocess.CalledProcessError as error:
        say(f"{' '.join(error.cmd[1:3])} failed with exit code {error.returncode}.")
        return error.returncode or 1
    finally:
        # A second Ctrl-C during shutdown kills whatever is left at once.
        signal.signal(signal.SIGINT, lambda *_: setattr(children, "hurry", True))
        signal.signal(signal.SIGTERM, lambda *_: setattr(children, "hurry", True))
        children.stop()


if __name__ == "__main__":
    sys.exit(main())
