"""Starting states for tests, restored in milliseconds instead of rebuilt.

A state (empty tables, the park, the park with its shop) is built once per process through the services,
then kept as each table's rows (COPY, binary), the sequences' positions and every Redis key. Restoring
it deletes what the last test left and copies the rows back: deleting a few rows costs far less than
TRUNCATE, which creates new files for every table; a table that grew large is truncated all the same,
so no test reads through the dead rows of another.
"""
from dataclasses import dataclass, field

from points_mall.extensions import db, redis_store

# Past this size (bytes on disk) a table is truncated rather than deleted from.
LARGE = 64 * 1024


@dataclass
class State:
    rows: dict[str, bytes] = field(default_factory=dict)  # table -> COPY binary, tables with rows only
    sequences: dict[str, tuple[int, bool]] = field(default_factory=dict)  # sequence -> (last_value, is_called)
    keys: list[tuple[bytes, int, bytes]] = field(default_factory=list)  # Redis: key, ms to live (0: none), DUMP


class Snapshots:
    def __init__(self):
        self.tables: list[str] | None = None  # parents first
        self.sequences: dict[str, tuple[str, int]] = {}  # identity sequence -> (table, start value)
        self.states: dict[str, State] = {}

    def _learn(self, conn) -> None:
        self.tables = [t.name for t in db.metadata.sorted_tables]
        rows = conn.execute(
            "SELECT s.schemaname || '.' || s.sequencename, c.relname, s.start_value FROM pg_sequences s "
            "JOIN pg_class q ON q.relname = s.sequencename AND q.relkind = 'S' "
            "JOIN pg_depend d ON d.objid = q.oid AND d.classid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') "
            "JOIN pg_class c ON c.oid = d.refobjid WHERE s.schemaname = 'public'").fetchall()
        # Only sequences owned by a table, the ones TRUNCATE … RESTART IDENTITY resets.
        self.sequences = {name: (table, start) for name, table, start in rows if table in self.tables}

    def empty(self) -> None:
        """Every table empty, every owned sequence at its start, Redis empty."""
        raw = db.engine.raw_connection()
        try:
            conn = raw.driver_connection
            if self.tables is None:
                self._learn(conn)
            large = [name for (name,) in conn.execute(
                "SELECT relname FROM pg_class WHERE relkind = 'r' AND relnamespace = 'public'::regnamespace "
                "AND relname = ANY(%s) AND pg_relation_size(oid) > %s", (self.tables, LARGE)).fetchall()]
            if large:
                conn.execute("TRUNCATE " + ", ".join(f'"{t}"' for t in large) + " CASCADE")
            # As a replica: no foreign-key checks while every table is emptied, children and parents alike.
            conn.execute("SET LOCAL session_replication_role = replica")
            conn.execute("; ".join(f'DELETE FROM "{t}"' for t in reversed(self.tables)))
            if self.sequences:
                conn.execute("SELECT " + ", ".join(
                    f"setval('{name}', {start}, false)" for name, (_, start) in self.sequences.items()))
            conn.commit()
        finally:
            raw.close()
        redis_store.client.flushdb()

    def capture(self, name: str) -> None:
        """Keep what the database and Redis hold now as the state called name."""
        state = State()
        raw = db.engine.raw_connection()
        try:
            conn = raw.driver_connection
            cur = conn.cursor()
            for table in self.tables:
                if cur.execute(f'SELECT EXISTS (SELECT 1 FROM "{table}")').fetchone()[0]:
                    with cur.copy(f'COPY "{table}" TO STDOUT (FORMAT binary)') as copy:
                        state.rows[table] = b"".join(bytes(block) for block in copy)
            for seq in self.sequences:
                state.sequences[seq] = cur.execute(f"SELECT last_value, is_called FROM {seq}").fetchone()
            conn.commit()
        finally:
            raw.close()
        client = redis_store.client
        for key in client.scan_iter(count=1000):
            ttl = client.pttl(key)
            state.keys.append((key, max(ttl, 0), client.dump(key)))
        self.states[name] = state

    def restore(self, name: str) -> None:
        state = self.states[name]
        self.empty()
        raw = db.engine.raw_connection()
        try:
            conn = raw.driver_connection
            cur = conn.cursor()
            cur.execute("SET LOCAL session_replication_role = replica")
            for table in self.tables:
                if table in state.rows:
                    with cur.copy(f'COPY "{table}" FROM STDIN (FORMAT binary)') as copy:
                        copy.write(state.rows[table])
            if state.sequences:
                cur.execute("SELECT " + ", ".join(
                    f"setval('{seq}', {value}, {'true' if called else 'false'})"
                    for seq, (value, called) in state.sequences.items()))
            conn.commit()
        finally:
            raw.close()
        if state.keys:
            pipe = redis_store.client.pipeline(transaction=False)
            for key, ttl, dumped in state.keys:
                pipe.restore(key, ttl, dumped, replace=True)
            pipe.execute()

    def has(self, name: str) -> bool:
        return name in self.states

