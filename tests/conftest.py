"""Tests run against real PostgreSQL and Redis; the schema is built by the migrations.

Under pytest-xdist each worker has its own database (the base name + "_gw0", "_gw1", …) and its own Redis
index (the base index + the worker's number), so workers never see each other's rows or keys."""
import copy
import os
from urllib.parse import urlsplit, urlunsplit

import jwt
import psycopg
import pytest
from sqlalchemy import text

from points_mall import create_app
from points_mall.config import TestConfig
from points_mall.extensions import db

from .browser import desktop_chromium, phone_chromium  # noqa: F401  (one Chromium of each per process)
from .park import Park
from .snapshots import Snapshots


def _for_this_worker() -> None:
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if not worker:
        return
    parts = urlsplit(TestConfig.SQLALCHEMY_DATABASE_URI)
    TestConfig.SQLALCHEMY_DATABASE_URI = urlunsplit(parts._replace(path=f"{parts.path}_{worker}"))
    parts = urlsplit(TestConfig.REDIS_URL)
    # Redis has 16 databases (0-15); past 15 the workers wrap round to 1, leaving 0 to whoever runs Redis bare.
    index = int(parts.path.strip("/") or 0) + int(worker.removeprefix("gw"))
    index = index if index <= 15 else (index - 1) % 15 + 1
    TestConfig.REDIS_URL = urlunsplit(parts._replace(path=f"/{index}"))
    os.environ["TEST_DATABASE_URL"] = TestConfig.SQLALCHEMY_DATABASE_URI
    os.environ["TEST_REDIS_URL"] = TestConfig.REDIS_URL


_for_this_worker()
# The concurrency tests still get 70 connections at once; past 5, a connection goes back to PostgreSQL when
# returned rather than waiting idle, so the workers' pools together stay under max_connections.
TestConfig.SQLALCHEMY_ENGINE_OPTIONS = {**TestConfig.SQLALCHEMY_ENGINE_OPTIONS, "pool_size": 5, "max_overflow": 65}


def _recreate_database(url: str) -> None:
    parts = urlsplit(url.replace("postgresql+psycopg://", "postgresql://"))
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')
        # A test database need not survive a power cut: commits return before the WAL reaches the disk.
        conn.execute(f'ALTER DATABASE "{name}" SET synchronous_commit = off')


@pytest.fixture(scope="session")
def app():
    _recreate_database(TestConfig.SQLALCHEMY_DATABASE_URI)
    app = create_app(TestConfig)
    with app.app_context():
        from flask_migrate import upgrade

        upgrade()
    yield app
    with app.app_context():
        db.engine.dispose()


SNAPSHOTS = Snapshots()
BUILT: dict[str, tuple[Park, object]] = {}  # state -> the park (and the shop) the tests of that state get
_current: list[tuple[Park, object]] = []


def _prepare(state: str) -> None:
    """Restore the state, building and keeping it the first time (through the services, as a test would)."""
    if SNAPSHOTS.has(state):
        SNAPSHOTS.restore(state)
    elif state == "empty":
        SNAPSHOTS.empty()
        SNAPSHOTS.capture(state)
    elif state == "park":
        _prepare("empty")
        BUILT[state] = (Park.build(), None)
        db.session.remove()
        SNAPSHOTS.capture(state)
    else:
        from .park import give_points, open_shop

        _prepare("park")
        park = copy.deepcopy(BUILT["park"][0])
        mall = open_shop(park)
        for m in park.members_a + park.members_b:
            give_points(m.id, 100)
        db.session.remove()
        BUILT[state] = (park, mall)
        SNAPSHOTS.capture(state)


@pytest.fixture(autouse=True)
def clean(request):
    """Every test that uses the app starts from its state: empty tables and an empty Redis database, or the
    park, or the park with its shop, restored from a snapshot taken when first built."""
    _current.clear()
    if "app" not in request.fixturenames:
        yield
        return
    app = request.getfixturevalue("app")
    state = "shop" if "shop" in request.fixturenames else "park" if "park" in request.fixturenames else "empty"
    with app.app_context():
        _prepare(state)
        db.session.remove()
    if state in BUILT:
        _current.append(BUILT[state])
    yield


@pytest.fixture
def ctx(app):
    with app.app_context():
        yield
        db.session.remove()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def park(app):
    """The park as built, with its tokens issued now (as a park built for this test would have them)."""
    from points_mall.accounts.auth import issue_token

    built = copy.deepcopy(_current[0][0])
    with app.app_context():
        for key, token in built.tokens.items():
            claims = jwt.decode(token, options={"verify_signature": False})
            kind, sub, iat, exp = (claims.pop(k) for k in ("kind", "sub", "iat", "exp"))
            built.tokens[key] = issue_token(kind, sub, exp - iat, **claims)
    return built


@pytest.fixture
def sql(app):
    """Run one SQL statement in its own app context, as a reader outside the request would."""
    def run(statement: str, **params):
        with app.app_context():
            result = db.session.execute(text(statement), params)
            rows = result.all() if result.returns_rows else None
            db.session.commit()
            db.session.remove()
        return rows[0][0] if rows and len(rows) == 1 and len(rows[0]) == 1 else rows
    return run


@pytest.fixture
def shop(app, park):
    """The park's shop, and 100 spendable points for every test member."""
    return copy.deepcopy(_current[0][1])


@pytest.fixture
def fake():
    """A local fake of WeChat's HTTP API."""
    from .fake_wechat import FakeWechat

    server = FakeWechat().start()
    yield server
    server.stop()


WX_CONFIG = dict(
    WECHAT_GATEWAY="wechatpy", WECHAT_MP_APPID="wx-mp", WECHAT_MP_SECRET="mp-secret", WECHAT_OA_APPID="wx-oa",
    WECHAT_OA_SECRET="oa-secret", WECHAT_OA_TOKEN="oa-token", WECHAT_TIMEOUT=1,
    WECHAT_OA_AES_KEY="abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
    WECHAT_TEMPLATES={
        "points_changed": {"oa": {"id": "TPL-OA-POINTS", "fields": {"thing1": "title", "thing2": "body", "time3": "time"}},
                           "mp": {"id": "TPL-MP-POINTS", "fields": {"thing1": "title", "thing2": "body"}}},
        "checked_in": {"oa": {"id": "TPL-OA-POINTS", "fields": {"thing1": "title", "thing2": "body", "time3": "time"}}},
        "activity_published": {"oa": {"id": "TPL-OA-ACTIVITY", "fields": {"thing1": "body", "time2": "time"}},
                               "mp": {"id": "TPL-MP-ACTIVITY", "fields": {"thing1": "body", "phrase2": "title"}}},
        "redemption_reserved": {"oa": {"id": "TPL-OA-ORDER", "fields": {"thing1": "body", "phrase2": "title"}},
                                "mp": {"id": "TPL-MP-ORDER", "fields": {"thing1": "body", "phrase2": "title"}}}},
    OUTBOX_BACKOFF_BASE=0, OUTBOX_MAX_ATTEMPTS=4,
)


def make_wx_app(fake):
    """Another app on the same database and Redis, as a second gunicorn or RQ worker would be,
    whose gateway is the real wechatpy client pointed at the fake."""
    other = create_app(TestConfig)
    other.config.update(WX_CONFIG, WECHAT_API_BASE_URL=fake.base_url)
    return other


@pytest.fixture
def wx_app(app, fake):
    return make_wx_app(fake)
