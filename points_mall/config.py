"""Configuration read from the environment (one class, a test variant beside it)."""
import json
import os


def _env_int(name: str, default: int) -> int:
    return int(os.environ.get(name, default))


class Config:
    SECRET_KEY = os.environ.get("SECRET_KEY", "dev-only-secret-key-change-me-in-production")
    # The demo (make run sets it): the console gateways' stand-ins for proofs answer, and the SMS code the console
    # gateway would have sent is shown on the bind page. Debug mode and tests count as demo mode. Never in production.
    DEMO_MODE = os.environ.get("DEMO_MODE", "") == "1"
    # None means the embedded default: PostgreSQL from a wheel with its data in EMBEDDED_PG_DIR
    # (None: instance/pg), started by the first connection (points_mall/embedded.py, docs/database.md).
    SQLALCHEMY_DATABASE_URI = os.environ.get("DATABASE_URL")
    EMBEDDED_PG_DIR = os.environ.get("EMBEDDED_PG_DIR") or None
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    REDIS_URL = os.environ.get("REDIS_URL") or None
    PUBLIC_BASE_URL = os.environ.get("PUBLIC_BASE_URL", "http://127.0.0.1:5000")
    TIMEZONE = os.environ.get("TIMEZONE", "Asia/Shanghai")

    MEMBER_TOKEN_TTL = _env_int("MEMBER_TOKEN_TTL", 7 * 24 * 3600)
    STAFF_TOKEN_TTL = _env_int("STAFF_TOKEN_TTL", 12 * 3600)
    BINDING_TOKEN_TTL = _env_int("BINDING_TOKEN_TTL", 15 * 60)

    # How many reverse proxies (nginx, a load balancer) stand before the app: their X-Forwarded-For/
    # -Proto/-Host are trusted, so limits see the member's address, not the proxy's. 0 = none, ignore them.
    PROXY_COUNT = _env_int("PROXY_COUNT", 0)
    # Per WeChat user (openid) on wechat-login.
    LOGIN_RATE_LIMIT = os.environ.get("LOGIN_RATE_LIMIT", "10/minute;50/day")
    # Wrong staff passwords per (username, client address): past a window that address waits (429 with
    # Retry-After) for that username; the owner at their own address is not slowed; a success forgets them.
    STAFF_LOGIN_FAILURE_LIMIT = os.environ.get("STAFF_LOGIN_FAILURE_LIMIT", "10/minute;30/hour;100/day")
    # Per binding token (the WeChat user being bound).
    BIND_RATE_LIMIT = os.environ.get("BIND_RATE_LIMIT", "5/minute;20/day")
    # Per client address on the login endpoints: at a theme Party day 40-200 members share one office
    # Wi-Fi address, so it must let a hall in at once and only stop one client hammering.
    LOGIN_ADDRESS_RATE_LIMIT = os.environ.get("LOGIN_ADDRESS_RATE_LIMIT", "300/minute;3000/hour")

    # Binding a WeChat to a member (docs/people.md#binding): SMS codes to the registered phone, limited per
    # phone and per address; one-time binding codes (绑定码) from staff or the member's old WeChat.
    SMS_GATEWAY = os.environ.get("SMS_GATEWAY", "console")  # console | aliyun
    SMS_API_BASE_URL = os.environ.get("SMS_API_BASE_URL", "https://dysmsapi.aliyuncs.com/")
    SMS_ALIYUN_ACCESS_KEY_ID = os.environ.get("SMS_ALIYUN_ACCESS_KEY_ID", "")
    SMS_ALIYUN_ACCESS_KEY_SECRET = os.environ.get("SMS_ALIYUN_ACCESS_KEY_SECRET", "")
    SMS_ALIYUN_SIGN_NAME = os.environ.get("SMS_ALIYUN_SIGN_NAME", "")
    SMS_ALIYUN_TEMPLATE_CODE = os.environ.get("SMS_ALIYUN_TEMPLATE_CODE", "")
    SMS_TIMEOUT = float(os.environ.get("SMS_TIMEOUT", "5"))
    SMS_CODE_TTL = _env_int("SMS_CODE_TTL", 5 * 60)
    SMS_CODE_TRIES = _env_int("SMS_CODE_TRIES", 5)  # wrong tries that kill a code
    SMS_PHONE_RATE_LIMIT = os.environ.get("SMS_PHONE_RATE_LIMIT", "1/minute;5/hour;10/day")
    SMS_ADDRESS_RATE_LIMIT = os.environ.get("SMS_ADDRESS_RATE_LIMIT", "30/hour;100/day")
    BINDING_CODE_TTL = _env_int("BINDING_CODE_TTL", 3 * 24 * 3600)

    CHECKIN_CODE_STEP = _env_int("CHECKIN_CODE_STEP", 30)  # seconds a check-in code lives
    # The mini-program page a mini-program code opens (published, without a leading /); it reads the
    # scene from options.scene and posts it to /api/v1/checkins as the payload.
    WECHAT_MP_CHECKIN_PAGE = os.environ.get("WECHAT_MP_CHECKIN_PAGE", "pages/checkin/checkin")
    CHECKIN_RATE_LIMIT = os.environ.get("CHECKIN_RATE_LIMIT", "30/minute")
    CODE_RATE_LIMIT = os.environ.get("CODE_RATE_LIMIT", "60/minute")
    OFFLINE_MAX_AGE_DAYS = _env_int("OFFLINE_MAX_AGE_DAYS", 7)

    PICKUP_DAYS = _env_int("PICKUP_DAYS", 7)  # an unclaimed order expires and is refunded after this
    LOOKUP_RATE_LIMIT = os.environ.get("LOOKUP_RATE_LIMIT", "60/minute")

    # Goods photos: stored under UPLOAD_DIR (None: instance/uploads) by the disk storage, the only
    # STORAGE_BACKEND in this build; an S3-compatible one implements services/storage.Storage.
    UPLOAD_DIR = os.environ.get("UPLOAD_DIR") or None
    STORAGE_BACKEND = os.environ.get("STORAGE_BACKEND", "disk")
    PHOTO_MAX_BYTES = _env_int("PHOTO_MAX_BYTES", 2 * 1024 * 1024)
    # The largest request body, refused with 413 before it is read: JSON bodies are a few KB; only the
    # routes that take a photo or a workbook accept UPLOAD_MAX_CONTENT_LENGTH (common/security.accepts_upload).
    MAX_CONTENT_LENGTH = _env_int("MAX_CONTENT_LENGTH", 2 * 1024 * 1024)
    UPLOAD_MAX_CONTENT_LENGTH = _env_int("UPLOAD_MAX_CONTENT_LENGTH", 8 * 1024 * 1024)

    # Yearly score needed for 1..5 stars (党员星级).
    STAR_THRESHOLDS = [int(x) for x in os.environ.get("STAR_THRESHOLDS", "20,40,60,80,100").split(",")]

    WECHAT_GATEWAY = os.environ.get("WECHAT_GATEWAY", "console")
    WECHAT_MP_APPID = os.environ.get("WECHAT_MP_APPID", "")
    WECHAT_MP_SECRET = os.environ.get("WECHAT_MP_SECRET", "")
    WECHAT_OA_APPID = os.environ.get("WECHAT_OA_APPID", "")
    WECHAT_OA_SECRET = os.environ.get("WECHAT_OA_SECRET", "")
    WECHAT_OA_TOKEN = os.environ.get("WECHAT_OA_TOKEN", "")
    WECHAT_OA_AES_KEY = os.environ.get("WECHAT_OA_AES_KEY", "")
    WECHAT_API_BASE_URL = os.environ.get("WECHAT_API_BASE_URL", "https://api.weixin.qq.com/")
    WECHAT_TIMEOUT = float(os.environ.get("WECHAT_TIMEOUT", "5"))

    # Per kind of notification, the template (public account, "oa") and subscribe message (mini-program,
    # "mp") from the WeChat consoles, with their typed keys and what fills them (notify/templates.py):
    # {"points_changed": {"oa": {"id": "...", "fields": {"thing1": "title", "thing2": "body", "time3": "time"}}}}
    WECHAT_TEMPLATES = json.loads(os.environ.get("WECHAT_TEMPLATES", "{}"))
    # Sends a day per API (template, subscribe) before the outbox holds back until the next local day:
    # WeChat caps an account's template messages at 100,000 calls a day.
    WECHAT_DAILY_SEND_CAP = _env_int("WECHAT_DAILY_SEND_CAP", 100_000)
    OUTBOX_MAX_ATTEMPTS = _env_int("OUTBOX_MAX_ATTEMPTS", 8)
    OUTBOX_BACKOFF_BASE = float(os.environ.get("OUTBOX_BACKOFF_BASE", "10"))  # seconds, doubled per attempt
    OUTBOX_BACKOFF_CAP = float(os.environ.get("OUTBOX_BACKOFF_CAP", "3600"))
    OUTBOX_SEND_PARALLEL = _env_int("OUTBOX_SEND_PARALLEL", 8)  # messages a worker sends at once
    OUTBOX_LEASE = _env_int("OUTBOX_LEASE", 120)  # a claimed message returns to the queue after this

    API_TITLE = "points_mall"
    API_VERSION = "v1"
    OPENAPI_VERSION = "3.0.3"
    OPENAPI_URL_PREFIX = "/"
    OPENAPI_JSON_PATH = "openapi.json"
    OPENAPI_SWAGGER_UI_PATH = "/docs"
    # Swagger UI from the pinned swagger-ui-bundle package, served by the app: /docs works offline.
    OPENAPI_SWAGGER_UI_URL = "/docs/assets/"
    # Swagger UI would otherwise ask validator.swagger.io for a badge: no page loads anything from outside.
    OPENAPI_SWAGGER_UI_CONFIG = {"validatorUrl": None}
    JSON_AS_ASCII = False


def refuse_unsafe(config) -> None:
    """Stop at start where the public account's callback could be forged: in production (the wechatpy
    gateway, neither debug nor testing) or wherever a public account is configured, WECHAT_OA_TOKEN must be
    set (an empty token is one anyone can sign with), and a WECHAT_OA_AES_KEY must be a real one."""
    from points_mall.wechat.callback import aes_key_is_valid

    production = config.get("WECHAT_GATEWAY") == "wechatpy" and not (config.get("DEBUG") or config.get("TESTING"))
    if not config.get("WECHAT_OA_TOKEN") and (production or config.get("WECHAT_OA_APPID")):
        raise RuntimeError("WECHAT_OA_TOKEN is empty: set it to the token (令牌) of the public account's server "
                           "configuration (服务器配置), or anyone can forge its messages to /wechat/callback")
    if config.get("WECHAT_OA_AES_KEY") and not aes_key_is_valid(config["WECHAT_OA_AES_KEY"]):
        raise RuntimeError("WECHAT_OA_AES_KEY is not an EncodingAESKey (43 characters from the public account's "
                           "server configuration); leave it empty for plain mode")


def demo_mode(app) -> bool:
    """Whether the console gateways may stand in for a proof (a dev: phone, a shown SMS code)."""
    return bool(app.debug or app.testing or app.config.get("DEMO_MODE"))


class TestConfig(Config):
    TESTING = True
    SECRET_KEY = "test-secret-key-for-points-mall-tests-only"
    SQLALCHEMY_DATABASE_URI = os.environ.get(
        "TEST_DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/points_mall_test"
    )
    REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    WECHAT_GATEWAY = "console"
    # Concurrency tests run 50-200 threads against one process; at most 70 connections at once keeps
    # them well under PostgreSQL's default max_connections (100) with the fixtures' own connections.
    SQLALCHEMY_ENGINE_OPTIONS = {"pool_size": 20, "max_overflow": 50, "pool_timeout": 60}
    LOGIN_RATE_LIMIT = "1000/minute"
    STAFF_LOGIN_FAILURE_LIMIT = "1000/minute"
    BIND_RATE_LIMIT = "1000/minute"
    SMS_PHONE_RATE_LIMIT = "1000/minute"
    SMS_ADDRESS_RATE_LIMIT = "1000/minute"
    LOGIN_ADDRESS_RATE_LIMIT = "1000/minute"
    CHECKIN_RATE_LIMIT = "1000/minute"
    CODE_RATE_LIMIT = "1000/minute"
