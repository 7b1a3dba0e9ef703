"""The board's copy in Redis (公示栏缓存): per organisation, year and dimension (or the total) a sorted set
of the subtree's active members by yearly score, so the top 50 and a member's rank cost a few Redis
commands at any size. PostgreSQL holds the facts; a set is only ever built from them.

- Built lazily from SQL on the first read (one aggregate query, streamed into a temporary key in
  pipelined chunks, then RENAMEd), one builder at a time (a lock); meanwhile, and whenever Redis is
  unreachable or not configured (the embedded default), the board is answered by SQL (ranking._ranked).
- Kept in step with the ledger by listening to it (signals.points_moved, sent once a transaction that
  posted entries COMMITS; connected by init_app): every score change is added to the existing sets of
  the member's organisation and its ancestors (ZADD XX INCR: a set that does not exist is not created, a
  member not on it is not added); a rollback announces nothing. A build running meanwhile logs the changes, and applies those its SQL snapshot did not
  see (by entry id, checked in the same snapshot), so a board built while points are posted is exact.
- Member changes (switched off/on, transferred, a new member, an organisation moved) fix or drop the
  affected sets after commit and abort builds running on them; a dropped set is rebuilt on next read.

"Rebuilt from SQL when lost" covers: a set evicted, expired (unread for SET_TTL) or deleted; a Redis
write that fails (the set is dropped, or, when Redis cannot even be reached, dropped by this process at
its next Redis call); Redis restarted empty. What remains: a process that dies between the commit and
its Redis call (or the change of a member and a posting to them in the same instant, or a posting
whose Redis call is delayed past a whole rebuild of the set) leaves a set off by that change until it
is rebuilt; `flask board-rebuild`, run daily by the worker, rebuilds every set from SQL.
"""
import logging
import secrets
from dataclasses import dataclass

from flask import Flask, current_app, has_app_context
from sqlalchemy import bindparam, event, func, select, text
from sqlalchemy.orm import Session

from points_mall.extensions import db
from points_mall.people.models import Member, Org
from points_mall.points.models import Score
from points_mall.points.signals import Moved, points_moved

log = logging.getLogger(__name__)

BIG = 10 ** 12  # a set's member is BIG - id, zero-padded: equal scores then list ascending ids (reverse-lex)
WIDTH = 12
SET_TTL_MS = 2 * 24 * 3600 * 1000  # a set nobody read for two days goes; the next read rebuilds it
LOCK_MS = 600_000
CHUNK = 10_000
_stale: set[str] = set()  # sets this process could not update nor drop: dropped at its next Redis call

# The board's answer: top rows, the member count, and the viewer's (score, members strictly ahead).
_READ = """
if redis.call('EXISTS', KEYS[1]) == 0 then return false end
local top = {}
if tonumber(ARGV[1]) > 0 then top = redis.call('ZREVRANGE', KEYS[1], 0, tonumber(ARGV[1]) - 1, 'WITHSCORES') end
local mine = false
if ARGV[2] ~= '' then
  local s = redis.call('ZSCORE', KEYS[1], ARGV[2])
  if s then mine = {s, redis.call('ZCOUNT', KEYS[1], '(' .. s, '+inf')} end
end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return {top, redis.call('ZCARD', KEYS[1]), mine}
"""
# A committed score change: onto the set if it is there, and into the log of a build running on it.
_MOVE = """
if redis.call('EXISTS', KEYS[2]) == 1 then redis.call('RPUSH', KEYS[3], ARGV[3]) end
redis.call('ZADD', KEYS[1], 'XX', 'INCR', ARGV[2], ARGV[1])
"""
# A member off a set, or onto it (only if it exists: one member is not a board); a build running on it stops.
_LEAVE = """
redis.call('DEL', KEYS[2])
redis.call('ZREM', KEYS[1], ARGV[1])
"""
_JOIN = """
redis.call('DEL', KEYS[2])
if redis.call('EXISTS', KEYS[1]) == 1 then redis.call('ZADD', KEYS[1], 'NX', ARGV[2], ARGV[1]) end
"""
# A build begins: its lock, an empty log, the set named in its organisation's list.
_START = """
if not redis.call('SET', KEYS[1], ARGV[1], 'NX', 'PX', ARGV[2]) then return 0 end
redis.call('DEL', KEYS[2])
redis.call('SADD', KEYS[3], ARGV[3])
return 1
"""
# A build ends: the new set replaces the old one unless the lock was taken away (a member change) or
# the log grew since the builder last read it (read it again first).
_FINISH = """
if redis.call('GET', KEYS[3]) ~= ARGV[1] then redis.call('DEL', KEYS[1]) return -1 end
if redis.call('LLEN', KEYS[4]) ~= tonumber(ARGV[2]) then return 0 end
if redis.call('EXISTS', KEYS[1]) == 0 then redis.call('DEL', KEYS[3], KEYS[4]) return -2 end
redis.call('RENAME', KEYS[1], KEYS[2])
redis.call('PEXPIRE', KEYS[2], ARGV[3])
redis.call('DEL', KEYS[3], KEYS[4])
return 1
"""


@dataclass
class Standing:
    """What the set says: the member count, the top (member id, score, rank), the viewer's (rank, score)."""

    members: int
    top: list[tuple[int, int, int]]
    mine: tuple[int, int] | None


def key(org_id: int, year: int, dimension: str | None) -> str:
    return f"pm:board:{org_id}:{year}:{dimension or 'total'}"


def _listing(org_id: int) -> str:
    """The organisation's sets that exist or are being built ("year:dimension")."""
    return f"pm:board:{org_id}:keys"


def _member(member_id: int) -> str:
    return f"{BIG - member_id:0{WIDTH}d}"


def _member_id(encoded: bytes | str) -> int:
    return BIG - int(encoded)


def _client():
    return current_app.extensions.get("pm_redis") if has_app_context() else None


def _script(source: str):
    """A Lua script, loaded once per app; called with client=pipeline to join a pipeline."""
    scripts = current_app.extensions.setdefault("pm_board_scripts", {})
    if source not in scripts:
        scripts[source] = _client().register_script(source)
    return scripts[source]


def read(org: Org, year: int, dimension: str | None, limit: int, member_id: int | None) -> Standing | None:
    """The board from its set, built first if missing; None when SQL must answer (no Redis, Redis
    unreachable, another request building the set, or nobody on the board)."""
    import redis

    client = _client()
    if client is None:
        return None
    name = key(org.id, year, dimension)
    args = [limit, _member(member_id) if member_id else "", SET_TTL_MS]
    try:
        _drop_stale(client)
        got = _script(_READ)(keys=[name], args=args)
        if got is None:
            if not build(org, year, dimension):
                return None
            got = _script(_READ)(keys=[name], args=args)
            if got is None:
                return None
    except redis.RedisError:
        log.warning("board %s: Redis unavailable, answered from SQL", name, exc_info=True)
        return None
    flat, count, mine = got
    top, rank = [], 0
    for i in range(0, len(flat), 2):
        score = int(float(flat[i + 1]))
        if not top or score != top[-1][1]:
            rank = i // 2 + 1  # competition rank: everyone listed before has a higher score
        top.append((_member_id(flat[i]), score, rank))
    return Standing(count, top, (int(mine[1]) + 1, int(float(mine[0]))) if mine else None)


def build(org: Org, year: int, dimension: str | None) -> bool:
    """Build (or rebuild in place) one set from SQL; False if another builder holds it, a member change
    aborted it, or nobody is on the board. The old set, if any, answers until the RENAME."""
    client = _client()
    name, token = key(org.id, year, dimension), secrets.token_hex(8)
    lock, changes, temp = f"{name}:lock", f"{name}:log", f"{name}:build:{token}"
    if not _script(_START)(keys=[lock, changes, _listing(org.id)], args=[token, LOCK_MS, f"{year}:{dimension or 'total'}"]):
        return False
    board = scored(org, year, dimension)
    # One snapshot (REPEATABLE READ) for the rows and the log's check.
    options = {"stream_results": True, "isolation_level": "REPEATABLE READ"}
    try:
        with db.engine.connect().execution_options(**options) as conn, conn.begin():
            rows = conn.execute(select(board.c.id, board.c.score))
            while chunk := rows.fetchmany(CHUNK):
                client.zadd(temp, {_member(r.id): r.score for r in chunk})
            seen = 0
            while True:
                lines = client.lrange(changes, seen, -1)
                seen += len(lines)
                _apply_unseen(conn, client, temp, lines)
                done = _script(_FINISH)(keys=[temp, name, lock, changes], args=[token, seen, SET_TTL_MS])
                if done:
                    return done == 1
    finally:
        client.delete(temp)
        if client.get(lock) == token.encode():  # failed half-way: the next reader may build at once
            client.delete(lock)


def _apply_unseen(conn, client, temp: str, lines: list[bytes]) -> None:
    """The logged changes whose entries this build's snapshot does not hold, onto the new set."""
    if not lines:
        return
    moves = [line.decode().split(":") for line in lines]
    ids = [int(m[0]) for m in moves]
    seen = set(conn.execute(text("SELECT id FROM ledger_entry WHERE id IN :ids")
                            .bindparams(bindparam("ids", expanding=True)), {"ids": ids}).scalars())
    pipe = client.pipeline(transaction=False)
    for entry_id, member, delta in moves:
        if int(entry_id) not in seen:
            pipe.zadd(temp, {member: int(delta)}, xx=True, incr=True)
    pipe.execute()


def rebuild_all() -> int:
    """Every set that exists, rebuilt from SQL in place (`flask board-rebuild`, the worker daily)."""
    client = _client()
    if client is None:
        return 0
    built = 0
    for listing in client.scan_iter(match="pm:board:*:keys", count=1000):
        org = db.session.get(Org, int(listing.decode().split(":")[2]))
        for entry in client.smembers(listing):
            year, dimension = entry.decode().split(":")
            dimension = None if dimension == "total" else dimension
            if org is None or not client.exists(key(org.id, int(year), dimension)):
                client.srem(listing, entry)
                continue
            built += bool(build(org, int(year), dimension))
    db.session.rollback()
    return built


def scored(org: Org, year: int, dimension: str | None):
    """Who is on the board and with what: the subtree's active members and their yearly score (the
    total or one dimension), 0 for those with none. The SQL board ranks it; the Redis one is built from it."""
    score = select(Score.member_id, func.sum(Score.score).label("total")).where(Score.year == year)
    if dimension:
        score = score.where(Score.dimension == dimension)
    score = score.group_by(Score.member_id).subquery()
    total = func.coalesce(score.c.total, 0)
    return (select(Member.id, Member.name, Org.name.label("org"), total.label("score"))
            .join(Org, Member.org_id == Org.id).outerjoin(score, score.c.member_id == Member.id)
            .where(Org.path.startswith(org.path), Member.status == "active").subquery())


# ---- kept in step: the ledger's moves once committed; member changes resolved before the commit ----

def init_app(app: Flask) -> None:
    """The sets of this app follow its ledger (signals.points_moved)."""
    points_moved.connect(_points_moved, sender=app, weak=False)


def _points_moved(app: Flask, moves: list[Moved]) -> None:
    """Committed score changes onto the sets of each member's organisation and its ancestors."""
    client = app.extensions.get("pm_redis")
    ops = [("move", org_id, m.year, m.dimension, _member(m.member_id), m.delta_score, m.entry_id)
           for m in moves if m.delta_score and m.dimension for org_id in _org_ids(m.org_path)]
    if client is not None and ops:
        _apply(client, ops)


def member_changed(member, org_id_before: int | None, active_before: bool) -> None:
    """A member whose boards may differ after the commit: switched off/on, transferred, new."""
    if _client() is not None:
        db.session.info.setdefault("board_members", []).append((member, org_id_before, active_before))


def org_moved(old_path: str, new_path: str) -> None:
    """An organisation moved under another parent: the sets of the ancestors it left or joined go."""
    if _client() is not None:
        db.session.info.setdefault("board_orgs", []).append((old_path, new_path))


_RECORDED = ("board_members", "board_orgs")


@event.listens_for(Session, "before_commit")
def _resolve(session) -> None:
    """What the recorded member changes mean for the sets, read in the transaction (no second connection):
    each member's organisations, and the scores of a member joining a board."""
    if session.in_nested_transaction() or not any(session.info.get(name) for name in _RECORDED):
        return
    ops = session.info.setdefault("board_ops", [])
    changes, orgs = (session.info.pop(name, None) or [] for name in _RECORDED)
    for member, org_id_before, active_before in changes:
        paths = _paths(session, "SELECT id, path FROM org WHERE id IN :ids",
                       [o for o in (org_id_before, member.org_id) if o])
        before = _org_ids(paths.get(org_id_before, "")) if active_before else set()
        after = _org_ids(paths.get(member.org_id, "")) if member.status == "active" else set()
        if before == after:
            continue
        scores = {}
        for year, dimension, score in session.execute(
                text("SELECT year, dimension, score FROM score WHERE member_id = :m"), {"m": member.id}):
            scores[f"{year}:{dimension}"] = score
            scores[f"{year}:total"] = scores.get(f"{year}:total", 0) + score
        ops += [("leave", org_id, _member(member.id)) for org_id in before - after]
        ops += [("join", org_id, _member(member.id), scores) for org_id in after - before]
    for old_path, new_path in orgs:
        ops += [("drop", org_id) for org_id in _org_ids(old_path) ^ _org_ids(new_path)]


@event.listens_for(Session, "after_rollback")
def _forget(session) -> None:
    if not session.in_nested_transaction():  # a savepoint rolled back leaves the rest to its transaction
        for name in (*_RECORDED, "board_ops"):
            session.info.pop(name, None)


@event.listens_for(Session, "after_commit")
def _after_commit(session) -> None:
    if session.in_nested_transaction():
        return
    ops = session.info.pop("board_ops", None)
    if ops and _client() is not None:
        _apply(_client(), ops)


def _apply(client, ops: list[tuple]) -> None:
    """The committed changes onto the sets, in one pipeline; a set that cannot be updated is dropped."""
    import redis

    touched: set[str] = set()
    try:
        pipe = client.pipeline(transaction=False)
        listings = {}
        for op in ops:
            if op[0] != "move" and op[1] not in listings:
                listings[op[1]] = [e.decode() for e in client.smembers(_listing(op[1]))]
        for op in ops:
            touched |= _queue(pipe, op, listings)
        pipe.execute()
    except redis.RedisError:
        log.warning("board sets not updated after commit: dropping them", exc_info=True)
        _stale.update(touched)
        _drop_stale(client)
    except Exception:  # noqa: BLE001 - the transaction is committed; the daily rebuild mends the sets
        log.exception("board sets not updated after commit")


def _queue(pipe, op: tuple, listings: dict) -> set[str]:
    """One change onto the pipeline: a score moved (onto the total's and the dimension's set), a member
    off or onto an organisation's sets (a build running on them stops: its snapshot may predate this),
    an organisation's sets dropped."""
    kind, org_id = op[0], op[1]
    if kind == "move":
        _, _, year, dimension, member, delta, entry_id = op
        names = [key(org_id, year, None), key(org_id, year, dimension)]
        for name in names:
            _script(_MOVE)(keys=[name, f"{name}:lock", f"{name}:log"], args=[member, delta, f"{entry_id}:{member}:{delta}"],
                           client=pipe)
        return set(names)
    names = {entry: f"pm:board:{org_id}:{entry}" for entry in listings[org_id]}
    for entry, name in names.items():
        if kind == "leave":
            _script(_LEAVE)(keys=[name, f"{name}:lock"], args=[op[2]], client=pipe)
        elif kind == "join":
            _script(_JOIN)(keys=[name, f"{name}:lock"], args=[op[2], op[3].get(entry, 0)], client=pipe)
        else:
            pipe.delete(name, f"{name}:lock")
    if kind == "drop":
        pipe.delete(_listing(org_id))
    return set(names.values())


def _drop_stale(client) -> None:
    if _stale:
        names = list(_stale)
        try:
            client.delete(*names)
            _stale.difference_update(names)
        except Exception:  # noqa: BLE001 - still unreachable: keep them for the next call
            log.warning("board sets not dropped yet: %s", names[:5])


def _org_ids(path: str) -> set[int]:
    return {int(part) for part in path.strip("/").split("/") if part}


def _paths(session, sql: str, ids: list[int]) -> dict[int, str]:
    """id -> organisation path, for members or organisations (the statement says which)."""
    statement = text(sql).bindparams(bindparam("ids", expanding=True))
    return {r[0]: r[1] for r in session.execute(statement, {"ids": sorted(set(ids))})}
