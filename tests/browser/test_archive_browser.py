"""The digest archive in a real browser: the edition page looks as the mail does (its own <style>,
admitted by the Content-Security-Policy's hash), and nothing on it is refused."""
from __future__ import annotations

from archive_days import two_days

from .test_admin_browser import browser, live_app, shot  # noqa: F401  (fixtures; the module skips without chromium)


def test_an_edition_page_is_styled_as_the_mail(live_app, browser, add_article):  # noqa: F811
    two_days(live_app, add_article)
    base = live_app.config["BASE_URL"]
    page = browser.new_page(viewport={"width": 1000, "height": 860}, locale="zh-CN")
    problems = []  # a style the policy refused, or a failed load, is a console error
    page.on("console", lambda msg: problems.append(msg.text)
            if msg.type == "error" and not msg.location.get("url", "").endswith("/favicon.ico") else None)

    page.goto(f"{base}/digests/")
    page.click("article.edition h3 a >> nth=0")
    page.wait_for_url(f"{base}/digests/2026-11-21")
    style = page.evaluate("""() => ({
        site: getComputedStyle(document.querySelector('a.site')).color,
        width: document.querySelector('table.container').getBoundingClientRect().width,
        preheader: getComputedStyle(document.querySelector('.preheader')).display})""")
    assert style == {"site": "rgb(185, 28, 28)", "width": 600, "preheader": "none"}
    assert "新图书馆周六开放" in page.inner_text("td.item h2")
    shot(page, "digest-archive.png")

    page.click("p.languages a[hreflang=en]")
    page.wait_for_url(f"{base}/digests/2026-11-21?lang=en")
    assert "Here are 2 new articles" in page.inner_text("body")
    assert not problems, problems
    page.close()
