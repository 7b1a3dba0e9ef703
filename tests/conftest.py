"""Tests run against real PostgreSQL and Redis; the schema is built by the migrations."""
from urllib.parse import urlsplit, urlunsplit

import psycopg
import pytest
from sqlalchemy import text

from points_mall import create_app
from points_mall.config import TestConfig
from points_mall.extensions import db, redis_store

from .park import Park


def _recreate_database(url: str) -> None:
    parts = urlsplit(url.replace("postgresql+psycopg://", "postgresql://"))
    name = parts.path.lstrip("/")
    admin_url = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


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


TABLES = None


@pytest.fixture(autouse=True)
def clean(app):
    """Every test starts from empty tables and an empty Redis database."""
    global TABLES
    with app.app_context():
        if TABLES is None:
            TABLES = [t.name for t in db.metadata.sorted_tables]
        db.session.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in TABLES) + " RESTART IDENTITY CASCADE"))
        db.session.commit()
        redis_store.client.flushdb()
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
    with app.app_context():
        built = Park.build()
        db.session.remove()
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
    from .park import give_points, open_shop

    with app.app_context():
        mall = open_shop(park)
        for m in park.members_a + park.members_b:
            give_points(m.id, 100)
        db.session.remove()
    return mall


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
    WECHAT_TEMPLATES={"points_changed": {"oa": "TPL-OA-POINTS", "mp": "TPL-MP-POINTS"},
                      "redemption_reserved": {"oa": "TPL-OA-ORDER", "mp": "TPL-MP-ORDER"}},
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
