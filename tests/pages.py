"""Reading our own HTML in tests (importable from any test folder, like smtpsink)."""
from __future__ import annotations

from lxml import html as lxml_html


def csrf_from(client, url: str) -> str:
    """The CSRF token of the first form on ``url``."""
    page = client.get(url)
    assert page.status_code in (200, 400), (url, page.status_code)
    return lxml_html.fromstring(page.data).xpath("//input[@name='csrf_token']/@value")[0]
