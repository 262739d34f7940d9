"""Telling a WebSub hub that feeds changed, so subscribers' readers fetch them at once."""
from __future__ import annotations

import urllib.error
import urllib.request
from urllib.parse import urlencode


def ping_hub(hub_url: str, topic_urls: list[str], *, timeout: float = 10) -> list[str]:
    """Send a publish notification for each topic; return one line per failure (none: all ok).

    The publish request is not part of the W3C WebSub recommendation itself, but every
    public hub accepts this form (``hub.mode=publish``, ``hub.url``) and answers 2xx.
    """
    errors = []
    for topic in topic_urls:
        data = urlencode({"hub.mode": "publish", "hub.url": topic}).encode()
        req = urllib.request.Request(
            hub_url, data=data, method="POST",
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        try:
            with urllib.request.urlopen(req, timeout=timeout) as response:
                if not 200 <= response.status < 300:
                    errors.append(f"{topic}: hub answered {response.status}")
        except urllib.error.HTTPError as exc:
            errors.append(f"{topic}: hub answered {exc.code}")
        except (urllib.error.URLError, OSError) as exc:
            errors.append(f"{topic}: {getattr(exc, 'reason', exc)}")
    return errors
