"""The README's Python examples run as written, so the documentation cannot rot."""

from __future__ import annotations

import re
from pathlib import Path

import psycopg
import pytest

README = Path(__file__).parent.parent / "README.md"
BLOCKS = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)


def test_the_readme_has_python_examples() -> None:
    assert len(BLOCKS) == 4


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
    assert [run.integration_type for run in namespace["won"]] == ["xledger"]  # type: ignore[attr-defined]
