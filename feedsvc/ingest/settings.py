"""What the import needs from the configuration, as one plain value."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import tzinfo

from feedsvc.text.signature import NEAR_DUPLICATE_THRESHOLD

DEFAULT_MAX_BYTES = 20 * 1024 * 1024


@dataclass(frozen=True)
class ImportSettings:
    """What the importer needs from the configuration."""

    tz: tzinfo
    summary_chars: int = 200
    auto_tags: int = 5
    near_duplicate_threshold: float = NEAR_DUPLICATE_THRESHOLD
    max_bytes: int = DEFAULT_MAX_BYTES
