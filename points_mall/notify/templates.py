"""Template and subscribe messages as WeChat takes them now (类目模板): per kind of notification and
channel a template id and its typed keys (`thing1`, `time2`, `amount3`, `phrase4`, …), each filled
from the notification and cut to its type's rule — WeChat answers 47003 to a value that breaks one.

WECHAT_TEMPLATES = {"points_changed": {"oa": {"id": "…", "fields": {"thing1": "title", "time2": "time"}},
                                       "mp": {"id": "…", "fields": {…}}}}
A field's source is `title`, `body`, `time` (when it was written, local) or `=text` (that text).
"""
import re
from dataclasses import dataclass

from zoneinfo import ZoneInfo

CHANNELS = ("oa", "mp")  # public-account template message, mini-program subscribe message
SOURCES = ("title", "body", "time")
KEY = re.compile(r"^([a-z_]+?)(\d+)$")

# type → (most characters, the characters it takes; None = any)
RULES: dict[str, tuple[int, str | None]] = {
    "thing": (20, None),
    "short_thing": (5, None),
    "name": (10, None),
    "phrase": (5, r"[\u4e00-\u9fff]"),
    "character_string": (32, r"[\x21-\x7e]"),
    "number": (32, r"[0-9.]"),
    "letter": (32, r"[A-Za-z]"),
    "symbol": (5, r"[!-/:-@\[-`{-~]"),
    "phone_number": (17, r"[0-9+\-]"),
    "car_number": (8, r"[\u4e00-\u9fffA-Za-z0-9]"),
    "amount": (14, None),
    "time": (24, None),
    "date": (24, None),
    "const": (20, None),
}


class TemplateConfigError(ValueError):
    """WECHAT_TEMPLATES is not what WeChat's templates take; the message names the key."""


@dataclass(frozen=True)
class Template:
    id: str
    fields: dict[str, str]  # key (thing1) → source (title / body / time / =text)


def parse(config: dict) -> dict[str, dict[str, Template]]:
    """The templates of WECHAT_TEMPLATES by event and channel; a clear error naming the bad key."""
    if not isinstance(config, dict):
        raise TemplateConfigError("WECHAT_TEMPLATES: expected an object {event: {oa|mp: {id, fields}}}")
    parsed = {}
    for event, channels in config.items():
        where = f"WECHAT_TEMPLATES.{event}"
        if not isinstance(channels, dict):
            raise TemplateConfigError(f"{where}: expected {{\"oa\": {{…}}, \"mp\": {{…}}}}")
        parsed[event] = {}
        for channel, spec in channels.items():
            at = f"{where}.{channel}"
            if channel not in CHANNELS:
                raise TemplateConfigError(f"{at}: unknown channel, use oa (template message) or mp (subscribe message)")
            if not isinstance(spec, dict) or not isinstance(spec.get("id"), str) or not spec["id"]:
                raise TemplateConfigError(f"{at}: expected {{\"id\": template id, \"fields\": {{\"thing1\": \"title\", …}}}}"
                                          " (the first/keyword/remark layout was retired by WeChat)")
            fields = spec.get("fields")
            if not isinstance(fields, dict) or not fields:
                raise TemplateConfigError(f"{at}.fields: expected the template's keys, e.g. {{\"thing1\": \"title\"}}")
            for key, source in fields.items():
                kind = KEY.match(key)
                if kind is None or kind.group(1) not in RULES:
                    raise TemplateConfigError(f"{at}.fields.{key}: not a WeChat key type ({', '.join(RULES)} + number)")
                if not isinstance(source, str) or not (source in SOURCES or source.startswith("=")):
                    raise TemplateConfigError(f"{at}.fields.{key}: source must be title, body, time or =text")
            parsed[event][channel] = Template(spec["id"], dict(fields))
    return parsed


def init_app(app) -> None:
    """Checked when the app starts: a bad WECHAT_TEMPLATES stops it with the key to fix."""
    _parsed(app)


def find(app, event: str, channel: str) -> Template | None:
    return _parsed(app).get(event, {}).get(channel)


def _parsed(app) -> dict[str, dict[str, Template]]:
    """The app's templates, parsed again only if its WECHAT_TEMPLATES was replaced."""
    config = app.config.get("WECHAT_TEMPLATES") or {}
    kept = app.extensions.get("pm_templates")
    if kept is None or kept[0] is not config:
        kept = app.extensions["pm_templates"] = (config, parse(config))
    return kept[1]


def render(template: Template, note, zone: ZoneInfo) -> dict:
    """The `data` of the message: every key filled from the notification (times in `zone`) and cut to
    its rule."""
    return {key: {"value": fit(KEY.match(key).group(1), _source(source, key, note, zone))}
            for key, source in template.fields.items()}


def _source(source: str, key: str, note, zone: ZoneInfo) -> str:
    if source.startswith("="):
        return source[1:]
    if source == "time":
        at = note.created_at.astimezone(zone)
        return f"{at:%Y年%m月%d日}" if key.startswith("date") else f"{at:%Y年%m月%d日 %H:%M}"
    return getattr(note, source) or ""


def fit(kind: str, value: str) -> str:
    """The value as WeChat takes it for this key type: only its characters, at most its length."""
    most, allowed = RULES[kind]
    if kind == "amount":
        number = re.search(r"\d{1,10}(\.\d{1,2})?", value)
        return number.group(0) if number else "0"
    if allowed is not None:
        value = "".join(re.findall(allowed, value))
    value = value.strip()
    if len(value) > most:
        value = value[:most - 1] + "…" if allowed is None else value[:most]
    return value or ("-" if allowed is None else "")
