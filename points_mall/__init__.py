"""points_mall: the backend of a Party members' points supermarket (党员积分超市)."""
import os

from flask import Flask

from points_mall.config import Config, refuse_unsafe

MIGRATIONS = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", "migrations"))


def create_app(config=None) -> Flask:
    """The app factory: config, extensions, blueprints, error handlers, commands."""
    app = Flask(__name__, instance_relative_config=True)
    app.config.from_object(Config)
    if isinstance(config, dict):
        app.config.update(config)
    elif config is not None:
        app.config.from_object(config)
    refuse_unsafe(app.config)
    _defaults(app)
    _trust_proxies(app)

    from points_mall import cli, extensions, models  # noqa: F401  (models register their tables)
    from points_mall.common.http_errors import register_error_handlers
    from points_mall.common import json_edge
    from points_mall.blueprints import BLUEPRINTS, document
    from points_mall.web import web
    from points_mall.board import board_cache
    from points_mall.notify import templates
    from points_mall.notify.routes.wechat_callback import blp as wechat_callback

    from points_mall.common.security import IdConverter, add_security_headers
    from points_mall.common.fields import stated_bounds

    app.url_map.converters["id"] = IdConverter
    extensions.db.init_app(app)
    if "embedded_db" in app.extensions:
        with app.app_context():
            app.extensions["embedded_db"].attach(extensions.db.engine)
    extensions.migrate.init_app(app, extensions.db, directory=MIGRATIONS)
    extensions.api.init_app(app)
    extensions.api.register_converter(IdConverter, lambda _c: {"type": "integer", "minimum": 1, "maximum": 2**31 - 1})
    extensions.api.ma_plugin.converter.add_attribute_function(stated_bounds)
    extensions.api.spec.components.security_scheme("bearerAuth", {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"})
    extensions.limiter.init_app(app)
    extensions.redis_store.init_app(app)
    for blueprint in BLUEPRINTS:
        extensions.api.register_blueprint(blueprint)
    document(extensions.api.spec)
    app.register_blueprint(web)
    app.register_blueprint(wechat_callback)
    register_error_handlers(app)
    json_edge.init_app(app)  # every JSON body is loaded once, before any view, by one loader
    app.after_request(add_security_headers)
    board_cache.init_app(app)  # the board's Redis sets follow what the ledger announces
    templates.init_app(app)  # a WECHAT_TEMPLATES WeChat would refuse stops the start, naming the key
    cli.register(app)
    if not app.config.get("REDIS_URL") and not app.testing:
        _run_jobs_inline_once_serving(app)
    return app


def _run_jobs_inline_once_serving(app: Flask) -> None:
    """On the embedded default the first request starts the in-process job thread (not the CLI)."""
    import threading

    lock, started = threading.Lock(), []

    @app.before_request
    def _start_jobs():
        if started:
            return
        with lock:
            if not started:
                from points_mall.jobs import start_inline

                started.append(start_inline(app))


def _trust_proxies(app: Flask) -> None:
    """Behind PROXY_COUNT proxies the client is the address they forwarded; with none, a forged
    X-Forwarded-For is ignored (trusting it would let anyone pick the key of their own rate limit)."""
    count = int(app.config.get("PROXY_COUNT") or 0)
    if count > 0:
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=count, x_proto=count, x_host=count)


def _defaults(app: Flask) -> None:
    if not app.config.get("SQLALCHEMY_DATABASE_URI"):
        # No DATABASE_URL: PostgreSQL from a wheel, data under instance/pg, started on first connect.
        from points_mall import embedded

        server = app.extensions["embedded_db"] = embedded.for_app(app)
        app.config["SQLALCHEMY_DATABASE_URI"] = server.url()
    uri = app.config["SQLALCHEMY_DATABASE_URI"]
    if uri.startswith("postgresql://"):
        app.config["SQLALCHEMY_DATABASE_URI"] = "postgresql+psycopg://" + uri[len("postgresql://"):]
    app.config.setdefault("RATELIMIT_STORAGE_URI", app.config.get("REDIS_URL") or "memory://")
    # X-RateLimit-* on every answer would cost two more Redis round trips per request (the limiter
    # reads the window back after counting the hit); a refusal still says Retry-After (errors.py).
    app.config.setdefault("RATELIMIT_HEADERS_ENABLED", False)
    app.config.setdefault("RATELIMIT_KEY_PREFIX", "pm:rl")
    # Redis down must not take logins and check-ins down with it: each process counts in its own memory
    # meanwhile (the limits still hold per process) and goes back to Redis when it answers again.
    app.config.setdefault("RATELIMIT_IN_MEMORY_FALLBACK_ENABLED", True)

