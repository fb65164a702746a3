"""The embedded services that `make run` and `make test` start on a machine without them."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROBE = (
    "import os, psycopg2, redis;"
    "psycopg2.connect(os.environ['DATABASE_URL']).close();"
    "assert redis.Redis.from_url(os.environ['REDIS_URL']).ping();"
    "print('OK', os.environ['DATABASE_URL'], os.environ['REDIS_URL'])"
)


def embedded(data_dir: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {key: value for key, value in os.environ.items()
           if key not in {"DATABASE_URL", "REDIS_URL"}}
    env["HELPDESK_DATA_DIR"] = str(data_dir)
    return subprocess.run(
        [sys.executable, "-m", "helpdesk.embedded", *args],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=180, check=False,
    )


@pytest.fixture
def data_dir():
    # Unix socket paths are limited to ~107 bytes, so keep the directory short.
    path = Path(f"/tmp/hd-embedded-{os.getpid()}")
    yield path
    embedded(path, "reset")


def test_exec_starts_both_services_and_stops_what_it_started(data_dir):
    result = embedded(data_dir, "exec", "--", sys.executable, "-c", PROBE)
    assert result.returncode == 0, result.stderr
    assert "OK postgresql://" in result.stdout
    assert f"unix://{data_dir}/redis/redis.sock" in result.stdout
    assert not (data_dir / "pg" / "postmaster.pid").exists()
    assert not (data_dir / "redis" / "redis.sock").exists()


def test_exec_reuses_running_services_and_leaves_them_running(data_dir):
    started = embedded(data_dir, "start")
    assert started.returncode == 0, started.stderr
    pid_before = (data_dir / "pg" / "postmaster.pid").read_text().split()[0]
    result = embedded(data_dir, "exec", "--", sys.executable, "-c", PROBE)
    assert result.returncode == 0, result.stderr
    assert (data_dir / "pg" / "postmaster.pid").read_text().split()[0] == pid_before
    assert (data_dir / "redis" / "redis.sock").exists()
    assert embedded(data_dir, "stop").returncode == 0
    assert not (data_dir / "pg" / "postmaster.pid").exists()


def test_exec_passes_the_commands_exit_code_through(data_dir):
    result = embedded(data_dir, "exec", "--", sys.executable, "-c", "raise SystemExit(3)")
    assert result.returncode == 3
