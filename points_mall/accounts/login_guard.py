"""Wrong staff passwords slow the guesser down without locking the owner out.

Failures are counted per (username, client address) under STAFF_LOGIN_FAILURE_LIMIT, windows that
grow (by default 10 a minute, then 30 an hour, then 100 a day): past one, that address waits for that
username with 429 and Retry-After, and the password is not even checked. The owner, logging in from
their own address, is not slowed by a stranger's guesses, and a success forgets their own failures.
The counts live where the rate limits do (Redis; memory on the embedded default)."""
import time
from contextlib import contextmanager

from flask import current_app
from limits import parse_many
from werkzeug.exceptions import TooManyRequests

from points_mall.errors import DomainError
from points_mall.extensions import limiter

SCOPE = "staff-login-failures"


def _limits():
    return parse_many(current_app.config["STAFF_LOGIN_FAILURE_LIMIT"])


def _key(username: str, address: str | None) -> tuple[str, ...]:
    prefix = current_app.config.get("RATELIMIT_KEY_PREFIX") or "pm:rl"
    return prefix, SCOPE, (username or "")[:150], address or "unknown"


@contextmanager
def counting_failures(username: str, address: str | None):
    """Around a staff password check: refuse while this address is over a limit for this username,
    count a wrong password, forget the count on success."""
    strategy, key, limits = limiter.limiter, _key(username, address), _limits()
    full = [item for item in limits if not strategy.test(item, *key)]
    if full:  # wait for the longest of the windows that are full
        waits = {item: strategy.get_window_stats(item, *key).reset_time - time.time() for item in full}
        longest = max(waits, key=waits.get)
        raise TooManyRequests(str(longest), retry_after=max(1, int(waits[longest]) + 1))
    try:
        yield
    except DomainError as refused:
        if refused.code == "bad_credentials":
            for item in limits:
                strategy.hit(item, *key)
        raise
    for item in limits:
        strategy.clear(item, *key)
