"""feedsvc digest …, against the loopback SMTP server."""
from __future__ import annotations

import email
import email.policy

import pytest

BASE = "https://feeds.example.org"


@pytest.fixture
def app(app, smtp_server):
    app.config["MAIL_URL"] = f"smtp://127.0.0.1:{smtp_server.port}?helo=feedsvc.test"
    return app


def test_digest_send_and_preview(runner, handler, add_article, tmp_path):
    add_article(title="Harbour ferry returns", text="The harbour ferry resumed service on Monday.",
                original_url="https://www.example.org/ferry", lang="en")
    runner.invoke(args=["subscribers", "add", "reader@example.com", "--confirmed"])
    out = tmp_path / "preview.eml"
    preview = runner.invoke(args=["digest", "preview", "--subscriber", "reader@example.com", "-o", str(out)])
    assert preview.exit_code == 0, preview.output
    msg = email.message_from_bytes(out.read_bytes(), policy=email.policy.default)
    assert "https://www.example.org/ferry" in msg.get_body(("plain",)).get_content()
    assert handler.received == [], "preview sends nothing"
    sent = runner.invoke(args=["digest", "send", "--all"])
    assert sent.exit_code == 0, sent.output
    assert "editions: 1 new" in sent.output and "messages: 1 sent" in sent.output
    again = runner.invoke(args=["digest", "send", "--all"])
    assert "0 new (0 empty), 1 already built" in again.output and "messages: 0 sent" in again.output
    assert len(handler.received) == 1


def test_send_with_smtp_down_keeps_the_digest(app, runner, add_article):
    add_article(title="Harbour ferry returns", text="The harbour ferry resumed service on Monday.")
    runner.invoke(args=["subscribers", "add", "reader@example.com", "--confirmed"])
    app.config["MAIL_URL"] = "smtp://127.0.0.1:9?timeout=1"  # nothing listens on the discard port
    down = runner.invoke(args=["digest", "send", "--all"])
    assert down.exit_code == 1 and "stopped early" in down.output
    assert "0 sent, 1 to retry" in down.output
