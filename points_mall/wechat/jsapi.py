"""JS-SDK: WeChat's published signature for wx.config, and the web OAuth address (snsapi_base)."""
import hashlib
from urllib.parse import quote, urlencode

OAUTH_AUTHORIZE = "https://open.weixin.qq.com/connect/oauth2/authorize"


def signature(ticket: str, noncestr: str, timestamp: int, url: str) -> str:
    """sha1 of the four fields sorted by name and joined as a query string, values unescaped,
    the url without its #fragment (WeChat's JS-SDK docs, appendix 1)."""
    plain = f"jsapi_ticket={ticket}&noncestr={noncestr}&timestamp={timestamp}&url={url.split('#')[0]}"
    return hashlib.sha1(plain.encode()).hexdigest()


def authorize_url(appid: str, redirect_uri: str, state: str) -> str:
    """Where WeChat asks nothing of the user (snsapi_base) and comes back with ?code=&state=."""
    query = urlencode({"appid": appid, "redirect_uri": redirect_uri, "response_type": "code",
                       "scope": "snsapi_base", "state": state}, quote_via=quote)
    return f"{OAUTH_AUTHORIZE}?{query}#wechat_redirect"
