"""The feedsvc command starts without building what it does not use (issue 11).

``feedsvc --help`` imports no command module, ``feedsvc parse`` no Flask, database or
Alembic, and no command hashes a password at import. Speed is measured in bench/, never here.
"""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import click
import pytest

from feedsvc.cli import COMMANDS, FLASK, LazyCommand, main

ROOT = Path(__file__).resolve().parents[2]
HEAVY = ("flask", "sqlalchemy", "alembic", "werkzeug", "jinja2", "feedsvc.models", "feedsvc.db")
# What `feedsvc --help` listed when it was Flask's FlaskGroup (the listing is a contract too).
LISTING = """\
Commands:
  admin        Operator accounts for the /admin pages.
  bootstrap    First start: the drop folder, the demo articles while the...
  bounces      Returned mail: late bounces and complaints.
  db           Database migrations.
  digest       Daily digest emails.
  import       Import article files and folders (recursively) into the...
  parse        Print what the importer extracts from FILE as JSON,...
  routes       Show the routes for the app.
  run          Run a development server.
  scan         Import what is new or changed in the drop folder...
  shell        Run a shell in the app context.
  subscribers  Email subscribers.
  worker       Run the scheduler (drop folder, digests, delivery,...
"""
REPORT_MODULES = """
import json, sys
from feedsvc.cli import main
try:
    main(sys.argv[1:], prog_name="feedsvc")
except SystemExit as exit:
    code = exit.code
print(json.dumps({"code": code, "modules": sorted(sys.modules)}), file=sys.stderr)
"""


def run_feedsvc(tmp_path: Path, *args: str) -> tuple[subprocess.CompletedProcess, dict]:
    """``feedsvc ARGS`` in a fresh interpreter: its result, and the modules it had imported."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FEEDSVC_", "FLASK_"))}
    env["FEEDSVC_INSTANCE_PATH"] = str(tmp_path / "instance")
    done = subprocess.run([sys.executable, "-c", REPORT_MODULES, *args], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=120)
    return done, json.loads(done.stderr.strip().splitlines()[-1])


def loaded(report: dict, *names: str) -> list[str]:
    return [m for m in report["modules"] if m in names or m.startswith(tuple(f"{n}." for n in names))]


@pytest.mark.parametrize("entry", COMMANDS, ids=lambda e: e.name)
def test_each_row_names_its_command_and_its_help(entry):
    command = LazyCommand(entry).load()
    assert isinstance(command, click.Command) and command.name == entry.name
    assert entry.help == command.get_short_help_str(limit=1000)


def test_help_lists_every_command_without_importing_one(tmp_path):
    done, report = run_feedsvc(tmp_path, "--help")
    assert report["code"] == 0
    assert LISTING in done.stdout
    assert "-e, --env-file FILE" in done.stdout and "-A, --app IMPORT" in done.stdout
    assert not loaded(report, *HEAVY, "feedsvc.cli.articles", "feedsvc.ingest")
    assert not (tmp_path / "instance").exists()


def test_parse_reads_the_settings_without_flask_or_a_database(tmp_path, shared_samples):
    (tmp_path / "instance").mkdir()
    (tmp_path / "instance" / "config.py").write_text("SUMMARY_CHARS = 60\n")
    done, report = run_feedsvc(tmp_path, "parse", str(shared_samples / "lzfz-reprint-2023-10-11.txt"))
    assert report["code"] in (0, None), done.stderr
    assert 0 < len(json.loads(done.stdout)["summary"]) <= 90  # the instance file's SUMMARY_CHARS
    assert not loaded(report, *HEAVY)
    assert sorted(p.name for p in (tmp_path / "instance").iterdir()) == ["config.py"]


def test_a_subcommands_help_builds_no_app(tmp_path):
    done, report = run_feedsvc(tmp_path, "digest", "send", "--help")
    assert report["code"] == 0 and "--all" in done.stdout
    assert not (tmp_path / "instance").exists()


def test_a_command_that_uses_the_app_builds_it_and_its_schema(tmp_path):
    done, report = run_feedsvc(tmp_path, "subscribers", "list")
    assert report["code"] in (0, None), done.stderr
    assert (tmp_path / "instance" / "feedsvc.sqlite3").exists()
    # The schema was at head after the first command: the second one's check needs no Alembic.
    done, report = run_feedsvc(tmp_path, "subscribers", "list")
    assert report["code"] in (0, None) and not loaded(report, "alembic")


def test_flask_cli_has_the_same_commands(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("FEEDSVC_", "FLASK_"))}
    env["FEEDSVC_INSTANCE_PATH"] = str(tmp_path / "instance")
    done = subprocess.run([str(Path(sys.executable).parent / "flask"), "--app", "feedsvc", "--help"],
                          cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert LISTING in done.stdout


def test_registered_commands_match_the_table(app):
    ours = {entry.name for entry in COMMANDS if entry.app != FLASK}
    assert ours <= set(app.cli.list_commands(None))
    assert set(main.list_commands(None)) == {entry.name for entry in COMMANDS}


def test_no_password_is_hashed_at_import(tmp_path):
    # The admin's dummy hash (scrypt, ~50 ms) is made at the first sign-in, not by every command.
    code = ("import hashlib\ncalls = []\nreal = hashlib.scrypt\n"
            "hashlib.scrypt = lambda *a, **k: calls.append(1) or real(*a, **k)\n"
            "from feedsvc import create_app\nimport feedsvc.accounts, feedsvc.admin\n"
            "create_app({'DATABASE_URL': 'sqlite://', 'SECRET_KEY': 'x'})\nprint(len(calls))\n")
    env = {k: v for k, v in os.environ.items() if not k.startswith("FEEDSVC_")}
    env["FEEDSVC_INSTANCE_PATH"] = str(tmp_path / "instance")
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode == 0 and done.stdout.strip() == "0", done.stderr
