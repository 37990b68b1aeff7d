"""A throwaway PostgreSQL server for the adapter tests, as a pytest plugin.

Loaded by ``tests/conftest.py`` (``pytest_plugins = ["postgres_server"]``); the benchmark
imports :func:`throwaway_server` from here too.

- ``CRONSPEC_TEST_DSN`` set: that server is used as it is (it must allow CREATE DATABASE).
- Otherwise a server is started for the session: ``initdb`` into a temporary directory, then
  ``pg_ctl start`` listening only on a Unix socket in that directory, and ``pg_ctl stop -m
  fast`` at the end. ``initdb`` refuses to run as root, so as root both run as the
  ``postgres`` system user through ``runuser``.

If no server can be started the tests fail (never skip): a green run must mean the adapter
was tested against a real PostgreSQL.

Fixtures: ``pg_dsn`` (session: the server), ``pg_db_dsn`` (a fresh database per test,
cloned from a template with ``adapters/postgres/schema.sql`` applied), ``pg_conn`` (a psycopg
connection to it, default transaction mode) and ``pg_aconnect`` (an ``async`` callable that
opens an ``AsyncConnection`` to it; plain pytest has no async fixtures).
"""

from __future__ import annotations

import contextlib
import glob
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import psycopg
import pytest
from psycopg import sql

DSN_ENV = "CRONSPEC_TEST_DSN"
SCHEMA_SQL = Path(__file__).resolve().parent.parent / "adapters" / "postgres" / "schema.sql"
TEMPLATE_DB = "cronspec_template"
SERVER_USER = "postgres"


class ServerError(RuntimeError):
    """The throwaway server could not be started (message says why and what to do)."""


@dataclass(frozen=True)
class Server:
    """A running throwaway server: where it lives and how to reach it."""

    base_dir: Path
    data_dir: Path
    socket_dir: Path
    port: int
    pg_ctl: str
    durable: bool = False  # commits survive a crash (tests that kill the server need it)

    @property
    def dsn(self) -> str:
        return psycopg.conninfo.make_conninfo(
            host=str(self.socket_dir), port=self.port, user=SERVER_USER, dbname="postgres"
        )

    @property
    def log_file(self) -> Path:
        return self.base_dir / "server.log"


def find_program(name: str) -> str:
    """``name`` from PATH, else from the newest ``/usr/lib/postgresql/*/bin`` (Debian)."""
    found = shutil.which(name)
    if found:
        return found
    candidates = glob.glob(f"/usr/lib/postgresql/*/bin/{name}")
    if not candidates:
        raise ServerError(
            f"{name} not found on PATH nor in /usr/lib/postgresql/*/bin: install PostgreSQL "
            f"(apt-get install postgresql) or set {DSN_ENV} to an existing server"
        )
    return max(candidates, key=lambda path: int(Path(path).parts[-3].split(".")[0]))


def _free_port() -> int:
    # The server listens on a private socket directory only, so any port would do; a free
    # TCP port keeps the socket name unique anyway should listen_addresses ever change.
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _run(command: list[str], what: str, log_file: Path | None = None) -> None:
    result = subprocess.run(command, capture_output=True, text=True, timeout=120, check=False)
    if result.returncode != 0:
        log = ""
        if log_file is not None and log_file.exists():
            log = "\nserver log:\n" + log_file.read_text(errors="replace")[-2000:]
        raise ServerError(
            f"{what} failed (exit {result.returncode}): {' '.join(command)}\n"
            f"{result.stdout}{result.stderr}{log}"
        )


def _as_server_user() -> list[str]:
    return [find_program("runuser"), "-u", SERVER_USER, "--"] if os.geteuid() == 0 else []


def start_server(*, durable: bool = False) -> Server:
    """initdb + pg_ctl start a private server; stop it with :func:`stop_server`. Not
    ``durable``, it skips fsync and synchronous commits: durability costs time."""
    initdb, pg_ctl = find_program("initdb"), find_program("pg_ctl")
    as_user: list[str] = []
    base = Path(tempfile.mkdtemp(prefix="cronspec-pg-"))
    if os.geteuid() == 0:
        try:
            account = pwd.getpwnam(SERVER_USER)
        except KeyError:
            shutil.rmtree(base, ignore_errors=True)
            raise ServerError(
                f"running as root and there is no {SERVER_USER!r} user to run initdb as: "
                f"create one or set {DSN_ENV}"
            ) from None
        os.chown(base, account.pw_uid, account.pw_gid)
        as_user = _as_server_user()
    server = Server(base, base / "data", base / "sock", _free_port(), pg_ctl, durable)
    try:
        _run(
            [
                *as_user,
                initdb,
                *("-D", str(server.data_dir), "-A", "trust", "-U", SERVER_USER),
                *("-E", "UTF8", "--locale=C", "--no-sync"),
            ],
            "initdb",
        )
        _run([*as_user, "mkdir", "-p", str(server.socket_dir)], "mkdir")
        restart_server(server)
    except BaseException:
        shutil.rmtree(base, ignore_errors=True)
        raise
    return server


def stop_server(server: Server) -> None:
    """``pg_ctl stop -m fast``, then remove the data directory."""
    try:
        _run(
            [
                *_as_server_user(),
                server.pg_ctl,
                "-D",
                str(server.data_dir),
                "-m",
                "fast",
                "-w",
                "stop",
            ],
            "pg_ctl stop",
        )
    finally:
        shutil.rmtree(server.base_dir, ignore_errors=True)


@contextlib.contextmanager
def throwaway_server() -> Iterator[str]:
    """The DSN of ``CRONSPEC_TEST_DSN`` if set, else of a server started for the block."""
    configured = os.environ.get(DSN_ENV)
    if configured:
        yield configured
        return
    server = start_server()
    try:
        yield server.dsn
    finally:
        stop_server(server)


def apply_schema(conn: psycopg.Connection[tuple[object, ...]]) -> None:
    """Run ``adapters/postgres/schema.sql`` on ``conn`` and commit."""
    conn.execute(SCHEMA_SQL.read_bytes())
    conn.commit()


def database_dsn(dsn: str, dbname: str) -> str:
    """``dsn`` pointed at another database of the same server."""
    return psycopg.conninfo.make_conninfo(dsn, dbname=dbname)


def _create_template(dsn: str) -> None:
    with psycopg.connect(dsn, autocommit=True) as admin:
        admin.execute(
            sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(TEMPLATE_DB))
        )
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(TEMPLATE_DB)))
    with psycopg.connect(database_dsn(dsn, TEMPLATE_DB)) as conn:
        apply_schema(conn)


@pytest.fixture(scope="session")
def pg_dsn() -> Iterator[str]:
    """DSN of the test server (``CRONSPEC_TEST_DSN`` or a throwaway one), with a template
    database holding the schema."""
    try:
        with throwaway_server() as dsn:
            try:
                _create_template(dsn)
            except psycopg.Error as error:
                pytest.fail(
                    f"PostgreSQL at {dsn!r} is not usable for the tests: {error}", pytrace=False
                )
            yield dsn
    except ServerError as error:
        pytest.fail(f"cannot start a PostgreSQL server for the tests: {error}", pytrace=False)


_database_numbers = itertools.count(1)


@pytest.fixture
def pg_db_dsn(pg_dsn: str) -> Iterator[str]:
    """DSN of a fresh database (schema applied, no rows), dropped after the test."""
    name = f"cronspec_test_{os.getpid()}_{next(_database_numbers)}"
    with psycopg.connect(pg_dsn, autocommit=True) as admin:
        admin.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(TEMPLATE_DB)
            )
        )
    try:
        yield database_dsn(pg_dsn, name)
    finally:
        with psycopg.connect(pg_dsn, autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@pytest.fixture
def pg_conn(pg_db_dsn: str) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    """A connection to the test's fresh database (psycopg's default: not autocommit)."""
    with psycopg.connect(pg_db_dsn) as conn:
        yield conn


@pytest.fixture
def pg_aconnect(
    pg_db_dsn: str,
) -> Callable[[], Awaitable[psycopg.AsyncConnection[tuple[object, ...]]]]:
    """``await pg_aconnect()`` opens an async connection to the test's database (the test
    runs its coroutine with ``asyncio.run`` and closes the connection itself)."""

    async def connect() -> psycopg.AsyncConnection[tuple[object, ...]]:
        return await psycopg.AsyncConnection.connect(pg_db_dsn)

    return connect


@contextlib.contextmanager
def pgbouncer(dsn: str) -> Iterator[str]:
    """PgBouncer in transaction mode in front of the server of ``dsn``, on a Unix socket of
    its own; yields the DSN to reach the same database through it. Installed by apt in
    ``.ci/run`` (``apt-get install pgbouncer``); refuses to run as root, hence runuser."""
    program = shutil.which("pgbouncer") or "/usr/sbin/pgbouncer"
    if not Path(program).exists():
        raise ServerError("pgbouncer not found: apt-get install pgbouncer")
    target = psycopg.conninfo.conninfo_to_dict(dsn)
    base = Path(tempfile.mkdtemp(prefix="cronspec-pgbouncer-"))
    if os.geteuid() == 0:
        account = pwd.getpwnam(SERVER_USER)
        os.chown(base, account.pw_uid, account.pw_gid)
    port = _free_port()
    user = str(target.get("user") or SERVER_USER)
    (base / "users.txt").write_text(f'"{user}" ""\n')
    (base / "pgbouncer.ini").write_text(
        "[databases]\n"
        f"* = host={target.get('host') or 'localhost'} port={target.get('port') or 5432}\n"
        "[pgbouncer]\n"
        "listen_addr =\n"
        f"listen_port = {port}\n"
        f"unix_socket_dir = {base}\n"
        "auth_type = trust\n"
        f"auth_file = {base}/users.txt\n"
        "pool_mode = transaction\n"
        "max_client_conn = 200\n"
        "default_pool_size = 4\n"
        "ignore_startup_parameters = extra_float_digits,options\n"
        f"logfile = {base}/pgbouncer.log\n"
    )
    process = subprocess.Popen(
        [*_as_server_user(), program, str(base / "pgbouncer.ini")],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    try:
        socket_file = base / f".s.PGSQL.{port}"
        for _ in range(200):
            if socket_file.exists() or process.poll() is not None:
                break
            time.sleep(0.05)
        if not socket_file.exists():
            log = (
                (base / "pgbouncer.log").read_text(errors="replace")
                if (base / "pgbouncer.log").exists()
                else ""
            )
            raise ServerError(
                f"pgbouncer did not start: {process.stderr.read() if process.stderr else ''!r} {log}"
            )
        yield psycopg.conninfo.make_conninfo(dsn, host=str(base), port=port)
    finally:
        process.terminate()
        process.wait(timeout=30)
        shutil.rmtree(base, ignore_errors=True)


def restart_server(server: Server) -> None:
    """``pg_ctl start`` the server (again, after a test stopped it): same data and socket."""
    options = f"-k {server.socket_dir} -p {server.port} -c listen_addresses=''"
    if not server.durable:  # a throwaway cluster: durability costs time and buys nothing
        options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    _run(
        [
            *_as_server_user(),
            server.pg_ctl,
            *("-D", str(server.data_dir), "-l", str(server.log_file)),
            *("-o", options, "-w", "-t", "60", "start"),
        ],
        "pg_ctl start",
        server.log_file,
    )


def kill_server(server: Server) -> None:
    """``pg_ctl stop -m immediate``: the server dies as in a crash, mid-transaction (only
    a ``durable`` server keeps every commit)."""
    _run(
        [
            *_as_server_user(),
            server.pg_ctl,
            "-D",
            str(server.data_dir),
            "-m",
            "immediate",
            "-w",
            "stop",
        ],
        "pg_ctl stop",
    )
