"""feedsvc subscribers …, against the loopback SMTP server."""
from __future__ import annotations

import csv
import io

import pytest


@pytest.fixture
def app(app, smtp_server):
    app.config["MAIL_URL"] = f"smtp://127.0.0.1:{smtp_server.port}?helo=feedsvc.test"
    return app


def test_add_list_remove(runner, handler):
    assert runner.invoke(args=["subscribers", "add", "new@example.com"]).output.strip() == "new@example.com: pending"
    assert handler.received == [], "queued: the worker sends it"
    assert "1 sent" in runner.invoke(args=["digest", "send"]).output
    assert len(handler.received) == 1, "add without --confirmed queues the confirmation"
    assert "confirmed" in runner.invoke(args=["subscribers", "add", "ok@example.com", "--confirmed"]).output
    runner.invoke(args=["digest", "send"])
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
    assert lines[0] == "email,state,language,timezone,delivery_hour,topics,frequency,weekday"
    assert "one@example.com,confirmed,en,Europe/Berlin,6,,daily,1" in lines, "a CSV of before: daily, 1"
    again = tmp_path / "again.csv"
    again.write_text(exported, encoding="utf-8")
    assert "0 added, 2 unchanged, 0 refused" in runner.invoke(args=["subscribers", "import", str(again)]).output


def test_weekly_from_the_command_and_in_csv_both_ways(runner, tmp_path):
    """Issue 12: --frequency and --weekday, and the frequency and weekday columns."""
    add = ["subscribers", "add", "--confirmed"]
    assert runner.invoke(args=[*add, "w@example.com", "--frequency", "weekly", "--weekday", "5"]).exit_code == 0
    assert runner.invoke(args=[*add, "d@example.com"]).exit_code == 0
    for bad in (["--frequency", "monthly"], ["--weekday", "8"], ["--weekday", "0"], ["--weekday", "Mon"]):
        refused = runner.invoke(args=[*add, "x@example.com", *bad])
        assert refused.exit_code == 2 and "Invalid value" in refused.output, bad
    csv_file = tmp_path / "list.csv"
    csv_file.write_text("email,frequency,weekday\n"
                        "sunday@example.com,weekly,7\n"
                        "plain@example.com,,\n"
                        "monthly@example.com,monthly,1\n"
                        "eighth@example.com,weekly,8\n", encoding="utf-8")
    result = runner.invoke(args=["subscribers", "import", str(csv_file), "--confirmed"])
    assert "2 added, 0 unchanged, 2 refused" in result.output
    assert "line 4: frequency: must be daily or weekly" in result.output
    assert "line 5: weekday: must be an ISO weekday from 1 (Monday) to 7 (Sunday)" in result.output
    exported = csv.DictReader(io.StringIO(runner.invoke(args=["subscribers", "export"]).output))
    assert [(row["email"], row["frequency"], row["weekday"]) for row in exported] == [
        ("w@example.com", "weekly", "5"), ("d@example.com", "daily", "1"),
        ("sunday@example.com", "weekly", "7"), ("plain@example.com", "daily", "1")]
