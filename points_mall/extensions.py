"""Extension objects, created bare and bound to the app by the factory."""
from flask import current_app
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_migrate import Migrate
from flask_smorest import Api
from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


class RedisHolder:
    """The current app's Redis connection, or None on the embedded default."""

    def init_app(self, app):
        url = app.config.get("REDIS_URL")
        client = None
        if url:
            import redis

            client = redis.Redis.from_url(url, socket_timeout=5, health_check_interval=30)
        app.extensions["pm_redis"] = client

    @property
    def client(self):
        return current_app.extensions["pm_redis"]


db = SQLAlchemy(model_class=Base)
migrate = Migrate(render_as_batch=True)
class PointsApi(Api):
    """flask-smorest with the project's error envelope as the documented error schema."""

    from points_mall.common.http_errors import ErrorEnvelope as ERROR_SCHEMA


api = PointsApi()
limiter = Limiter(key_func=get_remote_address)
redis_store = RedisHolder()
