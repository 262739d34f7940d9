"""feedsvc subscribers … and feedsvc digest …, against the loopback SMTP server."""
from __future__ import annotations

import email
import email.policy

import pytest

BASE = "https://feeds.example.org"


@pytest.fixture
def app(app, smtp_server):
    app.config["MAIL_URL"] = f"smtp://127.0.0.1:{smtp_server.port}?helo=feedsvc.test"
    return app


def test_add_list_remove(runner, handler):
    assert runner.invoke(args=["subscribers", "add", "new@example.com"]).output.strip() == "new@example.com: pending"
    assert len(handler.received) == 1, "add without --confirmed sends the confirmation"
    assert "confirmed" in runner.invoke(args=["subscribers", "add", "ok@example.com", "--confirmed"]).output
    assert len(handler.received) == 1
    listing = runner.invoke(args=["subscribers", "list"]).output.splitlines()
    assert listing == ["new@example.com\tpending", "ok@example.com\tconfirmed"]
    bad = runner.invoke(args=["subscribers", "add", "not an address"])
    assert bad.exit_code != 0 and "invalid email address" in bad.output
    assert runner.invoke(args=["subscribers", "remove", "new@example.com"]).exit_code == 0
    assert runner.invoke(args=["subscribers", "list"]).output.splitlines() == ["ok@example.com\tconfirmed"]
    assert runner.invoke(args=["subscribers", "remove", "ghost@example.com"]).exit_code != 0


def test_import_reports_bad_rows_and_export_round_trips(runner, tmp_path, handler):
    csv_file = tmp_path / "list.csv"
    csv_file.write_text(
        "email,delivery_hour,timezone,language\n"
        "one@example.com,6,Europe/Berlin,en\n"
        "broken-address,7,,\n"
        "two@example.com,99,,\n"
        "three@example.com,,,\n"
        "ONE@example.com,5,,\n", encoding="utf-8")
    result = runner.invoke(args=["subscribers", "import", str(csv_file), "--confirmed"])
    assert result.exit_code == 1
    assert "2 added, 0 unchanged, 3 refused" in result.output
    assert "line 3:" in result.output and "line 4:" in result.output and "line 6:" in result.output
    assert handler.received == [], "--confirmed sends no confirmation"
    exported = runner.invoke(args=["subscribers", "export"]).output
    lines = exported.strip().splitlines()
    assert lines[0] == "email,state,language,timezone,delivery_hour,topics"
    assert "one@example.com,confirmed,en,Europe/Berlin,6," in lines
    again = tmp_path / "again.csv"
    again.write_text(exported, encoding="utf-8")
    assert "0 added, 2 unchanged, 0 refused" in runner.invoke(args=["subscribers", "import", str(again)]).output


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
