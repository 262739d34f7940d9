"""Configuration: embedded defaults, then ``instance/config.py``, then ``FEEDSVC_*`` variables.

``read`` applies that order without an app (``feedsvc parse`` needs settings, not Flask);
``load`` fills an app's config from ``read``, so both follow one rule of precedence.
"""
from __future__ import annotations

import copy
import errno
import json
import os
import secrets
import types
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Mapping
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

if TYPE_CHECKING:
    from flask import Flask

    from .ingest.settings import ImportSettings

ENV_PREFIX = "FEEDSVC_"

PROJECT_ROOT = Path(__file__).resolve().parent.parent

DEFAULTS: dict[str, Any] = {
    "SITE_NAME": "feedsvc",
    # The public address; links in feeds and mails are built from it, never from a request.
    "BASE_URL": "http://127.0.0.1:5000",
    # Date-only values and subscribers' defaults are taken in this zone.
    "TIMEZONE": "Asia/Shanghai",
    "DATABASE_URL": None,  # None: SQLite file in the instance folder
    "SUMMARY_CHARS": 200,
    "AUTO_TAGS": 5,
    # Estimated Jaccard similarity of character shingles (MinHash) from which two texts
    # are one story; reprints with other chrome or a rewritten sentence score 0.8-0.9.
    "NEAR_DUPLICATE_THRESHOLD": 0.7,
    "IMPORT_MAX_BYTES": 20 * 1024 * 1024,
    "DROP_FOLDER": None,  # None: instance/articles
    "FEED_SIZE": 20,  # entries in a feed's first page (the subscription document)
    "FEED_MAX_SIZE": 100,  # the most ?limit= may ask for
    "FEED_MAX_AGE": 300,  # Cache-Control max-age of feeds, seconds
    "FEED_CACHE_SIZE": 256,  # rendered feeds kept per process
    # How often a process re-reads the store version; a hit costs no database query between.
    "FEED_VERSION_CHECK_SECONDS": 1.0,
    "FEED_LANGUAGE": None,  # None: the language most of a feed's articles are in
    "TAG_AUTHORITY": None,  # None: BASE_URL's host; entry ids are tag: URIs under it
    "WEBSUB_HUB": None,  # a WebSub hub URL: feeds advertise it and it is pinged after imports
    "PAGE_SIZE": 20,  # articles per HTML listing page
    # Mail. smtp://user:pass@host:port (?starttls=1), smtps://…, or file:// (instance/outbox).
    "MAIL_URL": "file://",
    "MAIL_FROM": None,  # None: "SITE_NAME" <digest@BASE_URL's host>
    "MAIL_REPLY_TO": None,
    "MAIL_UNSUBSCRIBE_MAILTO": None,  # an address for List-Unsubscribe's mailto: (optional)
    "DKIM_KEY_FILE": None,  # a PEM private key: sign every message (RFC 8058 wants it)
    "DKIM_SELECTOR": "feedsvc",
    "DKIM_DOMAIN": None,  # None: BASE_URL's host
    # Subscribers and digests.
    "DIGEST_DEFAULT_HOUR": 7,  # local hour a new subscriber's digest is sent
    "DIGEST_DEFAULT_LANGUAGE": "zh-CN",
    "DIGEST_SEND_EMPTY": False,  # False: no new articles, no email
    "DIGEST_MAX_ITEMS": 50,
    "DIGEST_TIMEZONES": [
        "Asia/Shanghai", "Asia/Hong_Kong", "Asia/Taipei", "Asia/Singapore", "Asia/Tokyo",
        "Europe/London", "Europe/Berlin", "America/New_York", "America/Los_Angeles",
        "Australia/Sydney", "UTC",
    ],
    "CONFIRM_MAX_AGE_HOURS": 48,
    "SUBSCRIBE_RATE_PER_HOUR": 20,  # subscribe requests per client address
    # Delivery.
    "DELIVERY_LEASE_SECONDS": 300,  # a claimed message left "sending" this long is sent again
    "DELIVERY_MAX_ATTEMPTS": 8,
    "DELIVERY_RETRY_BASE_SECONDS": 60,  # doubled per attempt, with jitter, up to 6 hours
    "BOUNCE_LIMIT": 1,  # permanent (5xx) failures before an address is marked bounced
    # Returned mail (issue 12). With a bounce address, each message's envelope sender is
    # bounces+<signed id>@… (VERP), so a late bounce names its delivery; None: MAIL FROM is
    # the From address, as before.
    "BOUNCE_ADDRESS": None,
    # Where bounces and complaints wait: imaps://user:pass@host/INBOX, imap://… (?starttls=1),
    # maildir:///path. None: `feedsvc bounces scan` reads only the paths it is given.
    "BOUNCE_MAILBOX": None,
    "MAIL_RATE_PER_SECOND": 0,  # messages per second across all workers (0: no limit)
    "MAIL_RATE_PER_MINUTE": 0,  # per minute, for providers' quotas (0: no limit)
    "WORKER_SYNC_SECONDS": 10,  # how soon a running worker sees schedule changes
    "LOG_FORMAT": "text",  # or "json": one object per line, for log collectors
    "LOG_LEVEL": "INFO",
    "LOG_REQUESTS": False,  # one log line per HTTP request (gunicorn's access log may do it)
    "ADMIN_SESSION_HOURS": 12,  # an operator's sign-in lasts this long
    # Sign-in attempts per 15 minutes for one account from one client address, and from one
    # client address for all accounts: an attacker elsewhere never locks the owner out.
    "ADMIN_LOGIN_ATTEMPTS": 10,
    "ADMIN_LOGIN_ATTEMPTS_PER_ADDRESS": 30,
    # Reverse proxies in front of the app whose X-Forwarded-For/-Proto/-Host are believed
    # (Werkzeug's ProxyFix); 0: the peer's address is the client's. deploy/nginx.conf is one.
    "TRUSTED_PROXIES": 0,
}


def instance_path() -> str:
    """The instance folder: ``FEEDSVC_INSTANCE_PATH`` or ``instance/`` beside the package."""
    return os.path.abspath(os.environ.get("FEEDSVC_INSTANCE_PATH") or PROJECT_ROOT / "instance")


def read(instance: str | None = None) -> dict[str, Any]:
    """The settings in order of precedence: the defaults, ``instance/config.py``, ``FEEDSVC_*``.

    Read as Flask's ``from_pyfile`` and ``from_prefixed_env`` read them, without building an
    app: the file's upper-case names; each variable as JSON when it parses, else as text, and
    ``FEEDSVC_A__B`` sets key ``B`` of the mapping ``A``.
    """
    values = copy.deepcopy(DEFAULTS)
    values.update(_instance_file(os.path.join(instance or instance_path(), "config.py")))
    for key in sorted(os.environ):
        if not key.startswith(ENV_PREFIX):
            continue
        value = os.environ[key]
        try:
            value = json.loads(value)
        except ValueError:
            pass
        *parents, name = key.removeprefix(ENV_PREFIX).split("__")
        target = values
        for parent in parents:
            target = target.setdefault(parent, {})
        target[name] = value
    return values


def _instance_file(path: str) -> dict[str, Any]:
    """The upper-case names a Python config file sets; nothing when there is no file."""
    module = types.ModuleType("config")
    module.__file__ = path
    try:
        with open(path, mode="rb") as fh:
            exec(compile(fh.read(), path, "exec"), module.__dict__)  # noqa: S102 - the operator's own file
    except OSError as exc:
        if exc.errno in (errno.ENOENT, errno.EISDIR, errno.ENOTDIR):
            return {}
        exc.strerror = f"Unable to load configuration file ({exc.strerror})"
        raise
    return {key: getattr(module, key) for key in dir(module) if key.isupper()}


def load(app: Flask, test_config: Mapping[str, Any] | None = None) -> None:
    """Fill ``app.config`` in order of precedence and derive the values that depend on others."""
    app.config.update(read(app.instance_path))
    if test_config is not None:
        app.config.from_mapping(test_config)

    instance = Path(app.instance_path)
    instance.mkdir(parents=True, exist_ok=True)
    if not app.config.get("DATABASE_URL"):
        app.config["DATABASE_URL"] = f"sqlite:///{instance / 'feedsvc.sqlite3'}"
    if not app.config.get("DROP_FOLDER"):
        app.config["DROP_FOLDER"] = str(instance / "articles")
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = _instance_secret(instance / "secret_key")
    proxies = app.config["TRUSTED_PROXIES"]
    if isinstance(proxies, bool) or not isinstance(proxies, int) or proxies < 0:
        raise RuntimeError(f"FEEDSVC_TRUSTED_PROXIES: a count of proxies (0, 1, 2 …), not {proxies!r}")
    app.config["BOUNCE_ADDRESS"] = _bounce_address(app.config["BOUNCE_ADDRESS"])
    zone(app.config["TIMEZONE"])


def _bounce_address(address: str | None) -> str | None:
    """The bare bounce address, or a refusal at start when no VERP address can be made of it."""
    if not address:
        return None
    # Imported only when set: most processes never build a message.
    from .mail.message import normalise_address
    from .mail.verp import make_verp_address

    try:
        address = normalise_address(str(address).strip())
        make_verp_address(address, 2**64 - 1, "any key")  # the longest token there is
    except ValueError as exc:
        raise RuntimeError(f"FEEDSVC_BOUNCE_ADDRESS: {exc}") from None
    return address


def templates_dir() -> Path:
    """The Jinja templates: templates/ in a checkout, feedsvc/templates/ in an installed wheel.

    Both are the package ``feedsvc.templates`` (pyproject.toml maps it onto templates/), so
    importlib.resources finds whichever this feedsvc was installed with.
    """
    return Path(str(resources.files("feedsvc.templates")))


def site_timezone(app: Flask) -> ZoneInfo:
    """The site's time zone as a ``ZoneInfo``."""
    return ZoneInfo(app.config["TIMEZONE"])


def zone(name: str) -> ZoneInfo:
    """The time zone ``name`` (FEEDSVC_TIMEZONE); a clear error when there is none of that name."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise RuntimeError(f"FEEDSVC_TIMEZONE: unknown time zone {name!r}") from exc


def import_settings(values: Mapping[str, Any]) -> ImportSettings:
    """What the importer takes from a configuration (an app's, or ``read()`` without an app)."""
    from .ingest.settings import ImportSettings

    return ImportSettings(
        tz=zone(values["TIMEZONE"]), summary_chars=values["SUMMARY_CHARS"], auto_tags=values["AUTO_TAGS"],
        near_duplicate_threshold=values["NEAR_DUPLICATE_THRESHOLD"], max_bytes=values["IMPORT_MAX_BYTES"],
    )


def _instance_secret(path: Path) -> str:
    """Read the generated secret key, creating it once; the file is private to its owner."""
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        pass
    key = secrets.token_urlsafe(48)
    # Written aside then linked into place: link() fails if another process won the race,
    # and nobody can ever read a half-written key.
    tmp = path.with_name(f".{path.name}.{os.getpid()}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key + "\n")
    try:
        os.link(tmp, path)
    except FileExistsError:
        key = path.read_text().strip()
    finally:
        tmp.unlink()
    return key
