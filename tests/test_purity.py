"""The pure core (parsing, text, feeds, reading bounces) imports no web framework, database or mail."""
from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "feedsvc"
FORBIDDEN = {"flask", "sqlalchemy", "alembic", "smtplib", "imaplib", "werkzeug", "apscheduler"}
PURE = [
    *sorted((PACKAGE / "ingest").glob("*.py")),
    *sorted((PACKAGE / "text").glob("*.py")),
    PACKAGE / "feeds" / "render.py",
    PACKAGE / "feeds" / "formats.py",
    PACKAGE / "feeds" / "opml.py",
    PACKAGE / "sanitize.py",
    PACKAGE / "languages.py",
    PACKAGE / "timestamps.py",
    PACKAGE / "chinese.py",
    PACKAGE / "mail" / "message.py",
    PACKAGE / "mail" / "bounces.py",
    PACKAGE / "mail" / "bounce_text.py",
    PACKAGE / "mail" / "verp.py",
    PACKAGE / "digest" / "compose.py",
    PACKAGE / "digest" / "render.py",
    PACKAGE / "digest" / "wording.py",
]
STORES = {"importer.py", "store.py"}  # where parsed values meet the database


@pytest.mark.parametrize("path", [p for p in PURE if p.name not in STORES], ids=lambda p: p.name)
def test_pure_module_imports_nothing_impure(path):
    tree = ast.parse(path.read_text(encoding="utf-8"))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            imported.add(node.module.split(".")[0])
        elif isinstance(node, ast.ImportFrom) and node.level and node.module:
            assert node.module.split(".")[-1] not in {"db", "models", "cli"}, path
    assert not imported & FORBIDDEN, f"{path.name} imports {imported & FORBIDDEN}"
