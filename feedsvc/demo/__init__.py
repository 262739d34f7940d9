"""Fictional demo articles shipped with feedsvc so a fresh install has feeds to show."""
from __future__ import annotations

from pathlib import Path


def demo_dir() -> Path:
    """Return the folder holding the demo article files."""
    return Path(__file__).resolve().parent / "articles"
