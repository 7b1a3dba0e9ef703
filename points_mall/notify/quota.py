"""WeChat's daily cap on sends (an account may call the template API 100,000 times a day): each send is
counted per API and local day, in Redis so every worker shares the count (in the process on the
embedded default), and held back once the day's WECHAT_DAILY_SEND_CAP is reached."""
import threading
from datetime import datetime

from flask import current_app

from points_mall.common.clock import local, period_bounds, utcnow

_local_counts: dict[str, int] = {}
_local_lock = threading.Lock()


class Quota:
    """Built in the app (config, Redis), used by the sending threads (no app context there)."""

    def __init__(self):
        now = utcnow()
        self.cap = current_app.config["WECHAT_DAILY_SEND_CAP"]
        self.redis = current_app.extensions.get("pm_redis")
        self.day = f"{local(now):%Y%m%d}"
        self.resets_at: datetime = period_bounds(now, "day")[1]

    def key(self, api: str) -> str:
        return f"pm:wechat:sent:{api}:{self.day}"

    def take(self, api: str) -> bool:
        """Count one send of `api` today; False, counting nothing, once the day's cap is reached."""
        key = self.key(api)
        if self.redis is None:
            with _local_lock:
                if _local_counts.get(key, 0) >= self.cap:
                    return False
                _local_counts[key] = _local_counts.get(key, 0) + 1
                return True
        pipe = self.redis.pipeline()
        pipe.incr(key)
        pipe.expire(key, 2 * 24 * 3600)
        if pipe.execute()[0] > self.cap:
            self.redis.decr(key)
            return False
        return True

    def sent_today(self, api: str) -> int:
        if self.redis is None:
            return _local_counts.get(self.key(api), 0)
        return int(self.redis.get(self.key(api)) or 0)
