"""Configuration precedence, the instance folder and the generated secret key."""
from __future__ import annotations

import pytest

from feedsvc import create_app


def test_defaults_put_everything_in_the_instance_folder(instance_path):
    app = create_app()
    assert app.instance_path == str(instance_path)
    assert app.config["DATABASE_URL"] == f"sqlite:///{instance_path / 'feedsvc.sqlite3'}"
    assert app.config["DROP_FOLDER"] == str(instance_path / "articles")


def test_secret_key_is_generated_once_and_private(instance_path):
    first = create_app().config["SECRET_KEY"]
    second = create_app().config["SECRET_KEY"]
    assert first == second and len(first) >= 40
    assert (instance_path / "secret_key").stat().st_mode & 0o077 == 0


def test_environment_overrides_instance_config(instance_path, monkeypatch):
    instance_path.mkdir(parents=True)
    (instance_path / "config.py").write_text('SITE_NAME = "from file"\nSUMMARY_CHARS = 120\n')
    monkeypatch.setenv("FEEDSVC_SITE_NAME", "from env")
    app = create_app()
    assert app.config["SITE_NAME"] == "from env"
    assert app.config["SUMMARY_CHARS"] == 120


def test_environment_values_are_typed(instance_path, monkeypatch):
    monkeypatch.setenv("FEEDSVC_SUMMARY_CHARS", "150")
    assert create_app().config["SUMMARY_CHARS"] == 150


def test_unknown_time_zone_is_a_clear_error(instance_path, monkeypatch):
    monkeypatch.setenv("FEEDSVC_TIMEZONE", "Mars/Olympus")
    with pytest.raises(RuntimeError, match="FEEDSVC_TIMEZONE"):
        create_app()


def test_plain_postgresql_url_uses_the_shipped_driver():
    from feedsvc.db import normalise_url

    assert normalise_url("postgresql://u:p@db.example/feeds") == "postgresql+psycopg://u:p@db.example/feeds"
    assert normalise_url("sqlite:////tmp/x.db") == "sqlite:////tmp/x.db"


def test_read_without_an_app_follows_the_same_precedence(instance_path, monkeypatch):
    # feedsvc parse reads the settings without building an app (issue 11): the same values.
    from feedsvc.config import DEFAULTS, read

    instance_path.mkdir(parents=True)
    (instance_path / "config.py").write_text('SITE_NAME = "from file"\nSUMMARY_CHARS = 120\nAUTO_TAGS = 3\n'
                                             'lower_case = "ignored"\n')
    monkeypatch.setenv("FEEDSVC_SITE_NAME", "from env")
    monkeypatch.setenv("FEEDSVC_AUTO_TAGS", "0")
    monkeypatch.setenv("FEEDSVC_TIMEZONE", "Europe/London")
    monkeypatch.setenv("FEEDSVC_EXTRA__NESTED", "[1, 2]")
    values = read()
    app = create_app()
    assert {k: values[k] for k in DEFAULTS if values[k] is not None} == {
        k: app.config[k] for k in DEFAULTS if values[k] is not None}
    assert (values["SITE_NAME"], values["SUMMARY_CHARS"], values["AUTO_TAGS"]) == ("from env", 120, 0)
    assert values["EXTRA"] == app.config["EXTRA"] == {"NESTED": [1, 2]}
    assert "lower_case" not in values and "LOWER_CASE" not in values
