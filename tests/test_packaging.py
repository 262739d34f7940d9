"""The package as installed: a wheel carries every subpackage, the templates and the compiled
catalogues, and runs from anywhere."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = sorted(p.relative_to(ROOT / "templates").as_posix() for p in (ROOT / "templates").rglob("*")
                   if p.is_file() and p.suffix in (".html", ".txt"))
CATALOGUES = sorted(p.relative_to(ROOT).as_posix() for p in (ROOT / "feedsvc" / "translations").rglob("messages.po"))
# Run from the installed copy: it must find its templates there, not in this checkout.
RUN_INSTALLED = """
import sys
from pathlib import Path

import feedsvc
from feedsvc import create_app
from feedsvc.config import templates_dir
from feedsvc.digest.render import render_confirmation

site = Path(sys.argv[1])
assert Path(feedsvc.__file__).is_relative_to(site), feedsvc.__file__
assert templates_dir().is_relative_to(site), templates_dir()
app = create_app({"DATABASE_URL": "sqlite://", "SECRET_KEY": "x", "TESTING": True})
page = app.test_client().get("/no-such-page")
assert page.status_code == 404 and "页面不存在" in page.get_data(as_text=True), page.data[:200]
mail = render_confirmation(site_name="Site", confirm_url="https://x.example/c", language="zh-CN",
                           expires_hours=48, templates_dir=templates_dir() / "email")
assert "https://x.example/c" in mail.text and "<html" in mail.html and "请确认订阅" in mail.text
print("ok")
"""


def test_every_package_is_listed():
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for p in (ROOT / "feedsvc").rglob("__init__.py")}
    assert listed == found | {"feedsvc.templates"}


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """A wheel built offline from a copy of the sources (an in-tree build would leave build/ here)."""
    source = tmp_path_factory.mktemp("source")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for name in ("feedsvc", "templates"):
        shutil.copytree(ROOT / name, source / name, ignore=ignore)
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(ROOT / name, source / name)
    out = tmp_path_factory.mktemp("dist")
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                    "-q", "-w", str(out), str(source)], check=True, capture_output=True)
    [path] = out.glob("feedsvc-*.whl")
    return path


def test_the_wheel_carries_the_templates(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert {f"feedsvc/templates/{name}" for name in TEMPLATES} <= names
    assert "feedsvc/templates/__init__.py" in names and "feedsvc/static/style.css" in names
    assert not any(name.startswith("templates/") for name in names), "no top-level 'templates' package"


def test_the_wheel_carries_the_compiled_catalogues(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    assert CATALOGUES and set(CATALOGUES) <= names and "feedsvc/translations/languages.toml" in names
    assert {name[: -len(".po")] + ".mo" for name in CATALOGUES} <= names


def test_an_installed_copy_finds_its_templates(wheel, tmp_path):
    site = tmp_path / "site"
    subprocess.run([sys.executable, "-m", "pip", "install", "--no-deps", "--no-index", "-q",
                    "--target", str(site), str(wheel)], check=True, capture_output=True)
    env = {k: v for k, v in os.environ.items() if not k.startswith("FEEDSVC_")}
    env.update(PYTHONPATH=str(site), FEEDSVC_INSTANCE_PATH=str(tmp_path / "instance"))
    done = subprocess.run([sys.executable, "-c", RUN_INSTALLED, str(site)], cwd=tmp_path, env=env,
                          capture_output=True, text=True)
    assert done.returncode == 0 and done.stdout.strip() == "ok", done.stderr
