"""The real reprinted article in ../shared/samples must give at least what its .expected.json lists."""
import json
from datetime import date
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from feedsvc.ingest.parse import parse_bytes

SAMPLES = Path(__file__).resolve().parents[2] / ".." / "shared" / "samples"
SAMPLE = SAMPLES / "lzfz-reprint-2023-10-11.txt"

pytestmark = pytest.mark.skipif(not SAMPLE.exists(), reason="shared samples are not available")


@pytest.fixture(scope="module")
def parsed():
    [article] = parse_bytes(SAMPLE.read_bytes(), SAMPLE.name, tz=ZoneInfo("Asia/Shanghai"))
    return article


@pytest.fixture(scope="module")
def expected():
    return json.loads(SAMPLE.with_suffix(".expected.json").read_text(encoding="utf-8"))


def test_expected_fields(parsed, expected):
    for name, value in expected["expect"].items():
        actual = parsed.published.isoformat() if name == "published" else getattr(parsed, name)
        assert actual == value, name
    assert parsed.published == date(2023, 10, 11)
    assert parsed.format == "text" and parsed.encoding == "utf-8"


def test_one_of_fields(parsed, expected):
    for name, allowed in expected["one_of"].items():
        assert getattr(parsed, name) in allowed


def test_body_text(parsed, expected):
    assert parsed.text.startswith(expected["text_starts_with"])
    for sentence in expected["text_contains"]:
        assert sentence in parsed.text
    for chrome in expected["text_must_not_contain"]:
        assert chrome not in parsed.text
        assert chrome not in parsed.html
    assert len(parsed.text.split("\n\n")) >= expected["text_paragraphs_at_least"]
    assert "\n\n\n" not in parsed.text and not parsed.text.startswith(" ")


def test_author_affiliation_is_taken_out_of_the_text(parsed, expected):
    assert parsed.author_affiliation == expected["author_affiliation_if_extracted"]
    assert "作者单位" not in parsed.text
