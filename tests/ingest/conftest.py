"""Shared fixtures for the parsing tests."""
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture
def shanghai():
    """The time zone of the Chinese test sites."""
    return ZoneInfo("Asia/Shanghai")


@pytest.fixture
def fixture_text():
    """Read one of our fixture files as text."""
    return lambda name: (FIXTURES / name).read_text(encoding="utf-8")
