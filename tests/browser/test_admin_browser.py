"""The admin pages end to end in a real browser: Debian's chromium driven by Playwright.

Skipped where chromium or the playwright package is missing (CI installs both). Set
``FEEDSVC_SCREENSHOTS=DIR`` to save ``dashboard.png`` and ``digest-preview.png`` there.
"""
from __future__ import annotations

import email
import email.policy
import os
import threading
from pathlib import Path

import pytest
from sqlalchemy import select
from werkzeug.serving import make_server

from feedsvc import db, jobs
from feedsvc.models import Delivery, Subscriber
from mail.returns import dsn

CHROMIUM = Path("/usr/bin/chromium")
if not CHROMIUM.exists():
    # CI sets FEEDSVC_REQUIRE_BROWSER: there a missing browser is a failure, not a skip.
    if os.environ.get("FEEDSVC_REQUIRE_BROWSER"):
        raise RuntimeError(f"{CHROMIUM} is missing and FEEDSVC_REQUIRE_BROWSER is set")
    pytest.skip(f"{CHROMIUM} is not installed (apt-get install chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="the playwright package is not installed")

# Read at import: the instance_path fixture removes every FEEDSVC_* variable from the tests' view.
SCREENSHOTS = os.environ.get("FEEDSVC_SCREENSHOTS")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
EMAIL, PASSWORD = "ops@feeds.example.org", "a long browser password"
STORY = """---
title: 滨江夜市周五开张
source: 江岸晚报
category: 城市
tags: [夜市, 滨江]
---

滨江夜市本周五晚正式开张，首批六十个摊位以本地小吃和手工艺品为主。

夜市每晚六点至十一点营业，周边停车场延长开放时间，公交夜班线路同步加密。
"""


@pytest.fixture
def live_app(app, smtp_server, runner):
    """The app served by a real threaded server on loopback, mailing the aiosmtpd server."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    app.config.update(
        BASE_URL=f"http://127.0.0.1:{server.server_port}",
        MAIL_URL=f"smtp://127.0.0.1:{smtp_server.port}",
        BOUNCE_ADDRESS="bounces@feeds.example.org",
        # Plain HTTP here, so the cookie cannot be Secure (the app decided from the https fixture URL).
        SESSION_COOKIE_SECURE=False,
    )
    assert runner.invoke(args=["admin", "create", EMAIL, "--password", PASSWORD]).exit_code == 0
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield app
    server.shutdown()
    thread.join()


@pytest.fixture
def browser():
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=ARGS)
        yield chromium
        chromium.close()


def shot(page, name: str) -> None:
    if SCREENSHOTS:
        Path(SCREENSHOTS).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(SCREENSHOTS) / name), full_page=True)


def test_operator_imports_previews_and_sends(live_app, browser, handler, runner, tmp_path):
    base = live_app.config["BASE_URL"]
    page = browser.new_page(viewport={"width": 1280, "height": 860}, locale="zh-CN")
    problems = []  # CSP refusals and failed loads show up as console errors
    page.on("console", lambda msg: problems.append((msg.text, msg.location.get("url")))
            if msg.type == "error" and not msg.location.get("url", "").endswith("/favicon.ico") else None)
    page.set_default_timeout(15000)

    page.goto(f"{base}/admin/")
    assert page.url.startswith(f"{base}/admin/login")
    page.fill("input[name=email]", EMAIL)
    page.fill("input[name=password]", PASSWORD)
    page.click("form.stack button[type=submit]")
    page.wait_for_url(f"{base}/admin/")
    assert page.inner_text("h1") == "概览"

    story = tmp_path / "夜市.md"
    story.write_text(STORY, encoding="utf-8")
    page.goto(f"{base}/admin/articles")
    page.set_input_files("input[name=files]", str(story))
    page.click("#import form.stack button[type=submit]")
    page.wait_for_url("**/admin/tasks/*")
    assert page.get_attribute("section.task", "data-state") == "queued"
    jobs.run_tasks(live_app)  # what the worker does; the page refreshes itself until it is done
    page.wait_for_selector("section.task[data-state=done]")
    assert "新增" in page.inner_text("table.results")

    page.goto(f"{base}/")
    assert "滨江夜市周五开张" in page.inner_text("main")
    feed = page.request.get(f"{base}/feeds/rss.xml")
    assert feed.ok and "滨江夜市周五开张" in feed.text()

    with db.new_session(live_app) as session, session.begin():
        session.add(Subscriber(email="reader@example.com", state="confirmed", timezone="Asia/Shanghai",
                               delivery_hour=7, language="zh-CN", topics="[]", bounce_count=0))
    page.goto(f"{base}/admin/digests")
    page.fill("input[name=subscriber]", "reader@example.com")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**/admin/digests?subscriber=reader%40example.com*")
    frame = page.frame_locator("iframe.mail-preview")
    assert "滨江夜市周五开张" in frame.locator("body").inner_text()
    assert "滨江夜市周五开张" in page.inner_text("pre.mail-text")
    shot(page, "digest-preview.png")

    page.fill("input[name=to]", "editor@example.com")
    page.click("form[action$='/admin/digests/test'] button[type=submit]")
    page.wait_for_selector("p.flash")
    assert "editor@example.com" in page.inner_text("p.flash")
    [received] = handler.received
    message = email.message_from_bytes(received.content, policy=email.policy.default)
    assert message["To"] == "editor@example.com"
    assert "滨江夜市周五开张" in message.get_body(("plain",)).get_content()
    log = page.inner_text("table.deliveries")
    assert "editor@example.com" in log and "已发送" in log
    with db.new_session(live_app) as session:
        assert session.scalar(select(Delivery.state).where(Delivery.kind == "test")) == "sent"
        reader = session.scalar(select(Subscriber.id).where(Subscriber.email == "reader@example.com"))

    # A relay bounces the test later (issue 12): the scan records it, the log and the dashboard show it.
    (tmp_path / "returned.eml").write_bytes(dsn(received))
    assert runner.invoke(args=["bounces", "scan", str(tmp_path / "returned.eml")]).exit_code == 0
    page.reload()
    assert "5.1.1" in page.inner_text("table.deliveries td.returned")

    page.goto(f"{base}/admin/")
    assert page.locator("svg.chart rect title").count() == 60
    assert page.inner_text(".stat.returned .big") == "1"
    shot(page, "dashboard.png")
    assert not problems, problems

    phone = browser.new_page(viewport={"width": 390, "height": 844}, storage_state=page.context.storage_state())
    for path in ("/admin/", "/admin/articles", "/admin/digests", "/admin/settings", f"/admin/subscribers/{reader}"):
        phone.goto(f"{base}{path}")
        wide = phone.evaluate("""() => [...document.querySelectorAll('body *')]
            .filter(e => e.getBoundingClientRect().right > window.innerWidth + 1 && !e.closest('.table-wrap'))
            .map(e => e.tagName + '.' + e.className)""")
        assert not wide, (path, wide)
    phone.close()
    page.close()
