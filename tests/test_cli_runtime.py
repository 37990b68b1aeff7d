"""``cronspec run`` and ``cronspec runs``: the loop from the command line, the ledger for
people. ``runs`` reads a ledger written on a simulated clock, so its output is exact."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from runtime_support import Clock, Exports, drain, execute, postgres_ledger, row, schedule_of, utc
from test_cli import cronspec, cronspec_at

from cronspec import Scheduler, SQLiteLedger

ROWS = (
    "id,organization_id,integration_type,cron_schedule,is_enabled,timezone\n"
    "i-1,org-1,xledger,* * * * *,true,\n"
    "i-2,org-2,bufdir,* * * * *,true,Europe/Oslo\n"
    "i-3,org-2,dynamics,99 * * * *,true,\n"
)
HANDLER = (
    "import sys\n"
    "def export(run):\n"
    "    sys.stdout.write(f'export {run.idempotency_key}\\n')  # one write: threads interleave\n"
    "    sys.stdout.flush()\n"
    "    if run.integration_id == 'i-2':\n"
    "        raise RuntimeError('503 from Bufdir')\n"
)


def test_run_exports_every_due_integration_and_stops_on_sigterm(tmp_path: Path) -> None:
    (tmp_path / "rows.csv").write_text(ROWS)
    (tmp_path / "exporter.py").write_text(HANDLER)
    command = [sys.executable, "-m", "cronspec", "run", "--rows", "rows.csv"]
    command += ["--ledger", "runs.sqlite", "--handler", "exporter:export", "--worker", "cli"]
    process = subprocess.Popen(
        command, cwd=tmp_path, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    assert process.stdout is not None and process.stderr is not None
    exports = sorted(process.stdout.readline().split()[1][:4] for _ in range(2))
    time.sleep(0.2)  # the failure is recorded
    process.send_signal(signal.SIGTERM)
    assert process.wait(timeout=30) == 0
    log = process.stderr.read()
    assert exports == ["i-1@", "i-2@"]
    assert "skipping integration 'i-3' of organization 'org-2': minute: 99 is out of range" in log
    assert "failed on attempt 1 of 5, retrying in 0:01:00: RuntimeError: 503 from Bufdir" in log
    assert "SIGTERM: stopping after the running exports" in log
    shown = cronspec("runs", "--ledger", str(tmp_path / "runs.sqlite"), "--json")
    document = json.loads(shown.stdout)
    assert document["summary"]["counts"] == {"failed": 1, "succeeded": 1}
    assert {r["worker"] for r in document["runs"]} == {"cli"}


def test_run_refuses_a_handler_it_cannot_import(tmp_path: Path) -> None:
    (tmp_path / "rows.csv").write_text(ROWS)
    result = cronspec("run", "--rows", str(tmp_path / "rows.csv"), "--handler", "nowhere:export")
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == "cronspec: error: cannot import 'nowhere': No module named 'nowhere'\n"
    result = cronspec("run", "--rows", str(tmp_path / "rows.csv"), "--handler", "json")
    assert result.stderr == "cronspec: error: --handler must be module:function, not 'json'\n"
    result = cronspec("run", "--rows", str(tmp_path / "rows.csv"), "--handler", "json:nothing")
    assert result.stderr == "cronspec: error: module 'json' has no function 'nothing'\n"


@pytest.fixture
def ledger_file(tmp_path: Path) -> Path:
    """A ledger with one of each outcome, written on a simulated clock."""
    path = tmp_path / "runs.sqlite"
    ledger = SQLiteLedger(path)
    schedule = schedule_of(
        row("ok", "0 * * * *", org="org-a"),
        row("flaky", "0 * * * *", org="org-b", kind="bufdir"),
        row("late", "30 2 * * *", org="org-c", kind="dynamics"),
    )
    clock = Clock("2026-12-01T00:00:30")
    drain(Scheduler(schedule, ledger, worker="w-1", clock=clock), Exports())
    clock.set("2026-12-01T02:37:10")  # down for 2.5 hours; a one-hour catch-up window
    worker = Scheduler(schedule, ledger, worker="w-2", clock=clock, catchup=timedelta(hours=1))
    runs = worker.tick()
    execute(worker, runs, Exports(fail=lambda run: run.integration_id == "flaky"))
    ledger.close()
    return path


def test_runs_lists_the_ledger_with_a_summary(
    ledger_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = cronspec_at(
        utc("2026-12-01T02:40"), capsys, "runs", "--ledger", str(ledger_file)
    )
    assert (code, err) == (0, "")
    assert out.splitlines() == [
        "7 runs since 2026-11-30T02:40:00Z: 1 failed, 2 missed, 4 succeeded;"
        " worst lateness 0:37:10",
        "",
        "scheduled_at          status     attempts  started_at            lateness  integration"
        "  org    error",
        "2026-12-01T00:00:00Z  succeeded  1         2026-12-01T00:00:30Z  0:00:30   flaky"
        "        org-b",
        "2026-12-01T00:00:00Z  succeeded  1         2026-12-01T00:00:30Z  0:00:30   ok"
        "           org-a",
        "2026-12-01T01:00:00Z  missed     0                                         flaky"
        "        org-b",
        "2026-12-01T01:00:00Z  missed     0                                         ok"
        "           org-a",
        "2026-12-01T02:00:00Z  failed     1         2026-12-01T02:37:10Z  0:37:10   flaky"
        "        org-b  RuntimeError: 503 Service Unavailable for flaky@2026-12-0...",
        "2026-12-01T02:00:00Z  succeeded  1         2026-12-01T02:37:10Z  0:37:10   ok"
        "           org-a",
        "2026-12-01T02:30:00Z  succeeded  1         2026-12-01T02:37:10Z  0:07:10   late"
        "         org-c",
    ]


def test_runs_filters_by_status_and_time_and_says_when_it_stopped_at_the_limit(
    ledger_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    now = utc("2026-12-01T02:40")
    ledger = str(ledger_file)
    code, out, _ = cronspec_at(now, capsys, "runs", "--ledger", ledger, "--status", "missed,dead")
    assert (code, out.splitlines()[0]) == (0, "2 runs since 2026-11-30T02:40:00Z: 2 missed")
    code, out, _ = cronspec_at(
        now, capsys, "runs", "--ledger", ledger, "--since", "2026-12-01T02:00"
    )
    assert out.splitlines()[0] == (
        "3 runs since 2026-12-01T02:00:00Z: 1 failed, 2 succeeded; worst lateness 0:37:10"
    )
    code, out, _ = cronspec_at(now, capsys, "runs", "--ledger", ledger, "--limit", "2")
    assert out.splitlines()[0] == (
        "2 runs since 2026-11-30T02:40:00Z (the first 2: see --limit): 2 succeeded;"
        " worst lateness 0:00:30"
    )


def test_runs_json_has_every_record_field_and_the_summary(
    ledger_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, _ = cronspec_at(
        utc("2026-12-01T02:40"), capsys, "runs", "--ledger", str(ledger_file), "--json",
        "--status", "failed",
    )  # fmt: skip
    assert code == 0
    assert json.loads(out) == {
        "runs": [
            {
                "org_id": "org-b",
                "integration_id": "flaky",
                "integration_type": "bufdir",
                "scheduled_at": "2026-12-01T02:00:00+00:00",
                "period_start": "2026-12-01T01:00:00+00:00",
                "worker": "w-2",
                "status": "failed",
                "attempts": 1,
                "planned_at": "2026-12-01T02:37:10+00:00",
                "started_at": "2026-12-01T02:37:10+00:00",
                "finished_at": "2026-12-01T02:37:10+00:00",
                "error": "RuntimeError: 503 Service Unavailable for flaky@2026-12-01T02:00Z",
                "covered_by": None,
                "lateness_seconds": 2230.0,
                "idempotency_key": "flaky@2026-12-01T02:00Z",
            }
        ],
        "summary": {
            "since": "2026-11-30T02:40:00Z",
            "runs": 1,
            "truncated": False,
            "counts": {"failed": 1},
            "worst_lateness_seconds": 2230.0,
        },
    }


def test_runs_refuses_a_missing_ledger_and_an_unknown_status(tmp_path: Path) -> None:
    result = cronspec("runs", "--ledger", str(tmp_path / "none.sqlite"))
    assert (result.returncode, result.stderr) == (
        2,
        f"cronspec: error: no ledger at {tmp_path / 'none.sqlite'}\n",
    )
    result = cronspec("runs", "--ledger", "x.sqlite", "--status", "lost", "--json")
    assert (result.returncode, json.loads(result.stdout)) == (
        2,
        {
            "error": "argument --status: 'lost' is not a list of statuses (pending, running,"
            " succeeded, failed, dead, missed, coalesced)"
        },
    )


def test_runs_reads_the_postgres_ledger(pg_db_dsn: str) -> None:
    clock = Clock("2026-12-01T02:00:30")
    with postgres_ledger(pg_db_dsn) as ledger:
        drain(
            Scheduler(schedule_of(row("i-1", "0 2 * * *")), ledger, worker="w", clock=clock),
            Exports(),
        )
    result = cronspec("runs", "--dsn", pg_db_dsn, "--since", "2026-12-01T00:00Z", "--json")
    assert result.returncode == 0
    document = json.loads(result.stdout)
    assert [(r["idempotency_key"], r["status"]) for r in document["runs"]] == [
        ("i-1@2026-12-01T02:00Z", "succeeded")
    ]
