"""The README's Python examples run as written, so the documentation cannot rot."""

from __future__ import annotations

import re
import socket
import subprocess
import sys
from pathlib import Path

import psycopg
import pytest

ROOT = Path(__file__).parent.parent
README = ROOT / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
QUICK_START = re.search(r"## Quick start\n.*?```sh\n(.*?)```", README.read_text(), re.S)


def test_the_quick_start_is_two_commands() -> None:
    assert QUICK_START is not None
    assert QUICK_START[1].splitlines() == [
        "python3 -m cronspec due --rows examples/organization_integrations.csv"
        " --at 2026-12-01T02:00:00Z",
        "bash .ci/run",
    ]


def test_the_first_quick_start_command_prints_the_due_example() -> None:
    assert QUICK_START is not None
    command = QUICK_START[1].splitlines()[0].split()
    assert command[0] == "python3"
    result = subprocess.run(
        [sys.executable, *command[1:]], capture_output=True, text=True, cwd=ROOT, check=False
    )
    assert (result.returncode, result.stderr) == (0, "")
    assert (
        result.stdout.splitlines()[0] == "14 integrations due at 2026-12-01T02:00:00Z (32 loaded)"
    )


def test_the_readme_stands_alone() -> None:
    assert "DESIGN.md" not in README.read_text()  # a document the repository does not have


def test_the_readme_has_python_examples() -> None:
    assert len(BLOCKS) == 6


def test_every_python_example_runs(pg_db_dsn: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DATABASE_URL", pg_db_dsn)
    with psycopg.connect(pg_db_dsn) as conn:
        conn.execute(
            "INSERT INTO organization_integrations"
            " (organization_id, integration_type, cron_schedule) VALUES"
            " (gen_random_uuid(), 'xledger', '* * * * *')"
        )
    namespace: dict[str, object] = {}
    for block in BLOCKS:
        exec(compile(block, str(README), "exec"), namespace)
    with psycopg.connect(pg_db_dsn) as conn:  # the replica example ran the row once
        ran = conn.execute("SELECT status, attempts, worker FROM integration_runs").fetchall()
    assert ran == [("succeeded", 1, socket.gethostname())]
    assert [d.integration_type for d in namespace["due"]] == ["xledger"]  # type: ignore[attr-defined]
